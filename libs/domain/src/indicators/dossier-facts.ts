import type { DossierStatusEvent } from '@lienthong/contracts';
import { DossierStatus, isDossierStatus, toPortalCode } from '../dossier/dossier-status';

/**
 * Per-dossier facts behind the Decision 766 counts, derived from the dossier's status events.
 *
 * The facts are a function of the *set* of events: duplicates (same eventId) count once and the arrival
 * order does not matter — events are ordered by occurredAt (then by portal status code, then eventId), so
 * an event that arrives late lands where it belongs and a re-derivation after it gives the same facts as if
 * it had arrived on time. Rules (part of formula version FORMULA_VERSION):
 *
 * - agency: the agencyCode of the latest event (a dossier handed to another agency counts for that agency).
 * - received at: the first RECEIVED. Without one (events before the gateway went live, or a lost event), the
 *   first status that implies reception (IN_PROCESS, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED, STOPPED,
 *   RESOLVED, RESULT_RETURNED). A dossier only SUBMITTED, REJECTED or WITHDRAWN before reception was never
 *   received and counts in no dossier figure.
 * - resolved at: the first RESOLVED, else the first RESULT_RETURNED.
 * - closed at: the earlier of resolution and the first REJECTED / WITHDRAWN / STOPPED. A received dossier
 *   withdrawn or stopped is neither resolved nor pending from then on (it only counts as received).
 * - due at: the appointment date (ngày hẹn trả) in force — dueAt of the latest event that carries one, among
 *   events up to the closure (an extension re-sent with a later event replaces the earlier date).
 * - on time: resolved at or before the due date; a dossier without any due date is on time (procedures
 *   settled on the spot carry none).
 * - online: the channel of the first event is ONLINE.
 * - fee required / paid online: `payment.required` / `payment.paidOnline === true` of the latest event that
 *   carries the field.
 * - document counts: each field of `documents` from the latest event that carries it. Digitised at intake:
 *   every component of the dossier is in digital form (componentsDigitised + componentsReused ≥
 *   componentsSubmitted, at least one component); without componentsSubmitted, at least one component was
 *   digitised. Result digitised: resultsDigitised > 0. Reused components: componentsReused, of which
 *   componentsReusedFromPortal came from the national portal and the rest from this province's reuse store
 *   (the aggregation also weighs the reuse store's own records of the dossier, see indicator-aggregator.ts).
 * - rating: the latest event that carries one (a new rating replaces the old); rated at its ratedAt, else the
 *   event's occurredAt.
 */

/** The fields of a dossier status event the indicators use; nothing about the applicant. */
export type IndicatorEvent = Pick<
  DossierStatusEvent,
  'eventId' | 'dossierCode' | 'agencyCode' | 'status' | 'occurredAt' | 'channel'
> &
  Partial<Pick<DossierStatusEvent, 'dueAt' | 'documents' | 'payment' | 'rating'>>;

export interface DossierFacts {
  dossierCode: string;
  agencyCode: string;
  receivedAt: Date | null;
  dueAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Set for resolved dossiers only. */
  onTime: boolean | null;
  online: boolean;
  feeRequired: boolean;
  paidOnline: boolean;
  digitisedAtIntake: boolean;
  resultDigitised: boolean;
  componentsReusedFromStore: number;
  componentsReusedFromPortal: number;
  /** 1-5, or null when the dossier was not rated. */
  ratingScore: number | null;
  ratedAt: Date | null;
}

const S = DossierStatus;
const RECEPTION_IMPLIED: ReadonlySet<string> = new Set([
  S.IN_PROCESS,
  S.SUPPLEMENT_REQUESTED,
  S.PAYMENT_REQUESTED,
  S.STOPPED,
  S.RESOLVED,
  S.RESULT_RETURNED,
]);
const CLOSED_WITHOUT_RESULT: ReadonlySet<string> = new Set([S.REJECTED, S.WITHDRAWN, S.STOPPED]);

/** Keeps only what the indicators need from an event (drops the applicant, handler and note). */
export function toIndicatorEvent(event: IndicatorEvent): IndicatorEvent {
  return {
    eventId: event.eventId,
    dossierCode: event.dossierCode,
    agencyCode: event.agencyCode,
    status: event.status,
    occurredAt: event.occurredAt,
    channel: event.channel,
    ...(event.dueAt !== undefined ? { dueAt: event.dueAt } : {}),
    ...(event.documents !== undefined ? { documents: { ...event.documents } } : {}),
    ...(event.payment !== undefined ? { payment: { ...event.payment } } : {}),
    ...(event.rating !== undefined ? { rating: { ...event.rating } } : {}),
  };
}

const rank = (status: string) => (isDossierStatus(status) ? toPortalCode(status) : 99);

interface Timed {
  event: IndicatorEvent;
  at: number;
}

function ordered(events: readonly IndicatorEvent[]): Timed[] {
  const byId = new Map<string, IndicatorEvent>();
  for (const event of events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  return [...byId.values()]
    .map((event) => ({ event, at: Date.parse(event.occurredAt) }))
    .filter((timed) => Number.isFinite(timed.at))
    .sort(
      (a, b) =>
        a.at - b.at ||
        rank(a.event.status) - rank(b.event.status) ||
        (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0),
    );
}

function latest<T>(events: readonly Timed[], pick: (event: IndicatorEvent) => T | undefined): T | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const value = pick(events[i].event);
    if (value !== undefined) return value;
  }
  return undefined;
}

const count = (value: number | undefined) =>
  Number.isInteger(value) && (value as number) > 0 ? (value as number) : 0;

/**
 * The facts of one dossier from its events (any order, duplicates allowed); undefined when there is no
 * event. All events must belong to the same dossier.
 */
export function deriveDossierFacts(events: readonly IndicatorEvent[]): DossierFacts | undefined {
  const timeline = ordered(events);
  if (timeline.length === 0) return undefined;
  const first = timeline[0].event;
  const last = timeline[timeline.length - 1].event;
  const firstAt = (statuses: ReadonlySet<string>) => timeline.find((t) => statuses.has(t.event.status))?.at;

  const receivedAt = firstAt(new Set([S.RECEIVED])) ?? firstAt(RECEPTION_IMPLIED);
  const resolvedAt = firstAt(new Set([S.RESOLVED])) ?? firstAt(new Set([S.RESULT_RETURNED]));
  const endedAt = firstAt(CLOSED_WITHOUT_RESULT);
  const closedAt =
    resolvedAt === undefined ? endedAt : endedAt === undefined ? resolvedAt : Math.min(resolvedAt, endedAt);

  const upToClosure = closedAt === undefined ? timeline : timeline.filter((t) => t.at <= closedAt);
  const dueText = latest(upToClosure, (e) => e.dueAt);
  const dueParsed = dueText === undefined ? NaN : Date.parse(dueText);
  const dueAt = Number.isFinite(dueParsed) ? dueParsed : undefined;

  const documents = {
    submitted: latest(timeline, (e) => e.documents?.componentsSubmitted),
    digitised: latest(timeline, (e) => e.documents?.componentsDigitised),
    reused: latest(timeline, (e) => e.documents?.componentsReused),
    reusedFromPortal: latest(timeline, (e) => e.documents?.componentsReusedFromPortal),
    results: latest(timeline, (e) => e.documents?.resultsDigitised),
  };
  const fromPortal = count(documents.reusedFromPortal);
  const reused = Math.max(count(documents.reused), fromPortal);
  const digitised = count(documents.digitised);
  const digitisedAtIntake =
    documents.submitted === undefined
      ? digitised > 0
      : count(documents.submitted) > 0 && digitised + reused >= count(documents.submitted);

  let rating: { score: number; at: number } | undefined;
  for (let i = timeline.length - 1; i >= 0 && !rating; i--) {
    const r = timeline[i].event.rating;
    if (r) {
      const ratedAt = r.ratedAt === undefined ? NaN : Date.parse(r.ratedAt);
      rating = { score: r.score, at: Number.isFinite(ratedAt) ? ratedAt : timeline[i].at };
    }
  }

  const date = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));
  return {
    dossierCode: last.dossierCode,
    agencyCode: last.agencyCode,
    receivedAt: date(receivedAt),
    dueAt: date(dueAt),
    resolvedAt: date(resolvedAt),
    closedAt: date(closedAt),
    onTime: resolvedAt === undefined ? null : dueAt === undefined || resolvedAt <= dueAt,
    online: first.channel === 'ONLINE',
    feeRequired: latest(timeline, (e) => e.payment?.required) === true,
    paidOnline: latest(timeline, (e) => e.payment?.paidOnline) === true,
    digitisedAtIntake,
    resultDigitised: count(documents.results) > 0,
    componentsReusedFromStore: reused - fromPortal,
    componentsReusedFromPortal: fromPortal,
    ratingScore: rating?.score ?? null,
    ratedAt: date(rating?.at),
  };
}

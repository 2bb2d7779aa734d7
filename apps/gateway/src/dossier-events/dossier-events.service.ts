import { Injectable } from '@nestjs/common';
import { AuditLog } from '@lienthong/audit';
import { validate, type DossierStatusEvent } from '@lienthong/contracts';
import {
  canTransition,
  DossierStatus,
  parseDossierCode,
  toPortalCode,
  validateAgencyCode,
  validateDossierCode,
} from '@lienthong/domain';
import { createEvent, Outbox, type OutboxMessage, toKafkaMessage, Topic } from '@lienthong/messaging';
import { counter, histogram, LATENCY_BUCKETS, ProblemException } from '@lienthong/observability';
import { AccessPolicy, denial } from '@lienthong/security';
import { DossierStateRepository, type DossierStateRow, type KnownEvent } from '@lienthong/dossiers';
import { Database, databaseProblem, GroupCommit, type Queryable } from '@lienthong/storage';
import { faultPoint, faultPointArmed } from './fault-point';
import { HandoverService } from './handover.service';
import { IngestRouting } from './ingest-routing';

export const DOSSIER_STATUS_EVENT_TYPE = 'vn.lienthong.dossier.status.v1';
export const MAX_BATCH = 500;
/** A group commit takes queued requests up to this many events. */
export const MAX_GROUP_EVENTS = 2000;

const ingestGroupSize = histogram({
  name: 'lgsp_dossier_ingest_group_requests',
  help: 'Ingest requests committed together in one transaction (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
});

export interface EventIssue {
  path: string;
  code: string;
  message: string;
}

export type EventOutcome =
  | {
      index: number;
      eventId?: string;
      dossierCode?: string;
      outcome: 'ACCEPTED';
      seq: number;
      queued: boolean;
    }
  | { index: number; eventId: string; dossierCode: string; outcome: 'DUPLICATE'; seq: number }
  | {
      index: number;
      eventId?: string;
      dossierCode?: string;
      outcome: 'REJECTED';
      code: string;
      errors: EventIssue[];
    };

/** Rejection codes that mean the caller may not do this (403), as opposed to a bad or untimely event. */
export const SCOPE_REFUSALS: ReadonlySet<string> = new Set(['AGENCY_NOT_ALLOWED', 'DOSSIER_AGENCY_CHANGE']);

/** Who posts: the client (its agencies decide what it may post) and the exchange. */
export interface IngestContext {
  requestId: string;
  path: 'http' | 'kafka';
  clientId: string;
  /** API key id or certificate fingerprint; absent on the Kafka path (the topic names the client). */
  credentialId?: string;
}

export interface IngestResult {
  results: EventOutcome[];
  accepted: number;
  duplicates: number;
  rejected: number;
}

const ingested = counter({
  name: 'lgsp_dossier_events_total',
  help: 'Dossier status events received, by outcome and rejection code',
  labelNames: ['outcome', 'code', 'channel'] as const,
});
const ingestDuration = histogram({
  name: 'lgsp_dossier_ingest_duration_seconds',
  help: 'Time to validate, record and publish (or queue) one request of dossier events',
  labelNames: ['path'] as const,
  buckets: LATENCY_BUCKETS,
});
const databaseUnavailable = counter({
  name: 'lgsp_dossier_ingest_unavailable_total',
  help:
    'Ingest requests answered 503 because the database could not be reached: DATABASE_UNAVAILABLE (nothing ' +
    'recorded) or OUTCOME_UNKNOWN (lost during COMMIT)',
  labelNames: ['channel', 'code'] as const,
});

interface Candidate {
  index: number;
  event: DossierStatusEvent;
}

/** One request waiting for a group commit. */
interface IngestJob {
  candidates: Candidate[];
  context: IngestContext;
}

interface Accepted {
  event: DossierStatusEvent;
  seq: number;
  requestId: string;
}

/**
 * The CloudEvent of an accepted event as the dispatcher will publish it, keyed by dossier code (the
 * console's "sync again" sends the same message to the portal's retry topic).
 */
export function toOutboxMessage({ event, requestId }: Omit<Accepted, 'seq'>): OutboxMessage {
  const data: DossierStatusEvent = {
    ...event,
    portalStatusCode: toPortalCode(event.status as DossierStatus),
  };
  return toKafkaMessage(
    createEvent({
      id: event.eventId,
      type: DOSSIER_STATUS_EVENT_TYPE,
      source: '/lienthong/gateway',
      subject: event.dossierCode,
      time: event.occurredAt,
      data,
      requestId,
    }),
    event.dossierCode,
  );
}

/** Schema, identifier formats and the portal code consistency; no database access. */
function checkShape(value: unknown): { event?: DossierStatusEvent; code?: string; errors: EventIssue[] } {
  const result = validate('dossier-status-event', value);
  if (!result.ok) return { code: 'INVALID_EVENT', errors: result.errors };
  const event = result.value as DossierStatusEvent;
  const errors: EventIssue[] = [];
  for (const issue of validateDossierCode(event.dossierCode).errors) {
    errors.push({ path: '/dossierCode', code: issue.code, message: issue.message });
  }
  for (const issue of validateAgencyCode(event.agencyCode).errors) {
    errors.push({ path: '/agencyCode', code: issue.code, message: issue.message });
  }
  const parsed = parseDossierCode(event.dossierCode);
  if (parsed && errors.length === 0 && new Date(event.occurredAt).getTime() > Date.now() + 5 * 60 * 1000) {
    errors.push({ path: '/occurredAt', code: 'EVENT_IN_FUTURE', message: 'occurredAt is in the future' });
  }
  return errors.length ? { code: 'INVALID_IDENTIFIER', errors } : { event, errors };
}

/**
 * Ingest of dossier status events from the one-stop system (HTTP or the inbound topic): validation,
 * the status machine, idempotency by event id, and publication keyed by dossier code.
 *
 * Commit, then publish. Concurrent requests (HTTP and the inbound topic) are committed together
 * (GroupCommit of @lienthong/storage): one transaction locks every dossier the group touches (in code order,
 * so two groups never deadlock), checks each request's events in arrival order against the dossiers'
 * last accepted state, writes the states, the events and one outbox row per accepted event, and
 * commits. Each caller is answered after the commit; the outbox dispatcher publishes to Kafka in
 * batches afterwards. Nothing talks to Kafka inside the transaction, so an event on the topic was
 * always committed first (no ghosts), and a crash after the commit leaves the row to be published.
 */
@Injectable()
export class DossierEventsService {
  private readonly groups: GroupCommit<IngestJob, EventOutcome[]>;

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    private readonly routing: IngestRouting,
    private readonly handovers: HandoverService,
    private readonly dossiers: DossierStateRepository,
  ) {
    this.groups = new GroupCommit<IngestJob, EventOutcome[]>({
      commit: (jobs) => this.commitGroup(jobs),
      sizeOf: (job) => job.candidates.length,
      maxGroupSize: MAX_GROUP_EVENTS,
      // PGlite has one connection: one group at a time, the next one gathering meanwhile. On PostgreSQL two:
      // every statement costs a round trip, so fewer, larger groups did better than four in the ingest bench
      concurrency: database.kind === 'pglite' ? 1 : 2,
      observeGroup: (requests) => ingestGroupSize.observe(requests),
    });
    if (faultPointArmed()) outbox.afterSend = () => faultPoint('dispatch.after-send');
  }

  async ingest(items: unknown[], context: IngestContext): Promise<IngestResult> {
    const stop = ingestDuration.startTimer({ path: context.path });
    const results: EventOutcome[] = new Array(items.length);
    const candidates: Candidate[] = [];
    items.forEach((item, index) => {
      const { event, code, errors } = checkShape(item);
      if (event && !this.policy.agencyAllowed(context.clientId, event.agencyCode)) {
        results[index] = {
          index,
          eventId: event.eventId,
          dossierCode: event.dossierCode,
          outcome: 'REJECTED',
          code: 'AGENCY_NOT_ALLOWED',
          errors: [
            {
              path: '/agencyCode',
              code: 'AGENCY_NOT_ALLOWED',
              message: `agency ${event.agencyCode} is not one of the agencies client "${context.clientId}" acts for`,
            },
          ],
        };
      } else if (event && this.routing.refuses(event)) {
        results[index] = {
          index,
          eventId: event.eventId,
          dossierCode: event.dossierCode,
          outcome: 'REJECTED',
          code: 'UNKNOWN_PROCEDURE',
          errors: [
            {
              path: '/procedureCode',
              code: 'UNKNOWN_PROCEDURE',
              message: `procedure ${event.procedureCode}${
                event.sectorCode ? ` (sector ${event.sectorCode})` : ''
              } is not in the procedure catalogue, so no ministry would receive it; nothing was recorded`,
            },
          ],
        };
      } else if (event) {
        candidates.push({ index, event });
      } else {
        const raw = (item ?? {}) as Partial<DossierStatusEvent>;
        results[index] = {
          index,
          ...(typeof raw.eventId === 'string' ? { eventId: raw.eventId } : {}),
          ...(typeof raw.dossierCode === 'string' && errors.every((e) => e.path !== '/dossierCode')
            ? { dossierCode: raw.dossierCode }
            : {}),
          outcome: 'REJECTED',
          code: code ?? 'INVALID_EVENT',
          errors,
        };
      }
    });
    if (candidates.length) {
      try {
        await this.record(candidates, results, context);
      } catch (error) {
        stop();
        if (error instanceof ProblemException) {
          this.audit.recordDetached({
            requestId: context.requestId,
            clientId: context.clientId,
            credentialId: context.credentialId,
            service: 'dossier.events',
            upstream: 'dossier-store',
            subject: { kind: 'DOSSIER' },
            outcome: 'UPSTREAM_ERROR',
            outcomeCode: error.code,
          });
        }
        throw error;
      }
    }
    stop();
    this.auditIngest(results, context);
    const summary = { results, accepted: 0, duplicates: 0, rejected: 0 };
    for (const result of results) {
      if (result.outcome === 'ACCEPTED') summary.accepted++;
      else if (result.outcome === 'DUPLICATE') summary.duplicates++;
      else summary.rejected++;
      ingested.inc({
        outcome: result.outcome.toLowerCase(),
        code: result.outcome === 'REJECTED' ? result.code : '',
        channel: context.path,
      });
    }
    return summary;
  }

  /**
   * Joins the next group commit (see GroupCommit) and fills in the outcomes of `candidates` once the
   * group's transaction committed. A database that cannot be reached is a 503 with Retry-After:
   * DATABASE_UNAVAILABLE when nothing was recorded, OUTCOME_UNKNOWN when the connection went during COMMIT
   * and the server could not be asked whether it committed (one it could be asked was answered as it said).
   */
  private async record(candidates: Candidate[], results: EventOutcome[], context: IngestContext) {
    let outcomes: EventOutcome[];
    try {
      outcomes = await this.groups.submit({ candidates, context });
    } catch (error) {
      const problem = databaseProblem(error, {
        unavailable:
          'The event store cannot be reached right now; nothing was recorded. Send the same events again later.',
        unknown:
          'The event store stopped answering while these events were being committed, and whether they were ' +
          'recorded is not known. Send the same events again later: any already recorded are answered DUPLICATE.',
      });
      if (!problem) throw error;
      databaseUnavailable.inc({ channel: context.path, code: problem.code });
      throw problem;
    }
    for (const outcome of outcomes) results[outcome.index] = outcome;
  }

  /**
   * One group commit: every request of the group in arrival order against the same locked dossier
   * states, then one write of the states, the events and their outbox rows, and one commit. Returns
   * each request's outcomes. Kafka is not involved: the dispatcher publishes after the commit.
   */
  private async commitGroup(jobs: readonly IngestJob[]): Promise<EventOutcome[][]> {
    const all = jobs.flatMap((job) => job.candidates);
    const codes = [...new Set(all.map((c) => c.event.dossierCode))].sort();
    const outcomes = await this.database.transaction(async (tx) => {
      const states = await this.dossiers.lockForUpdate(tx, codes);
      const seen = await this.dossiers.knownEvents(
        tx,
        all.map((c) => c.event.eventId),
      );
      const accepted: Accepted[] = [];
      const groupIds = new Map<string, Omit<KnownEvent, 'event_id'>>();
      const perJob = jobs.map((job) =>
        job.candidates.map((candidate) =>
          this.decide(candidate, job.context, states, seen, groupIds, accepted),
        ),
      );
      if (accepted.length) {
        await this.persist(tx, accepted, states);
        await this.outbox.enqueue(tx, Topic.DossierStatus, accepted.map(toOutboxMessage));
      }
      faultPoint('ingest.before-commit');
      return perJob;
    });
    faultPoint('ingest.after-commit');
    Outbox.committed();
    // the access guard's view of these dossiers (agency, closed) may have changed with this commit
    this.dossiers.forget(codes);
    return outcomes;
  }

  /** The outcome of one event against the states as the group has left them so far. */
  private decide(
    candidate: Candidate,
    context: IngestContext,
    states: Map<string, DossierStateRow>,
    seen: Map<string, KnownEvent>,
    groupIds: Map<string, Omit<KnownEvent, 'event_id'>>,
    accepted: Accepted[],
  ): EventOutcome {
    const { event, index } = candidate;
    const known = seen.get(event.eventId) ?? groupIds.get(event.eventId);
    if (known !== undefined) {
      return {
        index,
        eventId: event.eventId,
        dossierCode: known.dossier_code,
        outcome: 'DUPLICATE',
        seq: known.seq,
      };
    }
    const state = states.get(event.dossierCode);
    const refusal = this.agencyRefusal(state, event, context.clientId) ?? this.refusal(state, event);
    if (refusal) {
      return {
        index,
        eventId: event.eventId,
        dossierCode: event.dossierCode,
        outcome: 'REJECTED',
        code: refusal.code,
        errors: [refusal],
      };
    }
    const seq = (state?.event_count ?? 0) + 1;
    states.set(event.dossierCode, {
      dossier_code: event.dossierCode,
      agency_code: event.agencyCode,
      status: event.status as DossierStatus,
      last_occurred_at: new Date(event.occurredAt),
      event_count: seq,
    });
    groupIds.set(event.eventId, { seq, dossier_code: event.dossierCode });
    accepted.push({ event, seq, requestId: context.requestId });
    return {
      index,
      eventId: event.eventId,
      dossierCode: event.dossierCode,
      outcome: 'ACCEPTED',
      seq,
      queued: true,
    };
  }

  /** A stored dossier stays with its agency, and only a client of that agency may post to it. */
  private agencyRefusal(
    state: DossierStateRow | undefined,
    event: DossierStatusEvent,
    clientId: string,
  ): EventIssue | undefined {
    if (!state || state.agency_code === event.agencyCode) return undefined;
    if (!this.policy.agencyAllowed(clientId, state.agency_code)) {
      return {
        path: '/dossierCode',
        code: 'AGENCY_NOT_ALLOWED',
        message: `the dossier belongs to an agency client "${clientId}" does not act for`,
      };
    }
    return {
      path: '/agencyCode',
      code: 'DOSSIER_AGENCY_CHANGE',
      message: `the dossier belongs to agency ${state.agency_code}; an event cannot move it to another agency`,
    };
  }

  private refusal(state: DossierStateRow | undefined, event: DossierStatusEvent): EventIssue | undefined {
    if (state && new Date(event.occurredAt).getTime() < state.last_occurred_at.getTime()) {
      return {
        path: '/occurredAt',
        code: 'STALE_EVENT',
        message: 'the event is older than the last event accepted for this dossier',
      };
    }
    const transition = canTransition(state?.status ?? null, event.status as DossierStatus);
    if (!transition.allowed) {
      return {
        path: '/status',
        code: transition.code ?? 'ILLEGAL_TRANSITION',
        message: transition.reason ?? `${event.status} cannot follow ${state?.status ?? 'a new dossier'}`,
      };
    }
    return undefined;
  }

  /**
   * The states the accepted events leave their dossiers in (one per dossier, its latest event) and the events
   * themselves, written in two statements.
   */
  private persist(tx: Queryable, accepted: Accepted[], states: Map<string, DossierStateRow>): Promise<void> {
    const touched = new Map<string, { event: DossierStatusEvent; seq: number }>();
    for (const { event, seq } of accepted) touched.set(event.dossierCode, { event, seq });
    return this.dossiers.writeAccepted(
      tx,
      [...touched.values()].map(({ event, seq }) => ({
        dossierCode: event.dossierCode,
        agencyCode: event.agencyCode,
        procedureCode: event.procedureCode,
        status: event.status,
        lastEventId: event.eventId,
        lastOccurredAt: states.get(event.dossierCode)?.last_occurred_at ?? new Date(event.occurredAt),
        eventCount: seq,
      })),
      accepted.map(({ event, seq, requestId }) => ({
        eventId: event.eventId,
        dossierCode: event.dossierCode,
        seq,
        status: event.status,
        occurredAt: new Date(event.occurredAt),
        requestId,
        payload: event,
      })),
    );
  }

  /**
   * A dossier as the caller may see it: 403 AGENCY_NOT_ALLOWED when the stored dossier (or, for one not
   * known, the agency part of its code) is not of the caller's agencies, so another agency's dossiers
   * cannot even be probed for existence; a dossier handed over is also the competent agency's to read, unless
   * it refused it. The read is audited either way.
   */
  async dossierFor(dossierCode: string, reader: Omit<IngestContext, 'path'>) {
    const dossier = await this.dossier(dossierCode);
    const agency = dossier?.agencyCode ?? parseDossierCode(dossierCode)?.agencyCode ?? '';
    // a dossier handed over is read by the competent agency too (non-boundary intake), unless it refused it
    const allowed =
      this.policy.agencyAllowed(reader.clientId, agency) ||
      (dossier?.handover !== undefined &&
        dossier.handover.state !== 'REFUSED' &&
        this.policy.agencyAllowed(reader.clientId, dossier.handover.competentAgency));
    this.audit.recordDetached({
      requestId: reader.requestId,
      clientId: reader.clientId,
      credentialId: reader.credentialId,
      service: 'dossier.read',
      dossierCode,
      subject: { kind: 'DOSSIER', identifier: dossierCode },
      outcome: !allowed ? 'DENIED' : dossier ? 'OK' : 'NOT_FOUND',
      ...(!allowed ? { outcomeCode: 'AGENCY_NOT_ALLOWED' } : {}),
      upstream: 'dossier-store',
    });
    if (!allowed) {
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `Dossier ${dossierCode} is not of an agency client "${reader.clientId}" acts for.`,
      );
    }
    return dossier;
  }

  /**
   * The audit of one ingest request, kept off the hot path: one record for what was accepted (or
   * repeated), naming the dossier when there is one (the events themselves carry the request id), and
   * one per refused event with its reason. Scope refusals are DENIED, the others INVALID.
   */
  private auditIngest(results: readonly EventOutcome[], context: IngestContext): void {
    const base = {
      requestId: context.requestId,
      clientId: context.clientId,
      credentialId: context.credentialId,
      service: 'dossier.events',
      upstream: 'dossier-store' as const,
    };
    const taken = results.filter((result) => result.outcome !== 'REJECTED');
    if (taken.length > 0) {
      const dossiers = new Set(taken.map((result) => result.dossierCode));
      const [only] = dossiers;
      const single = dossiers.size === 1 && only !== undefined ? only : undefined;
      this.audit.recordDetached({
        ...base,
        ...(single ? { dossierCode: single } : {}),
        subject: single ? { kind: 'DOSSIER', identifier: single } : { kind: 'DOSSIER' },
        outcome: 'OK',
        outcomeCode: taken.some((result) => result.outcome === 'ACCEPTED') ? 'ACCEPTED' : 'DUPLICATE',
      });
    }
    for (const result of results) {
      if (result.outcome !== 'REJECTED') continue;
      const dossierCode =
        result.dossierCode !== undefined && validateDossierCode(result.dossierCode).valid
          ? result.dossierCode
          : undefined;
      this.audit.recordDetached({
        ...base,
        ...(dossierCode ? { dossierCode } : {}),
        subject: dossierCode ? { kind: 'DOSSIER', identifier: dossierCode } : { kind: 'DOSSIER' },
        outcome: SCOPE_REFUSALS.has(result.code) ? 'DENIED' : 'INVALID',
        outcomeCode: result.code,
      });
    }
  }

  async dossier(dossierCode: string) {
    const state = await this.dossiers.summary(dossierCode);
    if (!state) return null;
    const history = await this.dossiers.history(dossierCode);
    const handover = await this.handovers.find(dossierCode);
    return {
      dossierCode: state.dossier_code,
      agencyCode: state.agency_code,
      procedureCode: state.procedure_code,
      status: state.status,
      portalStatusCode: toPortalCode(state.status),
      lastOccurredAt: state.last_occurred_at.toISOString(),
      updatedAt: state.updated_at.toISOString(),
      history: history.map((row) => ({
        eventId: row.event_id,
        seq: row.seq,
        status: row.status,
        portalStatusCode: toPortalCode(row.status),
        occurredAt: row.occurred_at.toISOString(),
        receivedAt: row.received_at.toISOString(),
      })),
      ...(handover ? { handover } : {}),
    };
  }
}

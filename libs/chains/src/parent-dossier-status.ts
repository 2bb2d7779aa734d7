import { createHash } from 'node:crypto';
import { EVENT_TYPES, validate, type DossierStatusEvent } from '@lienthong/contracts';
import { canTransition, DossierStatus, toPortalCode } from '@lienthong/domain';
import type { DossierStateRepository } from '@lienthong/dossiers';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import type { Queryable } from '@lienthong/storage';

/** The source of the parent dossier's status events the chain runner produces. */
export const CHAIN_RUNNER_SOURCE = '/lienthong/chain-runner';

/** The chain transitions that move the parent dossier. */
export type ParentStatusKind = 'chain.started' | 'chain.completed' | 'chain.stopped';

/**
 * What a chain transition makes of its parent dossier's status, given where the dossier stands (null: the
 * one-stop system has reported no status for it yet). Undefined: the transition leaves the dossier alone.
 *
 * - `chain.started` → IN_PROCESS, only from RECEIVED: a dossier still SUBMITTED is the one-stop desk's to
 *   receive (or reject), and one already further on was moved by the one-stop system itself.
 * - `chain.completed` → RESOLVED: every agency has done its step (a `continue` step refused included); giving
 *   the result to the citizen (RESULT_RETURNED) stays the one-stop system's to report.
 * - `chain.stopped` (a refusal with `stop` or `compensate`) → STOPPED ("dừng xử lý"), with the reason written for
 *   the citizen as the note; REJECTED is a refusal at intake, which the chain never is.
 * - `chain.failed` is not here: a step that cannot be sent needs an operator, and the dossier stays in process.
 *
 * A status the machine refuses from the current one (the one-stop system got there first) is left out.
 */
export function parentStatusFor(
  kind: ParentStatusKind,
  current: DossierStatus | null,
): DossierStatus | undefined {
  if (current === null) return undefined;
  const target =
    kind === 'chain.started'
      ? current === DossierStatus.RECEIVED
        ? DossierStatus.IN_PROCESS
        : undefined
      : kind === 'chain.completed'
        ? DossierStatus.RESOLVED
        : DossierStatus.STOPPED;
  return target !== undefined && canTransition(current, target).allowed ? target : undefined;
}

/** The event id of the status one transition of one chain gives its parent dossier: the same on every replay. */
export function parentStatusEventId(parentDossierCode: string, kind: ParentStatusKind): string {
  const hex = createHash('sha256')
    .update(`lienthong.chain-status:${parentDossierCode}:${kind}`)
    .digest('hex');
  // an RFC 4122 layout (version 5 nibble, variant bits) so it passes as a uuid everywhere
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ParentStatusChange {
  parentDossierCode: string;
  kind: ParentStatusKind;
  at: Date;
  /** The reason written for the citizen, when a step refused. */
  reason?: string;
  requestId?: string;
}

export type ParentStatusOutcome =
  | { outcome: 'ACCEPTED'; eventId: string; status: DossierStatus; seq: number }
  | { outcome: 'SKIPPED'; why: 'NO_DOSSIER' | 'NO_STATUS_CHANGE' | 'STALE' | 'DUPLICATE' | 'INVALID' };

/** Where the runner sends the parent dossier's status, inside the transaction of the chain's transition. */
export interface ParentStatusSink {
  write(tx: Queryable, change: ParentStatusChange): Promise<ParentStatusOutcome>;
  committed(): void;
}

/** What the parent dossier's status needs of the dossiers' store (DossierStateRepository of @lienthong/dossiers). */
export type ParentDossierStates = Pick<
  DossierStateRepository,
  'lockWithLastEvent' | 'knownEvents' | 'writeAccepted'
>;

/**
 * The parent dossier's status from its chain, written the way ingest writes the one-stop system's events: the
 * dossier's row locked, the status machine and the event id checked, the event recorded with the dossier's next
 * sequence number and its message for lgsp.dossier.status.v1 (keyed by dossier code) put in the outbox, all in
 * the caller's transaction. The procedure, sector, channel, applicant and appointment date are the dossier's
 * last accepted event's. Anything the status machine would refuse is skipped, never thrown: the chain goes on.
 * The dossier's state and events are read and written through `dossiers`, the statements ingest uses.
 */
export class ParentDossierStatusRepository implements ParentStatusSink {
  constructor(
    private readonly outbox: Outbox,
    private readonly dossiers: ParentDossierStates,
    private readonly source = CHAIN_RUNNER_SOURCE,
  ) {}

  async write(tx: Queryable, change: ParentStatusChange): Promise<ParentStatusOutcome> {
    const code = change.parentDossierCode;
    const state = await this.dossiers.lockWithLastEvent(tx, code);
    if (!state || state.payload === null) return { outcome: 'SKIPPED', why: 'NO_DOSSIER' };
    const eventId = parentStatusEventId(code, change.kind);
    const seen = await this.dossiers.knownEvents(tx, [eventId]);
    if (seen.size > 0) return { outcome: 'SKIPPED', why: 'DUPLICATE' };
    if (change.at.getTime() < new Date(state.last_occurred_at).getTime()) {
      return { outcome: 'SKIPPED', why: 'STALE' };
    }
    const status = parentStatusFor(change.kind, state.status);
    if (status === undefined) return { outcome: 'SKIPPED', why: 'NO_STATUS_CHANGE' };

    const last = (
      typeof state.payload === 'string' ? JSON.parse(state.payload) : state.payload
    ) as DossierStatusEvent;
    const event: DossierStatusEvent = {
      eventId,
      dossierCode: code,
      agencyCode: state.agency_code,
      procedureCode: state.procedure_code,
      ...(last.sectorCode ? { sectorCode: last.sectorCode } : {}),
      status,
      portalStatusCode: toPortalCode(status),
      occurredAt: change.at.toISOString(),
      ...(last.dueAt ? { dueAt: last.dueAt } : {}),
      channel: last.channel,
      applicant: last.applicant,
      ...(status === DossierStatus.STOPPED && change.reason ? { note: change.reason.slice(0, 2000) } : {}),
    };
    if (!validate('dossier-status-event', event).ok) return { outcome: 'SKIPPED', why: 'INVALID' };

    const seq = state.event_count + 1;
    // the request id the event carries to the ministries and the portal: which transition made it
    const requestId = change.requestId ?? `chain.${code}.${change.kind.slice('chain.'.length)}`;
    // the state as ingest leaves it (the same agency and procedure, the new status and last event), then the event
    await this.dossiers.writeAccepted(
      tx,
      [
        {
          dossierCode: code,
          agencyCode: state.agency_code,
          procedureCode: state.procedure_code,
          status,
          lastEventId: eventId,
          lastOccurredAt: change.at,
          eventCount: seq,
        },
      ],
      [{ eventId, dossierCode: code, seq, status, occurredAt: change.at, requestId, payload: event }],
    );
    await this.outbox.enqueue(tx, Topic.DossierStatus, [
      toKafkaMessage(
        createEvent({
          id: eventId,
          type: EVENT_TYPES.dossierStatus,
          source: this.source,
          subject: code,
          time: event.occurredAt,
          data: event,
          requestId,
        }),
        code,
      ),
    ]);
    return { outcome: 'ACCEPTED', eventId, status, seq };
  }

  committed(): void {
    this.outbox.committed();
  }
}

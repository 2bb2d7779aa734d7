import { Inject, Injectable } from '@nestjs/common';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { AuditLog } from '@lienthong/audit';
import { parseDossierCode } from '@lienthong/domain';
import { DossierStateRepository, PortalSyncGapsRepository } from '@lienthong/dossiers';
import {
  DeadLetterHeader,
  EventProducer,
  PORTAL_RETRY_GROUP_ID,
  RetryHeader,
  Topic,
} from '@lienthong/messaging';
import { ProblemException } from '@lienthong/observability';
import type { Caller } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { toOutboxMessage } from '../dossier-events/dossier-events.service';

export interface SyncGap {
  dossierCode: string;
  agencyCode: string;
  status: string;
  /** When the gateway accepted the dossier's latest event. */
  acceptedAt: string;
  events: number;
  /** The last time the portal took an event of this dossier; null: never. */
  lastSyncedAt: string | null;
  /** The portal's (or the relay's) code of the last failed attempt, if any came after that. */
  lastError: string | null;
  /** Events of the dossier waiting on the portal's retry topic. */
  parked: boolean;
}

export interface SyncGaps {
  at: string;
  minAgeSeconds: number;
  gaps: SyncGap[];
  /** More gaps than the page shows. */
  truncated: boolean;
}

const LIMIT = 200;
const MAX_AGE_SECONDS = 30 * 86_400;
export const SYNC_AGAIN_SERVICE = 'portal.sync-again';

/** The minimum age of a gap the page asks for (seconds); 60 unless given. */
export function parseMinAge(value: unknown): number {
  if (value === undefined || value === '') return 60;
  const n = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > MAX_AGE_SECONDS) {
    throw new ProblemException(400, 'INVALID_FILTER', 'Invalid filter', 'minAge must be whole seconds.', [
      { path: '/minAge', code: 'INVALID', message: `minAge must be 0..${MAX_AGE_SECONDS} seconds.` },
    ]);
  }
  return n;
}

/**
 * Portal sync gaps: dossiers the gateway accepted whose latest status the portal does not have yet. The
 * gateway knows when it accepted each dossier's latest event (dossier_state); the relay records every portal
 * call in the audit log (service portal.sync, with the dossier code). A dossier is a gap when no portal call
 * for it succeeded after its latest event was accepted. Oldest first; those accepted in the last minAge
 * seconds are left out (they are normally on their way). "Sync again" sends the dossier's latest event to
 * the portal's retry topic, addressed to the portal's retry group, where it queues behind any event of the
 * dossier already waiting there; the portal applies each event id once, so a repeat is harmless.
 */
@Injectable()
export class ConsolePortalSync {
  private readonly syncGaps: PortalSyncGapsRepository;
  private readonly dossiers: DossierStateRepository;

  constructor(
    @Inject(Database) database: Database,
    @Inject(EventProducer) private readonly producer: EventProducer,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {
    this.syncGaps = new PortalSyncGapsRepository(database);
    this.dossiers = new DossierStateRepository(database);
  }

  async gaps(minAgeSeconds: number): Promise<SyncGaps> {
    const rows = await this.syncGaps.gaps(minAgeSeconds, LIMIT + 1);
    const iso = (value: Date | string) => new Date(value).toISOString();
    return {
      at: new Date().toISOString(),
      minAgeSeconds,
      truncated: rows.length > LIMIT,
      gaps: rows.slice(0, LIMIT).map((row) => ({
        dossierCode: row.dossier_code,
        agencyCode: row.agency_code,
        status: row.status,
        acceptedAt: iso(row.updated_at),
        events: Number(row.event_count),
        lastSyncedAt: row.last_ok ? iso(row.last_ok) : null,
        lastError: row.last_error,
        parked: Boolean(row.parked),
      })),
    };
  }

  /** Re-queues the dossier's latest status to the portal; an audit record of the signed-in client. */
  async syncAgain(
    dossierCode: unknown,
    caller: Caller,
    requestId: string,
  ): Promise<{ dossierCode: string; eventId: string; status: string; queuedTo: string }> {
    if (typeof dossierCode !== 'string' || !parseDossierCode(dossierCode)) {
      throw new ProblemException(400, 'INVALID_DOSSIER_CODE', 'Invalid dossier code', 'Not a dossier code.', [
        { path: '/dossierCode', code: 'INVALID', message: 'Not a dossier code.' },
      ]);
    }
    const latest = await this.dossiers.latestEvent(dossierCode);
    if (!latest) {
      throw new ProblemException(
        404,
        'DOSSIER_NOT_FOUND',
        'No such dossier',
        'The gateway has accepted no event of this dossier.',
      );
    }
    const event: DossierStatusEvent =
      typeof latest.payload === 'string'
        ? (JSON.parse(latest.payload) as DossierStatusEvent)
        : (latest.payload as DossierStatusEvent);
    const message = toOutboxMessage({ event, requestId: latest.request_id ?? requestId });
    await this.producer.send(Topic.DossierStatusRetry, [
      {
        ...message,
        headers: {
          ...message.headers,
          [RetryHeader.Attempt]: '1',
          [RetryHeader.NotBefore]: new Date().toISOString(),
          [RetryHeader.Reason]: 'sync again from the operations console',
          [DeadLetterHeader.ReplayFor]: PORTAL_RETRY_GROUP_ID,
        },
      },
    ]);
    await this.audit.recordAndWait({
      requestId,
      clientId: caller.clientId,
      credentialId: caller.credentialId,
      service: SYNC_AGAIN_SERVICE,
      upstream: 'public-service-portal',
      subject: { kind: 'DOSSIER', identifier: dossierCode },
      dossierCode,
      outcome: 'OK',
    });
    return { dossierCode, eventId: event.eventId, status: event.status, queuedTo: Topic.DossierStatusRetry };
  }
}

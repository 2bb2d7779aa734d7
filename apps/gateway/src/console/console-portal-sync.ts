import { Inject, Injectable } from '@nestjs/common';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { AuditLog } from '@lienthong/audit';
import { parseDossierCode } from '@lienthong/domain';
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
  constructor(
    @Inject(Database) private readonly database: Database,
    @Inject(EventProducer) private readonly producer: EventProducer,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async gaps(minAgeSeconds: number): Promise<SyncGaps> {
    const rows = await this.database.query<{
      dossier_code: string;
      agency_code: string;
      status: string;
      updated_at: Date | string;
      event_count: number;
      last_ok: Date | string | null;
      last_error: string | null;
      parked: boolean;
    }>(
      `SELECT s.dossier_code, s.agency_code, s.status, s.updated_at, s.event_count,
              ok.at AS last_ok,
              (SELECT COALESCE(f.outcome_code, f.outcome) FROM audit_record f
                WHERE f.service = 'portal.sync' AND f.dossier_code = s.dossier_code AND f.outcome <> 'OK'
                  AND (ok.at IS NULL OR f.occurred_at > ok.at)
                ORDER BY f.seq DESC LIMIT 1) AS last_error,
              EXISTS (SELECT 1 FROM portal_sync_parked p WHERE p.dossier_code = s.dossier_code) AS parked
         FROM dossier_state s
         LEFT JOIN LATERAL (
           SELECT max(a.occurred_at) AS at FROM audit_record a
            WHERE a.service = 'portal.sync' AND a.dossier_code = s.dossier_code AND a.outcome = 'OK'
         ) ok ON true
        WHERE (ok.at IS NULL OR ok.at < s.updated_at)
          AND s.updated_at <= now() - make_interval(secs => $1)
        ORDER BY s.updated_at, s.dossier_code
        LIMIT $2`,
      [minAgeSeconds, LIMIT + 1],
    );
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
    const latest = await this.database.queryOne<{
      payload: DossierStatusEvent | string;
      request_id: string | null;
    }>(
      `SELECT e.payload, e.request_id FROM dossier_state s
         JOIN dossier_event e ON e.event_id = s.last_event_id
        WHERE s.dossier_code = $1`,
      [dossierCode],
    );
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
        : latest.payload;
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

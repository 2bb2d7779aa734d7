import { Injectable } from '@nestjs/common';
import { Database } from '@lienthong/storage';

/**
 * Portal sync's parked dossiers (`portal_sync_parked`, migration 0003): a dossier with an event on the retry
 * topic, which its later events follow there so the portal receives each dossier's events in order.
 */
@Injectable()
export class PortalSyncParking {
  constructor(private readonly database: Database) {}

  /** True while an event of the dossier waits on the retry topic. */
  async isParked(dossierCode: string): Promise<boolean> {
    return Boolean(
      await this.database.queryOne(
        'SELECT 1 AS parked FROM portal_sync_parked WHERE dossier_code = $1 LIMIT 1',
        [dossierCode],
      ),
    );
  }

  async park(dossierCode: string, eventId: string): Promise<void> {
    await this.database.query(
      'INSERT INTO portal_sync_parked (dossier_code, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
      [dossierCode, eventId],
    );
  }

  async unpark(dossierCode: string, eventId: string): Promise<void> {
    await this.database.query(
      'DELETE FROM portal_sync_parked WHERE dossier_code = $1 AND event_id = $2::uuid',
      [dossierCode, eventId],
    );
  }
}

/**
 * The dossier codes the token dialect's portal issued (`portal_dossier_codes`, migration 0010): they outlive a
 * restart and are shared by every relay process of the portal-sync role. The portal client's dossier-code store.
 */
export class PortalDossierCodesRepository {
  constructor(private readonly database: Database) {}

  async get(dossierCode: string): Promise<string | undefined> {
    const row = await this.database.queryOne<{ portal_code: string }>(
      'SELECT portal_code FROM portal_dossier_codes WHERE dossier_code = $1',
      [dossierCode],
    );
    return row?.portal_code;
  }

  async set(dossierCode: string, portalCode: string): Promise<void> {
    await this.database.query(
      `INSERT INTO portal_dossier_codes (dossier_code, portal_code) VALUES ($1, $2)
       ON CONFLICT (dossier_code) DO UPDATE SET portal_code = EXCLUDED.portal_code, issued_at = now()`,
      [dossierCode, portalCode],
    );
  }

  async delete(dossierCode: string): Promise<void> {
    await this.database.query('DELETE FROM portal_dossier_codes WHERE dossier_code = $1', [dossierCode]);
  }
}

/** A dossier whose latest accepted status the portal does not have yet, as the console lists it. */
export interface PortalSyncGapRow {
  dossier_code: string;
  agency_code: string;
  status: string;
  updated_at: Date | string;
  event_count: number;
  /** The last successful sync of the dossier (audit log, service portal.sync). */
  last_ok: Date | string | null;
  /** The code of the last failed sync since then. */
  last_error: string | null;
  parked: boolean;
}

/**
 * Portal sync as the audit log tells it, against the dossiers' states: which dossiers the portal is behind on.
 * Reads `dossier_state`, `portal_sync_parked` and the relay's `portal.sync` records in `audit_record`.
 */
export class PortalSyncGapsRepository {
  constructor(private readonly database: Database) {}

  /**
   * Dossiers with no successful sync since their latest event was accepted, accepted at least `minAgeSeconds`
   * ago; oldest first, at most `limit`.
   */
  gaps(minAgeSeconds: number, limit: number): Promise<PortalSyncGapRow[]> {
    return this.database.query<PortalSyncGapRow>(
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
      [minAgeSeconds, limit],
    );
  }

  /**
   * For each of `codes`: its last successful sync and whether the portal is behind on it (never synced, or
   * not since its latest event was accepted).
   */
  async syncedSince(
    codes: readonly string[],
  ): Promise<Map<string, { lastOk: Date | string | null; gap: boolean }>> {
    const rows = await this.database.query<{
      dossier_code: string;
      last_ok: Date | string | null;
      gap: boolean;
    }>(
      `SELECT c.code AS dossier_code, ok.at AS last_ok,
              (ok.at IS NULL OR (s.updated_at IS NOT NULL AND ok.at < s.updated_at)) AS gap
         FROM unnest($1::text[]) AS c(code)
         LEFT JOIN dossier_state s ON s.dossier_code = c.code
         LEFT JOIN LATERAL (
           SELECT max(a.occurred_at) AS at FROM audit_record a
            WHERE a.service = 'portal.sync' AND a.dossier_code = c.code AND a.outcome = 'OK'
         ) ok ON true`,
      [codes],
    );
    return new Map(rows.map((row) => [row.dossier_code, { lastOk: row.last_ok, gap: row.gap }]));
  }
}

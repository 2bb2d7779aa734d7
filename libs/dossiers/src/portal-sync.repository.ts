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

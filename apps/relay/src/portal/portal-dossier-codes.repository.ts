import type { PortalDossierCodes } from '@lienthong/adapters/public-service-portal';
import type { Database } from '@lienthong/storage';

/**
 * The dossier codes the token dialect's portal issued, in the relay's database (portal_dossier_codes, beside
 * portal_sync_parked): they outlive a restart and are shared by every relay process of the portal-sync role.
 */
export class DatabasePortalDossierCodes implements PortalDossierCodes {
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

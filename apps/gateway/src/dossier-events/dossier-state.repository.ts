import { Injectable } from '@nestjs/common';
import { isTerminalStatus, type DossierStatus } from '@lienthong/domain';
import type { DossierDirectory, KnownDossier } from '@lienthong/security';
import { Database } from '@lienthong/storage';

/**
 * What the gateway knows of a dossier from the events it accepted (`dossier_state`): its agency and
 * whether it is closed. The access guard asks it about the dossier a lookup or a search declares.
 */
@Injectable()
export class DossierStateRepository implements DossierDirectory {
  constructor(private readonly database: Database) {}

  async find(dossierCode: string): Promise<KnownDossier | undefined> {
    const row = await this.database.queryOne<{ agency_code: string; status: DossierStatus }>(
      'SELECT agency_code, status FROM dossier_state WHERE dossier_code = $1',
      [dossierCode],
    );
    return row ? { agencyCode: row.agency_code, closed: isTerminalStatus(row.status) } : undefined;
  }
}

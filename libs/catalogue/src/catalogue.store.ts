import type { NationalCatalogue } from '@lienthong/adapters/public-service-portal';
import type { SyncedCatalogue } from '@lienthong/domain';
import type { Database } from '@lienthong/storage';

/** The last sync attempts, as `lienthong catalogue status` shows them. */
export interface CatalogueSyncRecord {
  id: number;
  startedAt: Date;
  finishedAt: Date;
  outcome: 'SUCCEEDED' | 'FAILED';
  procedures: number | null;
  sectors: number | null;
  agencies: number | null;
  skipped: number | null;
  errorCode: string | null;
}

export interface CatalogueStatus {
  /** The last successful sync: what the store holds. */
  lastSuccess: CatalogueSyncRecord | null;
  /** The last attempt, successful or not. */
  lastAttempt: CatalogueSyncRecord | null;
  held: { procedures: number; sectors: number; agencies: number };
}

interface SyncRow {
  id: string | number;
  started_at: Date;
  finished_at: Date;
  outcome: 'SUCCEEDED' | 'FAILED';
  procedures: number | null;
  sectors: number | null;
  agencies: number | null;
  skipped: number | null;
  error_code: string | null;
}

const record = (row: SyncRow | null): CatalogueSyncRecord | null =>
  row && {
    id: Number(row.id),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outcome: row.outcome,
    procedures: row.procedures,
    sectors: row.sectors,
    agencies: row.agencies,
    skipped: row.skipped,
    errorCode: row.error_code,
  };

/** The synced national catalogue in the database (migration 0016). */
export class CatalogueStore {
  constructor(private readonly db: Database) {}

  /** Replaces the synced catalogue as a whole, in one transaction, and records the sync. */
  async replace(catalogue: NationalCatalogue, startedAt: Date): Promise<CatalogueSyncRecord> {
    return this.db.transaction(async (tx) => {
      // two syncs at once (relays side by side, the CLI) take turns; readers are not held up
      await tx.exec('LOCK TABLE catalogue_procedure, catalogue_sector, catalogue_agency IN EXCLUSIVE MODE');
      await tx.exec(
        'DELETE FROM catalogue_procedure; DELETE FROM catalogue_sector; DELETE FROM catalogue_agency',
      );
      await tx.query(
        `INSERT INTO catalogue_sector (code, name, branch_code)
         SELECT code, name, "branchCode" FROM jsonb_to_recordset($1::jsonb)
           AS x(code text, name text, "branchCode" text)
         ON CONFLICT (code) DO NOTHING`,
        [JSON.stringify(catalogue.sectors)],
      );
      await tx.query(
        `INSERT INTO catalogue_agency (code, name, parent_code)
         SELECT code, name, "parentCode" FROM jsonb_to_recordset($1::jsonb)
           AS x(code text, name text, "parentCode" text)
         ON CONFLICT (code) DO NOTHING`,
        [JSON.stringify(catalogue.agencies)],
      );
      await tx.query(
        `INSERT INTO catalogue_procedure (code, name, sector_code, levels, channels, components,
                                          competent_agencies, non_boundary, online_payment)
         SELECT code, name, "sectorCode", levels, channels, components, "competentAgencies", "nonBoundary",
                "onlinePayment"
           FROM jsonb_to_recordset($1::jsonb)
             AS x(code text, name text, "sectorCode" text, levels jsonb, channels jsonb, components jsonb,
                  "competentAgencies" jsonb, "nonBoundary" boolean, "onlinePayment" boolean)
         ON CONFLICT (code) DO NOTHING`,
        [JSON.stringify(catalogue.procedures)],
      );
      const row = await tx.queryOne<SyncRow>(
        `INSERT INTO catalogue_sync (started_at, finished_at, outcome, procedures, sectors, agencies, skipped)
         VALUES ($1, now(), 'SUCCEEDED', $2, $3, $4, $5) RETURNING *`,
        [
          startedAt,
          catalogue.procedures.length,
          catalogue.sectors.length,
          catalogue.agencies.length,
          catalogue.skipped,
        ],
      );
      return record(row) as CatalogueSyncRecord;
    });
  }

  /** Records a failed attempt; the synced catalogue stays as it was. */
  async recordFailure(startedAt: Date, errorCode: string): Promise<CatalogueSyncRecord> {
    const row = await this.db.queryOne<SyncRow>(
      `INSERT INTO catalogue_sync (started_at, finished_at, outcome, error_code)
       VALUES ($1, now(), 'FAILED', $2) RETURNING *`,
      [startedAt, errorCode],
    );
    return record(row) as CatalogueSyncRecord;
  }

  /** The id of the last successful sync, 0 before the first: a reload reads the catalogue when it changes. */
  async version(): Promise<number> {
    const row = await this.db.queryOne<{ id: string | null }>(
      `SELECT max(id) AS id FROM catalogue_sync WHERE outcome = 'SUCCEEDED'`,
    );
    return Number(row?.id ?? 0);
  }

  /** What the effective catalogue is built from. */
  async read(): Promise<SyncedCatalogue> {
    const [sectors, procedures, agencies] = await Promise.all([
      this.db.query<{ code: string; name: string; branchCode: string | null }>(
        'SELECT code, name, branch_code AS "branchCode" FROM catalogue_sector ORDER BY code',
      ),
      this.db.query<{
        code: string;
        name: string;
        sectorCode: string | null;
        nonBoundary: boolean;
        competentAgencies: string[];
      }>(
        `SELECT code, name, sector_code AS "sectorCode", non_boundary AS "nonBoundary",
                competent_agencies AS "competentAgencies"
           FROM catalogue_procedure ORDER BY code`,
      ),
      this.db.query<{ code: string; name: string }>('SELECT code, name FROM catalogue_agency ORDER BY code'),
    ]);
    return { sectors, procedures, agencies };
  }

  async status(): Promise<CatalogueStatus> {
    const [success, attempt, held] = await Promise.all([
      this.db.queryOne<SyncRow>(
        `SELECT * FROM catalogue_sync WHERE outcome = 'SUCCEEDED' ORDER BY id DESC LIMIT 1`,
      ),
      this.db.queryOne<SyncRow>('SELECT * FROM catalogue_sync ORDER BY id DESC LIMIT 1'),
      this.db.queryOne<{ procedures: string; sectors: string; agencies: string }>(
        `SELECT (SELECT count(*) FROM catalogue_procedure) AS procedures,
                (SELECT count(*) FROM catalogue_sector) AS sectors,
                (SELECT count(*) FROM catalogue_agency) AS agencies`,
      ),
    ]);
    return {
      lastSuccess: record(success),
      lastAttempt: record(attempt),
      held: {
        procedures: Number(held?.procedures ?? 0),
        sectors: Number(held?.sectors ?? 0),
        agencies: Number(held?.agencies ?? 0),
      },
    };
  }
}

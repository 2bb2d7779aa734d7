import { Injectable } from '@nestjs/common';
import { Database } from '@lienthong/storage';

/**
 * Which dossiers reused which documents of the reuse store (table document_reuse): one row per document
 * and dossier, written when a search made for a dossier returns the document. A dossier with reused
 * documents did not ask its applicant for them again (the "not asked again" indicator, Decision 766).
 *
 * Usable outside Nest: `new DocumentReuseRepository(database)`.
 */
@Injectable()
export class DocumentReuseRepository {
  constructor(private readonly database: Database) {}

  /**
   * Records that `dossierCode` reused the documents; idempotent per (document, dossier). A document is not
   * counted as reused by the dossier whose resolution registered it. Resolves with the rows added.
   */
  async record(
    documentIds: readonly string[],
    use: { dossierCode: string; clientId: string; requestId?: string },
  ): Promise<number> {
    if (documentIds.length === 0) return 0;
    const rows = await this.database.query<{ document_id: string }>(
      `INSERT INTO document_reuse (document_id, dossier_code, client_id, request_id)
       SELECT id, $2, $3, $4 FROM reuse_document
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)
          AND dossier_code IS DISTINCT FROM $2
       ON CONFLICT (document_id, dossier_code) DO NOTHING
       RETURNING document_id`,
      [JSON.stringify(documentIds), use.dossierCode, use.clientId, use.requestId ?? null],
    );
    return rows.length;
  }

  /** How many documents of the reuse store the dossier reused (0 when none). */
  async countReusedByDossier(dossierCode: string): Promise<number> {
    const row = await this.database.queryOne<{ count: string }>(
      'SELECT count(*) AS count FROM document_reuse WHERE dossier_code = $1',
      [dossierCode],
    );
    return Number(row?.count ?? 0);
  }

  /** The same for several dossiers at once; dossiers that reused nothing are absent from the map. */
  async countReusedByDossiers(dossierCodes: readonly string[]): Promise<Map<string, number>> {
    if (dossierCodes.length === 0) return new Map();
    const rows = await this.database.query<{ dossier_code: string; count: string }>(
      `SELECT dossier_code, count(*) AS count FROM document_reuse
        WHERE dossier_code IN (SELECT jsonb_array_elements_text($1::jsonb))
        GROUP BY dossier_code`,
      [JSON.stringify([...new Set(dossierCodes)])],
    );
    return new Map(rows.map((row) => [row.dossier_code, Number(row.count)]));
  }
}

import { Injectable } from '@nestjs/common';
import type { ReusableDocument } from '@lienthong/contracts';
import { Database, type Queryable } from '@lienthong/storage';

/** A document owner's keyed hash (the reuse store keeps it, never the identifier) and the key it was made with. */
export interface OwnerHash {
  keyId: string;
  hash: string;
}

export type DocumentStatus = 'ACTIVE' | 'REVOKED' | 'SUPERSEDED';

/** One row of reuse_document (libs/storage/migrations/0004_reuse_store.sql). */
export interface DocumentRow {
  id: string;
  owner_kind: 'CITIZEN' | 'ENTERPRISE' | 'ORGANISATION';
  owner_key_id: string;
  owner_hash: string;
  document_type: string;
  document_code: string | null;
  title: string | null;
  issuing_agency_code: string | null;
  issuing_agency_name: string;
  dossier_code: string | null;
  /** 'YYYY-MM-DD' */
  issued_on: string;
  valid_from: string | null;
  valid_until: string | null;
  media_type: string | null;
  content_sha256: string;
  storage_ref: string;
  signature_status: 'VALID' | 'ABSENT';
  signer: string | null;
  signer_cert_sha256: string | null;
  signature_verified_at: Date | null;
  status: DocumentStatus;
  revoked_reason: string | null;
  revoked_at: Date | null;
  superseded_by: string | null;
  registered_by: string;
  created_at: Date;
}

/** Columns a registration writes. */
export interface NewDocument {
  id: string;
  ownerKind: DocumentRow['owner_kind'];
  owner: OwnerHash;
  document: Omit<ReusableDocument, 'documentId' | 'owner' | 'revoked' | 'registeredAt' | 'signature'>;
  signature?: { der: Buffer; signer: string; certificateFingerprint: string; verifiedAt: Date };
  registeredBy: string;
  requestId: string;
}

const COLUMNS = `id, owner_kind, owner_key_id, owner_hash, document_type, document_code, title, issuing_agency_code,
  issuing_agency_name, dossier_code, issued_on::text AS issued_on, valid_from::text AS valid_from,
  valid_until::text AS valid_until, media_type, content_sha256, storage_ref, signature_status, signer,
  signer_cert_sha256, signature_verified_at, status, revoked_reason, revoked_at, superseded_by, registered_by,
  created_at`;

/** The canonical record of a row, with the owner the caller named (the store keeps only its hash). */
export function toReusableDocument(row: DocumentRow, owner: ReusableDocument['owner']): ReusableDocument {
  const document: ReusableDocument = {
    documentId: row.id,
    owner,
    documentType: row.document_type,
    ...(row.title !== null ? { title: row.title } : {}),
    ...(row.document_code !== null ? { documentCode: row.document_code } : {}),
    issuingAgency: {
      ...(row.issuing_agency_code !== null ? { agencyCode: row.issuing_agency_code } : {}),
      name: row.issuing_agency_name,
    },
    ...(row.dossier_code !== null ? { dossierCode: row.dossier_code } : {}),
    issuedOn: row.issued_on,
    ...(row.valid_from !== null ? { validFrom: row.valid_from } : {}),
    ...(row.valid_until !== null ? { validUntil: row.valid_until } : {}),
    ...(row.media_type !== null ? { mediaType: row.media_type } : {}),
    contentHash: { algorithm: 'sha256', value: row.content_sha256 },
    storageRef: row.storage_ref,
    signature:
      row.signature_status === 'VALID'
        ? {
            status: 'VALID',
            signer: row.signer ?? '',
            verifiedAt: (row.signature_verified_at ?? row.created_at).toISOString(),
          }
        : { status: 'ABSENT' },
    revoked: row.status !== 'ACTIVE',
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at.toISOString() } : {}),
    ...(row.superseded_by !== null ? { supersededBy: row.superseded_by } : {}),
    registeredAt: row.created_at.toISOString(),
  };
  return document;
}

function hashList(hashes: readonly OwnerHash[]): string {
  return JSON.stringify([...new Set(hashes.map((entry) => entry.hash))]);
}

/** SQL of the reuse_document table. */
@Injectable()
export class DocumentsRepository {
  constructor(private readonly database: Database) {}

  async insert(entry: NewDocument): Promise<DocumentRow> {
    const { document, signature } = entry;
    const row = await this.database.queryOne<DocumentRow>(
      `INSERT INTO reuse_document (id, owner_kind, owner_key_id, owner_hash, document_type, document_code, title,
         issuing_agency_code, issuing_agency_name, dossier_code, issued_on, valid_from, valid_until, media_type,
         content_sha256, storage_ref, signature_status, signature, signer, signer_cert_sha256,
         signature_verified_at, registered_by, request_id)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::date, $12::date, $13::date, $14, $15, $16, $17,
         $18, $19, $20, $21::timestamptz, $22, $23)
       RETURNING ${COLUMNS}`,
      [
        entry.id,
        entry.ownerKind,
        entry.owner.keyId,
        entry.owner.hash,
        document.documentType,
        document.documentCode ?? null,
        document.title ?? null,
        document.issuingAgency.agencyCode ?? null,
        document.issuingAgency.name,
        document.dossierCode ?? null,
        document.issuedOn,
        document.validFrom ?? null,
        document.validUntil ?? null,
        document.mediaType ?? null,
        document.contentHash.value,
        document.storageRef,
        signature ? 'VALID' : 'ABSENT',
        signature?.der ?? null,
        signature?.signer ?? null,
        signature?.certificateFingerprint ?? null,
        signature?.verifiedAt ?? null,
        entry.registeredBy,
        entry.requestId,
      ],
    );
    if (!row) throw new Error('reuse_document insert returned no row');
    return row;
  }

  /** The active document of this owner with this content, if one is registered. */
  async findActiveByContent(owner: readonly OwnerHash[], contentSha256: string): Promise<string | null> {
    const row = await this.database.queryOne<{ id: string }>(
      `SELECT id FROM reuse_document
        WHERE status = 'ACTIVE' AND content_sha256 = $2
          AND owner_hash IN (SELECT jsonb_array_elements_text($1::jsonb))
        LIMIT 1`,
      [hashList(owner), contentSha256],
    );
    return row?.id ?? null;
  }

  /**
   * Active documents of the owner that are valid on `today` (validFrom, when set, not after it; validUntil,
   * when set, not before it), newest issue first.
   */
  async findReusable(
    owner: readonly OwnerHash[],
    kinds: readonly DocumentRow['owner_kind'][],
    filter: { documentType?: string; today: string; limit: number },
  ): Promise<DocumentRow[]> {
    return this.database.query<DocumentRow>(
      `SELECT ${COLUMNS} FROM reuse_document
        WHERE status = 'ACTIVE'
          AND owner_hash IN (SELECT jsonb_array_elements_text($1::jsonb))
          AND owner_kind IN (SELECT jsonb_array_elements_text($2::jsonb))
          AND ($3::text IS NULL OR document_type = $3)
          AND (valid_from IS NULL OR valid_from <= $4::date)
          AND (valid_until IS NULL OR valid_until >= $4::date)
        ORDER BY issued_on DESC, created_at DESC, id
        LIMIT $5`,
      [hashList(owner), JSON.stringify(kinds), filter.documentType ?? null, filter.today, filter.limit],
    );
  }

  /** Re-hashes rows found under an earlier subject key with the current one (after a key rotation). */
  async rekey(ids: readonly string[], owner: OwnerHash): Promise<void> {
    if (ids.length === 0) return;
    await this.database.query(
      `UPDATE reuse_document SET owner_hash = $2, owner_key_id = $3
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
      [JSON.stringify(ids), owner.hash, owner.keyId],
    );
  }

  /** The row, locked until the transaction ends. */
  async lock(tx: Queryable, id: string): Promise<DocumentRow | null> {
    return tx.queryOne<DocumentRow>(`SELECT ${COLUMNS} FROM reuse_document WHERE id = $1::uuid FOR UPDATE`, [
      id,
    ]);
  }

  async revoke(
    tx: Queryable,
    id: string,
    change: { reason: string; supersededBy?: string; at: Date; by: string },
  ): Promise<DocumentRow> {
    const row = await tx.queryOne<DocumentRow>(
      `UPDATE reuse_document
          SET status = $2, revoked_reason = $3, revoked_at = $4::timestamptz, superseded_by = $5::uuid,
              revoked_by = $6
        WHERE id = $1::uuid
        RETURNING ${COLUMNS}`,
      [
        id,
        change.supersededBy ? 'SUPERSEDED' : 'REVOKED',
        change.reason,
        change.at,
        change.supersededBy ?? null,
        change.by,
      ],
    );
    if (!row) throw new Error('reuse_document revocation updated no row');
    return row;
  }

  withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }
}

import type { AuditRecord } from '@lienthong/contracts';
import type { Queryable } from '@lienthong/storage';
import { AUDIT_RECORD_COLUMNS, recordToParams, rowToRecord, type AuditRecordRow } from './audit-record';
import { AuditStorageError } from './audit.errors';

// SQL over the tables of libs/storage/migrations/0002_audit.sql. Every function takes the handle to
// run on: a transaction's `tx` for writes, the database itself for reads.

/** The chain head as stored. Sequence numbers are decimal strings (int8 comes back as a string). */
export interface ChainHead {
  lastSeq: string;
  lastHash: string;
  genesisSeq: string;
  genesisPrevHash: string;
}

export interface StoredSignature {
  seq: string;
  hash: string;
  algorithm: string;
  keyId: string;
  signature: Buffer;
  signedAt: Date;
}

interface HeadRow {
  last_seq: string;
  last_hash: string;
  genesis_seq: string;
  genesis_prev_hash: string;
}

const HEAD_COLUMNS = 'last_seq, last_hash, genesis_seq, genesis_prev_hash';
const MISSING_HEAD =
  'the audit chain head is missing: apply the migrations (lienthong db migrate; 0002_audit creates it)';

function toHead(row: HeadRow | null): ChainHead {
  if (!row) throw new AuditStorageError(MISSING_HEAD);
  return {
    lastSeq: String(row.last_seq),
    lastHash: row.last_hash,
    genesisSeq: String(row.genesis_seq),
    genesisPrevHash: row.genesis_prev_hash,
  };
}

function isUndefinedTable(error: unknown): boolean {
  return (error as { code?: string }).code === '42P01';
}

/** Reads the head and locks it until the transaction ends: the writers' (and retention's) mutex. */
export async function lockChainHead(tx: Queryable): Promise<ChainHead> {
  try {
    return toHead(
      await tx.queryOne<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_chain_head WHERE id = 1 FOR UPDATE`),
    );
  } catch (error) {
    if (isUndefinedTable(error)) throw new AuditStorageError(MISSING_HEAD);
    throw error;
  }
}

export async function readChainHead(db: Queryable): Promise<ChainHead> {
  try {
    return toHead(await db.queryOne<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM audit_chain_head WHERE id = 1`));
  } catch (error) {
    if (isUndefinedTable(error)) throw new AuditStorageError(MISSING_HEAD);
    throw error;
  }
}

export async function updateChainHead(tx: Queryable, lastSeq: string, lastHash: string): Promise<void> {
  await tx.query(
    'UPDATE audit_chain_head SET last_seq = $1, last_hash = $2, updated_at = now() WHERE id = 1',
    [lastSeq, lastHash],
  );
}

/** PostgreSQL takes at most 65535 parameters per statement; stay well below. */
const ROWS_PER_INSERT = 1000;

/** One multi-row INSERT per 1000 records. */
export async function insertRecords(tx: Queryable, records: readonly AuditRecord[]): Promise<void> {
  const width = AUDIT_RECORD_COLUMNS.length;
  for (let start = 0; start < records.length; start += ROWS_PER_INSERT) {
    const chunk = records.slice(start, start + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const rows = chunk.map((record, index) => {
      params.push(...recordToParams(record));
      const base = index * width;
      return `(${AUDIT_RECORD_COLUMNS.map((_, column) => `$${base + column + 1}`).join(', ')})`;
    });
    await tx.query(
      `INSERT INTO audit_record (${AUDIT_RECORD_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`,
      params,
    );
  }
}

/** Records among `ids` that are already stored (after a commit whose acknowledgement was lost). */
export async function findRecordsByIds(db: Queryable, ids: readonly string[]): Promise<AuditRecord[]> {
  if (ids.length === 0) return [];
  const placeholders = ids.map((_, index) => `$${index + 1}`).join(', ');
  const rows = await db.query<AuditRecordRow>(
    `SELECT ${AUDIT_RECORD_COLUMNS.join(', ')} FROM audit_record WHERE id IN (${placeholders}) ORDER BY seq`,
    ids,
  );
  return rows.map(rowToRecord);
}

/** Records with `from <= seq <= to`, in seq order, at most `limit`. */
export async function readRecords(
  db: Queryable,
  from: bigint,
  to: bigint,
  limit: number,
): Promise<AuditRecord[]> {
  const rows = await db.query<AuditRecordRow>(
    `SELECT ${AUDIT_RECORD_COLUMNS.join(', ')} FROM audit_record
      WHERE seq >= $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
    [from.toString(), to.toString(), limit],
  );
  return rows.map(rowToRecord);
}

/**
 * Appends records (and the signature of the last one) after `expected`, the head as this writer last left
 * it, in one statement without a transaction: the head moves only if it is still `expected`, and the records
 * and signature are written only if it moved. Returns false, having written nothing, when another writer
 * (or retention) moved the head since: the caller then seals the records again after the real head.
 */
export async function appendAtHead(
  db: Queryable,
  expected: { seq: string; hash: string },
  records: readonly AuditRecord[],
  signature?: Pick<StoredSignature, 'algorithm' | 'keyId' | 'signature'>,
): Promise<boolean> {
  const last = records[records.length - 1];
  const rows = records.map((record) => {
    const values = recordToParams(record);
    return Object.fromEntries(AUDIT_RECORD_COLUMNS.map((column, index) => [column, values[index]]));
  });
  const columns = AUDIT_RECORD_COLUMNS.join(', ');
  const params: unknown[] = [last.seq, last.hash, expected.seq, expected.hash, JSON.stringify(rows)];
  // the signature is the last record's: its seq and hash are $1 and $2
  const signed = signature
    ? `, signed AS (
         INSERT INTO audit_signature (seq, hash, algorithm, key_id, signature)
         SELECT $1::bigint, $2::text, $6::text, $7::text, $8::bytea WHERE EXISTS (SELECT 1 FROM moved)
         RETURNING 1)`
    : '';
  if (signature) params.push(signature.algorithm, signature.keyId, signature.signature);
  const result = await db.queryOne<{ moved: number }>(
    `WITH moved AS (
       UPDATE audit_chain_head SET last_seq = $1, last_hash = $2, updated_at = now()
        WHERE id = 1 AND last_seq = $3 AND last_hash = $4 RETURNING 1),
     appended AS (
       INSERT INTO audit_record (${columns})
       SELECT ${columns} FROM jsonb_populate_recordset(NULL::audit_record, $5::jsonb)
        WHERE EXISTS (SELECT 1 FROM moved)
       RETURNING 1)${signed}
     SELECT count(*)::int AS moved FROM moved`,
    params,
  );
  return result?.moved === 1;
}

export async function insertSignature(
  tx: Queryable,
  signature: Omit<StoredSignature, 'signedAt'>,
): Promise<void> {
  await tx.query(
    'INSERT INTO audit_signature (seq, hash, algorithm, key_id, signature) VALUES ($1, $2, $3, $4, $5)',
    [signature.seq, signature.hash, signature.algorithm, signature.keyId, signature.signature],
  );
}

export async function readSignatures(db: Queryable, from: bigint, to: bigint): Promise<StoredSignature[]> {
  const rows = await db.query<{
    seq: string;
    hash: string;
    algorithm: string;
    key_id: string;
    signature: Buffer;
    signed_at: Date;
  }>(
    `SELECT seq, hash, algorithm, key_id, signature, signed_at FROM audit_signature
      WHERE seq >= $1 AND seq <= $2 ORDER BY seq`,
    [from.toString(), to.toString()],
  );
  return rows.map((row) => ({
    seq: String(row.seq),
    hash: row.hash,
    algorithm: row.algorithm,
    keyId: row.key_id,
    signature: row.signature,
    signedAt: row.signed_at,
  }));
}

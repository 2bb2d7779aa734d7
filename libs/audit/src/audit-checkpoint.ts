import { createHash } from 'node:crypto';
import { SchemaRegistry, type AuditCheckpoint } from '@lienthong/contracts';
import type { Database, Queryable } from '@lienthong/storage';
import { canonicalJson } from './canonical-json';
import { AUDIT_SIGNATURE_ALGORITHM, type AuditSignatureVerifier, type AuditSigner } from './audit-signer';
import { AuditError } from './audit.errors';
import { lockChainHead, type ChainHead } from './audit.repository';

export type CheckpointBody = Omit<AuditCheckpoint, 'signature'>;

/** SHA-256 (hex) of the canonical JSON of the checkpoint without its signature: what is signed. */
export function checkpointDigest(checkpoint: CheckpointBody | AuditCheckpoint): string {
  const { signature: _ignored, ...body } = checkpoint as AuditCheckpoint;
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** Signs the given head. The head must name at least one record. */
export function signCheckpoint(signer: AuditSigner, head: ChainHead, createdAt: Date): AuditCheckpoint {
  const body: CheckpointBody = {
    seq: head.lastSeq,
    hash: head.lastHash,
    genesisSeq: head.genesisSeq,
    genesisPrevHash: head.genesisPrevHash,
    createdAt: createdAt.toISOString(),
    keyId: signer.keyId,
    algorithm: AUDIT_SIGNATURE_ALGORITHM,
  };
  return { ...body, signature: signer.sign(checkpointDigest(body)).toString('base64') };
}

/** 'valid', 'invalid', or 'unknown-key' when the key was not given to the verifier. */
export function checkCheckpointSignature(
  keys: AuditSignatureVerifier | undefined,
  checkpoint: AuditCheckpoint,
): 'valid' | 'invalid' | 'unknown-key' {
  if (!keys?.has(checkpoint.keyId)) return 'unknown-key';
  if (checkpoint.algorithm !== AUDIT_SIGNATURE_ALGORITHM) return 'invalid';
  return keys.verify(
    checkpoint.keyId,
    checkpointDigest(checkpoint),
    Buffer.from(checkpoint.signature, 'base64'),
  )
    ? 'valid'
    : 'invalid';
}

/** A checkpoint from outside (Kafka, a file), checked against its contract; throws AuditError. */
export function parseCheckpoint(value: unknown, what = 'the checkpoint'): AuditCheckpoint {
  const result = SchemaRegistry.shared().validate('audit-checkpoint', value);
  if (!result.ok) {
    throw new AuditError(
      `${what} does not match the audit-checkpoint contract: ${result.errors.map((e) => `${e.path || '/'} ${e.code}`).join('; ')}`,
    );
  }
  return result.value;
}

// ---------------------------------------------------------------------------------------------------
// Table audit_checkpoint (libs/storage/migrations/0007_audit_checkpoints.sql)

interface CheckpointRow {
  seq: string;
  hash: string;
  genesis_seq: string;
  genesis_prev_hash: string;
  created_at: Date;
  key_id: string;
  algorithm: string;
  signature: Buffer;
}

const CHECKPOINT_COLUMNS =
  'seq, hash, genesis_seq, genesis_prev_hash, created_at, key_id, algorithm, signature';

function rowToCheckpoint(row: CheckpointRow): AuditCheckpoint {
  return {
    seq: String(row.seq),
    hash: row.hash,
    genesisSeq: String(row.genesis_seq),
    genesisPrevHash: row.genesis_prev_hash,
    createdAt: row.created_at.toISOString(),
    keyId: row.key_id,
    algorithm: row.algorithm as AuditCheckpoint['algorithm'],
    signature: Buffer.from(row.signature).toString('base64'),
  };
}

export async function insertCheckpoint(tx: Queryable, checkpoint: AuditCheckpoint): Promise<void> {
  await tx.query(
    `INSERT INTO audit_checkpoint (${CHECKPOINT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (seq) DO NOTHING`,
    [
      checkpoint.seq,
      checkpoint.hash,
      checkpoint.genesisSeq,
      checkpoint.genesisPrevHash,
      new Date(checkpoint.createdAt),
      checkpoint.keyId,
      checkpoint.algorithm,
      Buffer.from(checkpoint.signature, 'base64'),
    ],
  );
}

/** Stored checkpoints with `from <= seq <= to`, in seq order. */
export async function readCheckpoints(db: Queryable, from: bigint, to: bigint): Promise<AuditCheckpoint[]> {
  const rows = await db.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoint WHERE seq >= $1 AND seq <= $2 ORDER BY seq`,
    [from.toString(), to.toString()],
  );
  return rows.map(rowToCheckpoint);
}

/** Stored checkpoints beyond the chain head: the head was moved back (or they were forged). */
export async function readCheckpointsAfter(db: Queryable, seq: bigint): Promise<AuditCheckpoint[]> {
  const rows = await db.query<CheckpointRow>(
    `SELECT ${CHECKPOINT_COLUMNS} FROM audit_checkpoint WHERE seq > $1 ORDER BY seq LIMIT 100`,
    [seq.toString()],
  );
  return rows.map(rowToCheckpoint);
}

/**
 * Signs the current head unless a checkpoint already covers it, under the head lock (so processes that
 * run this at the same moment write one checkpoint, not two that disagree). Returns the checkpoint
 * written, or undefined when there was nothing new to sign.
 */
export async function writeCheckpoint(
  tx: Queryable,
  signer: AuditSigner,
  createdAt: Date,
): Promise<AuditCheckpoint | undefined> {
  const head = await lockChainHead(tx);
  if (BigInt(head.lastSeq) < BigInt(head.genesisSeq)) return undefined;
  const latest = await tx.queryOne<{ seq: string | null }>('SELECT max(seq) AS seq FROM audit_checkpoint');
  if (latest?.seq !== null && latest?.seq !== undefined && BigInt(latest.seq) >= BigInt(head.lastSeq)) {
    return undefined;
  }
  const checkpoint = signCheckpoint(signer, head, createdAt);
  await insertCheckpoint(tx, checkpoint);
  return checkpoint;
}

/** `writeCheckpoint` in a transaction of its own. */
export function checkpointNow(
  db: Database,
  signer: AuditSigner,
  createdAt = new Date(),
): Promise<AuditCheckpoint | undefined> {
  return db.transaction((tx) => writeCheckpoint(tx, signer, createdAt));
}

import { randomUUID } from 'node:crypto';
import type { AuditCheckpoint, AuditRecord } from '@lienthong/contracts';
import type { Database, Queryable } from '@lienthong/storage';
import { writeCheckpoint } from './audit-checkpoint';
import { buildUnsealedRecord, sealRecord } from './audit-record';
import type { AuditSigner } from './audit-signer';
import { ChainVerifier, PRUNE_SERVICE } from './chain-verifier';
import { AuditChainBrokenError, AuditConfigError } from './audit.errors';
import {
  insertRecords,
  insertSignature,
  lockChainHead,
  readChainHead,
  readRecords,
  updateChainHead,
} from './audit.repository';
import { SubjectHasher } from './subject-hasher';

export interface PruneOptions {
  /** Remove records that occurred before this instant (only as a prefix of the chain, see below). */
  olderThan: Date;
  /** Signs the retention record and the checkpoint that covers it (AUDIT_SIGNING_KEY_PATH). */
  signer: AuditSigner;
  /** AUDIT_SUBJECT_KEY: names the key in the retention record (which has no subject). */
  subjectKey: string | Buffer;
  /** Who runs the retention, as a client id (e.g. `operatorClientId(os user)`). */
  actor: string;
  /** Request id of the retention records (default: generated). */
  requestId?: string;
  /** Records removed per transaction (default 5000); writers wait for the chain head meanwhile. */
  chunkSize?: number;
  /**
   * Called with each chunk, in seq order, before it is deleted and inside the same transaction: write
   * it to an archive. A rejection aborts the chunk (nothing is deleted).
   */
  archive?: (records: readonly AuditRecord[]) => Promise<void>;
  /** Clock of the retention records and checkpoints (tests). */
  now?: () => Date;
}

export interface PruneResult {
  removed: number;
  /** The new first seq of the chain and the prevHash it must carry. */
  genesisSeq: string;
  genesisPrevHash: string;
  /** The retention records written into the chain, one per chunk. */
  records: AuditRecord[];
  /** Checkpoints signed after each chunk (to publish). */
  checkpoints: AuditCheckpoint[];
}

/**
 * How many records `pruneAuditLog` would remove for `olderThan`: those from the chain's start up to the first
 * record that occurred at or after it (a dry run; nothing is locked or changed).
 */
export async function countPrunable(db: Queryable, olderThan: Date): Promise<number> {
  const head = await readChainHead(db);
  const row = await db.queryOne<{ n: string }>(
    `SELECT count(*) AS n FROM audit_record
      WHERE seq >= $1 AND seq < coalesce((SELECT min(seq) FROM audit_record WHERE occurred_at >= $2), $3)`,
    [head.genesisSeq, olderThan, (BigInt(head.lastSeq) + 1n).toString()],
  );
  return Number(row?.n ?? 0);
}

/**
 * Retention (Decree 13/2023/NĐ-CP: keep personal data only as long as the purpose needs it). Removes the
 * oldest records, but only a prefix of the chain: everything before the first record that occurred at or
 * after `olderThan` (a record slightly out of time order stops the prefix; it is removed by a later run).
 *
 * Retention is itself audited. Per chunk, in one transaction holding the head lock: the chunk is verified
 * (a broken chain is never re-anchored: AuditChainBrokenError), archived, then a record of the run is
 * appended to the chain (service audit.prune, upstream audit-log, subject NONE, `pruned` naming the range
 * and the hash of its last record) and signed, the chunk is deleted (the append-only trigger allows
 * deleting exactly the rows that record covers, named by lienthong.audit_prune_seq, in the transaction
 * that wrote it), the head is re-anchored and a checkpoint is signed. `verifyChain` accepts a chain that
 * starts after seq 1 only with such a signed record, so a prefix deleted any other way is reported.
 *
 * Give the database role that runs retention DELETE on audit_record and audit_signature, and the
 * gateway's role INSERT and SELECT only.
 */
export async function pruneAuditLog(db: Database, options: PruneOptions): Promise<PruneResult> {
  const chunkSize = options.chunkSize ?? 5000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000) {
    throw new AuditConfigError('chunkSize must be a whole number from 1 to 100000');
  }
  if (!(options.olderThan instanceof Date) || Number.isNaN(options.olderThan.getTime())) {
    throw new AuditConfigError('olderThan must be a valid date');
  }
  if (!options.signer) {
    throw new AuditConfigError('retention needs the audit signing key (AUDIT_SIGNING_KEY_PATH)');
  }
  const hasher = new SubjectHasher(options.subjectKey, 'AUDIT_SUBJECT_KEY');
  const now = options.now ?? (() => new Date());
  const requestId = options.requestId ?? `audit-prune-${randomUUID()}`;
  const written: AuditRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  let removed = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      const head = await lockChainHead(tx);
      const genesis = BigInt(head.genesisSeq);
      const last = BigInt(head.lastSeq);
      const firstNew = await tx.queryOne<{ seq: string | null }>(
        'SELECT min(seq) AS seq FROM audit_record WHERE occurred_at >= $1 AND seq >= $2',
        [options.olderThan, head.genesisSeq],
      );
      const firstKept =
        firstNew?.seq !== null && firstNew?.seq !== undefined ? BigInt(firstNew.seq) : last + 1n;
      const stop = firstKept < genesis + BigInt(chunkSize) ? firstKept : genesis + BigInt(chunkSize);
      if (stop <= genesis) return { head, count: 0 };

      const records = await readRecords(tx, genesis, stop - 1n, chunkSize);
      const verifier = new ChainVerifier({ seq: genesis, prevHash: head.genesisPrevHash });
      for (const record of records) if (verifier.push(record)) break;
      if (!verifier.failure && verifier.nextSeq !== stop) {
        verifier.fail(verifier.nextSeq, 'MISSING_RECORD', `record ${verifier.nextSeq} is missing`);
      }
      const failure = verifier.failure;
      if (failure) {
        throw new AuditChainBrokenError(
          failure.seq,
          failure.reason,
          `retention refused: the chain does not verify (${failure.message}); nothing was removed`,
        );
      }
      if (options.archive) await options.archive(records);
      const lastRemoved = records[records.length - 1];

      // The run's own record, at the end of the chain, before anything is deleted.
      const record = sealRecord(
        buildUnsealedRecord(
          {
            requestId,
            clientId: options.actor,
            service: PRUNE_SERVICE,
            subject: { kind: 'NONE' },
            outcome: 'OK',
            upstream: 'audit-log',
            pruned: { fromSeq: head.genesisSeq, toSeq: lastRemoved.seq, lastHash: lastRemoved.hash },
          },
          hasher,
          { now },
        ),
        last + 1n,
        head.lastHash,
      );
      await insertRecords(tx, [record]);
      await insertSignature(tx, {
        seq: record.seq,
        hash: record.hash,
        algorithm: options.signer.algorithm,
        keyId: options.signer.keyId,
        signature: options.signer.sign(record.hash),
      });
      await updateChainHead(tx, record.seq, record.hash);

      await tx.query("SELECT set_config('lienthong.audit_prune_seq', $1, true)", [record.seq]);
      await tx.query('DELETE FROM audit_signature WHERE seq >= $1 AND seq < $2', [
        head.genesisSeq,
        stop.toString(),
      ]);
      await tx.query('DELETE FROM audit_record WHERE seq >= $1 AND seq < $2', [
        head.genesisSeq,
        stop.toString(),
      ]);
      await tx.query(
        'UPDATE audit_chain_head SET genesis_seq = $1, genesis_prev_hash = $2, updated_at = now() WHERE id = 1',
        [stop.toString(), lastRemoved.hash],
      );
      await tx.query(
        `INSERT INTO audit_anchor (genesis_seq, genesis_prev_hash, records_removed, older_than)
         VALUES ($1, $2, $3, $4)`,
        [stop.toString(), lastRemoved.hash, records.length, options.olderThan],
      );
      const checkpoint = await writeCheckpoint(tx, options.signer, now());
      return {
        head: { ...head, genesisSeq: stop.toString(), genesisPrevHash: lastRemoved.hash },
        count: records.length,
        record,
        checkpoint,
      };
    });
    removed += step.count;
    if ('record' in step && step.record) written.push(step.record);
    if ('checkpoint' in step && step.checkpoint) checkpoints.push(step.checkpoint);
    if (step.count === 0) {
      return {
        removed,
        genesisSeq: step.head.genesisSeq,
        genesisPrevHash: step.head.genesisPrevHash,
        records: written,
        checkpoints,
      };
    }
  }
}

import type { AuditRecord } from '@lienthong/contracts';
import type { Database } from '@lienthong/storage';
import { ChainVerifier } from './chain-verifier';
import { AuditChainBrokenError, AuditConfigError } from './audit.errors';
import { lockChainHead, readRecords } from './audit.repository';

export interface PruneOptions {
  /** Remove records that occurred before this instant (only as a prefix of the chain, see below). */
  olderThan: Date;
  /** Records removed per transaction (default 5000); writers wait for the chain head meanwhile. */
  chunkSize?: number;
  /**
   * Called with each chunk, in seq order, before it is deleted and inside the same transaction: write
   * it to an archive. A rejection aborts the chunk (nothing is deleted).
   */
  archive?: (records: readonly AuditRecord[]) => Promise<void>;
}

export interface PruneResult {
  removed: number;
  /** The new first seq of the chain and the prevHash it must carry. */
  genesisSeq: string;
  genesisPrevHash: string;
}

/**
 * Retention (Decree 13/2023/NĐ-CP: keep personal data only as long as the purpose needs it). Removes the
 * oldest records, but only a prefix of the chain: everything before the first record that occurred at or
 * after `olderThan` (a record slightly out of time order stops the prefix; it is removed by a later run).
 * Each chunk is verified before it is removed (a broken chain is never re-anchored: AuditChainBrokenError)
 * and the chain is re-anchored: the head's genesis becomes the first kept seq and the hash of the last
 * removed record, so `verifyChain` keeps working, and the run is recorded in audit_anchor.
 *
 * Deleting needs the lienthong.audit_retention setting (see the append-only trigger); it is set for the
 * transaction only. Give the database role that runs retention DELETE on audit_record and audit_signature,
 * and the gateway's role INSERT and SELECT only.
 */
export async function pruneAuditLog(db: Database, options: PruneOptions): Promise<PruneResult> {
  const chunkSize = options.chunkSize ?? 5000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 100_000) {
    throw new AuditConfigError('chunkSize must be a whole number from 1 to 100000');
  }
  if (!(options.olderThan instanceof Date) || Number.isNaN(options.olderThan.getTime())) {
    throw new AuditConfigError('olderThan must be a valid date');
  }
  let removed = 0;
  for (;;) {
    const step = await db.transaction(async (tx) => {
      await tx.query("SELECT set_config('lienthong.audit_retention', 'on', true)");
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
      return {
        head: { ...head, genesisSeq: stop.toString(), genesisPrevHash: lastRemoved.hash },
        count: records.length,
      };
    });
    removed += step.count;
    if (step.count === 0) {
      return { removed, genesisSeq: step.head.genesisSeq, genesisPrevHash: step.head.genesisPrevHash };
    }
  }
}

import type { AuditRecord } from '@lienthong/contracts';
import type { Queryable } from '@lienthong/storage';
import { computeRecordHash } from './audit-record';
import { AUDIT_SIGNATURE_ALGORITHM, type AuditSignatureVerifier } from './audit-signer';
import {
  readChainHead,
  readRecords,
  readSignatures,
  type ChainHead,
  type StoredSignature,
} from './audit.repository';

/**
 * Why a chain does not verify:
 * - HASH_MISMATCH: the record's content does not hash to its `hash` (it was edited after it was written);
 * - PREV_HASH_MISMATCH: the record's `prevHash` is not the hash of the record before it (that record was
 *   replaced, or records were removed and renumbered, or reordered);
 * - MISSING_RECORD: a seq between the genesis and the head has no record (deleted);
 * - HEAD_MISMATCH: the chain head does not name the newest record's hash (records at the end removed, or
 *   the head edited);
 * - RECORD_AFTER_HEAD: records exist beyond the head (inserted outside the writer);
 * - SIGNATURE_HASH_MISMATCH: a signature row signs a hash other than its record's;
 * - SIGNATURE_INVALID: a signature by a trusted key does not verify.
 */
export const CHAIN_FAILURE_REASONS = [
  'HASH_MISMATCH',
  'PREV_HASH_MISMATCH',
  'MISSING_RECORD',
  'HEAD_MISMATCH',
  'RECORD_AFTER_HEAD',
  'SIGNATURE_HASH_MISMATCH',
  'SIGNATURE_INVALID',
] as const;
export type ChainFailureReason = (typeof CHAIN_FAILURE_REASONS)[number];

export interface ChainFailure {
  /** The first seq at which the chain breaks. */
  seq: string;
  reason: ChainFailureReason;
  /** Names seqs and reasons only, never record values. */
  message: string;
}

/** Where a run of records must start: the first seq and the prevHash it must carry. */
export interface ChainAnchor {
  seq: bigint;
  prevHash: string;
}

export interface SignatureTally {
  /** Signature rows in the checked range. */
  present: number;
  /** Verified with a trusted key. */
  verified: number;
  /** By a key that was not given to the verifier: not checked. */
  unverifiable: number;
  /** Ids of keys that signed but were not given. */
  unknownKeyIds: string[];
  /** Newest seq covered by a verified signature. */
  lastVerifiedSeq?: string;
}

/**
 * Checks a run of records pushed in seq order against an anchor: seq continuity, prevHash links and each
 * record's own hash. Works on rows from the database, on records consumed from Kafka, or on an export.
 */
export class ChainVerifier {
  private expectedSeq: bigint;
  private expectedPrevHash: string;
  private hashes = new Map<string, string>();
  private count = 0;
  private failureValue?: ChainFailure;
  readonly signatures: SignatureTally = { present: 0, verified: 0, unverifiable: 0, unknownKeyIds: [] };

  constructor(
    anchor: ChainAnchor,
    private readonly keys?: AuditSignatureVerifier,
  ) {
    this.expectedSeq = anchor.seq;
    this.expectedPrevHash = anchor.prevHash;
  }

  get failure(): ChainFailure | undefined {
    return this.failureValue;
  }

  /** Records accepted so far. */
  get checked(): number {
    return this.count;
  }

  /** The seq the next record must have. */
  get nextSeq(): bigint {
    return this.expectedSeq;
  }

  /** The hash of the last accepted record (or the anchor's prevHash). */
  get lastHash(): string {
    return this.expectedPrevHash;
  }

  /** Checks the next record; returns the failure (and keeps it) when the chain breaks here. */
  push(record: AuditRecord): ChainFailure | undefined {
    if (this.failureValue) return this.failureValue;
    const seq = BigInt(record.seq);
    if (seq !== this.expectedSeq) {
      return this.fail(
        this.expectedSeq,
        'MISSING_RECORD',
        seq > this.expectedSeq
          ? `record ${this.expectedSeq} is missing${seq - this.expectedSeq > 1n ? ` (records ${this.expectedSeq} to ${seq - 1n})` : ''}: the next record present is ${seq}`
          : `record ${seq} appears where record ${this.expectedSeq} was expected`,
      );
    }
    if (record.prevHash !== this.expectedPrevHash) {
      return this.fail(
        seq,
        'PREV_HASH_MISMATCH',
        `record ${seq} does not link to ${this.count === 0 ? 'the chain anchor' : `record ${seq - 1n}`}: its prevHash differs from that hash (a record was removed, replaced or reordered)`,
      );
    }
    if (computeRecordHash(record) !== record.hash) {
      return this.fail(
        seq,
        'HASH_MISMATCH',
        `record ${seq} does not match its hash: its content was changed after it was written`,
      );
    }
    this.hashes.set(record.seq, record.hash);
    this.expectedSeq = seq + 1n;
    this.expectedPrevHash = record.hash;
    this.count += 1;
    return undefined;
  }

  /**
   * Checks a signature row against the hash of its (already pushed) record and, when its key is
   * trusted, the signature itself. Call after pushing the records it may refer to.
   */
  pushSignature(signature: StoredSignature): ChainFailure | undefined {
    if (this.failureValue) return this.failureValue;
    const recordHash = this.hashes.get(signature.seq);
    if (recordHash === undefined) return undefined; // outside the checked range
    this.signatures.present += 1;
    if (signature.hash !== recordHash) {
      return this.fail(
        BigInt(signature.seq),
        'SIGNATURE_HASH_MISMATCH',
        `the signature stored for record ${signature.seq} signs a different hash`,
      );
    }
    if (!this.keys?.has(signature.keyId) || signature.algorithm !== AUDIT_SIGNATURE_ALGORITHM) {
      this.signatures.unverifiable += 1;
      if (!this.signatures.unknownKeyIds.includes(signature.keyId)) {
        this.signatures.unknownKeyIds.push(signature.keyId);
      }
      return undefined;
    }
    if (!this.keys.verify(signature.keyId, signature.hash, signature.signature)) {
      return this.fail(
        BigInt(signature.seq),
        'SIGNATURE_INVALID',
        `the signature of record ${signature.seq} does not verify with key ${signature.keyId.slice(0, 16)}`,
      );
    }
    this.signatures.verified += 1;
    this.signatures.lastVerifiedSeq = signature.seq;
    return undefined;
  }

  /** Forget hashes of records no later signature can refer to (keeps memory flat on long walks). */
  releaseBefore(seq: bigint): void {
    for (const key of this.hashes.keys()) if (BigInt(key) < seq) this.hashes.delete(key);
  }

  fail(seq: bigint, reason: ChainFailureReason, message: string): ChainFailure {
    this.failureValue ??= { seq: seq.toString(), reason, message };
    return this.failureValue;
  }
}

export interface VerifyChainOptions {
  /** First seq to check (default: the genesis). The record before it is trusted as the anchor. */
  from?: bigint | string | number;
  /** Last seq to check (default: the chain head). */
  to?: bigint | string | number;
  /** Trusted public keys; signatures by other keys are counted as unverifiable. */
  keys?: AuditSignatureVerifier;
  /** Records read per query (default 1000). */
  pageSize?: number;
}

export interface ChainVerification {
  ok: boolean;
  /** The chain head when the walk started. */
  head: ChainHead;
  /** The range checked (absent when there was nothing to check). */
  from?: string;
  to?: string;
  /** Records whose hash and link were checked. */
  checked: number;
  /** Hash of the last record checked. */
  lastHash?: string;
  signatures: SignatureTally;
  failure?: ChainFailure;
}

function toBigInt(value: bigint | string | number, name: string): bigint {
  try {
    const result = BigInt(value);
    if (result < 1n) throw new RangeError();
    return result;
  } catch {
    throw new RangeError(`${name} must be a positive whole number`);
  }
}

/**
 * Walks the chain in seq order, recomputing every hash, checking links, continuity, the head and the
 * signatures in range, and stops at the first break. Without `from`/`to` the whole chain from the
 * genesis (the first record kept after retention) to the head is checked, including that the head names
 * the last record. Reads page by page outside a transaction, so it can run while gateways write.
 */
export async function verifyChain(
  db: Queryable,
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 1000;
  const head = await readChainHead(db);
  const genesis = BigInt(head.genesisSeq);
  const last = BigInt(head.lastSeq);
  const from = options.from === undefined ? genesis : toBigInt(options.from, 'from');
  const to = options.to === undefined ? last : toBigInt(options.to, 'to');
  if (to < from && options.to !== undefined && options.from !== undefined) {
    throw new RangeError('to must not be smaller than from');
  }
  const start = from < genesis ? genesis : from;
  const end = to > last ? last : to;
  const signatures: SignatureTally = { present: 0, verified: 0, unverifiable: 0, unknownKeyIds: [] };

  if (end < start) {
    // Nothing in range. An empty chain must still have its head at its genesis.
    const emptyChain = last < genesis;
    const failure =
      emptyChain && head.lastHash !== head.genesisPrevHash
        ? {
            seq: head.lastSeq,
            reason: 'HEAD_MISMATCH' as const,
            message: 'the chain is empty but its head does not name the genesis hash',
          }
        : undefined;
    return { ok: !failure, head, checked: 0, signatures, ...(failure ? { failure } : {}) };
  }

  let anchor: ChainAnchor = { seq: start, prevHash: head.genesisPrevHash };
  if (start > genesis) {
    const [previous] = await readRecords(db, start - 1n, start - 1n, 1);
    if (!previous) {
      const verifier = new ChainVerifier(anchor);
      const failure = verifier.fail(
        start - 1n,
        'MISSING_RECORD',
        `record ${start - 1n}, the anchor of the range, is missing`,
      );
      return { ok: false, head, from: start.toString(), to: end.toString(), checked: 0, signatures, failure };
    }
    anchor = { seq: start, prevHash: previous.hash };
  }

  const verifier = new ChainVerifier(anchor, options.keys);
  let cursor = start;
  while (cursor <= end && !verifier.failure) {
    const page = await readRecords(db, cursor, end, pageSize);
    if (page.length === 0) break;
    for (const record of page) if (verifier.push(record)) break;
    const pageEnd = BigInt(page[page.length - 1].seq);
    if (!verifier.failure) {
      for (const signature of await readSignatures(db, cursor, pageEnd)) {
        if (verifier.pushSignature(signature)) break;
      }
    }
    verifier.releaseBefore(pageEnd + 1n);
    cursor = pageEnd + 1n;
  }

  if (!verifier.failure && verifier.nextSeq <= end) {
    verifier.fail(
      verifier.nextSeq,
      'MISSING_RECORD',
      `record ${verifier.nextSeq} is missing${verifier.nextSeq < end ? ` (no record from ${verifier.nextSeq} to ${end})` : ''}`,
    );
  }
  if (!verifier.failure && end === last && verifier.lastHash !== head.lastHash) {
    verifier.fail(
      last,
      'HEAD_MISMATCH',
      `the chain head names a different hash for record ${last} than the record has`,
    );
  }
  if (!verifier.failure && options.to === undefined) {
    // Rows beyond the head that no writer accounts for (the head may have moved on meanwhile).
    const [beyond] = await readRecords(db, last + 1n, 9_223_372_036_854_775_807n, 1);
    if (beyond) {
      const now = await readChainHead(db);
      if (BigInt(beyond.seq) > BigInt(now.lastSeq)) {
        verifier.fail(
          BigInt(beyond.seq),
          'RECORD_AFTER_HEAD',
          `record ${beyond.seq} lies beyond the chain head (${now.lastSeq}): it was not written by the audit log`,
        );
      }
    }
  }

  const failure = verifier.failure;
  return {
    ok: !failure,
    head,
    from: start.toString(),
    to: end.toString(),
    checked: verifier.checked,
    ...(verifier.checked > 0 ? { lastHash: verifier.lastHash } : {}),
    signatures: verifier.signatures,
    ...(failure ? { failure } : {}),
  };
}

import type { AuditCheckpoint, AuditRecord } from '@lienthong/contracts';
import type { Queryable } from '@lienthong/storage';
import { checkCheckpointSignature, readCheckpoints, readCheckpointsAfter } from './audit-checkpoint';
import { computeRecordHash } from './audit-record';
import { AUDIT_SIGNATURE_ALGORITHM, type AuditSignatureVerifier } from './audit-signer';
import {
  readChainHead,
  readRecords,
  readSignatures,
  type ChainHead,
  type StoredSignature,
} from './audit.repository';

/** Service name of the record a retention run writes into the chain. */
export const PRUNE_SERVICE = 'audit.prune';

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
 * - SIGNATURE_INVALID: a signature by a trusted key does not verify;
 * - CHECKPOINT_MISMATCH: a signed checkpoint (stored, published to Kafka or given) names another hash for
 *   its seq than the chain has: the chain was rewritten; the seq named is the first one no agreeing
 *   signature vouches for;
 * - CHECKPOINT_INVALID: a checkpoint claims a trusted key but its signature does not verify;
 * - TRUNCATED: a signed checkpoint names records beyond the chain head: the tail was cut (with the head);
 * - GENESIS_UNJUSTIFIED: the chain starts after seq 1 but no signed retention record (service audit.prune)
 *   names that start: a prefix was removed outside `pruneAuditLog`.
 */
export const CHAIN_FAILURE_REASONS = [
  'HASH_MISMATCH',
  'PREV_HASH_MISMATCH',
  'MISSING_RECORD',
  'HEAD_MISMATCH',
  'RECORD_AFTER_HEAD',
  'SIGNATURE_HASH_MISMATCH',
  'SIGNATURE_INVALID',
  'CHECKPOINT_MISMATCH',
  'CHECKPOINT_INVALID',
  'TRUNCATED',
  'GENESIS_UNJUSTIFIED',
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

export interface CheckpointTally {
  /** Stored checkpoints in the checked range. */
  stored: number;
  /** Checkpoints from outside the database (Kafka, a file) that were compared. */
  external: number;
  /** Verified with a trusted key and matching the chain. */
  verified: number;
  /** By a key that was not given to the verifier: compared with the chain, signature not checked. */
  unverifiable: number;
  /** Newest seq a verified checkpoint covers. */
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
  /** Newest seq vouched for by a signature or checkpoint that verified and matched. */
  private vouchedSeq?: bigint;
  /** Retention records seen, in seq order. */
  readonly pruneRecords: { seq: string; pruned: NonNullable<AuditRecord['pruned']> }[] = [];
  readonly signatures: SignatureTally = { present: 0, verified: 0, unverifiable: 0, unknownKeyIds: [] };
  readonly checkpoints: CheckpointTally = { stored: 0, external: 0, verified: 0, unverifiable: 0 };

  private readonly anchorSeq: bigint;

  constructor(
    anchor: ChainAnchor,
    private readonly keys?: AuditSignatureVerifier,
  ) {
    this.anchorSeq = anchor.seq;
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
    if (record.service === PRUNE_SERVICE && record.pruned) {
      this.pruneRecords.push({ seq: record.seq, pruned: record.pruned });
    }
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
    this.vouch(BigInt(signature.seq));
    return undefined;
  }

  /**
   * Checks a checkpoint against the hash of its (already pushed) record and, when its key is trusted,
   * its signature. `external`: it came from outside the database (Kafka, a file).
   */
  pushCheckpoint(checkpoint: AuditCheckpoint, external: boolean): ChainFailure | undefined {
    if (this.failureValue) return this.failureValue;
    const recordHash = this.hashes.get(checkpoint.seq);
    if (recordHash === undefined) return undefined; // outside the checked range
    if (external) this.checkpoints.external += 1;
    else this.checkpoints.stored += 1;
    const where = external ? 'the published checkpoint' : 'the stored checkpoint';
    const signature = checkCheckpointSignature(this.keys, checkpoint);
    if (signature === 'invalid') {
      return this.fail(
        BigInt(checkpoint.seq),
        'CHECKPOINT_INVALID',
        `${where} of record ${checkpoint.seq} claims key ${checkpoint.keyId.slice(0, 16)} but its signature does not verify`,
      );
    }
    if (checkpoint.hash !== recordHash) {
      const firstUnvouched = (this.vouchedSeq ?? this.anchorSeq - 1n) + 1n;
      return this.fail(
        firstUnvouched,
        'CHECKPOINT_MISMATCH',
        `${where} signed at ${checkpoint.createdAt} names another hash for record ${checkpoint.seq} than the chain has: records ${firstUnvouched}..${checkpoint.seq} were rewritten (record ${firstUnvouched} is the first no agreeing signature vouches for)`,
      );
    }
    if (signature === 'unknown-key') {
      this.checkpoints.unverifiable += 1;
      return undefined;
    }
    this.checkpoints.verified += 1;
    this.checkpoints.lastVerifiedSeq = checkpoint.seq;
    this.vouch(BigInt(checkpoint.seq));
    return undefined;
  }

  /** Newest seq a verified signature or checkpoint vouches for. */
  get lastVouchedSeq(): bigint | undefined {
    return this.vouchedSeq;
  }

  private vouch(seq: bigint): void {
    if (this.vouchedSeq === undefined || seq > this.vouchedSeq) this.vouchedSeq = seq;
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

/** What verification reads: the database, or an export loaded into memory. */
export interface ChainSource {
  readHead(): Promise<ChainHead>;
  /** Records with `from <= seq <= to`, in seq order, at most `limit`. */
  readRecords(from: bigint, to: bigint, limit: number): Promise<AuditRecord[]>;
  readSignatures(from: bigint, to: bigint): Promise<StoredSignature[]>;
  readCheckpoints(from: bigint, to: bigint): Promise<AuditCheckpoint[]>;
  /** Some checkpoints with seq above `seq` (the newest at least). */
  readCheckpointsAfter(seq: bigint): Promise<AuditCheckpoint[]>;
}

/** The chain as the database holds it. */
export function databaseChainSource(db: Queryable): ChainSource {
  return {
    readHead: () => readChainHead(db),
    readRecords: (from, to, limit) => readRecords(db, from, to, limit),
    readSignatures: (from, to) => readSignatures(db, from, to),
    readCheckpoints: (from, to) => readCheckpoints(db, from, to),
    readCheckpointsAfter: (seq) => readCheckpointsAfter(db, seq),
  };
}

export interface VerifyChainOptions {
  /** First seq to check (default: the genesis). The record before it is trusted as the anchor. */
  from?: bigint | string | number;
  /** Last seq to check (default: the chain head). */
  to?: bigint | string | number;
  /** Trusted public keys; signatures by other keys are counted as unverifiable. */
  keys?: AuditSignatureVerifier;
  /**
   * Checkpoints kept outside the database (the last one published to Kafka, or one saved earlier): the
   * chain must reach them and agree with them.
   */
  checkpoints?: readonly AuditCheckpoint[];
  /** Records read per query (default 1000). */
  pageSize?: number;
  /** Called after each page: records checked so far, of the records in the range. */
  onProgress?: (checked: number, total: number) => void;
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
  checkpoints: CheckpointTally;
  /** Newest seq a verified signature or checkpoint covers; records after it are not signed yet. */
  coveredTo?: string;
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

function isChainSource(value: Queryable | ChainSource): value is ChainSource {
  return typeof (value as ChainSource).readHead === 'function';
}

/** The failure with the smallest seq: the first bad position. */
function firstOf(failures: readonly (ChainFailure | undefined)[]): ChainFailure | undefined {
  let first: ChainFailure | undefined;
  for (const failure of failures) {
    if (failure && (!first || BigInt(failure.seq) < BigInt(first.seq))) first = failure;
  }
  return first;
}

/**
 * Walks the chain in seq order, recomputing every hash, checking links, continuity, the head, the
 * signatures and checkpoints in range, and stops at the first break. Without `from`/`to` the whole chain
 * from the genesis (the first record kept after retention) to the head is checked, including that the
 * head names the last record, that no signed checkpoint (stored or given) lies beyond the head, and that
 * a chain starting after seq 1 was shortened by a signed retention record. Reads page by page outside a
 * transaction, so it can run while gateways write. The failure reported is the one with the smallest seq.
 */
export async function verifyChain(
  db: Queryable | ChainSource,
  options: VerifyChainOptions = {},
): Promise<ChainVerification> {
  const source = isChainSource(db) ? db : databaseChainSource(db);
  const pageSize = options.pageSize ?? 1000;
  const external = options.checkpoints ?? [];
  const head = await source.readHead();
  const genesis = BigInt(head.genesisSeq);
  const last = BigInt(head.lastSeq);
  const whole = options.from === undefined && options.to === undefined;
  const from = options.from === undefined ? genesis : toBigInt(options.from, 'from');
  const to = options.to === undefined ? last : toBigInt(options.to, 'to');
  if (to < from && options.to !== undefined && options.from !== undefined) {
    throw new RangeError('to must not be smaller than from');
  }
  const start = from < genesis ? genesis : from;
  const end = to > last ? last : to;

  let anchor: ChainAnchor = { seq: start, prevHash: head.genesisPrevHash };
  let anchorMissing = false;
  if (end >= start && start > genesis) {
    const [previous] = await source.readRecords(start - 1n, start - 1n, 1);
    if (previous) anchor = { seq: start, prevHash: previous.hash };
    else anchorMissing = true;
  }
  const verifier = new ChainVerifier(anchor, options.keys);
  const extra: (ChainFailure | undefined)[] = [];
  if (options.to === undefined) extra.push(await checkTail(source, head, external, options.keys));

  if (end < start) {
    // Nothing in range. An empty chain must still have its head at its genesis.
    if (last < genesis && head.lastHash !== head.genesisPrevHash) {
      extra.push({
        seq: head.lastSeq,
        reason: 'HEAD_MISMATCH',
        message: 'the chain is empty but its head does not name the genesis hash',
      });
    }
  } else if (anchorMissing) {
    verifier.fail(start - 1n, 'MISSING_RECORD', `record ${start - 1n}, the anchor of the range, is missing`);
  } else {
    await walk(source, verifier, { start, end, pageSize, external, onProgress: options.onProgress });
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
      const [beyond] = await source.readRecords(last + 1n, 9_223_372_036_854_775_807n, 1);
      if (beyond) {
        const now = await source.readHead();
        if (BigInt(beyond.seq) > BigInt(now.lastSeq)) {
          verifier.fail(
            BigInt(beyond.seq),
            'RECORD_AFTER_HEAD',
            `record ${beyond.seq} lies beyond the chain head (${now.lastSeq}): it was not written by the audit log`,
          );
        }
      }
    }
  }
  if (whole) extra.push(checkGenesis(head, verifier, options.keys));

  const failure = firstOf([verifier.failure, ...extra]);
  const covered = verifier.lastVouchedSeq;
  return {
    ok: !failure,
    head,
    ...(end >= start ? { from: start.toString(), to: end.toString() } : {}),
    checked: verifier.checked,
    ...(verifier.checked > 0 ? { lastHash: verifier.lastHash } : {}),
    signatures: verifier.signatures,
    checkpoints: verifier.checkpoints,
    ...(covered !== undefined ? { coveredTo: covered.toString() } : {}),
    ...(failure ? { failure } : {}),
  };
}

type Voucher =
  | { seq: bigint; signature: StoredSignature }
  | { seq: bigint; checkpoint: AuditCheckpoint; external: boolean };

/** Pushes records page by page, then the page's signatures and checkpoints in seq order. */
async function walk(
  source: ChainSource,
  verifier: ChainVerifier,
  range: {
    start: bigint;
    end: bigint;
    pageSize: number;
    external: readonly AuditCheckpoint[];
    onProgress?: (checked: number, total: number) => void;
  },
): Promise<void> {
  let cursor = range.start;
  const total = Number(range.end - range.start + 1n);
  range.onProgress?.(0, total);
  while (cursor <= range.end && !verifier.failure) {
    const page = await source.readRecords(cursor, range.end, range.pageSize);
    if (page.length === 0) break;
    for (const record of page) if (verifier.push(record)) break;
    const pageEnd = BigInt(page[page.length - 1].seq);
    if (!verifier.failure) {
      // In seq order, so that a mismatch knows the newest agreeing signature before it.
      const inPage = (checkpoint: AuditCheckpoint) =>
        BigInt(checkpoint.seq) >= cursor && BigInt(checkpoint.seq) <= pageEnd;
      const vouchers: Voucher[] = [
        ...(await source.readSignatures(cursor, pageEnd)).map((signature) => ({
          seq: BigInt(signature.seq),
          signature,
        })),
        ...(await source.readCheckpoints(cursor, pageEnd)).map((checkpoint) => ({
          seq: BigInt(checkpoint.seq),
          checkpoint,
          external: false,
        })),
        ...range.external
          .filter(inPage)
          .map((checkpoint) => ({ seq: BigInt(checkpoint.seq), checkpoint, external: true })),
      ].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
      for (const voucher of vouchers) {
        const failure =
          'signature' in voucher
            ? verifier.pushSignature(voucher.signature)
            : verifier.pushCheckpoint(voucher.checkpoint, voucher.external);
        if (failure) break;
      }
    }
    verifier.releaseBefore(pageEnd + 1n);
    cursor = pageEnd + 1n;
    range.onProgress?.(Math.min(total, Number(pageEnd - range.start + 1n)), total);
  }
}

/**
 * A signed checkpoint beyond the head means records were there and are gone (the tail was cut, and the
 * head moved back to match). Checkpoints whose signature does not verify with a trusted key are not
 * believed; without keys, stored ones are believed (the database said so itself).
 */
async function checkTail(
  source: ChainSource,
  head: ChainHead,
  external: readonly AuditCheckpoint[],
  keys: AuditSignatureVerifier | undefined,
): Promise<ChainFailure | undefined> {
  const last = BigInt(head.lastSeq);
  const beyond = [
    ...(await source.readCheckpointsAfter(last)).map((checkpoint) => ({ checkpoint, external: false })),
    ...external.filter((c) => BigInt(c.seq) > last).map((checkpoint) => ({ checkpoint, external: true })),
  ];
  const believed = beyond.filter(({ checkpoint, external: outside }) => {
    const signature = checkCheckpointSignature(keys, checkpoint);
    return signature === 'valid' || (signature === 'unknown-key' && !outside && !keys?.size);
  });
  if (believed.length === 0) return undefined;
  const newest = believed.reduce((a, b) => (BigInt(b.checkpoint.seq) > BigInt(a.checkpoint.seq) ? b : a));
  return {
    seq: (last + 1n).toString(),
    reason: 'TRUNCATED',
    message: `the chain ends at record ${last} but ${newest.external ? 'the published checkpoint' : 'a stored checkpoint'} signed at ${newest.checkpoint.createdAt} names record ${newest.checkpoint.seq}: records ${last + 1n}..${newest.checkpoint.seq} were removed`,
  };
}

/**
 * A chain that starts after seq 1 must name its start in a retention record (service audit.prune) that a
 * verified signature or checkpoint covers; without trusted keys the record alone is accepted.
 */
function checkGenesis(
  head: ChainHead,
  chain: ChainVerifier,
  keys: AuditSignatureVerifier | undefined,
): ChainFailure | undefined {
  const genesis = BigInt(head.genesisSeq);
  if (genesis <= 1n) return undefined;
  const vouched = chain.lastVouchedSeq;
  const justified = chain.pruneRecords.some(
    ({ seq, pruned }) =>
      BigInt(pruned.toSeq) === genesis - 1n &&
      pruned.lastHash === head.genesisPrevHash &&
      (!keys?.size || (vouched !== undefined && BigInt(seq) <= vouched)),
  );
  if (justified) return undefined;
  const earlier = chain.pruneRecords
    .map(({ pruned }) => BigInt(pruned.toSeq) + 1n)
    .filter((seq) => seq < genesis);
  const firstRemoved = earlier.length > 0 ? earlier.reduce((a, b) => (b > a ? b : a)) : 1n;
  return {
    seq: firstRemoved.toString(),
    reason: 'GENESIS_UNJUSTIFIED',
    message: `the chain starts at record ${genesis} but no signed retention record names that start: records ${firstRemoved}..${genesis - 1n} were removed outside audited retention`,
  };
}

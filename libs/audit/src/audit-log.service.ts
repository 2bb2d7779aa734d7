import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import type { AuditCheckpoint, AuditRecord, AuditSubjectKind } from '@lienthong/contracts';
import { createLogger, type AppLogger } from '@lienthong/observability';
import type { Database } from '@lienthong/storage';
import { buildUnsealedRecord, sealRecord, type AuditEntry, type UnsealedAuditRecord } from './audit-record';
import { checkpointNow } from './audit-checkpoint';
import { findSubjectRecords, type SubjectAccessRecord, type SubjectQueryOptions } from './audit-query';
import type { AuditPublisher } from './audit-publisher';
import type { AuditSigner } from './audit-signer';
import { AuditConfigError, AuditError, AuditLogClosedError } from './audit.errors';
import {
  auditBackpressureWaits,
  auditBatchSize,
  auditFlushDuration,
  auditPublishErrors,
  auditRecords,
  auditWriteErrors,
  liveQueues,
} from './audit.metrics';
import {
  appendAtHead,
  findRecordsByIds,
  insertRecords,
  insertSignature,
  lockChainHead,
  updateChainHead,
} from './audit.repository';
import { SubjectHasher } from './subject-hasher';

export interface AuditLogOptions {
  /** Key of the subject HMAC (AUDIT_SUBJECT_KEY): at least 32 bytes; `base64:`/`hex:` prefixes for binary keys. */
  subjectKey: string | Buffer;
  /** Keys used before a rotation: only to find old records by subject, never to write. */
  previousSubjectKeys?: readonly (string | Buffer)[];
  /**
   * Signs the last record of every batch and the checkpoints of the chain head; without it the chain is
   * not signed and no checkpoints are written.
   */
  signer?: AuditSigner;
  /**
   * Longest time a committed record waits for a signed checkpoint of the head (default 5 s); one is also
   * written at shutdown.
   */
  checkpointIntervalMs?: number;
  /** Records per transaction (default 200, at most 5000). */
  batchSize?: number;
  /** How long the first entry after a quiet period waits for company before it is written (default 50 ms). */
  flushIntervalMs?: number;
  /** Entries held in memory before `record` makes callers wait (default 100 000). */
  maxQueue?: number;
  /** Batches being published to Kafka at once; beyond that a batch is not published (default 16). */
  maxPublishesInFlight?: number;
  /** First delay after a failed write, doubled per attempt (default 100 ms) up to retryMaxMs (default 5 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How long shutdown waits for the queue to reach the database (default 10 s). */
  shutdownTimeoutMs?: number;
  logger?: AppLogger;
  /** Clock for `occurredAt` (tests). */
  now?: () => Date;
}

export const AUDIT_LOG_DEFAULTS = {
  batchSize: 1000,
  flushIntervalMs: 50,
  maxQueue: 100_000,
  maxPublishesInFlight: 16,
  retryBaseMs: 100,
  retryMaxMs: 5000,
  shutdownTimeoutMs: 10_000,
  checkpointIntervalMs: 5000,
} as const;

export interface AuditLogStatus {
  /** Entries accepted and not yet committed. */
  queueDepth: number;
  /** Callers of `record` waiting for room in the queue. */
  waiting: number;
  /** Batches being published to Kafka. */
  publishesInFlight: number;
  lastCommitAt?: Date;
  /** Since when writes fail (absent while they succeed). */
  failingSince?: Date;
  /** Message of the last write failure (no record values). */
  lastError?: string;
  signing: boolean;
  /** The newest checkpoint this process wrote. */
  lastCheckpoint?: { seq: string; createdAt: string };
  closed: boolean;
}

interface Pending {
  record: UnsealedAuditRecord;
  settle?: { resolve(record: AuditRecord): void; reject(error: Error): void };
}

const ACCEPTED: Promise<void> = Promise.resolve();

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AuditConfigError(`${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** How long batches take the locking transaction after this log found another writer had moved the head. */
const SHARED_HEAD_MS = 1000;

function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/**
 * Seals a batch in order after `head`, taking as they are the records of it already committed (a retry after a
 * lost acknowledgement): every record in batch order, the newly sealed ones, and the head after them.
 */
function sealAfter(
  head: { seq: string; hash: string },
  batch: readonly Pending[],
  committed: ReadonlyMap<string, AuditRecord> = new Map(),
): { all: AuditRecord[]; fresh: AuditRecord[]; head: { seq: string; hash: string } } {
  let seq = BigInt(head.seq);
  let prevHash = head.hash;
  const fresh: AuditRecord[] = [];
  const all = batch.map((pending) => {
    const done = committed.get(pending.record.id);
    if (done) return done;
    seq += 1n;
    const sealed = sealRecord(pending.record, seq, prevHash);
    prevHash = sealed.hash;
    fresh.push(sealed);
    return sealed;
  });
  return { all, fresh, head: { seq: String(seq), hash: prevHash } };
}

/**
 * The lookup audit log. `record` validates and hashes an entry and returns at once; entries are
 * written in batches (size or time threshold), each in one statement conditional on the chain head when it
 * follows this log's own last batch, else in one transaction that locks the head (see writeBatch), so any
 * number of processes append to one gap-free chain. After each commit the records are
 * published to lgsp.audit.lookup.v1; a failed publish is logged and counted, never retried from
 * memory: the database is the source of truth.
 *
 * Nothing is dropped. A failed write keeps its batch at the front of the queue and retries with
 * backoff (a retry first looks for records of the batch that did commit). When the queue is full,
 * the promise `record` returns resolves only once there is room again: callers that ignore it lose
 * nothing, callers that await it slow down with the database instead of exhausting memory.
 */
export class AuditLog implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly hasher: SubjectHasher;
  private readonly lookupHashers: SubjectHasher[];
  private readonly logger: AppLogger;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueue: number;
  private readonly maxPublishesInFlight: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly checkpointIntervalMs: number;
  private readonly signer?: AuditSigner;
  private checkpointTimer?: NodeJS.Timeout;
  private checkpointing?: Promise<void>;
  private lastCheckpoint?: AuditCheckpoint;
  private readonly now: () => Date;

  private queue: Pending[] = [];
  private head = 0;
  /** Callers waiting for room, in arrival order; `drop` settles them when the log closes first. */
  private readonly spaceWaiters: { admit: () => void; drop: (error: Error) => void }[] = [];
  private timer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private retryTimer?: { timer: NodeJS.Timeout; wake: () => void };
  private readonly publishing = new Set<Promise<void>>();
  private stopped = false;
  private closed = false;
  private closing?: Promise<void>;
  private lastCommitAt?: Date;
  private failingSince?: Date;
  private lastError?: string;
  private publishBacklogLoggedAt = 0;
  /** The chain head as this log's last write left it; unknown until the first write and after a failure. */
  private chainHead?: { seq: string; hash: string };
  /** Until then, batches go straight to the locking transaction: another writer moved the head lately. */
  private sharedUntil = 0;
  /** Both shutdown hooks together wait at most shutdownTimeoutMs. */
  private shutdownDeadline?: number;

  constructor(
    private readonly db: Database,
    private readonly publisher: AuditPublisher,
    options: AuditLogOptions,
  ) {
    this.hasher = new SubjectHasher(options.subjectKey, 'AUDIT_SUBJECT_KEY');
    this.lookupHashers = [
      this.hasher,
      ...(options.previousSubjectKeys ?? []).map(
        (key, index) => new SubjectHasher(key, `AUDIT_SUBJECT_KEYS_PREVIOUS[${index}]`),
      ),
    ];
    this.batchSize = checkInt('batchSize', options.batchSize ?? AUDIT_LOG_DEFAULTS.batchSize, 1, 5000);
    this.flushIntervalMs = checkInt(
      'flushIntervalMs',
      options.flushIntervalMs ?? AUDIT_LOG_DEFAULTS.flushIntervalMs,
      0,
      60_000,
    );
    this.maxQueue = checkInt(
      'maxQueue',
      options.maxQueue ?? AUDIT_LOG_DEFAULTS.maxQueue,
      this.batchSize,
      10_000_000,
    );
    this.maxPublishesInFlight = checkInt(
      'maxPublishesInFlight',
      options.maxPublishesInFlight ?? AUDIT_LOG_DEFAULTS.maxPublishesInFlight,
      1,
      1000,
    );
    this.retryBaseMs = checkInt(
      'retryBaseMs',
      options.retryBaseMs ?? AUDIT_LOG_DEFAULTS.retryBaseMs,
      1,
      60_000,
    );
    this.retryMaxMs = checkInt(
      'retryMaxMs',
      options.retryMaxMs ?? AUDIT_LOG_DEFAULTS.retryMaxMs,
      this.retryBaseMs,
      600_000,
    );
    this.shutdownTimeoutMs = checkInt(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs ?? AUDIT_LOG_DEFAULTS.shutdownTimeoutMs,
      0,
      600_000,
    );
    this.checkpointIntervalMs = checkInt(
      'checkpointIntervalMs',
      options.checkpointIntervalMs ?? AUDIT_LOG_DEFAULTS.checkpointIntervalMs,
      100,
      3_600_000,
    );
    this.signer = options.signer;
    this.now = options.now ?? (() => new Date());
    this.logger = (options.logger ?? createLogger({ name: 'lienthong-audit' })).child({ component: 'audit' });
    liveQueues.add(this);
  }

  /** Fingerprint of the subject key records are written with. */
  get subjectKeyId(): string {
    return this.hasher.keyId;
  }

  /** Entries accepted and not yet committed. */
  get queueDepth(): number {
    return this.queue.length - this.head;
  }

  /**
   * Accepts one lookup for the log and returns at once; the returned promise resolves immediately
   * unless the queue is full, in which case it resolves when the entry has been queued. It never
   * rejects, so it may be ignored.
   *
   * Throws synchronously AuditEntryError when the entry does not match the audit-record contract, and
   * AuditLogClosedError after shutdown: a lookup that cannot be audited must not be answered.
   */
  record(entry: AuditEntry): Promise<void> {
    const pending: Pending = { record: this.accept(entry) };
    if (this.hasRoom()) {
      this.enqueue(pending);
      return ACCEPTED;
    }
    auditBackpressureWaits.inc();
    return new Promise<void>((resolve) => {
      this.spaceWaiters.push({
        admit: () => {
          this.enqueue(pending);
          resolve();
        },
        drop: () => resolve(),
      });
    });
  }

  /**
   * Like `record`, but resolves with the committed record (its seq and hash) once its batch is in the
   * database. Rejects only if the log is shut down before the record could be written.
   */
  recordAndWait(entry: AuditEntry): Promise<AuditRecord> {
    const record = this.accept(entry);
    return new Promise<AuditRecord>((resolve, reject) => {
      const pending: Pending = { record, settle: { resolve, reject } };
      if (this.hasRoom()) {
        this.enqueue(pending);
      } else {
        auditBackpressureWaits.inc();
        this.spaceWaiters.push({ admit: () => this.enqueue(pending), drop: reject });
      }
    });
  }

  /**
   * Records an entry without waiting, for callers whose answer does not depend on it: `record`, neither
   * awaited nor thrown. An entry the log refuses (not matching the contract, or the log closed) is logged
   * with its request id and service only, never its subject.
   */
  recordDetached(entry: AuditEntry): void {
    try {
      void this.record(entry).catch((error: unknown) => this.detachedFailed(entry, error));
    } catch (error) {
      this.detachedFailed(entry, error);
    }
  }

  private detachedFailed(entry: AuditEntry, error: unknown): void {
    this.logger.error(
      { requestId: entry.requestId, service: entry.service, err: { message: (error as Error)?.message } },
      'audit entry not recorded',
    );
  }

  /**
   * Writes everything accepted so far and waits for the publishes of what was written. Keeps retrying
   * while the database fails (use `close` for a bounded wait).
   */
  async flush(): Promise<void> {
    while (this.queueDepth > 0 || this.spaceWaiters.length > 0 || this.loop) {
      if (this.stopped) break;
      await this.startLoop();
    }
    await Promise.allSettled([...this.publishing]);
  }

  /** Records concerning an identifier (see findSubjectRecords), hashed with the current and previous keys. */
  findBySubject(
    kind: AuditSubjectKind,
    identifier: string,
    options: SubjectQueryOptions = {},
  ): Promise<SubjectAccessRecord[]> {
    return findSubjectRecords(this.db, this.lookupHashers, kind, identifier, options);
  }

  /** For readiness and the ops console. */
  status(): AuditLogStatus {
    return {
      queueDepth: this.queueDepth,
      waiting: this.spaceWaiters.length,
      publishesInFlight: this.publishing.size,
      ...(this.lastCommitAt ? { lastCommitAt: this.lastCommitAt } : {}),
      ...(this.failingSince ? { failingSince: this.failingSince } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      signing: this.signer !== undefined,
      ...(this.lastCheckpoint
        ? { lastCheckpoint: { seq: this.lastCheckpoint.seq, createdAt: this.lastCheckpoint.createdAt } }
        : {}),
      closed: this.closed,
    };
  }

  /** Nest: the database closes in onApplicationShutdown, so the queue is written before. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flushWithin(this.shutdownTimeLeft());
  }

  /** Nest: writes what requests still in flight during the HTTP server's close recorded, then closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /**
   * Writes the queue (waiting at most shutdownTimeoutMs, and not at all once the database is closed),
   * then refuses further records. What could not be written is logged with its count; callers of
   * `recordAndWait` get a rejection.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const written = await this.flushWithin(this.shutdownTimeLeft());
      this.closed = true;
      this.stopped = true;
      this.cancelTimers();
      // The records of the last seconds get their checkpoint now rather than never.
      await this.checkpointing;
      if (!this.db.closed) await this.checkpoint();
      const unwritten = this.queueDepth + this.spaceWaiters.length;
      if (!written && unwritten > 0) {
        this.logger.error(
          { unwritten, lastError: this.lastError },
          'audit log closed with records that could not be written to the database',
        );
        const error = new AuditError('the audit log closed before the record could be written');
        for (let index = this.head; index < this.queue.length; index += 1)
          this.queue[index].settle?.reject(error);
        // record() callers waiting for room resolve, recordAndWait() callers reject; the loss is logged above
        for (const waiter of this.spaceWaiters.splice(0)) waiter.drop(error);
      }
      await Promise.allSettled([...this.publishing]);
      liveQueues.delete(this);
    })();
    return this.closing;
  }

  // -------------------------------------------------------------------------------------------------

  private shutdownTimeLeft(): number {
    this.shutdownDeadline ??= Date.now() + this.shutdownTimeoutMs;
    return Math.max(0, this.shutdownDeadline - Date.now());
  }

  private accept(entry: AuditEntry): UnsealedAuditRecord {
    if (this.closed) throw new AuditLogClosedError();
    return buildUnsealedRecord(entry, this.hasher, { now: this.now });
  }

  private hasRoom(): boolean {
    return this.spaceWaiters.length === 0 && this.queueDepth < this.maxQueue;
  }

  private enqueue(pending: Pending): void {
    this.queue.push(pending);
    this.schedule();
  }

  private dequeue(count: number): void {
    this.head += count;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    while (this.spaceWaiters.length > 0 && this.queueDepth < this.maxQueue)
      this.spaceWaiters.shift()?.admit();
  }

  private schedule(): void {
    if (this.loop || this.stopped) return; // the running loop takes new entries as it goes
    if (this.queueDepth >= this.batchSize || this.flushIntervalMs === 0) {
      void this.startLoop();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.startLoop();
      }, this.flushIntervalMs);
    }
  }

  private startLoop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.loop ??= this.drain().finally(() => {
      this.loop = undefined;
      if (this.queueDepth > 0) this.schedule();
    });
    return this.loop;
  }

  /** Writes batches until the queue is empty; a failed batch is retried with backoff. */
  private async drain(): Promise<void> {
    let failures = 0;
    while (this.queueDepth > 0 && !this.stopped) {
      const batch = this.queue.slice(this.head, this.head + this.batchSize);
      let records: AuditRecord[];
      try {
        records = await this.writeBatch(batch, failures > 0);
      } catch (error) {
        failures += 1;
        auditWriteErrors.inc();
        this.failingSince ??= new Date();
        this.lastError = describeError(error);
        if (failures === 1 || failures % 20 === 0) {
          this.logger.error(
            { attempt: failures, queueDepth: this.queueDepth, error: this.lastError },
            'audit batch could not be written; it is kept and retried',
          );
        }
        await this.pause(Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(failures - 1, 20)));
        continue;
      }
      if (failures > 0) {
        this.logger.warn({ failedAttempts: failures }, 'audit writes resumed');
        failures = 0;
      }
      this.failingSince = undefined;
      this.lastError = undefined;
      this.lastCommitAt = new Date();
      this.dequeue(batch.length);
      batch.forEach((pending, index) => pending.settle?.resolve(records[index]));
      this.afterCommit(records);
    }
  }

  /**
   * Seals the batch in order after the head and writes it, with the signature of its last record, moving
   * the head. Returns the records in batch order.
   *
   * When this log wrote the head last (the usual case: one writer, or writers taking turns in long runs),
   * one statement does it all, conditional on the head being where this log left it. Otherwise, and for a
   * batch being written again after a failure (whose commit may have happened), one transaction locks the
   * head first and seals after what it finds; so does every batch for a second after the head was found
   * moved, so that writers taking turns batch by batch do not pay for a statement that writes nothing.
   */
  private async writeBatch(batch: readonly Pending[], retrying: boolean): Promise<AuditRecord[]> {
    const end = auditFlushDuration.startTimer();
    const known = retrying || Date.now() < this.sharedUntil ? undefined : this.chainHead;
    this.chainHead = undefined;
    try {
      if (known) {
        const sealed = sealAfter(known, batch);
        const last = sealed.fresh[sealed.fresh.length - 1];
        if (await appendAtHead(this.db, known, sealed.fresh, this.signatureOf(last))) {
          this.chainHead = sealed.head;
          end({ outcome: 'ok' });
          this.counted(sealed.fresh);
          return sealed.all;
        }
        this.sharedUntil = Date.now() + SHARED_HEAD_MS;
      }
      const records = await this.db.transaction(async (tx) => {
        const head = await lockChainHead(tx);
        const committed = retrying
          ? new Map(
              (
                await findRecordsByIds(
                  tx,
                  batch.map((pending) => pending.record.id),
                )
              ).map((r) => [r.id, r]),
            )
          : new Map<string, AuditRecord>();
        const sealed = sealAfter({ seq: head.lastSeq, hash: head.lastHash }, batch, committed);
        const { fresh } = sealed;
        if (fresh.length > 0) {
          await insertRecords(tx, fresh);
          const last = fresh[fresh.length - 1];
          const signature = this.signatureOf(last);
          if (signature) await insertSignature(tx, signature);
          await updateChainHead(tx, last.seq, last.hash);
        }
        return sealed;
      });
      this.chainHead = records.head;
      end({ outcome: 'ok' });
      this.counted(records.fresh);
      return records.all;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }

  /** The signature of a batch's last record, when this log signs. */
  private signatureOf(last: AuditRecord) {
    if (!this.signer) return undefined;
    return {
      seq: last.seq,
      hash: last.hash,
      algorithm: this.signer.algorithm,
      keyId: this.signer.keyId,
      signature: this.signer.sign(last.hash),
    };
  }

  private counted(fresh: readonly AuditRecord[]): void {
    auditBatchSize.observe(fresh.length);
    for (const record of fresh) auditRecords.inc({ outcome: record.outcome });
  }

  /**
   * Signs the head (unless a checkpoint of any process already covers it) and publishes the checkpoint.
   * A failure is logged: the next commit schedules another attempt, and verify reports records that no
   * signature covers yet.
   */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    if (!this.signer || this.db.closed) return undefined;
    let written: AuditCheckpoint | undefined;
    try {
      written = await checkpointNow(this.db, this.signer, this.now());
    } catch (error) {
      this.logger.error({ error: describeError(error) }, 'audit checkpoint could not be written');
      return undefined;
    }
    if (!written) return undefined;
    this.lastCheckpoint = written;
    const publishCheckpoint = this.publisher.publishCheckpoint?.bind(this.publisher);
    if (publishCheckpoint) {
      const publish = publishCheckpoint(written)
        .catch((error: unknown) => {
          auditPublishErrors.inc({ reason: 'checkpoint_send_failed' });
          this.logger.warn(
            { seq: written.seq, error: describeError(error) },
            'audit checkpoint could not be published to Kafka (it is in the database)',
          );
        })
        .finally(() => this.publishing.delete(publish));
      this.publishing.add(publish);
    }
    return written;
  }

  private scheduleCheckpoint(): void {
    if (!this.signer || this.checkpointTimer || this.stopped) return;
    this.checkpointTimer = setTimeout(() => {
      this.checkpointing = this.checkpoint().then(() => {
        this.checkpointTimer = undefined;
        this.checkpointing = undefined;
      });
    }, this.checkpointIntervalMs);
    this.checkpointTimer.unref();
  }

  private afterCommit(records: AuditRecord[]): void {
    if (records.length === 0) return;
    this.scheduleCheckpoint();
    if (this.publishing.size >= this.maxPublishesInFlight) {
      auditPublishErrors.inc({ reason: 'backlog' }, records.length);
      if (Date.now() - this.publishBacklogLoggedAt > 10_000) {
        this.publishBacklogLoggedAt = Date.now();
        this.logger.warn(
          { records: records.length, firstSeq: records[0].seq, lastSeq: records[records.length - 1].seq },
          'audit records not published to Kafka: too many publishes pending (they are in the database)',
        );
      }
      return;
    }
    const publish = this.publisher
      .publish(records)
      .catch((error: unknown) => {
        auditPublishErrors.inc({ reason: 'send_failed' }, records.length);
        this.logger.warn(
          {
            records: records.length,
            firstSeq: records[0].seq,
            lastSeq: records[records.length - 1].seq,
            error: describeError(error),
          },
          'audit records could not be published to Kafka (they are in the database)',
        );
      })
      .finally(() => this.publishing.delete(publish));
    this.publishing.add(publish);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.retryTimer = undefined;
        resolve();
      };
      this.retryTimer = { timer: setTimeout(wake, ms), wake };
    });
  }

  private cancelTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = undefined;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer.timer);
      this.retryTimer.wake();
    }
  }

  /** Flushes, giving up after `ms` or at once when the database is already closed; true when all was written. */
  private async flushWithin(ms: number): Promise<boolean> {
    if (this.db.closed) return this.queueDepth === 0 && this.spaceWaiters.length === 0;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([this.flush().then(() => true as const), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

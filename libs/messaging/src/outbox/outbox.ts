import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { counter, gauge, histogram } from '@lienthong/observability';
import type { AppLogger } from '@lienthong/observability';
import { Database, Queryable } from '@lienthong/storage';
import { EventProducer } from '../event-producer.service';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { headersToStrings } from '../envelope';

/** A record for the outbox: what a Kafka message is made of, without the client library's types. */
export interface OutboxMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, unknown>;
}

/** How the dispatcher works; every gateway instance of one database must use the same shard count. */
export interface OutboxOptions {
  /** Rows are spread over this many shards by a hash of their key (default 8). */
  shards?: number;
  /** A shard's lease lasts this long unless renewed (default 15 000 ms). */
  leaseMs?: number;
  /** Fallback poll when no signal arrives (default 1000 ms). */
  pollMs?: number;
  /** Rows read and published per produce (default 1000). */
  batchSize?: number;
  /** Published rows are deleted after this long (default 10 minutes). */
  retentionMs?: number;
}

export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');
/** NOTIFY channel: sent in the transaction that writes outbox rows, heard by every instance once it commits. */
export const OUTBOX_CHANNEL = 'lienthong_outbox';

const outboxPublished = counter({
  name: 'lgsp_outbox_published_total',
  help: 'Messages published from the outbox and acknowledged by Kafka',
  labelNames: ['topic'] as const,
});
const dispatchLag = histogram({
  name: 'lgsp_outbox_dispatch_lag_seconds',
  help: 'From the outbox row being written (its transaction) to Kafka acknowledging it',
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});
const dispatchBatch = histogram({
  name: 'lgsp_outbox_dispatch_batch_size',
  help: 'Outbox rows published per produce',
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
});
const dispatchFailures = counter({
  name: 'lgsp_outbox_dispatch_failures_total',
  help: 'Outbox batches Kafka did not take (published again later)',
});

/** Stable FNV-1a hash of a key, so every process puts a key in the same shard. */
export function outboxShard(key: string | null | undefined, shards: number): number {
  if (!key || shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every started dispatcher of this process, woken after a commit that wrote outbox rows. */
const dispatchers = new Set<Outbox>();

/**
 * The transactional outbox and its dispatcher (commit, then publish). A caller writes messages here in
 * the same transaction as the state change they announce and calls `committed()` after the commit; the
 * dispatcher then publishes waiting rows in batches (many transactions' rows in one produce), in id
 * order within each shard (a key always hashes to the same shard, so each key keeps its order), and
 * marks them published once Kafka acknowledged them. Nothing here runs inside a caller's transaction
 * or holds a connection while waiting on Kafka.
 *
 * Wake-ups: an in-process signal after the commit, NOTIFY `lienthong_outbox` for other processes
 * (PostgreSQL), and a slow poll. Several processes share the work through leases on the shards
 * (table outbox_lease): a process publishes a shard only while its lease there is valid, renews it
 * while it works and gives it up when idle. A process killed between Kafka's acknowledgement and the
 * mark publishes nothing more; after its lease expires the rows are published again, with the same
 * event ids (consumers deduplicate by event id).
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: AppLogger;
  private readonly shards: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private started = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private unlisten?: () => Promise<void>;
  private pass?: Promise<number>;
  private again = false;
  private heldShards: number[] = [];
  private leaseRenewedAt = 0;
  private failures = 0;
  private retryAt = 0;
  private lastPrune = Date.now();
  /** Set when this process may have messages waiting; cleared once a pass over every shard found none. */
  private backlog = true;
  /** Hook for fault-injection tests: runs after Kafka acknowledged a batch, before it is marked. */
  afterSend?: () => void;

  constructor(
    private readonly database: Database,
    private readonly producer: EventProducer,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    @Optional() @Inject(OUTBOX_OPTIONS) outboxOptions?: OutboxOptions,
  ) {
    this.logger = options.logger.child({ component: 'outbox' });
    const settings = { ...options.outbox, ...outboxOptions };
    this.shards = Math.max(1, Math.floor(settings.shards ?? 8));
    this.leaseMs = settings.leaseMs ?? 15_000;
    this.pollMs = settings.pollMs ?? 1000;
    this.batchSize = settings.batchSize ?? 1000;
    this.retentionMs = settings.retentionMs ?? 10 * 60 * 1000;
    const db = this.database;
    gauge({
      name: 'lgsp_outbox_depth',
      help: 'Messages waiting in the outbox for Kafka',
      async collect() {
        try {
          const row = await db.queryOne<{ n: string }>(
            'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
          );
          this.set(Number(row?.n ?? 0));
        } catch {
          this.reset();
        }
      },
    });
  }

  /** True while this process knows of messages waiting in the outbox (checked again by every pass). */
  get hasBacklog(): boolean {
    return this.backlog;
  }

  /** Starts the dispatcher: signal, NOTIFY and poll. */
  async onApplicationBootstrap(): Promise<void> {
    if (this.started) return;
    this.started = true;
    dispatchers.add(this);
    this.unlisten = await this.database
      // A NOTIFY from this dispatcher's own commits is ignored: the in-process signal has already woken it,
      // and a second wake during the pass it started would send it round for nothing (two more reads).
      .listen(OUTBOX_CHANNEL, (payload) => {
        if (payload !== this.owner) this.wake();
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: { message: (error as Error).message } }, 'outbox: no NOTIFY, polling only');
        return undefined;
      });
    await this.releaseDeadOwners().catch(() => undefined);
    const tick = () => {
      if (this.stopped) return;
      if (Date.now() - this.lastPrune > 30_000) {
        this.lastPrune = Date.now();
        void this.prune().catch(() => undefined);
      }
      this.wake();
      this.timer = setTimeout(tick, this.pollMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, 50);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    dispatchers.delete(this);
    clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
    await this.unlisten?.().catch(() => undefined);
    if (this.heldShards.length) await this.releaseLeases().catch(() => undefined);
  }

  /** Tells this process's dispatchers that outbox rows were just committed. */
  static committed(): void {
    for (const dispatcher of dispatchers) dispatcher.wake();
  }

  /** Same as the static `committed()`, for callers holding an instance. */
  committed(): void {
    Outbox.committed();
  }

  /** Keys (of `topic`) that still have unpublished messages. */
  async keysWithBacklog(tx: Queryable, topic: string, keys: string[]): Promise<Set<string>> {
    if (!this.backlog || keys.length === 0) return new Set();
    const rows = await tx.query<{ message_key: string }>(
      `SELECT DISTINCT message_key FROM outbox
        WHERE published_at IS NULL AND topic = $1
          AND message_key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
      [topic, JSON.stringify(keys)],
    );
    return new Set(rows.map((row) => row.message_key));
  }

  /**
   * Writes messages to the outbox inside the caller's transaction (one statement; on PostgreSQL it
   * also sends the NOTIFY that other processes hear at the commit). Call `committed()` after the commit:
   * this process's dispatcher does not wake on its own NOTIFY.
   */
  async enqueue(tx: Queryable, topic: string, messages: readonly OutboxMessage[]): Promise<void> {
    if (!messages.length) return;
    this.backlog = true;
    const params: unknown[] = [];
    const rows = messages.map((message, index) => {
      const key = message.key === null || message.key === undefined ? null : String(message.key);
      params.push(
        topic,
        key,
        Buffer.isBuffer(message.value) ? message.value : Buffer.from(String(message.value ?? '')),
        JSON.stringify(headersToStrings(message.headers)),
        outboxShard(key, this.shards),
      );
      const base = index * 5;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}::jsonb, $${base + 5}::smallint)`;
    });
    const insert = `INSERT INTO outbox (topic, message_key, value, headers, shard) VALUES ${rows.join(', ')}`;
    if (this.database.kind !== 'postgres') {
      await tx.query(insert, params);
      return;
    }
    params.push(this.owner);
    await tx.query(
      `WITH inserted AS (${insert} RETURNING 1) SELECT pg_notify('${OUTBOX_CHANNEL}', $${params.length}) FROM (SELECT 1) AS once`,
      params,
    );
  }

  /** Wakes the dispatcher (a no-op while a pass runs, except that the pass goes round once more). */
  wake(): void {
    if (this.stopped || Date.now() < this.retryAt) return;
    void this.drain().catch(() => undefined);
  }

  /**
   * Publishes what is waiting in the shards this process can lease, until they are empty or Kafka
   * fails; resolves with how many rows were published. A call during a pass joins it, and the pass
   * goes round once more so rows committed just before the call are included.
   */
  drain(): Promise<number> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          total += await this.dispatchAll();
        } while (this.again && !this.stopped);
        this.failures = 0;
        this.retryAt = 0;
      } catch (error) {
        this.failures++;
        this.retryAt = Date.now() + Math.min(5000, 100 * 2 ** Math.min(this.failures, 6));
        throw error;
      } finally {
        this.pass = undefined;
      }
      return total;
    })();
    return this.pass;
  }

  private async dispatchAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const shards = await this.claimLeases();
      if (!shards.length) return total;
      const rows = await this.waiting(shards);
      if (!rows.length) {
        if (shards.length === this.shards) this.backlog = false;
        if (!this.again) await this.releaseLeases();
        return total;
      }
      // A short batch drained these shards when it was read. If no commit has been heard of since (every
      // commit wakes the dispatcher: in process, by NOTIFY or by the poll), reading them again would find
      // nothing: the leases are given up with the mark instead, one round trip for both.
      const short = rows.length < this.batchSize;
      const released = await this.publish(rows, () => short && !this.again);
      total += rows.length;
      if (released) {
        if (shards.length === this.shards) this.backlog = false;
        return total;
      }
    }
  }

  /** Takes (or renews) the leases of every shard no other live process holds. */
  private async claimLeases(): Promise<number[]> {
    const now = Date.now();
    if (this.heldShards.length && now - this.leaseRenewedAt < this.leaseMs / 3) return this.heldShards;
    const rows = await this.database.query<{ shard: number }>(
      `INSERT INTO outbox_lease (shard, owner, expires_at)
       SELECT s, $1, now() + ($2::int * interval '1 millisecond') FROM generate_series(0, $3::int - 1) AS s
       ON CONFLICT (shard) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE outbox_lease.owner = EXCLUDED.owner OR outbox_lease.expires_at < now()
       RETURNING shard`,
      [this.owner, this.leaseMs, this.shards],
    );
    this.heldShards = rows.map((row) => Number(row.shard)).sort((a, b) => a - b);
    this.leaseRenewedAt = now;
    return this.heldShards;
  }

  /**
   * Leases of a process of this host that is gone (killed before it could give them up) are released at
   * start, so a restarted gateway does not wait for them to expire.
   */
  private async releaseDeadOwners(): Promise<void> {
    const host = hostname();
    const rows = await this.database.query<{ owner: string }>('SELECT DISTINCT owner FROM outbox_lease');
    const dead = rows
      .map((row) => row.owner)
      .filter((owner) => {
        const [ownerHost, pid] = owner.split(':');
        return ownerHost === host && Number(pid) !== process.pid && !processAlive(Number(pid));
      });
    if (dead.length) {
      await this.database.query(
        'DELETE FROM outbox_lease WHERE owner IN (SELECT jsonb_array_elements_text($1::jsonb))',
        [JSON.stringify(dead)],
      );
    }
  }

  private async releaseLeases(): Promise<void> {
    this.heldShards = [];
    this.leaseRenewedAt = 0;
    await this.database.query('DELETE FROM outbox_lease WHERE owner = $1', [this.owner]);
  }

  private waiting(shards: number[]): Promise<OutboxRow[]> {
    const columns = 'id, topic, message_key, value, headers, created_at';
    if (shards.length === this.shards) {
      return this.database.query<OutboxRow>(
        `SELECT ${columns} FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.batchSize],
      );
    }
    return this.database.query<OutboxRow>(
      `SELECT ${columns} FROM outbox
        WHERE published_at IS NULL AND shard IN (SELECT jsonb_array_elements_text($1::jsonb)::smallint)
        ORDER BY id LIMIT $2`,
      [JSON.stringify(shards), this.batchSize],
    );
  }

  /**
   * One send per topic, each in id order (EventProducer puts them in one request), then the mark; a failure
   * leaves the rows for the next pass. When `releaseWithMark()` says so at the time of the mark, the same
   * statement gives up this process's leases; returns whether it did.
   */
  private async publish(rows: OutboxRow[], releaseWithMark: () => boolean): Promise<boolean> {
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic);
      if (list) list.push(row);
      else byTopic.set(row.topic, [row]);
    }
    const ids = JSON.stringify(rows.map((row) => row.id));
    try {
      await Promise.all(
        [...byTopic].map(async ([topic, topicRows]) => {
          await this.producer.send(
            topic,
            topicRows.map((row) => ({ key: row.message_key, value: row.value, headers: row.headers })),
          );
          outboxPublished.inc({ topic }, topicRows.length);
        }),
      );
    } catch (error) {
      dispatchFailures.inc();
      // A topic sent before the failure is sent again with the rest (at least once; consumers
      // deduplicate by event id).
      await this.database
        .query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2
            WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
          [ids, (error as Error).message.slice(0, 500)],
        )
        .catch(() => undefined);
      throw error;
    }
    this.afterSend?.();
    const acknowledged = Date.now();
    dispatchBatch.observe(rows.length);
    for (const row of rows) dispatchLag.observe(Math.max(0, acknowledged - row.created_at.getTime()) / 1000);
    const mark = `UPDATE outbox SET published_at = now()
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`;
    if (!releaseWithMark()) {
      await this.database.query(mark, [ids]);
      return false;
    }
    this.heldShards = [];
    this.leaseRenewedAt = 0;
    await this.database.query(
      `WITH marked AS (${mark} RETURNING 1) DELETE FROM outbox_lease WHERE owner = $2`,
      [ids, this.owner],
    );
    return true;
  }

  /** Removes messages published longer ago than `olderThanMs` (they are in Kafka). */
  async prune(olderThanMs = this.retentionMs): Promise<number> {
    const rows = await this.database.query<{ n: string }>(
      `WITH gone AS (
         DELETE FROM outbox WHERE published_at IS NOT NULL
            AND published_at < now() - ($1::bigint * interval '1 millisecond') RETURNING 1)
       SELECT count(*) AS n FROM gone`,
      [olderThanMs],
    );
    return Number(rows[0]?.n ?? 0);
  }
}

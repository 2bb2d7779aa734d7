import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { OutgoingMessage } from '../client/ports';
import { gauge, counter } from '@lienthong/observability';
import type { AppLogger } from '@lienthong/observability';
import { Database, Queryable } from '@lienthong/storage';
import { EventProducer } from '../event-producer.service';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { headersToStrings } from '../envelope';

const outboxPublished = counter({
  name: 'lgsp_outbox_published_total',
  help: 'Messages published from the outbox after Kafka could not take them directly',
  labelNames: ['topic'] as const,
});

/** Any number, as long as every process uses the same one: one drainer at a time keeps the order. */
const DRAIN_LOCK = 7_404_2026;

/**
 * The transactional outbox. What a caller accepted while Kafka could not take it is written here in
 * the same transaction as the state change, and published in id order when Kafka returns, so nothing
 * accepted is lost and each key keeps its order.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private draining?: Promise<number>;
  private stopped = false;
  private readonly logger: AppLogger;
  /** Set when this process had to fall back; cleared once a drain empties the outbox. */
  private backlog = true;

  constructor(
    private readonly database: Database,
    private readonly producer: EventProducer,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
  ) {
    this.logger = options.logger.child({ component: 'outbox' });
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

  /** True while this process knows of messages waiting in the outbox (checked again by every drain). */
  get hasBacklog(): boolean {
    return this.backlog;
  }

  onApplicationBootstrap(): void {
    let lastPrune = Date.now();
    const tick = () => {
      if (this.stopped) return;
      if (Date.now() - lastPrune > 10 * 60 * 1000) {
        lastPrune = Date.now();
        void this.prune().catch(() => undefined);
      }
      void this.drain()
        .catch(() => undefined)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.backlog ? 500 : 2000);
        });
    };
    this.timer = setTimeout(tick, 100);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining?.catch(() => undefined);
  }

  /** Keys (of `topic`) that still have unpublished messages; their new messages must queue behind. */
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

  /** Writes messages to the outbox inside the caller's transaction. */
  async enqueue(tx: Queryable, topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (!messages.length) return;
    this.backlog = true;
    const params: unknown[] = [];
    const rows = messages.map((message, index) => {
      params.push(
        topic,
        message.key === null || message.key === undefined ? null : String(message.key),
        Buffer.isBuffer(message.value) ? message.value : Buffer.from(String(message.value ?? '')),
        JSON.stringify(headersToStrings(message.headers)),
      );
      const base = index * 4;
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}::jsonb)`;
    });
    await tx.query(
      `INSERT INTO outbox (topic, message_key, value, headers) VALUES ${rows.join(', ')}`,
      params,
    );
  }

  /** Publishes waiting messages in id order until the outbox is empty or Kafka fails; returns how many. */
  drain(): Promise<number> {
    this.draining ??= this.drainAll().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.drainBatch(500);
      total += published;
      if (published === 0) break;
    }
    if (total) this.logger.info({ published: total }, 'outbox drained to Kafka');
    return total;
  }

  private async drainBatch(limit: number): Promise<number> {
    return this.database.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        DRAIN_LOCK,
      ]);
      if (!lock?.locked) return 0;
      const rows = await tx.query<{
        id: string;
        topic: string;
        message_key: string | null;
        value: Buffer;
        headers: Record<string, string>;
      }>(
        `SELECT id, topic, message_key, value, headers FROM outbox
          WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [limit],
      );
      if (!rows.length) {
        this.backlog = false;
        return 0;
      }
      // one send per topic, each in id order: order matters per key, and a key lives in one topic
      const byTopic = new Map<string, typeof rows>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      const ids = JSON.stringify(rows.map((row) => row.id));
      try {
        for (const [topic, topicRows] of byTopic) {
          await this.producer.send(
            topic,
            topicRows.map((row) => ({ key: row.message_key, value: row.value, headers: row.headers })),
          );
          outboxPublished.inc({ topic }, topicRows.length);
        }
      } catch (error) {
        // Kafka is still unavailable: note the attempt and try again on the next tick. A topic sent
        // before the failure is sent again then (at least once; consumers deduplicate by event id).
        await tx.query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2
            WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
          [ids, (error as Error).message.slice(0, 500)],
        );
        return 0;
      }
      await tx.query(
        `UPDATE outbox SET published_at = now()
          WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
        [ids],
      );
      return rows.length;
    });
  }

  /** Removes messages published longer ago than `olderThanMs` (they are in Kafka). */
  async prune(olderThanMs = 24 * 60 * 60 * 1000): Promise<number> {
    const rows = await this.database.query<{ id: string }>(
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - ($1::bigint * interval '1 millisecond') RETURNING id`,
      [olderThanMs],
    );
    return rows.length;
  }
}

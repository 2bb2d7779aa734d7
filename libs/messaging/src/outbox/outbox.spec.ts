/**
 * The outbox dispatcher on embedded PostgreSQL (PGlite) and on PostgreSQL, with a producer that keeps
 * what Kafka would have received: rows committed by many transactions go out in few produces, in order
 * per key, only after their commit, again after Kafka failed, and once when two dispatchers share the
 * table; on PostgreSQL, another process's commit wakes a dispatcher by NOTIFY.
 */
import { createLogger } from '@lienthong/observability';
import { createDatabase, Database, migrate, PGLITE_MEMORY } from '@lienthong/storage';
import { createIsolatedDatabase } from '../../../../test/support/database';
import type { EventProducer } from '../event-producer.service';
import type { MessagingOptions } from '../messaging.options';
import { Outbox, outboxShard } from './outbox';

const logger = createLogger({ name: 'outbox-spec', level: 'silent' });
const options: MessagingOptions = {
  brokers: [],
  clientId: 'spec',
  sendTimeoutMs: 1000,
  healthTimeoutMs: 1000,
  logger,
};

interface Sent {
  topic: string;
  key: string;
  value: string;
}

/** A producer that records every send, or fails while `down` is set. */
function fakeProducer() {
  const sends: Sent[][] = [];
  const state = { down: false };
  const producer = {
    async send(topic: string, messages: { key?: unknown; value: unknown }[]) {
      if (state.down) throw new Error('broker unavailable');
      sends.push(messages.map((m) => ({ topic, key: String(m.key), value: String(m.value) })));
      return [];
    },
  } as unknown as EventProducer;
  return { producer, sends, state, all: () => sends.flat() };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['pglite', 'postgres'] as const)('outbox dispatcher (%s)', (kind) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const isolated = await createIsolatedDatabase('outbox');
      drop = isolated.drop;
      db = await createDatabase({ url: isolated.url });
    } else {
      db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    }
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
  }, 60_000);

  afterEach(async () => {
    await db.exec('DELETE FROM outbox; DELETE FROM outbox_lease');
  });

  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const waiting = async () =>
    Number(
      (await db.queryOne<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL'))?.n,
    );

  it('publishes rows of many transactions in few produces, in order per key, only after the commit', async () => {
    const kafka = fakeProducer();
    const outbox = new Outbox(db, kafka.producer, options, { pollMs: 60_000 });
    await outbox.onApplicationBootstrap();
    try {
      // a transaction that is still open: nothing of it may go out
      let commit!: () => void;
      const open = db.transaction(async (tx) => {
        await outbox.enqueue(tx, 't', [{ key: 'held', value: 'held-1' }]);
        await new Promise<void>((resolve) => (commit = resolve));
      });
      await waitFor(() => commit !== undefined, 'the open transaction');
      expect(kafka.all()).toEqual([]);
      commit();
      await open;
      Outbox.committed();
      // 40 transactions of 5 keys, each key's values numbered in commit order
      for (let i = 0; i < 40; i++) {
        await db.transaction((tx) =>
          outbox.enqueue(tx, 't', [{ key: `k${i % 5}`, value: `k${i % 5}-${i}` }]),
        );
        Outbox.committed();
      }
      await waitFor(async () => kafka.all().length === 41 && (await waiting()) === 0, 'every row published');
      expect(kafka.sends.length).toBeLessThan(41);
      for (let k = 0; k < 5; k++) {
        const values = kafka
          .all()
          .filter((m) => m.key === `k${k}`)
          .map((m) => Number(m.value.split('-')[1]));
        expect(values).toEqual([...values].sort((a, b) => a - b));
        expect(values).toHaveLength(8);
      }
      expect(kafka.all()[0]).toMatchObject({ key: 'held', value: 'held-1' });
    } finally {
      await outbox.onModuleDestroy();
    }
  });

  it('keeps rows while Kafka refuses them and publishes them, in order, once it takes them again', async () => {
    const kafka = fakeProducer();
    kafka.state.down = true;
    const outbox = new Outbox(db, kafka.producer, options, { pollMs: 50 });
    await outbox.onApplicationBootstrap();
    try {
      for (let i = 0; i < 5; i++) {
        await db.transaction((tx) => outbox.enqueue(tx, 't', [{ key: 'k', value: String(i) }]));
        Outbox.committed();
      }
      await waitFor(
        async () =>
          Number((await db.queryOne<{ n: number }>('SELECT max(attempts) AS n FROM outbox'))?.n ?? 0) > 0,
        'a failed attempt to be noted',
      );
      expect(await waiting()).toBe(5);
      kafka.state.down = false;
      await waitFor(async () => (await waiting()) === 0, 'the rows to be published');
      expect(kafka.all().map((m) => m.value)).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      await outbox.onModuleDestroy();
    }
  });

  it('shares the shards between two dispatchers without publishing a row twice', async () => {
    const kafka = fakeProducer();
    const first = new Outbox(db, kafka.producer, options, { pollMs: 20, shards: 4 });
    const second = new Outbox(db, kafka.producer, options, { pollMs: 20, shards: 4 });
    await first.onApplicationBootstrap();
    await second.onApplicationBootstrap();
    try {
      for (let i = 0; i < 200; i++) {
        await db.transaction((tx) => first.enqueue(tx, 't', [{ key: `k${i % 13}`, value: `v${i}` }]));
        if (i % 10 === 0) Outbox.committed();
      }
      Outbox.committed();
      await waitFor(async () => (await waiting()) === 0, 'every row published');
      const values = kafka.all().map((m) => m.value);
      expect(new Set(values).size).toBe(200);
      expect(values).toHaveLength(200);
    } finally {
      await first.onModuleDestroy();
      await second.onModuleDestroy();
    }
  });

  it('gives up its leases once it has drained its shards, so another instance takes them at once', async () => {
    const kafka = fakeProducer();
    // not started: each publishes only when drained here, not when it hears the other's NOTIFY
    const first = new Outbox(db, kafka.producer, options, { pollMs: 60_000, shards: 4 });
    const second = new Outbox(db, kafka.producer, options, { pollMs: 60_000, shards: 4 });
    try {
      await db.transaction((tx) => first.enqueue(tx, 't', [{ key: 'a', value: 'one' }]));
      expect(await first.drain()).toBe(1);
      expect(await db.query('SELECT owner FROM outbox_lease')).toEqual([]);
      await db.transaction((tx) => second.enqueue(tx, 't', [{ key: 'a', value: 'two' }]));
      expect(await second.drain()).toBe(1);
      expect(kafka.all().map((m) => m.value)).toEqual(['one', 'two']);
      expect(await waiting()).toBe(0);
    } finally {
      await first.onModuleDestroy();
      await second.onModuleDestroy();
    }
  });

  // PGlite is one process's database: the in-process signal is all there is
  if (kind === 'postgres') {
    it("is woken by the NOTIFY of another instance's commit, without a signal or a poll", async () => {
      const kafka = fakeProducer();
      const listening = new Outbox(db, kafka.producer, options, { pollMs: 60_000 });
      const writing = new Outbox(db, kafka.producer, options, { pollMs: 60_000 });
      await listening.onApplicationBootstrap();
      await writing.onApplicationBootstrap();
      try {
        // no Outbox.committed(): only the NOTIFY sent with the commit tells anyone. The writer hears its own
        // and leaves it to its in-process signal; the other instance (another process, in production) wakes.
        await db.transaction((tx) => writing.enqueue(tx, 't', [{ key: 'k', value: 'from another process' }]));
        await waitFor(async () => (await waiting()) === 0, 'the row to be published');
        expect(kafka.all().map((m) => m.value)).toEqual(['from another process']);
      } finally {
        await listening.onModuleDestroy();
        await writing.onModuleDestroy();
      }
    });
  }

  it('puts a key in the same shard in every process', () => {
    expect(outboxShard('000.17.22.H56-261122-0001', 8)).toBe(outboxShard('000.17.22.H56-261122-0001', 8));
    expect(outboxShard(null, 8)).toBe(0);
    const shards = new Set(Array.from({ length: 100 }, (_, i) => outboxShard(`key-${i}`, 8)));
    expect(shards.size).toBe(8);
  });

  it('prunes rows published longer ago than the retention', async () => {
    const kafka = fakeProducer();
    const outbox = new Outbox(db, kafka.producer, options, { pollMs: 60_000 });
    await db.transaction((tx) => outbox.enqueue(tx, 't', [{ key: 'k', value: 'v' }]));
    await outbox.drain();
    expect(await outbox.prune(60_000)).toBe(0);
    await db.query("UPDATE outbox SET published_at = now() - interval '2 minutes'");
    expect(await outbox.prune(60_000)).toBe(1);
    expect(await db.queryOne('SELECT id FROM outbox')).toBeNull();
  });
});

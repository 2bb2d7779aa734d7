/**
 * One suite, run against both drivers:
 * - PGlite in a temporary data directory; every test opens its own handle on it (which joins the one
 *   PGlite instance of this process, as the gateway and the relay do when hosted together) and starts
 *   from an empty `public` schema;
 * - PostgreSQL at TEST_DATABASE_URL, in a fresh schema per test selected through search_path.
 * Without TEST_DATABASE_URL the PostgreSQL half fails, unless LGSP_TEST_SKIP_POSTGRES=1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Test } from '@nestjs/testing';
import { HealthIndicatorService } from '@nestjs/terminus';
import { register } from 'prom-client';
import { createDatabase, type CreateDatabaseOptions } from './create-database';
import { Database, type DatabaseKind } from './database';
import {
  CommitOutcomeUnknownError,
  DatabaseClosedError,
  MigrationChecksumError,
  TransactionAbortedError,
  isDatabaseUnavailable,
} from './errors';
import { loadMigrations, migrate, migrationChecksum, type Migration } from './migrator';
import { PostgresDatabase } from './postgres.database';
import { DatabaseHealthIndicator } from './storage.health';
import { StorageModule } from './storage.module';
import { startTcpProxy, type CutPoint, type TcpProxy } from '../../../test/support/tcp-proxy';

interface TestDatabase {
  db: Database;
  /** Options that open the same isolated database again (module test). */
  options: CreateDatabaseOptions;
  /** Another handle on the same database: another pool (PostgreSQL), a handle sharing the instance (PGlite). */
  peer(): Promise<Database>;
  dispose(): Promise<void>;
}

interface Harness {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(): Promise<TestDatabase>;
}

const quietLogger = { log: () => undefined, warn: () => undefined };

function pgliteHarness(): Harness {
  let dir: string | undefined;
  let keeper: Database | undefined; // keeps the instance running between tests
  return {
    async setup() {
      dir = mkdtempSync(join(tmpdir(), 'lt-storage-pglite-'));
      keeper = await createDatabase({ pgliteDir: dir });
    },
    async teardown() {
      await keeper?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    async open() {
      if (!keeper || !dir) throw new Error('PGlite harness not set up');
      await keeper.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      const options: CreateDatabaseOptions = { pgliteDir: dir };
      const db = await createDatabase(options);
      const peers: Database[] = [];
      return {
        db,
        options,
        peer: async () => {
          const peer = await createDatabase(options);
          peers.push(peer);
          return peer;
        },
        dispose: async () => {
          await Promise.all([db, ...peers].map((handle) => handle.close()));
        },
      };
    },
  };
}

function postgresHarness(): Harness {
  let admin: PostgresDatabase | undefined;
  let counter = 0;
  const url = (): string => {
    const value = process.env.TEST_DATABASE_URL;
    if (!value) {
      throw new Error(
        'TEST_DATABASE_URL is not set: the PostgreSQL half of the storage suite needs a database ' +
          '(jest global setup creates one; or set TEST_DATABASE_URL=postgres://user@host:5432/db yourself, ' +
          'or LGSP_TEST_SKIP_POSTGRES=1 to run only the PGlite half)',
      );
    }
    return value;
  };
  return {
    async setup() {
      admin = new PostgresDatabase({ url: url(), poolSize: 2, applicationName: 'lienthong-storage-test' });
    },
    async teardown() {
      await admin?.close();
    },
    async open() {
      if (!admin) throw new Error('PostgreSQL harness not set up');
      const schema = `lt_storage_${process.pid}_${(counter += 1)}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const options: CreateDatabaseOptions = { url: url(), searchPath: schema, poolSize: 10 };
      const db = await createDatabase(options);
      const peers: Database[] = [];
      return {
        db,
        options,
        peer: async () => {
          const peer = await createDatabase(options);
          peers.push(peer);
          return peer;
        },
        dispose: async () => {
          await Promise.all([db, ...peers].map((handle) => handle.close().catch(() => undefined)));
          await admin?.exec(`DROP SCHEMA ${schema} CASCADE`);
        },
      };
    },
  };
}

const drivers: [DatabaseKind, Harness][] = [['pglite', pgliteHarness()]];
if (process.env.LGSP_TEST_SKIP_POSTGRES !== '1') drivers.push(['postgres', postgresHarness()]);

function migration(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: migrationChecksum(sql) };
}

async function tableExists(db: Database, table: string): Promise<boolean> {
  const row = await db.queryOne<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return row?.found !== null && row?.found !== undefined;
}

const metricNameOf = (value: object): string | undefined => (value as { metricName?: string }).metricName;

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .filter((value) => !metricNameOf(value) || metricNameOf(value)!.endsWith('_count'))
    .reduce((sum, value) => sum + value.value, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP proxy in front of the database at `url`, and the URL that goes through it. */
async function proxyTo(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return { proxy, url: proxied.toString() };
}

describe.each(drivers)('storage on %s', (kind, harness) => {
  let t: TestDatabase;

  beforeAll(() => harness.setup());
  afterAll(() => harness.teardown());
  beforeEach(async () => {
    t = await harness.open();
  });
  afterEach(async () => {
    await t?.dispose();
  });

  it('reports its kind and a description without secrets', () => {
    expect(t.db.kind).toBe(kind);
    expect(t.db.describe()).toMatch(kind === 'pglite' ? /^pglite:/ : /^postgres(ql)?:\/\//);
    expect(t.db.describe()).not.toMatch(/password|:[^/@]*@/);
  });

  describe('migrations', () => {
    it('applies the shipped migrations once; a second run applies nothing', async () => {
      expect(await migrate(t.db, { logger: quietLogger })).toEqual([
        '0001_foundation',
        '0002_audit',
        '0003_dossier_status',
        '0004_reuse_store',
        '0005_indicators',
        '0006_indicator_delivery',
        '0007_audit_checkpoints',
        '0008_outbox_dispatch',
        '0009_audit_dossier_index',
        '0010_portal_dossier_codes',
        '0011_chains',
        '0013_payments',
        '0014_postal_deliveries',
        '0015_feedback',
        '0016_procedure_catalogue',
        '0017_dossier_handover',
      ]);
      expect(await migrate(t.db, { logger: quietLogger })).toEqual([]);

      const rows = await t.db.query<{ version: number; name: string; checksum: string; applied_at: Date }>(
        'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
      );
      expect(rows).toHaveLength(16);
      expect(rows[0]).toMatchObject({
        version: 1,
        name: 'foundation',
        checksum: loadMigrations()[0].checksum,
      });
      expect(rows[0].applied_at).toBeInstanceOf(Date);
      expect(await tableExists(t.db, 'outbox')).toBe(true);
    });

    it('refuses to run when an applied migration file was edited, naming the file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lt-migrations-'));
      try {
        writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (x integer);\n');
        expect(await migrate(t.db, { dir, logger: quietLogger })).toEqual(['0001_first']);

        writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (x bigint);\n');
        writeFileSync(join(dir, '0002_second.sql'), 'CREATE TABLE second_table (x integer);\n');
        const run = migrate(t.db, { dir, logger: quietLogger });
        await expect(run).rejects.toThrow(MigrationChecksumError);
        await expect(run).rejects.toThrow(/0001_first was changed after it was applied/);
        expect(await tableExists(t.db, 'second_table')).toBe(false);

        // Line endings alone do not count as a change.
        writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (x integer);\r\n');
        expect(await migrate(t.db, { dir, logger: quietLogger })).toEqual(['0002_second']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rolls back a failing migration entirely and records nothing for it', async () => {
      const migrations = [
        migration(1, 'good', 'CREATE TABLE good_table (x integer);'),
        migration(2, 'bad', 'CREATE TABLE bad_table (x integer);\nSELECT 1 / 0;'),
      ];
      await expect(migrate(t.db, { migrations, logger: quietLogger })).rejects.toThrow(
        /migration 0002_bad failed and was rolled back: division by zero/,
      );
      expect(await tableExists(t.db, 'good_table')).toBe(true);
      expect(await tableExists(t.db, 'bad_table')).toBe(false);
      expect(await t.db.query('SELECT version FROM schema_migrations')).toEqual([{ version: 1 }]);
    });

    it('refuses a pending migration older than the newest applied one', async () => {
      await migrate(t.db, { migrations: [migration(2, 'two', 'SELECT 1;')], logger: quietLogger });
      await expect(
        migrate(t.db, {
          migrations: [migration(1, 'one', 'SELECT 1;'), migration(2, 'two', 'SELECT 1;')],
          logger: quietLogger,
        }),
      ).rejects.toThrow(/0001_one is pending but the database is already at version 2/);
    });

    it('applies each migration exactly once when two processes migrate at the same time', async () => {
      const migrations = [1, 2, 3, 4].map((v) =>
        migration(v, `step_${v}`, `CREATE TABLE step_${v} (x integer);`),
      );
      const peer = await t.peer();
      const [first, second] = await Promise.all([
        migrate(t.db, { migrations, logger: quietLogger }),
        migrate(peer, { migrations, logger: quietLogger }),
      ]);
      expect([...first, ...second].sort()).toEqual([
        '0001_step_1',
        '0002_step_2',
        '0003_step_3',
        '0004_step_4',
      ]);
      expect(await t.db.query('SELECT version FROM schema_migrations ORDER BY version')).toEqual([
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
      ]);
    });
  });

  describe('transactions', () => {
    beforeEach(() => t.db.exec('CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL)'));

    it('commits and returns the callback result', async () => {
      const result = await t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES ($1, $2)', [1, 'one']);
        await tx.exec("INSERT INTO items VALUES (2, 'two'); INSERT INTO items VALUES (3, 'three')");
        return tx.queryOne<{ n: string }>('SELECT count(*) AS n FROM items');
      });
      expect(result).toEqual({ n: '3' });
      expect(await t.db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    });

    it('rolls back everything when the callback throws, and rethrows that error', async () => {
      const failure = new Error('business rule violated');
      await expect(
        t.db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [1, 'one']);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await t.db.query('SELECT * FROM items')).toEqual([]);
    });

    it('rolls back when a statement fails inside, and keeps the SQLSTATE', async () => {
      await expect(
        t.db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [1, 'one']);
          await tx.query('INSERT INTO items VALUES ($1, $2)', [1, 'duplicate']);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await t.db.query('SELECT * FROM items')).toEqual([]);
    });

    it('refuses to commit when a failed statement was swallowed inside the callback', async () => {
      await expect(
        t.db.transaction(async (tx) => {
          await tx.query('INSERT INTO items VALUES ($1, $2)', [1, 'one']);
          await tx.query('SELECT 1 / 0').catch(() => undefined);
          return 'looks fine';
        }),
      ).rejects.toThrow(TransactionAbortedError);
      expect(await t.db.query('SELECT * FROM items')).toEqual([]);
    });

    it('a statement issued through the database while a transaction is open is not part of it', async () => {
      let inside!: () => void;
      const insideReached = new Promise<void>((resolve) => (inside = resolve));
      const tx = t.db
        .transaction(async (handle) => {
          await handle.query('INSERT INTO items VALUES (1, $1)', ['rolled back']);
          inside();
          await sleep(50);
          throw new Error('abort');
        })
        .catch((error: Error) => error.message);
      await insideReached;
      const plain = t.db.query('INSERT INTO items VALUES (2, $1)', ['kept']);
      expect(await tx).toBe('abort');
      await plain;
      expect(await t.db.query('SELECT id, label FROM items')).toEqual([{ id: 2, label: 'kept' }]);
    });

    it('a statement issued through the database from inside the callback does not deadlock', async () => {
      const result = await t.db.transaction(async () => t.db.queryOne<{ one: number }>('SELECT 1 AS one'));
      expect(result).toEqual({ one: 1 });
    });

    it('20 concurrent read-modify-write transactions lose no update', async () => {
      await t.db.exec(
        'CREATE TABLE counter (id integer PRIMARY KEY, n integer NOT NULL); INSERT INTO counter VALUES (1, 0)',
      );
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.db.transaction(async (tx) => {
            const row = await tx.queryOne<{ n: number }>('SELECT n FROM counter WHERE id = 1 FOR UPDATE');
            await sleep(i % 3); // let the others run between the read and the write
            await tx.query('UPDATE counter SET n = $1 WHERE id = 1', [row!.n + 1]);
          }),
        ),
      );
      expect(await t.db.queryOne('SELECT n FROM counter WHERE id = 1')).toEqual({ n: 20 });
    });
  });

  describe('values', () => {
    beforeEach(() => migrate(t.db, { logger: quietLogger }));

    it('round-trips bytea as Buffer and jsonb as objects through the outbox', async () => {
      const value = Buffer.concat([
        Buffer.from([0, 1, 2, 0xfe, 0xff]),
        Buffer.from('Liên Thông — hồ sơ', 'utf8'),
      ]);
      const headers = { 'x-request-id': 'req-1', nested: { list: [1, 'hai', null, true] }, text: 'Đắk Lắk' };
      const inserted = await t.db.queryOne<{ id: string }>(
        'INSERT INTO outbox (topic, message_key, value, headers) VALUES ($1, $2, $3, $4) RETURNING id',
        ['lgsp.dossier.status-changed.v1', 'H12.34-240101-0001', value, JSON.stringify(headers)],
      );
      await t.db.query('INSERT INTO outbox (topic, value, headers) VALUES ($1, $2, $3)', [
        'lgsp.other.v1',
        Buffer.alloc(0),
        { plain: 'object' },
      ]);
      const rows = await t.db.query<{
        id: string;
        message_key: string | null;
        value: Buffer;
        headers: unknown;
      }>('SELECT id, message_key, value, headers FROM outbox ORDER BY id');
      expect(rows[0].id).toBe(inserted!.id);
      expect(Buffer.isBuffer(rows[0].value)).toBe(true);
      expect(rows[0].value.equals(value)).toBe(true);
      expect(rows[0].headers).toEqual(headers);
      expect(rows[0].message_key).toBe('H12.34-240101-0001');
      expect(rows[1]).toMatchObject({ message_key: null, headers: { plain: 'object' } });
      expect(rows[1].value).toEqual(Buffer.alloc(0));
    });

    it('reads timestamptz as instants and maps scalar types the same way on both drivers', async () => {
      const instant = new Date('2024-03-01T10:15:30.123Z');
      // Run the suite with TZ=Asia/Ho_Chi_Minh to check that no process zone shifts these values.
      const row = await t.db.queryOne<Record<string, unknown>>(
        `SELECT $1::timestamptz AS param_ts,
                  '2024-03-01 17:15:30.123+07'::timestamptz AS literal_ts,
                  '2024-03-01 10:15:30.123'::timestamp AS naive_ts,
                  '2024-03-01'::date AS day,
                  ARRAY['2024-03-01'::date] AS days,
                  ARRAY['2024-03-01 10:15:30.123'::timestamp] AS naive_list,
                  9007199254740993::bigint AS big,
                  ARRAY[1, 2]::bigint[] AS bigs,
                  '{"a": [1]}'::json AS doc,
                  count(*) OVER () AS counted,
                  12.50::numeric AS amount,
                  42::integer AS int4,
                  0.5::float8 AS float8,
                  true AS flag,
                  '1 day 02:00:00'::interval AS span,
                  now() AS now`,
        [instant],
      );
      expect(row).toMatchObject({
        param_ts: instant,
        literal_ts: instant,
        naive_ts: instant,
        day: '2024-03-01',
        days: ['2024-03-01'],
        naive_list: [instant],
        big: '9007199254740993',
        bigs: ['1', '2'],
        doc: { a: [1] },
        counted: '1',
        amount: '12.50',
        int4: 42,
        float8: 0.5,
        flag: true,
        span: '1 day 02:00:00',
      });
      expect(Math.abs((row!.now as Date).getTime() - Date.now())).toBeLessThan(60_000);
    });

    it('returns unpublished outbox messages in id order', async () => {
      for (const topic of ['a', 'b', 'c', 'd', 'e']) {
        await t.db.query('INSERT INTO outbox (topic, value) VALUES ($1, $2)', [topic, Buffer.from(topic)]);
      }
      await t.db.query("UPDATE outbox SET published_at = now() WHERE topic IN ('b', 'd')");
      await t.db.query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = 'broker down' WHERE topic = 'c'",
      );
      const pending = await t.db.query<{ id: string; topic: string; attempts: number; created_at: Date }>(
        'SELECT id, topic, attempts, created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 10',
      );
      expect(pending.map((row) => row.topic)).toEqual(['a', 'c', 'e']);
      expect(pending.map((row) => row.attempts)).toEqual([0, 1, 0]);
      const ids = pending.map((row) => BigInt(row.id));
      expect(ids[0] < ids[1] && ids[1] < ids[2]).toBe(true);
      expect(pending[0].created_at).toBeInstanceOf(Date);
      await expect(
        t.db.query('INSERT INTO outbox (topic, value) VALUES ($1, $2)', ['', Buffer.from('x')]),
      ).rejects.toMatchObject({ code: '23514' });
    });

    it('queryOne returns null when there is no row', async () => {
      expect(await t.db.queryOne('SELECT id FROM outbox WHERE id = $1', ['-1'])).toBeNull();
    });
  });

  describe('operations', () => {
    it('ping resolves with the latency and marks the database up', async () => {
      const latency = await t.db.ping();
      expect(latency).toBeGreaterThanOrEqual(0);
      const up = await register.getSingleMetric('lgsp_db_up')!.get();
      expect(up.values.find((value) => value.labels.db_kind === kind)?.value).toBe(1);
    });

    it('times failed statements and strips query parameters from the error', async () => {
      const errorsBefore = await metricValue('lgsp_db_errors_total', { db_kind: kind });
      const marker = '079123456789';
      const error = await t.db
        .query('SELECT 1 / 0 WHERE $1::text IS NOT NULL', [marker])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '22012' });
      expect(error).not.toHaveProperty('params');
      expect(inspect(error, { depth: 5 })).not.toContain(marker);
      expect(await metricValue('lgsp_db_errors_total', { db_kind: kind })).toBe(errorsBefore + 1);
      const histogram = await register.getSingleMetric('lgsp_db_query_duration_seconds')!.get();
      const failed = histogram.values.find(
        (value) =>
          value.labels.db_kind === kind &&
          value.labels.outcome === 'error' &&
          metricNameOf(value)?.endsWith('_count'),
      );
      expect(failed?.value).toBeGreaterThanOrEqual(1);
    });

    it('close is idempotent and later statements are refused', async () => {
      await t.db.close();
      await t.db.close();
      expect(t.db.closed).toBe(true);
      await expect(t.db.query('SELECT 1')).rejects.toThrow(DatabaseClosedError);
      await expect(t.db.transaction(async () => 1)).rejects.toThrow(DatabaseClosedError);
      await expect(t.db.ping()).rejects.toThrow(DatabaseClosedError);
    });

    it('health indicator reports up with kind and latency, and down once closed', async () => {
      const indicator = new DatabaseHealthIndicator(t.db, new HealthIndicatorService());
      const up = await indicator.isHealthy();
      expect(up).toEqual({ database: { status: 'up', kind, latencyMs: expect.any(Number) } });
      await t.db.close();
      const down = await indicator.isHealthy('database', { timeoutMs: 500 });
      expect(down).toEqual({ database: { status: 'down', kind, message: expect.stringMatching(/closed/) } });
      const gauge = await register.getSingleMetric('lgsp_db_up')!.get();
      expect(gauge.values.find((value) => value.labels.db_kind === kind)?.value).toBe(0);
    });

    it('StorageModule provides a migrated Database and closes it on shutdown', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [StorageModule.forRoot({ ...t.options, migrate: true })],
      }).compile();
      const app = await moduleRef.init();
      const db = app.get(Database);
      expect(db.kind).toBe(kind);
      expect(await tableExists(db, 'outbox')).toBe(true);
      expect(await app.get(DatabaseHealthIndicator).isHealthy()).toMatchObject({
        database: { status: 'up', kind },
      });
      await app.close();
      expect(db.closed).toBe(true);
    });
  });

  if (kind === 'postgres') {
    it('applies the statement timeout to every PostgreSQL connection', async () => {
      const limited = await createDatabase({ ...t.options, statementTimeoutMs: 100 });
      try {
        await expect(limited.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
        await expect(limited.transaction((tx) => tx.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({
          code: '57014',
        });
        expect(await limited.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
      } finally {
        await limited.close();
      }
    });

    it('rejects a transaction whose connection is cut inside it, without crashing the process, and serves the next one', async () => {
      // a checked-out connection the server drops emits 'error' on its client; unhandled, that kills the process
      const { proxy, url } = await proxyTo(t.options.url!);
      const db = await createDatabase({ ...t.options, url });
      try {
        await expect(
          db.transaction(async (tx) => {
            await tx.query('SELECT 1');
            proxy.cut();
            await sleep(200);
            return 1;
          }),
        ).rejects.toThrow();
        proxy.restore();
        expect(await db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
        expect(await db.transaction((tx) => tx.query('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
      } finally {
        await db.close().catch(() => undefined);
        await proxy.close();
      }
    });

    it('sets the isolation level asked for at BEGIN', async () => {
      const level = (isolation?: 'repeatable read' | 'serializable') =>
        t.db.transaction(
          async (tx) =>
            (await tx.queryOne<{ level: string }>("SELECT current_setting('transaction_isolation') AS level"))
              ?.level,
          { isolation },
        );
      expect(await level()).toBe('read committed');
      expect(await level('repeatable read')).toBe('repeatable read');
      expect(await level('serializable')).toBe('serializable');
    });

    describe('a connection lost during COMMIT', () => {
      let proxy: TcpProxy;
      let db: PostgresDatabase;
      const open = async (commitCheckMs?: number) => {
        const proxied = await proxyTo(t.options.url!);
        proxy = proxied.proxy;
        db = new PostgresDatabase({ url: proxied.url, searchPath: t.options.searchPath, commitCheckMs });
        await t.db.exec('CREATE TABLE lost_commit (id int PRIMARY KEY)');
      };
      /**
       * Inserts a row in a transaction whose COMMIT the proxy cuts at `point`, once it has cut. `counted()`
       * is how many lost commits with `outcome` were counted since.
       */
      const cutCommit = async (point: CutPoint, outcome: string) => {
        const before = await metricValue('lgsp_db_lost_commits_total', { outcome });
        const cut = proxy.cutAt('COMMIT\0', point);
        const result = db.transaction(async (tx) => {
          await tx.query('INSERT INTO lost_commit (id) VALUES (1)');
          return 'done';
        });
        await cut;
        const counted = async () => (await metricValue('lgsp_db_lost_commits_total', { outcome })) - before;
        return { result, counted };
      };
      const stored = async () => (await t.db.query('SELECT id FROM lost_commit')).length;
      afterEach(async () => {
        await db.close().catch(() => undefined);
        await proxy.close();
      });

      it('resolves the transaction when the server committed though its reply was lost', async () => {
        await open();
        const { result, counted } = await cutCommit('after', 'committed');
        proxy.restore();
        await expect(result).resolves.toBe('done');
        expect(await stored()).toBe(1);
        expect(await counted()).toBe(1);
      });

      it('rejects as unavailable when COMMIT never reached the server, which rolled back', async () => {
        await open();
        const { result, counted } = await cutCommit('before', 'aborted');
        proxy.restore();
        const error = await result.then(
          () => undefined,
          (rejected: unknown) => rejected,
        );
        expect(isDatabaseUnavailable(error)).toBe(true);
        expect(error).not.toBeInstanceOf(CommitOutcomeUnknownError);
        expect(await stored()).toBe(0);
        expect(await counted()).toBe(1);
      });

      it('says the outcome is unknown when the server stays out of reach, never that nothing was recorded', async () => {
        await open(600);
        const { result, counted } = await cutCommit('after', 'unknown');
        await expect(result).rejects.toBeInstanceOf(CommitOutcomeUnknownError);
        expect(isDatabaseUnavailable(await result.catch((rejected: unknown) => rejected))).toBe(true);
        expect(await stored()).toBe(1);
        expect(await counted()).toBe(1);
      });
    });

    it('exports pool gauges for PostgreSQL', async () => {
      await t.db.query('SELECT 1');
      expect(await metricValue('lgsp_db_pool_total_connections', {})).toBeGreaterThanOrEqual(1);
      expect(register.getSingleMetric('lgsp_db_pool_idle_connections')).toBeDefined();
      expect(register.getSingleMetric('lgsp_db_pool_waiting_clients')).toBeDefined();
    });
  }

  if (kind === 'pglite') {
    it('refuses a nested transaction instead of deadlocking', async () => {
      await expect(t.db.transaction(() => t.db.transaction(async () => 1))).rejects.toThrow(
        /nested transaction/,
      );
      expect(await t.db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
    });
  }
});

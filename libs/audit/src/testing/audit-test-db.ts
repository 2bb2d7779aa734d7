/**
 * Databases for the audit specs, on both drivers:
 * - PGlite in memory, one instance per suite, its `public` schema recreated for every test;
 * - PostgreSQL at TEST_DATABASE_URL, a fresh schema per test (search_path); `peer()` opens another pool on
 *   it, i.e. another gateway process as far as locking goes.
 * Only the audit migrations are applied, so the suite does not depend on other tables.
 * LGSP_TEST_SKIP_POSTGRES=1 runs the PGlite half alone.
 */
import {
  createDatabase,
  loadMigrations,
  migrate,
  type Database,
  type DatabaseKind,
} from '@lienthong/storage';
import { createLogger } from '@lienthong/observability';

/** The audit migrations: the log itself and its checkpoints and audited retention. */
export const AUDIT_MIGRATION_VERSIONS: readonly number[] = [2, 7];

export interface AuditTestDb {
  db: Database;
  /** Another handle: another pool (PostgreSQL); the same instance (PGlite, one process per database). */
  peer(): Promise<Database>;
  dispose(): Promise<void>;
}

export interface AuditTestHarness {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  open(): Promise<AuditTestDb>;
}

export const silentLogger = createLogger({ name: 'audit-test', level: 'silent' });
const quiet = { log: () => undefined, warn: () => undefined };

export async function migrateForAudit(db: Database): Promise<void> {
  await migrate(db, {
    migrations: loadMigrations().filter((migration) => AUDIT_MIGRATION_VERSIONS.includes(migration.version)),
    logger: quiet,
  });
}

function pgliteHarness(): AuditTestHarness {
  let db: Database | undefined;
  return {
    async setup() {
      db = await createDatabase({ pgliteDir: 'memory://' });
    },
    async teardown() {
      await db?.close();
    },
    async open() {
      if (!db) throw new Error('PGlite harness not set up');
      const handle = db;
      await handle.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await migrateForAudit(handle);
      return { db: handle, peer: async () => handle, dispose: async () => undefined };
    },
  };
}

function postgresHarness(): AuditTestHarness {
  let admin: Database | undefined;
  let counter = 0;
  const url = (): string => {
    const value = process.env.TEST_DATABASE_URL;
    if (!value) {
      throw new Error(
        'TEST_DATABASE_URL is not set: the PostgreSQL half of the audit suite needs a database ' +
          '(jest global setup creates one), or set LGSP_TEST_SKIP_POSTGRES=1',
      );
    }
    return value;
  };
  return {
    async setup() {
      admin = await createDatabase({ url: url(), poolSize: 2, applicationName: 'lienthong-audit-test' });
    },
    async teardown() {
      await admin?.close();
    },
    async open() {
      if (!admin) throw new Error('PostgreSQL harness not set up');
      const schema = `lt_audit_${process.pid}_${(counter += 1)}_${Math.random().toString(36).slice(2, 8)}`;
      await admin.exec(`CREATE SCHEMA ${schema}`);
      const options = {
        url: url(),
        searchPath: schema,
        poolSize: 5,
        applicationName: 'lienthong-audit-test',
      };
      const db = await createDatabase(options);
      await migrateForAudit(db);
      const handles: Database[] = [db];
      return {
        db,
        peer: async () => {
          const peer = await createDatabase(options);
          handles.push(peer);
          return peer;
        },
        dispose: async () => {
          await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
          await admin?.exec(`DROP SCHEMA ${schema} CASCADE`);
        },
      };
    },
  };
}

/** [kind, harness] pairs for describe.each. */
export function auditTestDrivers(): [DatabaseKind, AuditTestHarness][] {
  const drivers: [DatabaseKind, AuditTestHarness][] = [['pglite', pgliteHarness()]];
  if (process.env.LGSP_TEST_SKIP_POSTGRES !== '1') drivers.push(['postgres', postgresHarness()]);
  return drivers;
}

const AUDIT_TABLES = ['audit_record', 'audit_signature', 'audit_checkpoint'] as const;

/** Disables the append-only trigger, as a database owner tampering with the log could. */
export async function tamper(db: Database, sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    for (const table of AUDIT_TABLES) await tx.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
    await tx.query(sql, params);
    for (const table of AUDIT_TABLES) await tx.exec(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  });
}

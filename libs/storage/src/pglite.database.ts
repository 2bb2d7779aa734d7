import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join, resolve } from 'node:path';
import type { PGlite, PGliteOptions, Transaction } from '@electric-sql/pglite';
import { Database, type Queryable, type Row, type SqlParams } from './database';
import { StorageConfigError, TransactionAbortedError, scrubDriverError } from './errors';
import {
  parseBytea,
  parseTimestampAsUtc,
  parseTimestampWithZone,
  serializeBytea,
  serializeDateTime,
} from './type-mapping';

export const PGLITE_MEMORY = 'memory://';

export interface PgliteDatabaseOptions {
  /** Data directory (created if missing), or `memory://` for a throwaway in-memory database. */
  dataDir: string;
}

/** Marks a data directory as taken by a process; PGlite itself does not stop a second process. */
export const PGLITE_LOCK_FILE = '.lienthong-pglite.lock';

const OID = { bytea: 17, int8: 20, json: 114, date: 1082, timestamp: 1114, timestamptz: 1184, jsonb: 3802 };

/**
 * Conversions aligned with node-postgres (see type-mapping.ts). Every conversion that creates an object
 * is ours rather than PGlite's, so values belong to the caller's JavaScript realm (see loadPglite).
 */
const typeOptions: Pick<PGliteOptions, 'parsers' | 'serializers'> = {
  parsers: {
    [OID.int8]: (value) => value,
    [OID.date]: (value) => value,
    [OID.bytea]: parseBytea,
    [OID.timestamp]: parseTimestampAsUtc,
    [OID.timestamptz]: parseTimestampWithZone,
    [OID.json]: (value) => JSON.parse(value) as unknown,
    [OID.jsonb]: (value) => JSON.parse(value) as unknown,
  },
  serializers: {
    [OID.bytea]: serializeBytea,
    [OID.date]: serializeDateTime,
    [OID.timestamp]: serializeDateTime,
    [OID.timestamptz]: serializeDateTime,
  },
};

type PgliteModule = typeof import('@electric-sql/pglite');

/**
 * Loads PGlite with Node's own module loader. In production this is a plain require. Inside a module
 * sandbox (jest runs every test file in a vm context and substitutes the 'module' builtin) it keeps
 * PGlite outside the sandbox, because PGlite's Emscripten glue uses native dynamic import(), which such
 * sandboxes reject. `process.getBuiltinModule` (Node 20.16+) returns the real builtin even there.
 */
function loadPglite(): PgliteModule {
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const realModule =
    (getBuiltinModule?.call(process, 'node:module') as typeof nodeModule | undefined) ?? nodeModule;
  return realModule.createRequire(__filename)('@electric-sql/pglite') as PgliteModule;
}

/** Runs tasks one after another. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** One running PGlite, its statement queue and the transaction its callers are inside of. */
class PgliteInstance {
  readonly queue = new SerialQueue();
  readonly transactionScope = new AsyncLocalStorage<PgliteTransaction>();

  constructor(
    readonly pg: PGlite,
    private readonly releaseLock: () => void,
  ) {}

  async close(): Promise<void> {
    try {
      await this.queue.run(() => this.pg.close());
    } finally {
      this.releaseLock();
    }
  }
}

/**
 * Embedded PostgreSQL (PGlite, WebAssembly) in this process. PGlite has one connection, so every
 * statement and every transaction goes through one queue: a plain statement never slips into someone
 * else's open transaction, it waits for it to end. Opening the same directory twice in one process (the
 * gateway and the relay hosted together) shares one PGlite; it stops when the last user closes it.
 * `@electric-sql/pglite` is loaded only when a PGlite database is opened.
 */
export class PgliteDatabase extends Database {
  readonly kind = 'pglite' as const;

  private constructor(
    private readonly instance: PgliteInstance,
    private readonly dataDir: string,
  ) {
    super();
  }

  /** Opens (creating if needed) the database in `options.dataDir`, or joins this process's open one. */
  static async open(options: PgliteDatabaseOptions): Promise<PgliteDatabase> {
    const dataDir = options.dataDir === PGLITE_MEMORY ? PGLITE_MEMORY : resolve(options.dataDir);
    return new PgliteDatabase(await acquireInstance(dataDir), dataDir);
  }

  describe(): string {
    return this.dataDir === PGLITE_MEMORY ? 'pglite:memory' : `pglite:${this.dataDir}`;
  }

  async query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    this.assertOpen();
    const tx = this.activeTransaction();
    if (tx) return tx.query<T>(sql, params);
    const { pg, queue } = this.instance;
    const result = await queue.run(() => this.observe(() => pg.query<T>(sql, params ? [...params] : [])));
    return result.rows;
  }

  async exec(sqlScript: string): Promise<void> {
    this.assertOpen();
    const tx = this.activeTransaction();
    if (tx) return tx.exec(sqlScript);
    const { pg, queue } = this.instance;
    await queue.run(() => this.observe(() => pg.exec(sqlScript)));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertOpen();
    if (this.activeTransaction()) {
      throw new Error(
        'nested transaction on PGlite: it has a single connection, use the tx handle of the open transaction',
      );
    }
    const { pg, queue, transactionScope } = this.instance;
    return queue.run(async () => {
      try {
        return await pg.transaction(async (raw) => {
          const tx = new PgliteTransaction(raw, (run) => this.observe(run));
          try {
            return await transactionScope.run(tx, () => fn(tx));
          } finally {
            tx.finish();
          }
        });
      } catch (error) {
        const failed = error as { code?: unknown; query?: unknown } | null;
        if (failed?.code === '25P02' && failed.query === 'COMMIT') throw new TransactionAbortedError();
        throw scrubDriverError(error);
      }
    });
  }

  override async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    const { pg, queue } = this.instance;
    const unlisten = await queue.run(() => pg.listen(channel, onNotify));
    return async () => {
      if (!this.closed) await queue.run(() => unlisten()).catch(() => undefined);
    };
  }

  protected async doClose(): Promise<void> {
    await releaseInstance(this.dataDir, this.instance);
  }

  /** The transaction whose callback the caller runs in, while it is open. */
  private activeTransaction(): PgliteTransaction | undefined {
    const tx = this.instance.transactionScope.getStore();
    return tx && !tx.finished ? tx : undefined;
  }
}

class PgliteTransaction implements Queryable {
  finished = false;

  constructor(
    private readonly raw: Transaction,
    private readonly observe: <R>(run: () => Promise<R>) => Promise<R>,
  ) {}

  async query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    this.assertActive();
    const result = await this.observe(() => this.raw.query<T>(sql, params ? [...params] : []));
    return result.rows;
  }

  async queryOne<T extends object = Row>(sql: string, params?: SqlParams): Promise<T | null> {
    const rows = await this.query<T>(sql, params);
    return rows[0] ?? null;
  }

  async exec(sqlScript: string): Promise<void> {
    this.assertActive();
    await this.observe(() => this.raw.exec(sqlScript));
  }

  finish(): void {
    this.finished = true;
  }

  private assertActive(): void {
    if (this.finished) throw new Error('transaction handle used after the transaction ended');
  }
}

// Instances by data directory, on globalThis so that every copy of this module shares them.
interface SharedInstance {
  users: number;
  instance: Promise<PgliteInstance>;
}

interface Registry {
  open: Map<string, SharedInstance>;
  closing: Map<string, Promise<void>>;
}

const REGISTRY_KEY = Symbol.for('lienthong.storage.pglite-instances');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY_KEY] ??= { open: new Map(), closing: new Map() });
}

async function acquireInstance(dataDir: string): Promise<PgliteInstance> {
  if (dataDir === PGLITE_MEMORY) return startInstance(dataDir);
  const { open, closing } = registry();
  let shared = open.get(dataDir);
  if (!shared) {
    const previousClose = closing.get(dataDir) ?? Promise.resolve();
    const created: SharedInstance = { users: 0, instance: previousClose.then(() => startInstance(dataDir)) };
    created.instance.catch(() => {
      if (open.get(dataDir) === created) open.delete(dataDir);
    });
    open.set(dataDir, created);
    shared = created;
  }
  shared.users += 1;
  try {
    return await shared.instance;
  } catch (error) {
    shared.users -= 1;
    throw error;
  }
}

async function releaseInstance(dataDir: string, instance: PgliteInstance): Promise<void> {
  if (dataDir === PGLITE_MEMORY) return instance.close();
  const { open, closing } = registry();
  const shared = open.get(dataDir);
  if (shared) {
    shared.users -= 1;
    if (shared.users > 0) return;
    open.delete(dataDir);
  }
  const closed = instance.close().finally(() => {
    if (closing.get(dataDir) === closed) closing.delete(dataDir);
  });
  closing.set(
    dataDir,
    closed.catch(() => undefined),
  );
  await closed;
}

async function startInstance(dataDir: string): Promise<PgliteInstance> {
  let releaseLock = (): void => undefined;
  if (dataDir !== PGLITE_MEMORY) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = lockDataDir(dataDir);
  }
  try {
    const { PGlite } = loadPglite();
    const pg = await PGlite.create(dataDir, typeOptions);
    return new PgliteInstance(pg, releaseLock);
  } catch (error) {
    releaseLock();
    throw error;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process. In-process sharing is handled by the registry above, so a
 * lock naming our own pid is stale (an earlier process with the same pid, as pid 1 in a restarted
 * container); so is one naming a process that is gone.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, PGLITE_LOCK_FILE);
  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const owner = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
        throw new StorageConfigError(
          `PGlite data directory ${dataDir} is in use by process ${owner}; PGlite serves one process only ` +
            '(host the apps in one process, give each its own directory, or use PostgreSQL via DATABASE_URL)',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  return () => {
    try {
      if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath, { force: true });
    } catch {
      // already gone
    }
  };
}

import { DatabaseClosedError, DatabaseTimeoutError, scrubDriverError } from './errors';
import { dbErrors, dbQueryDuration, dbUp } from './metrics';

/** A result row as returned by both drivers (see README for the type mapping). */
export type Row = Record<string, unknown>;

/** Positional parameters for `$1`, `$2`, ... placeholders. */
export type SqlParams = readonly unknown[];

export type DatabaseKind = 'postgres' | 'pglite';

export const DEFAULT_PING_TIMEOUT_MS = 1500;

/** What both a database and an open transaction offer. */
export interface Queryable {
  /** Runs one statement with `$n` parameters and returns its rows (empty for statements without rows). */
  query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Like `query`, returning the first row or `null`. */
  queryOne<T extends object = Row>(sql: string, params?: SqlParams): Promise<T | null>;
  /** Runs a script of one or more statements separated by `;`. No parameters, no rows. */
  exec(sqlScript: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * Isolation level, set at BEGIN (a `SET TRANSACTION` inside the callback comes too late on PostgreSQL,
   * where each transaction's first statement reads its id). Default: the server's, read committed. PGlite
   * runs one transaction at a time, which any level allows, and ignores it.
   */
  isolation?: 'repeatable read' | 'serializable';
}

/**
 * A PostgreSQL-compatible database: PostgreSQL through a node-postgres pool, or embedded PGlite.
 * The abstract class doubles as the Nest injection token: `constructor(private readonly db: Database)`.
 *
 * Transactions: `transaction(fn)` runs `fn` between BEGIN and COMMIT and rolls back when `fn` throws.
 * Use the `tx` handle it receives for every statement that belongs to the transaction.
 * - PostgreSQL: `tx` is a dedicated pool connection; statements issued through the database itself
 *   while the transaction is open run on other connections, outside the transaction. A COMMIT whose
 *   connection is lost is looked up by the transaction's id on another connection: `transaction()`
 *   returns if the server committed, rethrows if it aborted, and throws CommitOutcomeUnknownError if it
 *   could not be asked in time.
 * - PGlite (one connection): transactions are serialised; statements issued through the database by
 *   other callers wait until the open transaction ends. A statement issued through the database from
 *   inside the transaction callback joins the transaction (waiting would deadlock). Nested
 *   `transaction()` calls from inside a callback are refused.
 */
export abstract class Database implements Queryable {
  abstract readonly kind: DatabaseKind;

  private closing = false;
  private closeResult: Promise<void> = Promise.resolve();

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing;
  }

  abstract query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]>;

  async queryOne<T extends object = Row>(sql: string, params?: SqlParams): Promise<T | null> {
    const rows = await this.query<T>(sql, params);
    return rows[0] ?? null;
  }

  abstract exec(sqlScript: string): Promise<void>;

  abstract transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;

  /**
   * Calls `onNotify` for every NOTIFY on `channel` (sent by any process once its transaction commits)
   * until the returned function is called. PostgreSQL listens on a connection of its own outside the
   * pool and listens again after that connection is lost; a notification sent meanwhile is missed, so
   * listeners keep a slow poll as well.
   */
  listen(_channel: string, _onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    // a database without notifications: listeners rely on their poll
    return Promise.resolve(async () => undefined);
  }

  /**
   * Runs `SELECT 1` and resolves with the round trip in milliseconds; rejects with
   * `DatabaseTimeoutError` after `timeoutMs`. Updates the `lgsp_db_up` gauge.
   */
  async ping(timeoutMs: number = DEFAULT_PING_TIMEOUT_MS): Promise<number> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeoutError('database ping', timeoutMs)), timeoutMs);
        timer.unref();
      });
      const probe = this.query('SELECT 1 AS ok');
      probe.catch(() => undefined); // a late failure after the timeout must not become unhandled
      await Promise.race([probe, timeout]);
      dbUp.set({ db_kind: this.kind }, 1);
      return performance.now() - started;
    } catch (error) {
      dbUp.set({ db_kind: this.kind }, 0);
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Closes the pool or the embedded database. Idempotent; later calls reject with DatabaseClosedError. */
  async close(): Promise<void> {
    if (this.closing) return this.closeResult;
    this.closing = true;
    this.closeResult = this.doClose();
    return this.closeResult;
  }

  /** Where this database lives, safe for logs: never the password or URL query parameters. */
  abstract describe(): string;

  protected abstract doClose(): Promise<void>;

  protected assertOpen(): void {
    if (this.closing) throw new DatabaseClosedError(this.describe());
  }

  /** Times one statement into the query histogram; failed statements count as errors and lose parameters. */
  protected async observe<R>(run: () => Promise<R>): Promise<R> {
    const end = dbQueryDuration.startTimer({ db_kind: this.kind });
    try {
      const result = await run();
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      dbErrors.inc({ db_kind: this.kind });
      throw scrubDriverError(error);
    }
  }
}

import { Logger } from '@nestjs/common';
import { Client, Pool, types, type PoolConfig, type QueryConfig, type QueryResult } from 'pg';
import { Database, type Queryable, type Row, type SqlParams, type TransactionOptions } from './database';
import {
  CommitOutcomeUnknownError,
  StorageConfigError,
  TransactionAbortedError,
  errorMessage,
  isDatabaseUnavailable,
} from './errors';
import { dbErrors, dbLostCommits, trackPool } from './metrics';
import { parseTimestampAsUtc } from './type-mapping';

export interface PostgresDatabaseOptions {
  /** postgres:// or postgresql:// connection URL. */
  url: string;
  /** Maximum pool connections (default 10). */
  poolSize?: number;
  /** Reported in pg_stat_activity (default 'lienthong'). */
  applicationName?: string;
  /** Server-side statement_timeout for every connection; unset means the server default. */
  statementTimeoutMs?: number;
  /** How long to wait for a new connection before failing (default 10 000 ms). */
  connectTimeoutMs?: number;
  /** Idle connections are closed after this long (default 30 000 ms). */
  idleTimeoutMs?: number;
  /** search_path for every connection, e.g. 'lienthong' or 'tenant_a,public'. Plain identifiers only. */
  searchPath?: string;
  /**
   * How long a transaction whose connection was lost during COMMIT keeps asking the server whether it
   * committed before giving up with CommitOutcomeUnknownError (default 10 000 ms).
   */
  commitCheckMs?: number;
}

/** Starts a transaction and assigns its id in the same round trip, so a lost COMMIT can be looked up. */
const begin = (options?: TransactionOptions): string =>
  `BEGIN${options?.isolation ? ` ISOLATION LEVEL ${options.isolation.toUpperCase()}` : ''}; ` +
  'SELECT pg_current_xact_id()::text AS xid';
/** Pause between attempts to learn a lost COMMIT's outcome. */
const COMMIT_CHECK_PAUSE_MS = 200;

const logger = new Logger('Storage');

// Type OIDs whose node-postgres default differs from PGlite; both drivers are aligned on the values below.
const OID = {
  date: 1082,
  dateArray: 1182,
  timestamp: 1114,
  timestampArray: 1115,
  interval: 1186,
  intervalArray: 1187,
};
const TEXT_ARRAY_OID = 1009 as Parameters<typeof types.getTypeParser>[0];
const parseTextArray = types.getTypeParser(TEXT_ARRAY_OID, 'text') as (value: string) => unknown;

const identity = (value: string): string => value;

function mapArray(value: unknown, parse: (element: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((element) => mapArray(element, parse));
  return typeof value === 'string' ? parse(value) : value;
}

/**
 * Per-pool type parsers (the global `pg.types` is left alone):
 * date and interval stay strings, timestamp without time zone is UTC, int8/numeric stay strings (default).
 */
const pgTypes: PoolConfig['types'] = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      switch (oid) {
        case OID.date:
        case OID.interval:
          return identity;
        case OID.dateArray:
        case OID.intervalArray:
          return parseTextArray;
        case OID.timestamp:
          return parseTimestampAsUtc;
        case OID.timestampArray:
          return (value: string) => mapArray(parseTextArray(value), parseTimestampAsUtc);
      }
    }
    return types.getTypeParser(oid, format as 'text');
  }) as NonNullable<PoolConfig['types']>['getTypeParser'],
};

/**
 * One statement over the extended protocol, also without parameters, so `query()` behaves like PGlite's
 * (a multi-statement string is an error, not a silently different result shape). `queryMode` exists in
 * node-postgres 8.12+ but not in its type definitions.
 */
function statement(sql: string, params?: SqlParams): QueryConfig {
  return { text: sql, values: params ? [...params] : [], queryMode: 'extended' } as QueryConfig;
}

const SEARCH_PATH = /^[A-Za-z_][A-Za-z0-9_$]*(,[A-Za-z_][A-Za-z0-9_$]*)*$/;

/** The URL without password and query string, e.g. postgres://app@db.internal:5432/lienthong. */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'postgres://(unparseable url)';
  }
}

/** PostgreSQL through a node-postgres Pool. The pool connects lazily, on the first statement. */
export class PostgresDatabase extends Database {
  readonly kind = 'postgres' as const;

  private readonly pool: Pool;
  private readonly untrackPool: () => void;
  private readonly description: string;
  private readonly clientConfig: PoolConfig;
  private readonly commitCheckMs: number;

  constructor(options: PostgresDatabaseOptions) {
    super();
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw new StorageConfigError(
        `database pool size must be a positive integer (got ${String(options.poolSize)})`,
      );
    }
    if (options.searchPath !== undefined && !SEARCH_PATH.test(options.searchPath)) {
      throw new StorageConfigError(
        'database search path must be a comma-separated list of plain identifiers',
      );
    }
    const config: PoolConfig = {
      connectionString: options.url,
      max: poolSize,
      application_name: options.applicationName ?? 'lienthong',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      keepAlive: true,
      types: pgTypes,
    };
    if (options.statementTimeoutMs !== undefined) config.statement_timeout = options.statementTimeoutMs;
    if (options.searchPath !== undefined) config.options = `-c search_path=${options.searchPath}`;
    this.description = describePostgresUrl(options.url);
    this.clientConfig = config;
    this.commitCheckMs = options.commitCheckMs ?? 10_000;
    this.pool = new Pool(config);
    // Without a listener an idle connection dropped by the server would crash the process.
    this.pool.on('error', (error) => {
      logger.warn(`idle PostgreSQL connection failed (${this.description}): ${errorMessage(error)}`);
    });
    this.untrackPool = trackPool(this.pool);
  }

  describe(): string {
    return this.description;
  }

  async query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    this.assertOpen();
    const result = await this.observe(() => this.pool.query(statement(sql, params)));
    return result.rows as T[];
  }

  async exec(sqlScript: string): Promise<void> {
    this.assertOpen();
    await this.observe(() => this.pool.query(sqlScript));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect().catch((error: unknown) => {
      dbErrors.inc({ db_kind: this.kind });
      throw error;
    });
    const run = (sql: string, params?: SqlParams): Promise<QueryResult> =>
      this.observe(() => client.query(statement(sql, params)));
    const runScript = (sqlScript: string): Promise<QueryResult> =>
      this.observe(() => client.query(sqlScript));
    const tx = new PostgresTransaction(run, runScript);
    // A connection whose transaction state is unknown (BEGIN/COMMIT/ROLLBACK failed) is destroyed.
    let broken: Error | undefined;
    // While checked out, the pool's own error listener is off: a connection the server (or the network)
    // drops in the middle of the transaction would emit an unhandled 'error' and kill the process. Its
    // statements fail anyway; it is destroyed on release.
    const onLost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onLost);
    try {
      let xid: string | undefined;
      try {
        const begun = (await runScript(begin(options))) as unknown as QueryResult<{ xid: string }>[];
        xid = begun[1]?.rows[0]?.xid;
      } catch (error) {
        broken = error as Error;
        throw error;
      }
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        tx.finish();
        await run('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError as Error;
        });
        throw error;
      }
      tx.finish();
      let commit: QueryResult;
      try {
        commit = await run('COMMIT');
      } catch (error) {
        broken = error as Error;
        // the server may have committed before the connection went: its answer decides what the caller is told
        if (xid === undefined || !isDatabaseUnavailable(error)) throw error;
        const status = await this.commitStatus(xid);
        dbLostCommits.inc({ outcome: status ?? 'unknown' });
        logger.warn(
          `connection to ${this.description} lost during COMMIT (${errorMessage(error)}); the transaction ` +
            (status ? `was ${status}` : `outcome is unknown after ${this.commitCheckMs} ms`),
        );
        if (status === 'committed') return result;
        if (status === 'aborted') throw error;
        throw new CommitOutcomeUnknownError(error);
      }
      if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
      return result;
    } finally {
      client.removeListener('error', onLost);
      client.release(broken);
    }
  }

  /**
   * What became of transaction `xid` whose COMMIT went unanswered, asked on another connection until the
   * server says committed or aborted, or `commitCheckMs` have passed (undefined: still unknown). A session
   * the server has not yet noticed is gone holds its transaction "in progress"; that is asked again too.
   */
  private async commitStatus(xid: string): Promise<'committed' | 'aborted' | undefined> {
    const deadline = Date.now() + this.commitCheckMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      let timer: NodeJS.Timeout | undefined;
      const status = await Promise.race([
        this.pool
          .query<{ status: string | null }>(statement('SELECT pg_xact_status($1::xid8) AS status', [xid]))
          .then((answer) => answer.rows[0]?.status ?? undefined)
          .catch(() => undefined),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), left))),
      ]);
      clearTimeout(timer);
      if (status === 'committed' || status === 'aborted') return status;
      await new Promise((resolve) => setTimeout(resolve, Math.min(COMMIT_CHECK_PAUSE_MS, left)));
    }
    return undefined;
  }

  override async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    this.assertOpen();
    if (!/^[a-z_][a-z0-9_]*$/.test(channel))
      throw new StorageConfigError('channel must be a plain identifier');
    let client: Client | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      if (stopped || this.closed) return;
      const { max: _max, idleTimeoutMillis: _idle, ...config } = this.clientConfig;
      const next = new Client(config);
      next.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      const lost = () => {
        if (client === next) client = undefined;
        void next.end().catch(() => undefined);
        if (!stopped && !this.closed) {
          clearTimeout(retry);
          retry = setTimeout(() => void connect(), 1000);
          retry.unref();
        }
      };
      next.on('error', lost);
      try {
        await next.connect();
        await next.query(`LISTEN ${channel}`);
        if (stopped) {
          await next.end().catch(() => undefined);
          return;
        }
        client = next;
        next.on('end', () => {
          if (client === next) lost();
        });
      } catch {
        next.removeAllListeners('error');
        next.on('error', () => undefined);
        lost();
      }
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    };
  }

  protected async doClose(): Promise<void> {
    this.untrackPool();
    await this.pool.end();
  }
}

class PostgresTransaction implements Queryable {
  private finished = false;

  constructor(
    private readonly run: (sql: string, params?: SqlParams) => Promise<QueryResult>,
    private readonly runScript: (sqlScript: string) => Promise<QueryResult>,
  ) {}

  async query<T extends object = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    this.assertActive();
    return (await this.run(sql, params)).rows as T[];
  }

  async queryOne<T extends object = Row>(sql: string, params?: SqlParams): Promise<T | null> {
    const rows = await this.query<T>(sql, params);
    return rows[0] ?? null;
  }

  async exec(sqlScript: string): Promise<void> {
    this.assertActive();
    await this.runScript(sqlScript);
  }

  finish(): void {
    this.finished = true;
  }

  private assertActive(): void {
    if (this.finished) throw new Error('transaction handle used after the transaction ended');
  }
}

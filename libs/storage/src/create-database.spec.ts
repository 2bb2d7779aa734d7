import { HealthIndicatorService } from '@nestjs/terminus';
import { register } from 'prom-client';
import { createDatabase, validateDatabaseUrl } from './create-database';
import { Database, type Queryable, type Row } from './database';
import { DatabaseTimeoutError, StorageConfigError } from './errors';
import { PostgresDatabase, describePostgresUrl } from './postgres.database';
import { DatabaseHealthIndicator } from './storage.health';

describe('createDatabase', () => {
  it.each([
    ['mysql://app:s3cret@db:3306/lienthong', /got scheme 'mysql:'/],
    ['db.internal:5432/lienthong', /got scheme 'db.internal:'/],
    ['/var/run/postgresql', /got no scheme/],
    ['http://app:s3cret@db/lienthong', /got scheme 'http:'/],
  ])('rejects %s with a clear message that never echoes the URL', async (url, reason) => {
    const attempt = createDatabase({ url });
    await expect(attempt).rejects.toThrow(StorageConfigError);
    await expect(attempt).rejects.toThrow(/must start with postgres:\/\/ or postgresql:\/\//);
    await expect(attempt).rejects.toThrow(reason);
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });

  it('rejects a postgres URL that is not a URL, without echoing it', () => {
    expect(() => validateDatabaseUrl('postgres://app:s3cret@db:port/x')).toThrow(/not a valid URL/);
    expect(() => validateDatabaseUrl('postgres://app:s3cret@db:port/x')).not.toThrow(/s3cret/);
  });

  it('picks PostgreSQL for a postgres:// or postgresql:// URL without connecting yet', async () => {
    for (const url of [
      'postgres://app:s3cret@127.0.0.1:1/lienthong?sslmode=disable',
      'postgresql://app@127.0.0.1:1/x',
    ]) {
      const db = await createDatabase({ url, poolSize: 3, applicationName: 'lienthong-test' });
      expect(db).toBeInstanceOf(PostgresDatabase);
      expect(db.kind).toBe('postgres');
      expect(db.describe()).not.toMatch(/s3cret|sslmode/);
      await db.close();
    }
  });

  it('picks PGlite when the URL is empty', async () => {
    const db = await createDatabase({ url: '  ', pgliteDir: 'memory://' });
    expect(db.kind).toBe('pglite');
    await db.close();
  });

  it('rejects an invalid pool size and search path', async () => {
    await expect(createDatabase({ url: 'postgres://db/x', poolSize: 0 })).rejects.toThrow(/pool size/);
    await expect(createDatabase({ url: 'postgres://db/x', searchPath: 'a; DROP TABLE b' })).rejects.toThrow(
      /search path/,
    );
  });

  it('describes a PostgreSQL URL without password or query string', () => {
    expect(describePostgresUrl('postgres://app:s3cret@db.internal:5432/lienthong?password=x')).toBe(
      'postgres://app@db.internal:5432/lienthong',
    );
    expect(describePostgresUrl('postgresql://db.internal/lienthong')).toBe(
      'postgresql://db.internal/lienthong',
    );
  });
});

/** A database whose statements never answer, for timeouts. */
class StuckDatabase extends Database {
  readonly kind = 'postgres' as const;
  query<T extends object = Row>(): Promise<T[]> {
    return new Promise(() => undefined);
  }
  async exec(): Promise<void> {}
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return fn(this);
  }
  describe(): string {
    return 'stuck';
  }
  protected async doClose(): Promise<void> {}
}

describe('ping and health', () => {
  it('ping times out and marks the database down', async () => {
    const db = new StuckDatabase();
    await expect(db.ping(50)).rejects.toThrow(DatabaseTimeoutError);
    const up = await register.getSingleMetric('lgsp_db_up')!.get();
    expect(up.values.find((value) => value.labels.db_kind === 'postgres')?.value).toBe(0);
  });

  it('reports an unreachable PostgreSQL as down without exposing the password', async () => {
    const db = await createDatabase({ url: 'postgres://app:s3cret@127.0.0.1:1/lienthong' });
    try {
      const result = await new DatabaseHealthIndicator(db, new HealthIndicatorService()).isHealthy(
        'database',
        {
          timeoutMs: 3000,
        },
      );
      expect(result.database.status).toBe('down');
      expect(result.database.kind).toBe('postgres');
      expect(JSON.stringify(result)).not.toContain('s3cret');
    } finally {
      await db.close();
    }
  });

  it('reports a ping timeout as down with the reason', async () => {
    const result = await new DatabaseHealthIndicator(
      new StuckDatabase(),
      new HealthIndicatorService(),
    ).isHealthy('db', { timeoutMs: 30 });
    expect(result).toEqual({
      db: { status: 'down', kind: 'postgres', message: 'database ping did not complete within 30 ms' },
    });
  });
});

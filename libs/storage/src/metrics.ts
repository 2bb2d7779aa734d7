import { counter, gauge, histogram, LATENCY_BUCKETS } from '@lienthong/observability';

export const dbQueryDuration = histogram({
  name: 'lgsp_db_query_duration_seconds',
  help: 'Duration of database statements (queries, scripts, transaction control), by outcome',
  labelNames: ['db_kind', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const dbErrors = counter({
  name: 'lgsp_db_errors_total',
  help: 'Database statements that failed',
  labelNames: ['db_kind'] as const,
});

export const dbLostCommits = counter({
  name: 'lgsp_db_lost_commits_total',
  help:
    'Transactions whose connection went while COMMIT was on its way, by what the server said of them: ' +
    'committed, aborted, or unknown (not learnt within DATABASE_COMMIT_CHECK_MS)',
  labelNames: ['outcome'] as const,
});

export const dbUp = gauge({
  name: 'lgsp_db_up',
  help: '1 when the last health ping of the database succeeded, 0 when it failed',
  labelNames: ['db_kind'] as const,
});

/** What the pool gauges read from a node-postgres Pool. */
export interface PoolStats {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

// The set of open pools lives on globalThis so that gauges created by one copy of this module still see
// pools opened through another copy.
const POOLS_KEY = Symbol.for('lienthong.storage.pg-pools');

function openPools(): Set<PoolStats> {
  const holder = globalThis as unknown as Record<symbol, Set<PoolStats> | undefined>;
  return (holder[POOLS_KEY] ??= new Set<PoolStats>());
}

function sumPools(field: keyof PoolStats): number {
  let total = 0;
  for (const pool of openPools()) total += pool[field];
  return total;
}

function poolGauge(name: string, help: string, field: keyof PoolStats): void {
  gauge({
    name,
    help,
    collect() {
      this.set(sumPools(field));
    },
  });
}

/**
 * Registers a PostgreSQL pool with the pool gauges (created on first use, so a process that only runs
 * PGlite does not export them). Returns the function that unregisters it.
 */
export function trackPool(pool: PoolStats): () => void {
  poolGauge('lgsp_db_pool_total_connections', 'PostgreSQL pool connections, idle and in use', 'totalCount');
  poolGauge('lgsp_db_pool_idle_connections', 'PostgreSQL pool connections that are idle', 'idleCount');
  poolGauge(
    'lgsp_db_pool_waiting_clients',
    'Callers waiting for a PostgreSQL pool connection',
    'waitingCount',
  );
  const pools = openPools();
  pools.add(pool);
  return () => {
    pools.delete(pool);
  };
}

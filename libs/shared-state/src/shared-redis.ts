import Redis from 'ioredis';
import { counter, type AppLogger } from '@lienthong/observability';

/** What a gateway instance keeps in Redis; the label of `lgsp_shared_state_errors_total`. */
export type SharedStore = 'rate-limit' | 'lookup-cache';

export interface SharedRedisOptions {
  /** REDIS_URL: `redis://` or `rediss://` (TLS), with user and password when the server wants them. */
  url: string;
  /** REDIS_KEY_PREFIX: every key this deployment writes starts with it. */
  keyPrefix: string;
  logger?: AppLogger;
  /** How long a start waits for the first connection before going on degraded (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long one command may take before it counts as a failure (default 500 ms). */
  commandTimeoutMs?: number;
}

/** The state `readiness` reports: `ok`, or `degraded` (per-instance state in use) with the reason. */
export interface SharedStateStatus {
  store: 'redis';
  state: 'ok' | 'degraded';
  /** The connection as ioredis names it: connecting, ready, reconnecting, end… */
  connection: string;
  /** The last failure, while degraded (never the URL: it may hold a password). */
  reason?: string;
  /** Failures since start, by store. */
  errors: Record<SharedStore, number>;
}

const errorsTotal = counter({
  name: 'lgsp_shared_state_errors_total',
  help: 'Redis commands of the shared state (rate limits, lookup cache) that failed, by store; the request went on with per-instance state',
  labelNames: ['store'] as const,
});

/** At most one warning per store in this interval while Redis keeps failing. */
const WARN_INTERVAL_MS = 30_000;

/**
 * The Redis connection that gateway instances share rate limits and the lookup cache through.
 *
 * Redis holds state that makes N instances behave as one; it is not needed to answer a request. So a
 * command never waits in an offline queue and fails after a short timeout, and each user of this
 * connection goes on with its per-instance state (`failed` counts it and says why, throttled); the
 * connection reconnects by itself. A start waits a few seconds for the first connection, then starts
 * degraded rather than not at all.
 */
export class SharedRedis {
  readonly client: Redis;
  private readonly errorCounts: Record<SharedStore, number> = { 'rate-limit': 0, 'lookup-cache': 0 };
  private readonly lastWarned = new Map<SharedStore, number>();
  private lastFailure?: { at: number; reason: string };

  private constructor(
    private readonly options: SharedRedisOptions,
    client: Redis,
  ) {
    this.client = client;
  }

  /** Connects (waiting at most `connectTimeoutMs` for the first connection) and returns the connection. */
  static async connect(options: SharedRedisOptions): Promise<SharedRedis> {
    const client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      // A socket still open this long after close is destroyed (it keeps a stopping process alive).
      disconnectTimeout: 200,
    });
    const shared = new SharedRedis(options, client);
    client.on('error', (error: Error) => shared.noteConnectionError(error));
    client.on('ready', () => {
      if (shared.lastFailure)
        options.logger?.info({ store: 'redis' }, 'shared state: Redis connection restored');
      shared.lastFailure = undefined;
    });
    const timeoutMs = options.connectTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.connect(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      shared.lastFailure = { at: Date.now(), reason: describe(error) };
      options.logger?.warn(
        { store: 'redis', reason: describe(error) },
        'shared state: Redis unreachable at start; rate limits and the lookup cache are per instance until it answers',
      );
    } finally {
      clearTimeout(timer);
    }
    return shared;
  }

  /** `<REDIS_KEY_PREFIX><part>:<part>…` */
  key(...parts: string[]): string {
    return `${this.options.keyPrefix}${parts.join(':')}`;
  }

  get keyPrefix(): string {
    return this.options.keyPrefix;
  }

  /** True while commands can be sent (a command sent otherwise fails at once). */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Records a failed command of `store`: the metric, the readiness detail and a throttled warning. */
  failed(store: SharedStore, error: unknown): void {
    const reason = describe(error);
    errorsTotal.inc({ store });
    this.errorCounts[store]++;
    this.lastFailure = { at: Date.now(), reason };
    const now = Date.now();
    if (now - (this.lastWarned.get(store) ?? 0) >= WARN_INTERVAL_MS) {
      this.lastWarned.set(store, now);
      this.options.logger?.warn(
        { store, reason },
        store === 'rate-limit'
          ? 'shared state: Redis failed; rate limits apply per instance meanwhile'
          : 'shared state: Redis failed; lookups go to the upstream meanwhile',
      );
    }
  }

  /** Degraded while the connection is not ready or a command failed in the last half minute. */
  status(): SharedStateStatus {
    const recent = this.lastFailure && Date.now() - this.lastFailure.at < WARN_INTERVAL_MS;
    const degraded = !this.ready || Boolean(recent);
    return {
      store: 'redis',
      state: degraded ? 'degraded' : 'ok',
      connection: this.client.status,
      ...(degraded ? { reason: this.lastFailure?.reason ?? `connection ${this.client.status}` } : {}),
      errors: { ...this.errorCounts },
    };
  }

  async close(): Promise<void> {
    try {
      if (this.client.status === 'ready') await this.client.quit();
    } finally {
      this.client.disconnect();
    }
  }

  private noteConnectionError(error: Error): void {
    this.lastFailure = { at: Date.now(), reason: describe(error) };
  }
}

/** The message of an error, without anything that looks like a URL (it could carry a password). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/rediss?:\/\/\S+/g, 'redis://…');
}

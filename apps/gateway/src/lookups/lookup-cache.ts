import { createHmac, randomBytes } from 'node:crypto';

export interface LookupCacheOptions {
  /** Entries kept; the least recently used is dropped first. 0 disables the cache. */
  maxEntries: number;
  /** How long past its validUntil an entry is kept for stale answers (ms). */
  staleMaxAgeMs: number;
  /** Wall clock in ms (tests). */
  now?: () => number;
}

/** A cached answer: `fresh` until its validUntil, then `stale` for at most staleMaxAgeMs. */
export interface CachedAnswer<T> {
  state: 'fresh' | 'stale';
  value: T;
  /** ms since the epoch. */
  validUntil: number;
}

interface Entry {
  value: unknown;
  validUntil: number;
}

/**
 * The lookup cache of one gateway instance: verified upstream answers kept in memory, in least-recently-used
 * order, bounded by `maxEntries`. An answer is reused until its validUntil (Decree 47/2020: synchronised data
 * is valid for a set period), then kept `staleMaxAgeMs` longer so that, while its upstream is down, a client
 * allowed stale answers still gets it, marked stale.
 *
 * Keys are keyed hashes of (service, normalised subject) under a random per-process key: no identifier is
 * held in clear as a key, and the hashes mean nothing outside this process. Concurrent misses of one key
 * share one upstream call (`load`).
 */
export class LookupCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly keySecret = randomBytes(32);
  private readonly now: () => number;

  constructor(private readonly options: LookupCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cache key of a subject for a service: HMAC-SHA256 of both, base64url. */
  key(service: string, subject: string): string {
    return createHmac('sha256', this.keySecret)
      .update(`${service}\u0000${subject}`, 'utf8')
      .digest('base64url');
  }

  /** The entry for `key` when it is fresh or still within the stale window; expired entries are dropped. */
  get<T>(key: string): CachedAnswer<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.validUntil + this.options.staleMaxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return {
      state: now < entry.validUntil ? 'fresh' : 'stale',
      value: entry.value as T,
      validUntil: entry.validUntil,
    };
  }

  /** Keeps `value` until `validUntil` (ms since the epoch) plus the stale window. */
  set(key: string, value: unknown, validUntil: number): void {
    if (!this.enabled || !Number.isFinite(validUntil)) return;
    if (this.now() >= validUntil + this.options.staleMaxAgeMs) return;
    this.entries.delete(key);
    this.entries.set(key, { value, validUntil });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /**
   * Single flight: the result of `loader` for `key`, started by the first caller and shared by every caller
   * that asks while it runs (so concurrent misses make one upstream call). Failures are shared alike and
   * not remembered.
   */
  async load<T>(key: string, loader: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const started = loader();
    this.inFlight.set(key, started);
    try {
      return await started;
    } finally {
      if (this.inFlight.get(key) === started) this.inFlight.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

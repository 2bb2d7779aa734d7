import { createHmac, randomBytes } from 'node:crypto';
import type { SharedRedis } from '@lienthong/shared-state';
import { SharedLookupEntries, deriveLookupCacheKeys } from './lookup-cache.shared';

export interface LookupCacheOptions {
  /** Entries kept in memory; the least recently used is dropped first. 0 disables the cache. */
  maxEntries: number;
  /** How long past its validUntil an entry is kept for stale answers (ms). */
  staleMaxAgeMs: number;
  /** Wall clock in ms (tests). */
  now?: () => number;
  /**
   * Keep the entries in Redis (REDIS_URL), shared by every gateway instance, instead of this process's
   * memory; `secret` is LOOKUP_CACHE_KEY, the same on every instance.
   */
  shared?: { redis: SharedRedis; secret: Buffer };
}

/** A cached answer: `fresh` until its validUntil, then `stale` for at most staleMaxAgeMs. */
export interface CachedAnswer<T> {
  state: 'fresh' | 'stale';
  value: T;
  /** ms since the epoch. */
  validUntil: number;
}

export interface CacheEntry {
  value: unknown;
  validUntil: number;
}

/**
 * The lookup cache: verified upstream answers, reused until their validUntil (Decree 47/2020: synchronised
 * data is valid for a set period), then kept `staleMaxAgeMs` longer so that, while its upstream is down, a
 * client allowed stale answers still gets it, marked stale.
 *
 * Embedded (no REDIS_URL), the entries live in this instance's memory in least-recently-used order, bounded
 * by `maxEntries`, and keys are keyed hashes under a random per-process key. Shared, they live in Redis
 * ({@link SharedLookupEntries}): keys are keyed hashes and values are encrypted under keys derived from
 * LOOKUP_CACHE_KEY, so an answer one instance fetched is a hit on the others, and Redis never holds an
 * identifier or a record in clear. Either way concurrent misses of one key in this instance share one
 * upstream call (`load`), and a failing Redis makes a miss, never a failed lookup.
 */
export class LookupCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly keySecret: Buffer;
  private readonly shared?: SharedLookupEntries;
  private readonly now: () => number;

  constructor(private readonly options: LookupCacheOptions) {
    this.now = options.now ?? Date.now;
    if (options.shared) {
      const keys = deriveLookupCacheKeys(options.shared.secret);
      this.keySecret = keys.hmacKey;
      this.shared = new SharedLookupEntries(options.shared.redis, keys.valueKey);
    } else {
      this.keySecret = randomBytes(32);
    }
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  /** Entries held in this process's memory (0 when the cache is shared). */
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
  async get<T>(key: string): Promise<CachedAnswer<T> | undefined> {
    if (!this.enabled) return undefined;
    const entry = this.shared ? await this.shared.get(key) : this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.validUntil + this.options.staleMaxAgeMs) {
      this.entries.delete(key);
      return undefined;
    }
    if (!this.shared) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return {
      state: now < entry.validUntil ? 'fresh' : 'stale',
      value: entry.value as T,
      validUntil: entry.validUntil,
    };
  }

  /** Keeps `value` until `validUntil` (ms since the epoch) plus the stale window. */
  async set(key: string, value: unknown, validUntil: number): Promise<void> {
    if (!this.enabled || !Number.isFinite(validUntil)) return;
    const keepMs = validUntil + this.options.staleMaxAgeMs - this.now();
    if (keepMs <= 0) return;
    if (this.shared) {
      await this.shared.set(key, { value, validUntil }, keepMs);
      return;
    }
    this.entries.delete(key);
    // The cache's own copy. An answer read from an upstream's XML holds substrings of the whole signed
    // document, and a substring keeps its source alive: kept as it is, each cached citizen pinned its 7.5 KB
    // SOAP answer (31 MB of a 90 MB heap after the lookups bench). A structured clone has flat strings and
    // objects of shared shapes; it also keeps later changes to the caller's object out of the cache.
    this.entries.set(key, { value: structuredClone(value), validUntil });
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

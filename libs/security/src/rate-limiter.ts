import type { Caller, RateLimit } from './clients.types';
import type { ClientRegistry } from './client-registry';
import { ProblemException } from '@lienthong/observability';
import type { SharedRedis } from '@lienthong/shared-state';
import { rateLimited } from './security.errors';
import type { SharedRateLimits } from './shared-rate-limits';

/** Milliseconds since an arbitrary origin; injected so tests are deterministic. */
export type Clock = () => number;

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until one token is available again (at least 1). */
  retryAfterSeconds: number;
}

/**
 * A token bucket: holds up to `capacity` tokens, refilled continuously at `perMinute / 60` per second;
 * each request takes one.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly refillPerMs: number;

  constructor(
    readonly capacity: number,
    readonly perMinute: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
    this.refillPerMs = perMinute / 60_000;
  }

  take(now: number): RateDecision {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens), retryAfterSeconds: 0 };
    }
    const waitMs = (1 - this.tokens) / this.refillPerMs;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

/**
 * Per-client rate limit from clients.yaml (`rateLimit: { requestsPerMinute, burst }`).
 *
 * Without a shared store the buckets live in this process's memory, which is right for one gateway
 * instance. With one ({@link SharedRateLimits}, REDIS_URL) every instance takes from the same bucket, so a
 * client gets its configured rate from the deployment, however many instances serve it. When the shared
 * store fails, the request is decided by this instance's own bucket instead: limits keep holding per
 * instance (a client may get up to N times its rate from N instances while Redis is down) rather than the
 * gateway refusing every client, or letting every request through to the upstreams.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly registry: ClientRegistry,
    private readonly clock: Clock = () => performance.now(),
    private readonly shared?: { store: SharedRateLimits; redis: SharedRedis },
  ) {}

  /** Takes one token from the client's bucket in this process. A client without a limit is always allowed. */
  consume(clientId: string, limit: RateLimit | undefined): RateDecision {
    if (!limit) return UNLIMITED;
    const key = `${clientId}\u0000${limit.requestsPerMinute}/${limit.burst}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit.burst, limit.requestsPerMinute, this.clock());
      this.buckets.set(key, bucket);
    }
    return bucket.take(this.clock());
  }

  /** Takes one token from the client's bucket: the shared one when there is one and it answers. */
  async take(clientId: string, limit: RateLimit | undefined): Promise<RateDecision> {
    if (!limit) return UNLIMITED;
    if (this.shared) {
      try {
        return await this.shared.store.take(clientId, limit);
      } catch (error) {
        this.shared.redis.failed('rate-limit', error);
      }
    }
    return this.consume(clientId, limit);
  }

  /** Takes for the caller's client; over the limit throws 429 `RATE_LIMITED` with `Retry-After`. */
  async enforce(caller: Caller): Promise<RateDecision> {
    const decision = await this.take(caller.clientId, this.registry.client(caller.clientId)?.rateLimit);
    if (!decision.allowed) {
      rateLimited.inc({ client: caller.clientId });
      throw new ProblemException(
        429,
        'RATE_LIMITED',
        'Too many requests',
        `Client "${caller.clientId}" is over its rate limit; retry after ${decision.retryAfterSeconds} s.`,
        undefined,
        { 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    return decision;
  }
}

const UNLIMITED: RateDecision = Object.freeze({
  allowed: true,
  remaining: Number.POSITIVE_INFINITY,
  retryAfterSeconds: 0,
});

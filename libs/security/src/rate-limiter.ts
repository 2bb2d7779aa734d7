import type { Caller, RateLimit } from './clients.types';
import type { ClientRegistry } from './client-registry';
import { ProblemException } from '@lienthong/observability';
import { rateLimited } from './security.errors';

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
 * The buckets live in this process's memory. Gateway instances behind a load balancer each apply the
 * full limit, so a client may get up to N times its configured rate from N instances: a provincial
 * deployment running N gateway instances divides the configured rates by N, or moves the buckets to a
 * shared store (Redis) when that is no longer good enough.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly registry: ClientRegistry,
    private readonly clock: Clock = () => performance.now(),
  ) {}

  /** Takes one token from the client's bucket. A client without a limit is always allowed. */
  consume(clientId: string, limit: RateLimit | undefined): RateDecision {
    if (!limit) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    const key = `${clientId}\u0000${limit.requestsPerMinute}/${limit.burst}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limit.burst, limit.requestsPerMinute, this.clock());
      this.buckets.set(key, bucket);
    }
    return bucket.take(this.clock());
  }

  /** Consumes for the caller's client; over the limit throws 429 `RATE_LIMITED` with `Retry-After`. */
  enforce(caller: Caller): RateDecision {
    const decision = this.consume(caller.clientId, this.registry.client(caller.clientId)?.rateLimit);
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

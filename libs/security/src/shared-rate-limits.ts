import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { SharedRedis } from '@lienthong/shared-state';
import type { RateLimit } from './clients.types';
import type { RateDecision } from './rate-limiter';

/**
 * The token bucket of {@link TokenBucket}, kept in one Redis hash per client and limit so that every
 * gateway instance takes from the same bucket. It runs as one script (atomic) on Redis's own clock, so
 * instances whose clocks differ still agree. Called by rate-limiter-flexible in place of its fixed-window
 * script, with KEYS[1] the bucket, ARGV[1] the tokens to take, ARGV[3] the capacity (burst) and ARGV[4]
 * the seconds a drained bucket takes to refill. It answers in the library's terms: {consumed, ms}, where
 * consumed > capacity is a refusal and ms then the wait for the next token. An idle bucket expires once
 * it would be full again, which is the same as a new one.
 */
const TOKEN_BUCKET_SCRIPT = `
local take = tonumber(ARGV[1])
local capacity = tonumber(ARGV[3])
local perMs = capacity / (tonumber(ARGV[4]) * 1000)
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
if now > at then
  tokens = math.min(capacity, tokens + (now - at) * perMs)
  at = now
end
local consumed
local wait
if tokens >= take then
  tokens = tokens - take
  consumed = capacity - math.floor(tokens)
  wait = 0
else
  consumed = capacity + take
  wait = math.ceil((take - tokens) / perMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) / perMs)))
return {consumed, wait}
`;

/**
 * Rate limits shared by every gateway instance through Redis (REDIS_URL): the same token bucket, burst and
 * per-minute refill as the in-memory limiter, one bucket per client and limit for the whole deployment.
 * Keys are `<REDIS_KEY_PREFIX>ratelimit:<perMinute>-<burst>:<client id>`; a client id is not personal data.
 * A Redis failure rejects with the error (the caller decides what to do); a refusal resolves.
 */
export class SharedRateLimits {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(private readonly redis: SharedRedis) {}

  async take(clientId: string, limit: RateLimit): Promise<RateDecision> {
    const limiter = this.limiter(limit);
    try {
      const result = await limiter.consume(clientId, 1, {
        // Only picks the script path for buckets that refill in under a second; the script sets the TTL.
        customDuration: Math.max(1, Math.ceil(limiter.duration)),
      });
      return { allowed: true, remaining: result.remainingPoints, retryAfterSeconds: 0 };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      return {
        allowed: false,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)),
      };
    }
  }

  private limiter(limit: RateLimit): RateLimiterRedis {
    const name = `${limit.requestsPerMinute}-${limit.burst}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis.client,
        keyPrefix: this.redis.key('ratelimit', name),
        points: limit.burst,
        // Seconds a drained bucket takes to fill up again: the refill rate is burst / duration.
        duration: (60 * limit.burst) / limit.requestsPerMinute,
        customIncrTtlLuaScript: TOKEN_BUCKET_SCRIPT,
        rejectIfRedisNotReady: true,
      });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }
}

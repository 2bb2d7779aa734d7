import { metricsRegistry } from '@lienthong/observability';
import { SharedRedis } from '@lienthong/shared-state';
import {
  deleteKeysUnder,
  DOWN_REDIS_URL,
  keysUnder,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from '../../shared-state/src/testing/redis-fixtures';
import { ClientRegistry } from './client-registry';
import type { Caller } from './clients.types';
import { RateLimiter } from './rate-limiter';
import { SharedRateLimits } from './shared-rate-limits';
import { testClientsDocument } from './testing/security.fixtures';

const registry = ClientRegistry.fromDocument(testClientsDocument());
const caller = (clientId: string): Caller => ({
  clientId,
  name: clientId,
  kind: 'MINISTRY',
  admin: false,
  via: 'api-key',
  credentialId: 'k1',
});

async function refusal(
  promise: Promise<unknown>,
): Promise<{ status?: number; headers?: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; headers?: Record<string, string> };
  }
  throw new Error('expected a refusal');
}

async function sharedErrors(store: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('lgsp_shared_state_errors_total')?.get();
  return metric?.values.find((value) => value.labels.store === store)?.value ?? 0;
}

describe('rate limits shared through Redis', () => {
  const prefix = uniqueKeyPrefix('rate-limits');
  let first: SharedRedis;
  let second: SharedRedis;
  /** Two gateway instances: each its own connection and limiter, one Redis. */
  let instanceA: RateLimiter;
  let instanceB: RateLimiter;

  beforeAll(async () => {
    first = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    second = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    instanceA = new RateLimiter(registry, undefined, { store: new SharedRateLimits(first), redis: first });
    instanceB = new RateLimiter(registry, undefined, { store: new SharedRateLimits(second), redis: second });
  });

  afterAll(async () => {
    await deleteKeysUnder(prefix);
    await Promise.all([first.close(), second.close()]);
  });

  it("holds a client's burst across instances, then refuses on both with 429 and Retry-After", async () => {
    // bo-tu-phap: 60 per minute, burst 2
    expect(await instanceA.enforce(caller('bo-tu-phap'))).toMatchObject({ allowed: true, remaining: 1 });
    expect(await instanceB.enforce(caller('bo-tu-phap'))).toMatchObject({ allowed: true, remaining: 0 });
    for (const instance of [instanceA, instanceB]) {
      expect(await refusal(instance.enforce(caller('bo-tu-phap')))).toMatchObject({
        status: 429,
        code: 'RATE_LIMITED',
        headers: { 'Retry-After': '1' },
      });
    }
    // another client has its own bucket
    expect((await instanceB.enforce(caller('motcua'))).allowed).toBe(true);
    expect(first.status().state).toBe('ok');
  });

  it('refills at the per-minute rate and says how many whole seconds to wait', async () => {
    const shared = new SharedRateLimits(first);
    const slow = { requestsPerMinute: 6, burst: 1 }; // one token per 10 s
    expect((await shared.take('slow-client', slow)).allowed).toBe(true);
    const refused = await shared.take('slow-client', slow);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(9);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(10);

    // 120 per minute, burst 1: a bucket that refills in half a second
    const fast = { requestsPerMinute: 120, burst: 1 };
    expect((await shared.take('fast-client', fast)).allowed).toBe(true);
    expect(await shared.take('fast-client', fast)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await shared.take('fast-client', fast)).allowed).toBe(true);
  });

  it('keeps one expiring key per client and limit, named by client id only', async () => {
    const keys = await keysUnder(prefix);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}ratelimit:\\d+-\\d+:[a-z-]+$`));
    const probe = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    try {
      for (const key of keys) {
        const ttl = await probe.client.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(10_000);
      }
    } finally {
      await probe.close();
    }
  });

  it('falls back to per-instance limits while Redis is down, counting the failures', async () => {
    const down = await SharedRedis.connect({ url: DOWN_REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 300 });
    try {
      const before = await sharedErrors('rate-limit');
      const limiter = new RateLimiter(registry, undefined, {
        store: new SharedRateLimits(down),
        redis: down,
      });
      expect((await limiter.enforce(caller('bo-tu-phap'))).allowed).toBe(true);
      expect((await limiter.enforce(caller('bo-tu-phap'))).allowed).toBe(true);
      expect(await refusal(limiter.enforce(caller('bo-tu-phap')))).toMatchObject({ status: 429 });
      expect(await sharedErrors('rate-limit')).toBe(before + 3);
      expect(down.status()).toMatchObject({ store: 'redis', state: 'degraded' });
    } finally {
      await down.close();
    }
  });
});

import { metricsRegistry, ProblemException } from '@lienthong/observability';
import { ClientRegistry } from './client-registry';
import type { Caller } from './clients.types';
import { RateLimiter, TokenBucket } from './rate-limiter';
import { testClientsDocument } from './testing/security.fixtures';

describe('token bucket', () => {
  it('lets a burst through, then one request per refill interval', () => {
    let now = 1_000;
    const bucket = new TokenBucket(3, 60, now); // one token per second
    expect([1, 2, 3].map(() => bucket.take(now).allowed)).toEqual([true, true, true]);
    expect(bucket.take(now)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    now += 999;
    expect(bucket.take(now).allowed).toBe(false);
    now += 1;
    expect(bucket.take(now)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    now += 60_000; // refills up to the burst, not beyond
    expect([1, 2, 3, 4].map(() => bucket.take(now).allowed)).toEqual([true, true, true, false]);
  });

  it('says how many whole seconds to wait at a slow rate', () => {
    const bucket = new TokenBucket(1, 6, 0); // one token per 10 s
    expect(bucket.take(0).allowed).toBe(true);
    expect(bucket.take(0).retryAfterSeconds).toBe(10);
    expect(bucket.take(2_500).retryAfterSeconds).toBe(8); // 7.5 s left, rounded up
  });

  it('does not refill when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 60, 5_000);
    expect(bucket.take(5_000).allowed).toBe(true);
    expect(bucket.take(1_000).allowed).toBe(false);
  });
});

describe('rate limiter', () => {
  const registry = ClientRegistry.fromDocument(testClientsDocument());
  const caller = (clientId: string): Caller => ({
    clientId,
    name: clientId,
    kind: 'MINISTRY',
    admin: false,
    via: 'api-key',
    credentialId: 'k1',
  });

  it("applies each client's own limit and refuses with 429 RATE_LIMITED and Retry-After", async () => {
    let now = 0;
    const limiter = new RateLimiter(registry, () => now);
    // bo-tu-phap: 60 per minute, burst 2
    await limiter.enforce(caller('bo-tu-phap'));
    await limiter.enforce(caller('bo-tu-phap'));
    await expect(limiter.enforce(caller('bo-tu-phap'))).rejects.toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      headers: { 'Retry-After': '1' },
    });
    await expect(limiter.enforce(caller('bo-tu-phap'))).rejects.toBeInstanceOf(ProblemException);
    // another client is not affected
    expect((await limiter.enforce(caller('motcua'))).allowed).toBe(true);
    now += 1_000;
    expect((await limiter.enforce(caller('bo-tu-phap'))).allowed).toBe(true);

    const metric = await metricsRegistry.getSingleMetric('lgsp_rate_limited_total')!.get();
    expect(metric.values.find((v) => v.labels.client === 'bo-tu-phap')?.value).toBeGreaterThanOrEqual(1);
  });

  it('does not limit a client registered without a limit', () => {
    const limiter = new RateLimiter(registry, () => 0);
    for (let i = 0; i < 1000; i++) expect(limiter.consume('demo', undefined).allowed).toBe(true);
  });
});

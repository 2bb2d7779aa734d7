import Redis from 'ioredis';
import { metricsRegistry } from '@lienthong/observability';
import { SharedRedis } from '@lienthong/shared-state';
import {
  deleteKeysUnder,
  DOWN_REDIS_URL,
  keysUnder,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from '../../../../libs/shared-state/src/testing/redis-fixtures';
import { LookupCache } from './lookup-cache';

const SECRET = Buffer.from('a'.repeat(64), 'hex');
const OTHER_SECRET = Buffer.from('b'.repeat(64), 'hex');
const PERSONAL_ID = '001090012345';
const RECORD = { personalId: PERSONAL_ID, fullName: 'Nguyễn Văn An' };

async function sharedErrors(): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('lgsp_shared_state_errors_total')?.get();
  return metric?.values.find((value) => value.labels.store === 'lookup-cache')?.value ?? 0;
}

describe('lookup cache shared through Redis', () => {
  const prefix = uniqueKeyPrefix('lookup-cache');
  let now = Date.now();
  const clock = () => now;
  const connections: SharedRedis[] = [];

  /** One gateway instance's cache: its own connection to the one Redis. */
  async function instance(secret = SECRET, staleMaxAgeMs = 60_000): Promise<LookupCache> {
    const redis = await SharedRedis.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    connections.push(redis);
    return new LookupCache({ maxEntries: 10, staleMaxAgeMs, now: clock, shared: { redis, secret } });
  }

  afterAll(async () => {
    await deleteKeysUnder(prefix);
    await Promise.all(connections.map((redis) => redis.close()));
  });

  it('serves an answer cached by one instance as a hit on another with the same key', async () => {
    const [a, b, stranger] = [await instance(), await instance(), await instance(OTHER_SECRET)];
    const key = a.key('citizen.lookup', PERSONAL_ID);
    expect(b.key('citizen.lookup', PERSONAL_ID)).toBe(key);
    await a.set(key, RECORD, now + 1_000);

    expect(await b.get(key)).toEqual({ state: 'fresh', value: RECORD, validUntil: now + 1_000 });
    // Another LOOKUP_CACHE_KEY finds nothing: other names, and the entry would not decrypt.
    expect(stranger.key('citizen.lookup', PERSONAL_ID)).not.toBe(key);
    expect(await stranger.get(key)).toBeUndefined();
  });

  it('turns stale after validUntil and expires in Redis at validUntil plus the stale window', async () => {
    const [a, b] = [await instance(), await instance()];
    const key = a.key('enterprise.lookup', '0101234567');
    const validUntil = now + 2_000;
    await a.set(key, { enterpriseCode: '0101234567' }, validUntil);

    const raw = new Redis(TEST_REDIS_URL);
    try {
      const ttl = await raw.pttl(`${prefix}lookup:${key}`);
      expect(ttl).toBeGreaterThan(61_000);
      expect(ttl).toBeLessThanOrEqual(62_000);
    } finally {
      raw.disconnect();
    }
    now += 2_000;
    expect((await b.get(key))?.state).toBe('stale');
    now += 60_000;
    expect(await b.get(key)).toBeUndefined();
    // An answer already past its stale window is not written at all.
    const late = a.key('land.lookup', 'late');
    await a.set(late, 'old', now - 61_000);
    expect(await keysUnder(`${prefix}lookup:${late}`)).toEqual([]);
  });

  it('holds neither the identifier nor the record in clear in Redis', async () => {
    const a = await instance();
    await a.set(a.key('citizen.lookup', PERSONAL_ID), RECORD, now + 10_000);
    const keys = await keysUnder(prefix);
    expect(keys.length).toBeGreaterThan(0);
    const raw = new Redis(TEST_REDIS_URL);
    try {
      for (const key of keys) {
        expect(key).not.toContain(PERSONAL_ID);
        if (!key.startsWith(`${prefix}lookup:`)) continue;
        const value = (await raw.getBuffer(key))!.toString('latin1');
        expect(value).not.toContain(PERSONAL_ID);
        expect(value).not.toContain('fullName');
      }
    } finally {
      raw.disconnect();
    }
  });

  it('reads as a miss and writes nothing while Redis is down, without failing the lookup', async () => {
    const down = await SharedRedis.connect({ url: DOWN_REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 300 });
    connections.push(down);
    const cache = new LookupCache({
      maxEntries: 10,
      staleMaxAgeMs: 60_000,
      now: clock,
      shared: { redis: down, secret: SECRET },
    });
    const before = await sharedErrors();
    const key = cache.key('citizen.lookup', PERSONAL_ID);
    await expect(cache.set(key, RECORD, now + 10_000)).resolves.toBeUndefined();
    await expect(cache.get(key)).resolves.toBeUndefined();
    await expect(cache.load(key, async () => RECORD)).resolves.toEqual(RECORD);
    expect(await sharedErrors()).toBe(before + 2);
    expect(down.status().state).toBe('degraded');
  });
});

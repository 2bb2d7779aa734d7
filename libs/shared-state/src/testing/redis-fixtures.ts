import Redis from 'ioredis';

/** The Redis the tests share (REDIS_URL, else the local one on the default port). */
export const TEST_REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, so runs can share one Redis. */
export function uniqueKeyPrefix(label: string): string {
  return `lienthong-test:${label}:${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}:`;
}

/** Every key under `prefix` (a test's own), read with SCAN. */
export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix` (a test's own). */
export async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** A port nothing listens on: a Redis that is down. */
export const DOWN_REDIS_URL = 'redis://127.0.0.1:1';

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SharedRedis } from '@lienthong/shared-state';
import type { CacheEntry } from './lookup-cache';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Two independent keys from LOOKUP_CACHE_KEY: one names entries (HMAC), one encrypts them (AES-256-GCM). */
export function deriveLookupCacheKeys(secret: Buffer): { hmacKey: Buffer; valueKey: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  return {
    hmacKey: derive('lienthong.lookup-cache.key-hmac'),
    valueKey: derive('lienthong.lookup-cache.value-aes-256-gcm'),
  };
}

/**
 * Lookup cache entries in Redis, shared by every gateway instance. A cached answer is personal data, so it
 * is stored encrypted (AES-256-GCM, a random IV per write, the Redis key as associated data so an entry
 * cannot be moved under another subject's key) and named `<REDIS_KEY_PREFIX>lookup:<HMAC>`. Entries
 * expire in Redis at validUntil plus the stale window. A Redis failure, or an entry that does not decrypt
 * (another LOOKUP_CACHE_KEY), reads as a miss; failures are counted and shown in readiness, never thrown.
 */
export class SharedLookupEntries {
  constructor(
    private readonly redis: SharedRedis,
    private readonly valueKey: Buffer,
  ) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const name = this.redis.key('lookup', key);
    let sealed: Buffer | null;
    try {
      sealed = await this.redis.client.getBuffer(name);
    } catch (error) {
      this.redis.failed('lookup-cache', error);
      return undefined;
    }
    return sealed ? this.open(name, sealed) : undefined;
  }

  async set(key: string, entry: CacheEntry, keepMs: number): Promise<void> {
    const name = this.redis.key('lookup', key);
    try {
      await this.redis.client.set(name, this.seal(name, entry), 'PX', Math.max(1, Math.ceil(keepMs)));
    } catch (error) {
      this.redis.failed('lookup-cache', error);
    }
  }

  private seal(name: string, entry: CacheEntry): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.valueKey, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(entry), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  private open(name: string, sealed: Buffer): CacheEntry | undefined {
    if (sealed.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.valueKey, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const entry = JSON.parse(text) as CacheEntry;
      return typeof entry.validUntil === 'number' ? entry : undefined;
    } catch {
      return undefined;
    }
  }
}

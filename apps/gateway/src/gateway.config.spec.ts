import { ConfigError } from '@lienthong/config';
import { loadGatewayConfig } from './gateway.config';

const KEY = 'a-subject-key-of-at-least-thirty-two-bytes!!';

describe('gateway configuration', () => {
  it('requires AUDIT_SUBJECT_KEY and says what it is', () => {
    expect(() => loadGatewayConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow(
      /AUDIT_SUBJECT_KEY is required/,
    );
  });

  it('refuses a subject key that is too short, without repeating it', () => {
    let message = '';
    try {
      loadGatewayConfig({ KAFKA_BROKERS: '127.0.0.1:9092', AUDIT_SUBJECT_KEY: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AUDIT_SUBJECT_KEY must be at least 32 bytes/);
    expect(message).not.toContain('short-secret');
  });

  it('reads the lookup settings with their defaults', () => {
    const config = loadGatewayConfig({ KAFKA_BROKERS: '127.0.0.1:9092', AUDIT_SUBJECT_KEY: KEY });
    expect(config.audit.subjectKey).toBe(KEY);
    expect(config.POPULATION_URL).toBeUndefined();
    expect(config).toMatchObject({
      POPULATION_VALIDITY_MS: 86_400_000,
      LOOKUP_CACHE_MAX_ENTRIES: 100_000,
      UPSTREAM_RETRIES: 2,
      UPSTREAM_CIRCUIT_FAILURES: 5,
      UPSTREAM_CIRCUIT_HALF_OPEN_MS: 5_000,
      CLIENTS_FILE: 'deploy/config/clients.yaml',
    });
  });
});

describe('gateway shared state settings', () => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092', AUDIT_SUBJECT_KEY: KEY };

  it('keeps everything per instance without REDIS_URL', () => {
    const config = loadGatewayConfig(base);
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.lookupCacheKey).toBeUndefined();
  });

  it('reads the Redis address, the key prefix and the lookup cache key', () => {
    const config = loadGatewayConfig({
      ...base,
      REDIS_URL: 'rediss://:pw@redis.example.vn:6380/0',
      LOOKUP_CACHE_KEY: `hex:${'ab'.repeat(32)}`,
    });
    expect(config).toMatchObject({
      REDIS_URL: 'rediss://:pw@redis.example.vn:6380/0',
      REDIS_KEY_PREFIX: 'lienthong:',
    });
    expect(config.lookupCacheKey).toEqual(Buffer.from('ab'.repeat(32), 'hex'));
  });

  it('refuses an address that is not Redis and a short lookup cache key, without repeating it', () => {
    let message = '';
    try {
      loadGatewayConfig({ ...base, REDIS_URL: 'http://redis.example.vn', LOOKUP_CACHE_KEY: 'too-short-key' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/REDIS_URL must be a redis:\/\/ or rediss:\/\/ \(TLS\) address/);
    expect(message).toMatch(/LOOKUP_CACHE_KEY must be at least 32 bytes/);
    expect(message).not.toContain('too-short-key');
  });
});

describe('gateway API documentation switch', () => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092', AUDIT_SUBJECT_KEY: KEY };
  it.each([
    [{}, true],
    [{ NODE_ENV: 'production' }, false],
    [{ NODE_ENV: 'production', GATEWAY_DOCS: 'true' }, true],
    [{ GATEWAY_DOCS: 'false' }, false],
  ])('with %j serves the docs: %s', (env, expected) => {
    expect(loadGatewayConfig({ ...base, ...env }).docs).toBe(expected);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@lienthong/config';
import { loadGatewayConfig } from '../gateway.config';
import { LookupUpstreams } from './lookup-upstreams';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  AUDIT_SUBJECT_KEY: 'a-subject-key-of-at-least-thirty-two-bytes!!',
};

describe('LookupUpstreams from the configuration', () => {
  const empty = mkdtempSync(join(tmpdir(), 'lienthong-no-pki-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('lists an upstream without URL as not configured, and the others with their circuit', async () => {
    const upstreams = LookupUpstreams.fromConfig(
      loadGatewayConfig({
        ...base,
        LAND_URL: 'http://127.0.0.1:1',
        BUSINESS_REGISTRY_URL: 'http://127.0.0.1:1',
      }),
    );
    try {
      expect(upstreams.health()).toEqual([
        { adapter: 'population', configured: false },
        { adapter: 'business-registry', configured: true, circuit: 'closed', errorRate: 0, recentCalls: 0 },
        { adapter: 'land', configured: true, circuit: 'closed', errorRate: 0, recentCalls: 0 },
      ]);
      expect(upstreams.population()).toBeUndefined();
      expect(upstreams.land()).toBeDefined();
    } finally {
      await upstreams.onApplicationShutdown();
    }
  });

  it('stops the start when the population client has no key material', () => {
    const config = loadGatewayConfig({
      ...base,
      POPULATION_URL: 'https://127.0.0.1:1/ws/congdan',
      PKI_DIR: empty,
    });
    expect(() => LookupUpstreams.fromConfig(config)).toThrow(ConfigError);
    expect(() => LookupUpstreams.fromConfig(config)).toThrow(/POPULATION_CLIENT_KEY_PATH/);
  });

  it('names an unreadable key file without its content', () => {
    const config = loadGatewayConfig({
      ...base,
      POPULATION_URL: 'https://127.0.0.1:1/ws/congdan',
      POPULATION_CLIENT_KEY_PATH: join(empty, 'missing.key'),
    });
    expect(() => LookupUpstreams.fromConfig(config)).toThrow(
      /POPULATION_CLIENT_KEY_PATH cannot be read \(ENOENT\)/,
    );
  });

  it('stops the start when an upstream is routed through a platform whose address or credential is unset', () => {
    const routed = (extra: Record<string, string>) =>
      loadGatewayConfig({ ...base, LAND_URL: 'http://127.0.0.1:1', LAND_ROUTE: 'ndop', ...extra });
    expect(() => LookupUpstreams.fromConfig(routed({}))).toThrow(
      'an upstream is routed through NDOP, which needs NDOP_URL and NDOP_API_KEY',
    );
    expect(() => LookupUpstreams.fromConfig(routed({ NDOP_URL: 'http://127.0.0.1:1/r1' }))).toThrow(
      'an upstream is routed through NDOP, which needs NDOP_API_KEY',
    );
    // the other platform's settings do not count
    expect(() =>
      LookupUpstreams.fromConfig(routed({ NDXP_URL: 'http://127.0.0.1:1/r1', NDXP_API_KEY: 'k' })),
    ).toThrow(ConfigError);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env';
import { assertSafeForProduction, DEV_PKI_ORGANIZATION, productionProblems } from './production';

/** A self-signed CA certificate with the given subject, made by openssl. */
function caCertificate(dir: string, name: string, subject: string): string {
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    subject,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    cert,
  ]);
  return cert;
}

describe('production mode refuses unsafe settings', () => {
  let dir: string;
  let ownCa: string;
  let devCa: string;
  let localKeyFile: string;
  const LOCAL_KEY = 'base64:bG9jYWwtZGV2ZWxvcG1lbnQta2V5LW9mLW5wbS1zdGFydC0wMTIzNDU2Nzg5YWJj';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-production-'));
    ownCa = caCertificate(dir, 'own-ca', '/CN=Provincial CA/O=UBND tinh Lao Cai/C=VN');
    devCa = caCertificate(dir, 'dev-ca', `/CN=Lien Thong Development CA/O=${DEV_PKI_ORGANIZATION}/C=VN`);
    localKeyFile = join(dir, 'audit-subject.key');
    writeFileSync(localKeyFile, `${LOCAL_KEY}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A gateway environment production accepts: every upstream https with its own pinned CA and key material. */
  const safeGateway = (): NodeJS.ProcessEnv => ({
    NODE_ENV: 'production',
    AUDIT_SUBJECT_KEY: 'base64:cHJvdmluY2lhbC1rZXktb2YtdGhlLWRlcGxveW1lbnQtMDEyMzQ1Njc4OWFiY2RlZg==',
    POPULATION_URL: 'https://csdl-dancu.example.vn/ws/congdan',
    POPULATION_CLIENT_KEY_PATH: join(dir, 'own-ca.key'),
    POPULATION_CLIENT_CERT_PATH: ownCa,
    POPULATION_CA_PATH: ownCa,
    POPULATION_SIGNING_CERT_PATH: ownCa,
    BUSINESS_REGISTRY_URL: 'https://dkkd.example.vn/api',
    BUSINESS_REGISTRY_CA_PATH: ownCa,
    BUSINESS_REGISTRY_CLIENT_SECRET: 'Zq8v1rW3mXc5tY7uK9pL2nB4',
    GATEWAY_TLS_CERT_FILE: ownCa,
    GATEWAY_TLS_CLIENT_CA_FILE: ownCa,
  });
  const safeRelay = (): NodeJS.ProcessEnv => ({
    NODE_ENV: 'production',
    PORTAL_URL: 'https://dichvucong.example.vn/lgsp',
    PORTAL_CA_PATH: ownCa,
    PORTAL_PASSWORD: 'Hk3pQ9wE2rT6yU1iO5aS',
    OPERATIONS_CENTER_URL: 'https://ioc.example.vn',
    OPERATIONS_CENTER_CA_PATH: ownCa,
    OPERATIONS_CENTER_CLIENT_SECRET: 'Lm4nB8vC2xZ6aS0dF3gH',
  });
  const gateway = (overrides: NodeJS.ProcessEnv) =>
    productionProblems('gateway', { ...safeGateway(), ...overrides }, { localSecretFiles: [localKeyFile] });
  const relay = (overrides: NodeJS.ProcessEnv) =>
    productionProblems('relay', { ...safeRelay(), ...overrides }, { localSecretFiles: [localKeyFile] });

  it('accepts a deployment with its own secrets, its own certificates and pinned upstreams', () => {
    expect(gateway({})).toEqual([]);
    expect(relay({})).toEqual([]);
  });

  it('checks nothing outside production mode', () => {
    expect(() =>
      assertSafeForProduction('gateway', { LGSP_DEMO_API_KEY: 'lt_demo_0123456789abcdef' }),
    ).not.toThrow();
  });

  it('refuses the demo client', () => {
    expect(gateway({ LGSP_DEMO_API_KEY: 'lt_demo_0123456789abcdef' })).toEqual([
      expect.stringMatching(/^LGSP_DEMO_API_KEY is set: .*unset it and register each caller in CLIENTS_FILE/),
    ]);
    expect(gateway({ LGSP_DEMO_CLIENT_CERT_FILE: ownCa })).toEqual([
      expect.stringMatching(/^LGSP_DEMO_CLIENT_CERT_FILE is set/),
    ]);
  });

  it('refuses the audit subject key npm start keeps in var/secrets', () => {
    expect(gateway({ AUDIT_SUBJECT_KEY: LOCAL_KEY })).toEqual([
      expect.stringMatching(/^AUDIT_SUBJECT_KEY is the development key .*set AUDIT_SUBJECT_KEY/),
    ]);
  });

  it('refuses the ministry pseudonym key npm start keeps in var/secrets', () => {
    expect(relay({ MINISTRY_PSEUDONYM_KEY: LOCAL_KEY })).toEqual([
      expect.stringMatching(/^MINISTRY_PSEUDONYM_KEY is the development key .*set MINISTRY_PSEUDONYM_KEY/),
    ]);
    expect(relay({ MINISTRY_PSEUDONYM_KEY: `${LOCAL_KEY}x` })).toEqual([]);
  });

  it('refuses the development lookup cache key once the cache is shared through Redis', () => {
    const redis = { REDIS_URL: 'rediss://:p4ss@redis.example.vn:6380/0' };
    expect(gateway(redis)).toEqual([
      expect.stringMatching(
        /^LOOKUP_CACHE_KEY is unset and its default is a development value: set LOOKUP_CACHE_KEY to a key of the deployment's own/,
      ),
    ]);
    expect(gateway({ ...redis, LOOKUP_CACHE_KEY: 'lienthong-dev-lookup-cache-key-not-a-secret' })).toEqual([
      expect.stringMatching(/^LOOKUP_CACHE_KEY is a development or sample value/),
    ]);
    expect(gateway({ ...redis, LOOKUP_CACHE_KEY: LOCAL_KEY })).toEqual([
      expect.stringMatching(/^LOOKUP_CACHE_KEY is a development or sample value/),
    ]);
    expect(
      gateway({
        ...redis,
        LOOKUP_CACHE_KEY: 'base64:c2hhcmVkLWxvb2t1cC1jYWNoZS1rZXktb2YtdGhlLXByb3ZpbmNlLTAxMjM0NQ==',
      }),
    ).toEqual([]);
    // Without Redis the cache stays in memory under a random per-process key.
    expect(gateway({})).toEqual([]);
  });

  it('refuses a secret left at its development default, a known sample value and a short one', () => {
    expect(relay({ PORTAL_PASSWORD: undefined })).toEqual([
      expect.stringMatching(
        /^PORTAL_PASSWORD is unset and its default is a development value: set PORTAL_PASSWORD/,
      ),
    ]);
    expect(relay({ OPERATIONS_CENTER_CLIENT_SECRET: 'lienthong-dev-secret' })).toEqual([
      expect.stringMatching(/^OPERATIONS_CENTER_CLIENT_SECRET is a development or sample value/),
    ]);
    expect(gateway({ BUSINESS_REGISTRY_CLIENT_SECRET: 'changeme' })).toEqual([
      expect.stringMatching(/^BUSINESS_REGISTRY_CLIENT_SECRET is a development or sample value/),
    ]);
    expect(
      gateway({ LAND_URL: 'https://datdai.example.vn', LAND_CA_PATH: ownCa, LAND_API_KEY: 'abc123' }),
    ).toEqual([expect.stringMatching(/^LAND_API_KEY is shorter than 16 characters: set LAND_API_KEY/)]);
    // a secret of an upstream that is not configured is not asked for
    expect(relay({ PORTAL_URL: undefined, PORTAL_PASSWORD: undefined, PORTAL_CA_PATH: undefined })).toEqual(
      [],
    );
  });

  it('asks for the secret of the portal dialect the deployment speaks, and only that one', () => {
    const token = { PORTAL_DIALECT: 'token-2025', PORTAL_PASSWORD: undefined };
    expect(relay(token)).toEqual([
      expect.stringMatching(
        /^PORTAL_CLIENT_SECRET is unset and its default is a development value: set PORTAL_CLIENT_SECRET/,
      ),
    ]);
    expect(gateway({ ...token, PORTAL_URL: 'https://dichvucong.example.vn', PORTAL_CA_PATH: ownCa })).toEqual(
      [expect.stringMatching(/^PORTAL_CLIENT_SECRET is unset/)],
    );
    expect(relay({ ...token, PORTAL_CLIENT_SECRET: 'lienthong-dev-secret' })).toEqual([
      expect.stringMatching(/^PORTAL_CLIENT_SECRET is a development or sample value/),
    ]);
    expect(relay({ ...token, PORTAL_CLIENT_SECRET: 'Vb6nM2kP9qW4eR7tY1uI3oL5' })).toEqual([]);
    // the OpenCPS-era dialect (the default) needs no client secret
    expect(relay({ PORTAL_CLIENT_SECRET: undefined })).toEqual([]);
  });

  it('refuses a plain-http upstream unless the allow-list names it', () => {
    const plain = {
      BUSINESS_REGISTRY_URL: 'http://dkkd.internal:8080/api',
      BUSINESS_REGISTRY_CA_PATH: undefined,
    };
    expect(gateway(plain)).toEqual([
      'BUSINESS_REGISTRY_URL is plain http: use https with a pinned CA in BUSINESS_REGISTRY_CA_PATH, or name http://dkkd.internal:8080 in UPSTREAM_HTTP_ALLOWLIST',
    ]);
    for (const entry of ['http://dkkd.internal:8080', 'dkkd.internal:8080', 'dkkd.internal']) {
      expect(gateway({ ...plain, UPSTREAM_HTTP_ALLOWLIST: `other.internal, ${entry}` })).toEqual([]);
    }
    expect(gateway({ ...plain, UPSTREAM_HTTP_ALLOWLIST: 'dkkd.internal:9090' })).toHaveLength(1);
    expect(relay({ PORTAL_URL: 'http://127.0.0.1:4004' })).toEqual([
      expect.stringMatching(/^PORTAL_URL is plain http: .*UPSTREAM_HTTP_ALLOWLIST/),
    ]);
  });

  it('refuses an https upstream without a pinned CA', () => {
    expect(relay({ OPERATIONS_CENTER_CA_PATH: undefined })).toEqual([
      'OPERATIONS_CENTER_URL has no pinned CA: set OPERATIONS_CENTER_CA_PATH to the CA certificate(s) that issued its server certificate',
    ]);
  });

  it('refuses the development PKI, whether it would be used by default or named', () => {
    expect(
      gateway({ POPULATION_CLIENT_KEY_PATH: undefined, POPULATION_SIGNING_CERT_PATH: undefined }),
    ).toEqual([
      'POPULATION_CLIENT_KEY_PATH is unset, so the development PKI would be used: set POPULATION_CLIENT_KEY_PATH',
      'POPULATION_SIGNING_CERT_PATH is unset, so the development PKI would be used: set POPULATION_SIGNING_CERT_PATH',
    ]);
    expect(gateway({ POPULATION_CA_PATH: devCa, GATEWAY_TLS_CLIENT_CA_FILE: devCa })).toEqual([
      expect.stringMatching(/^POPULATION_CA_PATH names a certificate of the development PKI/),
      expect.stringMatching(/^GATEWAY_TLS_CLIENT_CA_FILE names a certificate of the development PKI/),
    ]);
  });

  it('stops the start with one ConfigError listing every problem', () => {
    let error: unknown;
    try {
      assertSafeForProduction(
        'relay',
        { ...safeRelay(), PORTAL_PASSWORD: undefined, OPERATIONS_CENTER_CA_PATH: undefined },
        { localSecretFiles: [] },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^production mode \(NODE_ENV=production\) refuses to start the relay:/,
    );
    expect((error as Error).message).toContain('set PORTAL_PASSWORD');
    expect((error as Error).message).toContain('set OPERATIONS_CENTER_CA_PATH');
  });
});

import { metricsRegistry } from '@lienthong/observability';
import { createLogger, ProblemException } from '@lienthong/observability';
import { generateApiKey, hashApiKey } from './api-key';
import { ClientRegistry, withDemoClient, type AuthenticationRequest } from './client-registry';
import {
  KEYS,
  makeCertificate,
  NOW,
  testClientsDocument,
  type TestCertificate,
} from './testing/security.fixtures';

function bearer(key: string): AuthenticationRequest {
  return { headers: { authorization: `Bearer ${key}` } };
}

function overTls(
  certificate: TestCertificate | undefined,
  authorized: boolean,
  headers = {},
): AuthenticationRequest {
  const subject: Record<string, string> = {};
  for (const attribute of certificate?.forgeCert.subject.attributes ?? []) {
    subject[attribute.shortName!] = String(attribute.value);
  }
  const socket = {
    authorized,
    getPeerCertificate: () => (certificate ? { raw: certificate.der, subject } : {}),
  };
  return { headers, raw: { socket } };
}

function refusal(action: () => unknown): {
  status: number;
  code: string;
  detail?: string;
  headers: Record<string, string>;
} {
  try {
    action();
  } catch (error) {
    if (error instanceof ProblemException) {
      return { status: error.status, code: error.code, detail: error.detail, headers: error.headers };
    }
    throw error;
  }
  throw new Error('the request was accepted');
}

async function denials(reason: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('lgsp_auth_denials_total')!.get();
  return metric.values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

const SUBJECT = [
  { name: 'CN', value: 'motcua.laocai.gov.vn' },
  { name: 'O', value: 'UBND tỉnh Lào Cai' },
  { name: 'C', value: 'VN' },
];

describe('authentication', () => {
  const logLines: string[] = [];
  const logger = createLogger({
    name: 'security-spec',
    level: 'debug',
    destination: { write: (line: string) => logLines.push(line) },
  });
  let pinned: TestCertificate;
  let issued: TestCertificate;
  let stranger: TestCertificate;
  let registry: ClientRegistry;

  beforeAll(() => {
    const ca = makeCertificate([{ name: 'CN', value: 'Test provincial CA' }], { ca: true });
    pinned = makeCertificate([{ name: 'CN', value: 'pinned.test' }]);
    issued = makeCertificate(SUBJECT, { issuer: ca });
    stranger = makeCertificate(
      [...SUBJECT.slice(0, 2), { name: 'C', value: 'VN' }, { name: 'OU', value: 'Khác' }],
      { issuer: ca },
    );
    registry = ClientRegistry.fromDocument(
      testClientsDocument({
        fingerprint: pinned.fingerprint.replace(/:/g, '').toLowerCase(),
        subject: 'C=VN, O=UBND tỉnh Lào Cai, CN=motcua.laocai.gov.vn',
      }),
      { now: () => NOW, logger },
    );
  });

  describe('with API keys', () => {
    it('identifies the client whose stored hash matches the bearer key', () => {
      expect(registry.authenticate(bearer(KEYS.oneStop))).toEqual({
        clientId: 'motcua',
        name: 'Hệ thống một cửa (test)',
        kind: 'ONE_STOP_SYSTEM',
        admin: false,
        via: 'api-key',
        credentialId: 'k1',
      });
      expect(registry.authenticate({ headers: { authorization: `bearer  ${KEYS.dpo}` } })).toMatchObject({
        clientId: 'dpo',
        admin: true,
      });
    });

    it('accepts a key until its expiry and refuses it from then on', () => {
      expect(registry.authenticate(bearer(KEYS.ministry))).toMatchObject({
        clientId: 'bo-tu-phap',
        credentialId: 'current',
      });
      expect(refusal(() => registry.authenticate(bearer(KEYS.ministryOld)))).toMatchObject({
        status: 401,
        code: 'INVALID_CREDENTIALS',
        detail: 'The API key has expired; ask the gateway operators for a new one.',
      });
    });

    it.each([
      ['an unknown key', `Bearer ${generateApiKey()}`, 'The API key is not valid.'],
      ['a key of a disabled client', `Bearer ${KEYS.disabled}`, 'The client is disabled.'],
      ['a token too short to be a key', 'Bearer abc', 'The API key is not valid.'],
      ['a token with characters a key cannot have', `Bearer ${KEYS.oneStop}"`, 'The API key is not valid.'],
    ])('refuses %s with 401 INVALID_CREDENTIALS', (_name, authorization, detail) => {
      expect(refusal(() => registry.authenticate({ headers: { authorization } }))).toEqual({
        status: 401,
        code: 'INVALID_CREDENTIALS',
        detail,
        headers: { 'WWW-Authenticate': 'Bearer realm="lienthong", error="invalid_token"' },
      });
    });

    it.each([
      ['no credentials', {}],
      ['another authentication scheme', { authorization: 'Basic bW90Y3VhOnNlY3JldA==' }],
      ['an empty bearer token', { authorization: 'Bearer ' }],
    ])('answers %s with 401 UNAUTHENTICATED and a Bearer challenge', async (_name, headers) => {
      const before = await denials('unauthenticated');
      expect(refusal(() => registry.authenticate({ headers }))).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
        headers: { 'WWW-Authenticate': 'Bearer realm="lienthong"' },
      });
      expect(await denials('unauthenticated')).toBe(before + 1);
    });

    it('hashes keys as lower-case hex SHA-256 and generates lt_ keys of 256 bits', () => {
      expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      const key = generateApiKey();
      expect(key).toMatch(/^lt_[A-Za-z0-9_-]{43}$/);
      expect(generateApiKey()).not.toBe(key);
    });
  });

  describe('with client certificates', () => {
    it('identifies a pinned certificate by its SHA-256 fingerprint, whether or not a CA vouches for it', () => {
      for (const authorized of [false, true]) {
        expect(registry.authenticate(overTls(pinned, authorized))).toEqual({
          clientId: 'motcua',
          name: 'Hệ thống một cửa (test)',
          kind: 'ONE_STOP_SYSTEM',
          admin: false,
          via: 'mtls',
          credentialId: pinned.fingerprint,
        });
      }
    });

    it('identifies a certificate by its subject only when the TLS server verified its chain', () => {
      expect(registry.authenticate(overTls(issued, true))).toMatchObject({ clientId: 'motcua', via: 'mtls' });
      expect(refusal(() => registry.authenticate(overTls(issued, false)))).toMatchObject({
        status: 401,
        code: 'INVALID_CREDENTIALS',
        detail: 'The client certificate is not registered.',
        headers: { 'WWW-Authenticate': 'Bearer realm="lienthong"' },
      });
    });

    it('refuses a certificate whose subject has an attribute the registered subject does not', () => {
      expect(refusal(() => registry.authenticate(overTls(stranger, true)))).toMatchObject({
        status: 401,
        code: 'INVALID_CREDENTIALS',
      });
    });

    it('treats a TLS connection without a client certificate as no credentials', () => {
      expect(refusal(() => registry.authenticate(overTls(undefined, false)))).toMatchObject({
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    });

    it('prefers the bearer key, and refuses a key and a certificate of different clients', () => {
      expect(
        registry.authenticate(overTls(pinned, false, { authorization: `Bearer ${KEYS.oneStop}` })),
      ).toMatchObject({
        clientId: 'motcua',
        via: 'api-key',
      });
      expect(
        refusal(() => registry.authenticate(overTls(pinned, false, { authorization: `Bearer ${KEYS.dpo}` }))),
      ).toMatchObject({
        status: 401,
        code: 'INVALID_CREDENTIALS',
        detail: 'The API key and the client certificate belong to different clients.',
      });
    });
  });

  describe('the demo client', () => {
    it('is added with every service, purpose and field and authenticates with its key', () => {
      const key = generateApiKey();
      const demo = withDemoClient(registry, key);
      expect(demo.authenticate(bearer(key))).toMatchObject({ clientId: 'demo', kind: 'DEMO', admin: true });
      const client = demo.client('demo')!;
      expect(Object.keys(client.services)).toHaveLength(13);
      expect(client.services['citizen.lookup']).toEqual({
        purposes: [
          'DOSSIER_PROCESSING',
          'EFORM_PREFILL',
          'CIVIL_STATUS_REGISTRATION',
          'DATA_SUBJECT_REQUEST',
        ],
        fields: '*',
        allowStale: true,
      });
      expect(client.rateLimit).toBeUndefined();
      expect(registry.client('demo')).toBeUndefined();
    });

    it('refuses a demo key that is too short or already belongs to a client', () => {
      expect(() => withDemoClient(registry, 'demo')).toThrow(/must be 16 to 512 characters/);
      expect(() => withDemoClient(registry, KEYS.oneStop)).toThrow(
        /is registered for both "motcua" and "demo"/,
      );
    });
  });

  it('never writes a key to the log, and logs why a credential was refused', () => {
    const all = Object.values(KEYS);
    for (const key of all) {
      try {
        registry.authenticate(bearer(key));
      } catch {
        // refusals are what is logged
      }
    }
    logger.flush();
    const output = logLines.join('');
    expect(output).toContain('"reason":"expired key"');
    expect(output).toContain('"reason":"disabled client"');
    for (const key of all) {
      expect(output).not.toContain(key);
      expect(output).not.toContain(key.slice(3, 20));
      expect(output).not.toContain(hashApiKey(key));
    }
  });
});

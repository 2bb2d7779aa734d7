import { loadNock } from '../../common/src/testing/load-nock';
import { wireSample } from '../test-fixtures/wire-sample';
import { MockAgent } from 'undici';
import { validate } from '@lienthong/contracts';
import { metricsRegistry } from '@lienthong/observability';
import { BusinessRegistryClient } from './business-registry.client';
import type { BusinessRegistryClientOptions } from './business-registry.options';

/**
 * The token endpoint (axios) is replayed with nock; the data calls (undici Pool) with undici's MockAgent,
 * because nock does not see undici's sockets under jest (see test-fixtures/README.md).
 */
const nock = loadNock();
const BASE = 'http://dkdn.test';
const ENTERPRISE = '0364844271';
const UNIT = '5829072277-001';
const LEGACY = '2304837217';
const ctx = { requestId: 'req-unit-1' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const INVALID_TOKEN_CHALLENGE =
  'Bearer realm="csdlqg-dkdn", error="invalid_token", error_description="The access token expired"';
const NOW = new Date('2026-10-31T02:15:02Z');

let agent: MockAgent;

function api() {
  return agent.get(BASE);
}

function newClient(overrides: Partial<BusinessRegistryClientOptions> = {}): BusinessRegistryClient {
  return new BusinessRegistryClient({
    dispatcher: agent,
    baseUrl: BASE,
    clientId: 'gateway',
    clientSecret: 'secret',
    clock: () => NOW,
    validityTtlMs: 7 * 24 * 3_600_000,
    resilience: { timeoutMs: 300, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    ...overrides,
  });
}

function tokenOk(times = 1, token = 'fixture-access-token') {
  return nock(BASE)
    .post('/oauth2/token', 'grant_type=client_credentials')
    .basicAuth({ user: 'gateway', pass: 'secret' })
    .times(times)
    .reply(200, wireSample('token.ok.json').replace('fixture-access-token', token), JSON_HEADERS);
}

function enterpriseOk(code = ENTERPRISE, file = 'enterprise.ok.json', token = 'fixture-access-token') {
  return api()
    .intercept({
      path: `/api/v1/doanh-nghiep/${code}`,
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    })
    .reply(200, wireSample(file), { headers: JSON_HEADERS });
}

function answer(path: string, status: number, file: string, headers: Record<string, string> = JSON_HEADERS) {
  return api()
    .intercept({ path, method: 'GET' })
    .reply(status, file.endsWith('.txt') || file.endsWith('.json') ? wireSample(file) : file, { headers });
}

const pending = () => agent.pendingInterceptors().length;

describe('BusinessRegistryClient (recorded wire samples)', () => {
  let client: BusinessRegistryClient;

  beforeAll(() => nock.disableNetConnect());
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = newClient();
  });
  afterEach(async () => {
    nock.cleanAll();
    await client.close();
    await agent.close();
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it('maps an enterprise to the canonical model with provenance', async () => {
    const token = tokenOk();
    api()
      .intercept({
        path: `/api/v1/doanh-nghiep/${ENTERPRISE}`,
        method: 'GET',
        headers: { authorization: 'Bearer fixture-access-token', 'x-request-id': 'req-unit-1' },
      })
      .reply(200, wireSample('enterprise.ok.json'), { headers: JSON_HEADERS });

    const enterprise = await client.lookupEnterprise(ENTERPRISE, ctx);

    expect(token.isDone()).toBe(true);
    expect(pending()).toBe(0);
    expect(validate('enterprise', enterprise)).toMatchObject({ ok: true });
    expect(enterprise).toEqual({
      enterpriseCode: ENTERPRISE,
      kind: 'ENTERPRISE',
      name: 'Công ty TNHH Dược phẩm Trường An',
      foreignName: 'TRUONG AN PHARMACEUTICAL COMPANY LIMITED',
      shortName: 'TRUONG AN CO., LTD',
      type: expect.stringMatching(/^LLC_(SINGLE|MULTI)_MEMBER$/),
      status: 'ACTIVE',
      registrationDate: expect.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
      ...(enterprise.lastAmendmentDate ? { lastAmendmentDate: enterprise.lastAmendmentDate } : {}),
      amendmentCount: expect.any(Number),
      headOfficeAddress: expect.objectContaining({
        communeCode: expect.stringMatching(/^[0-9]{5}$/),
        provinceCode: '79',
        provinceName: 'Thành phố Hồ Chí Minh',
        legacyProvinceCode: '79',
        legacyDistrictCode: expect.stringMatching(/^[0-9]{3}$/),
        legacyCommuneCode: expect.stringMatching(/^[0-9]{5}$/),
      }),
      legalRepresentatives: [
        {
          fullName: expect.any(String),
          position: expect.any(String),
          personalId: expect.stringMatching(/^[0-9]{12}$/),
        },
      ],
      charterCapital: expect.any(Number),
      checkDigitWarning: false,
      provenance: {
        source: 'CSDLQG_DKDN',
        retrievedAt: '2026-10-31T09:15:02+07:00',
        validUntil: '2026-11-07T09:15:02+07:00',
      },
    });
    const wire = JSON.parse(wireSample('enterprise.ok.json'));
    expect(enterprise.registrationDate.split('-').reverse().join('/')).toBe(wire.ngayThanhLap);
  });

  it('maps a dependent unit to a BRANCH or REPRESENTATIVE_OFFICE naming its parent', async () => {
    tokenOk();
    answer(`/api/v1/don-vi-phu-thuoc/${UNIT}`, 200, 'dependent-unit.ok.json');
    const unit = await client.lookupEnterprise(UNIT, ctx);
    expect(validate('enterprise', unit)).toMatchObject({ ok: true });
    expect(unit).toMatchObject({
      enterpriseCode: UNIT,
      kind: 'BRANCH',
      parentEnterpriseCode: '5829072277',
      status: 'DISSOLVED',
      registrationDate: '2016-12-22',
      legalRepresentatives: [{ fullName: 'Đặng Hồng Yến', position: 'Giám đốc chi nhánh' }],
      checkDigitWarning: false,
    });
    expect(unit.type).toBeUndefined();
  });

  it('looks up a code that fails the check digit and flags the record instead of refusing it', async () => {
    tokenOk();
    enterpriseOk(LEGACY, 'enterprise.legacy-code.json');
    const enterprise = await client.lookupEnterprise(LEGACY, ctx);
    expect(enterprise.checkDigitWarning).toBe(true);
  });

  it('refuses a malformed code before any call', async () => {
    for (const code of ['01002334', '0100233488001', '0100233488-000', '']) {
      await expect(client.lookupEnterprise(code, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_INVALID_REQUEST',
        details: { source: 'adapter', field: 'enterpriseCode' },
      });
    }
    await expect(client.lookupEnterprise(ENTERPRISE, { requestId: 'has spaces' })).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_INVALID_REQUEST',
    });
    expect(client.tokenFetches).toBe(0);
  });

  it('reports 404 KHONG_TIM_THAY as not found, without retrying', async () => {
    tokenOk();
    answer('/api/v1/doanh-nghiep/0100233488', 404, 'not-found.json');
    answer('/api/v1/doanh-nghiep/0100233488', 200, 'enterprise.ok.json');
    const failure = client.lookupEnterprise('0100233488', ctx);
    await expect(failure).rejects.toMatchObject({ code: 'ENTERPRISE_NOT_FOUND' });
    await expect(failure).rejects.toMatchObject({ code: 'ENTERPRISE_NOT_FOUND', transient: false });
    expect(pending()).toBe(1);
  });

  it('reports an upstream 400 as an invalid request from the upstream', async () => {
    tokenOk();
    answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 400, 'invalid-code.json');
    await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_INVALID_REQUEST',
      details: { source: 'upstream' },
    });
  });

  it('reports a truncated body as a malformed response after retrying it', async () => {
    tokenOk();
    answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 200, 'truncated.json.txt').times(2);
    await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_MALFORMED_RESPONSE',
    });
    expect(pending()).toBe(0);
  });

  it('reports an answer about another enterprise as malformed', async () => {
    tokenOk();
    answer('/api/v1/doanh-nghiep/0100233488', 200, 'enterprise.ok.json');
    await expect(client.lookupEnterprise('0100233488', ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_MALFORMED_RESPONSE',
    });
  });

  describe('access tokens', () => {
    it('renews a token the API refuses (401 invalid_token) and repeats the call once', async () => {
      tokenOk(1, 'old-token');
      api()
        .intercept({
          path: `/api/v1/doanh-nghiep/${ENTERPRISE}`,
          method: 'GET',
          headers: { authorization: 'Bearer old-token' },
        })
        .reply(401, wireSample('invalid-token.json'), {
          headers: { ...JSON_HEADERS, 'www-authenticate': INVALID_TOKEN_CHALLENGE },
        });
      tokenOk(1, 'new-token');
      enterpriseOk(ENTERPRISE, 'enterprise.ok.json', 'new-token');

      const enterprise = await client.lookupEnterprise(ENTERPRISE, ctx);
      expect(enterprise.enterpriseCode).toBe(ENTERPRISE);
      expect(client.tokenFetches).toBe(2);
      expect(nock.isDone()).toBe(true);
      expect(pending()).toBe(0);
    });

    it('gives up with an auth error when a fresh token is refused too', async () => {
      tokenOk(2);
      answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 401, 'invalid-token.json', {
        ...JSON_HEADERS,
        'www-authenticate': INVALID_TOKEN_CHALLENGE,
      }).times(2);
      await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_AUTH_FAILED',
        details: { reason: 'TOKEN_REJECTED' },
      });
    });

    it('reuses a cached token, and concurrent callers share one token request', async () => {
      nock(BASE).post('/oauth2/token').once().delay(30).reply(200, wireSample('token.ok.json'), JSON_HEADERS);
      answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 200, 'enterprise.ok.json').times(6);
      await Promise.all(Array.from({ length: 5 }, () => client.lookupEnterprise(ENTERPRISE, ctx)));
      await client.lookupEnterprise(ENTERPRISE, ctx);
      expect(client.tokenFetches).toBe(1);
    });

    it('reports refused client credentials as an auth error, without retrying', async () => {
      const token = nock(BASE)
        .post('/oauth2/token')
        .once()
        .reply(401, wireSample('token.invalid-client.json'), {
          ...JSON_HEADERS,
          'www-authenticate': 'Basic realm="csdlqg-dkdn"',
        });
      const failure = client.lookupEnterprise(ENTERPRISE, ctx);
      await expect(failure).rejects.toMatchObject({ code: 'BUSINESS_REGISTRY_AUTH_FAILED' });
      await expect(failure).rejects.toMatchObject({
        transient: false,
        details: { reason: 'CLIENT_REJECTED' },
      });
      expect(token.isDone()).toBe(true);
    });

    it('reports the token endpoint down as the upstream unavailable', async () => {
      nock(BASE)
        .post('/oauth2/token')
        .twice()
        .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_UNAVAILABLE',
        details: { reason: 'NETWORK', endpoint: 'token' },
      });

      nock(BASE).post('/oauth2/token').twice().reply(503, 'Service Unavailable');
      await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_UNAVAILABLE',
        details: { reason: 'HTTP_STATUS', status: 503, endpoint: 'token' },
      });
    });
  });

  it('times out a token endpoint that does not answer', async () => {
    nock(BASE)
      .post('/oauth2/token')
      .twice()
      .delay(1000)
      .reply(200, wireSample('token.ok.json'), JSON_HEADERS);
    await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_TIMEOUT',
      details: { endpoint: 'token' },
    });
  });

  describe('resilience', () => {
    it('times out a slow answer and retries it', async () => {
      tokenOk();
      answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 200, 'enterprise.ok.json').delay(1000).times(2);
      const started = performance.now();
      await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_TIMEOUT',
      });
      expect(performance.now() - started).toBeLessThan(900);
      expect(pending()).toBe(0);
    });

    it('retries a 500 and succeeds when the next attempt does', async () => {
      tokenOk();
      answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 500, 'system-error.json');
      enterpriseOk();
      const enterprise = await client.lookupEnterprise(ENTERPRISE, ctx);
      expect(enterprise.enterpriseCode).toBe(ENTERPRISE);
    });

    it('passes Retry-After of a 503 on to the caller', async () => {
      tokenOk();
      answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 503, 'system-error.json', {
        ...JSON_HEADERS,
        'retry-after': '7',
      }).times(2);
      await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_UNAVAILABLE',
        details: { status: 503, retryAfterMs: 7000 },
      });
    });

    it('opens the circuit after consecutive failures, then refuses calls at once', async () => {
      const guarded = newClient({
        resilience: {
          timeoutMs: 300,
          retries: 0,
          breaker: { kind: 'consecutive', failures: 2 },
          halfOpenAfterMs: 10_000,
        },
      });
      try {
        tokenOk();
        answer(`/api/v1/doanh-nghiep/${ENTERPRISE}`, 500, 'system-error.json').times(2);
        for (let i = 0; i < 2; i++) {
          await expect(guarded.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
            details: { reason: 'HTTP_STATUS' },
          });
        }
        const refused = guarded.lookupEnterprise(ENTERPRISE, ctx);
        await expect(refused).rejects.toMatchObject({ code: 'BUSINESS_REGISTRY_UNAVAILABLE' });
        await expect(refused).rejects.toMatchObject({
          details: { reason: 'CIRCUIT_OPEN', retryAfterMs: expect.any(Number) },
        });
        expect(guarded.health()).toMatchObject({
          adapter: 'business-registry',
          circuit: 'open',
          errorRate: 1,
        });

        const errors = await metricsRegistry.getSingleMetric('lgsp_adapter_errors_total')!.get();
        expect(errors.values).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              labels: {
                adapter: 'business-registry',
                method: 'lookupEnterprise',
                code: 'BUSINESS_REGISTRY_UNAVAILABLE',
              },
            }),
          ]),
        );
        const durations = await metricsRegistry.getSingleMetric('lgsp_adapter_duration_seconds')!.get();
        expect(
          durations.values.some(
            (v) => v.labels.adapter === 'business-registry' && v.labels.outcome === 'short_circuit',
          ),
        ).toBe(true);
        const circuit = await metricsRegistry.getSingleMetric('lgsp_adapter_circuit_state')!.get();
        expect(circuit.values.find((v) => v.labels.adapter === 'business-registry')?.value).toBe(2);
      } finally {
        await guarded.close();
      }
    });
  });
});

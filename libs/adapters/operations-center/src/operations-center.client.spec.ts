import { MockAgent } from 'undici';
import type { IndicatorReport } from '@lienthong/contracts';
import { wireSample } from '../test-fixtures/wire-sample';
import { isTransientUpstreamError, upstreamRetryAfterMs } from '@lienthong/adapters/common';
import { OperationsCenterClient } from './operations-center.client';
import type { OperationsCenterError } from './operations-center.errors';
import type { OperationsCenterClientOptions } from './operations-center.options';

/** Every exchange (token request included) goes over the client's undici dispatcher: replayed with MockAgent. */
const BASE = 'http://ttdh.test';
const REPORT_PATH = '/api/v1/bao-cao-chi-so';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const BASIC = `Basic ${Buffer.from('relay:secret').toString('base64')}`;
const report = JSON.parse(wireSample('report.canonical.json')) as IndicatorReport;
const requestBody = JSON.parse(wireSample('report.request.json')) as Record<string, unknown>;

let agent: MockAgent;
let client: OperationsCenterClient;

function newClient(overrides: Partial<OperationsCenterClientOptions> = {}): OperationsCenterClient {
  return new OperationsCenterClient({
    dispatcher: agent,
    baseUrl: BASE,
    clientId: 'relay',
    clientSecret: 'secret',
    resilience: { timeoutMs: 300, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    ...overrides,
  });
}

const api = () => agent.get(BASE);
const pending = () => agent.pendingInterceptors().length;

function tokenOk(times = 1, token = 'fixture-access-token') {
  api()
    .intercept({
      path: '/oauth2/token',
      method: 'POST',
      body: 'grant_type=client_credentials',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
    })
    .reply(200, wireSample('token.ok.json').replace('fixture-access-token', token), { headers: JSON_HEADERS })
    .times(times);
}

function reportAnswer(
  status: number,
  sample: string,
  options: { token?: string; headers?: Record<string, string>; times?: number } = {},
) {
  api()
    .intercept({
      path: REPORT_PATH,
      method: 'POST',
      headers: { authorization: `Bearer ${options.token ?? 'fixture-access-token'}` },
      body: (body: string) => {
        expect(JSON.parse(body)).toEqual(requestBody);
        return true;
      },
    })
    .reply(status, sample.includes('.') ? wireSample(sample) : sample, {
      headers: {
        ...(sample.endsWith('.html') ? { 'content-type': 'text/html' } : JSON_HEADERS),
        ...options.headers,
      },
    })
    .times(options.times ?? 1);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('OperationsCenterClient (recorded wire samples)', () => {
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = newClient();
  });
  afterEach(async () => {
    await client.close();
    await agent.close();
  });

  it('submits the wire body with a bearer token and reports the receipt of an accepted report', async () => {
    tokenOk();
    reportAnswer(201, 'report.accepted.json');

    await expect(client.submitReport(report, { requestId: 'req-1' })).resolves.toEqual({
      outcome: 'accepted',
      version: 1,
      receiptId: 'TN-000001',
    });
    expect(pending()).toBe(0);
  });

  it('treats the same version and content accepted before as a success, reusing the cached token', async () => {
    tokenOk();
    reportAnswer(201, 'report.accepted.json');
    reportAnswer(200, 'report.already-accepted.json');

    await client.submitReport(report);
    await expect(client.submitReport(report)).resolves.toMatchObject({
      outcome: 'already-accepted',
      receiptId: 'TN-000001',
    });
    expect(client.tokenFetches).toBe(1);
    expect(pending()).toBe(0);
  });

  it('reports a superseded version as an outcome with the current version, not as an error', async () => {
    tokenOk();
    reportAnswer(409, 'report.superseded.json');
    await expect(client.submitReport(report)).resolves.toEqual({
      outcome: 'superseded',
      version: 1,
      currentVersion: 3,
    });
  });

  it('fails permanently on a version conflict, without retrying', async () => {
    tokenOk();
    reportAnswer(409, 'report.conflict.json');
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_CONFLICT' });
    expect(error).toMatchObject({
      code: 'OPERATIONS_CENTER_CONFLICT',
      transient: false,
      details: { currentVersion: 1 },
    });
    expect(isTransientUpstreamError(error)).toBe(false);
    expect(pending()).toBe(0);
  });

  it('fails permanently on a refused report, naming the fields the operations center gave', async () => {
    tokenOk();
    reportAnswer(422, 'report.invalid.json');
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_INVALID_REPORT' });
    expect(error).toMatchObject({ transient: false, details: { source: 'upstream' } });
    expect((error as OperationsCenterError).details.problems?.map((p) => p.field)).toEqual([
      'KyBaoCao',
      'ChiSo.SoLuotDanhGiaHaiLong',
    ]);
  });

  it('fails permanently for a unit the operations center does not know', async () => {
    tokenOk();
    reportAnswer(404, 'report.unknown-unit.json');
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNIT_NOT_FOUND' });
    expect(isTransientUpstreamError(error)).toBe(false);
  });

  it('refuses a report that breaks its contract before sending anything', async () => {
    const error = await failureOf(client.submitReport({ ...report, version: 0 }));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_INVALID_REPORT' });
    expect(error).toMatchObject({ details: { source: 'adapter' } });
    expect(error.message).toContain('/version');
    expect(client.tokenFetches).toBe(0);
  });

  it('renews a refused token once and repeats the submission', async () => {
    tokenOk(1, 'old-token');
    reportAnswer(401, 'invalid-token.json', {
      token: 'old-token',
      headers: { 'www-authenticate': 'Bearer realm="ttdh-chinh-phu", error="invalid_token"' },
    });
    tokenOk(1, 'new-token');
    reportAnswer(201, 'report.accepted.json', { token: 'new-token' });

    await expect(client.submitReport(report)).resolves.toMatchObject({ outcome: 'accepted' });
    expect(client.tokenFetches).toBe(2);
    expect(pending()).toBe(0);
  });

  it('fails permanently when a freshly issued token is refused too', async () => {
    tokenOk(2);
    reportAnswer(401, 'invalid-token.json', { times: 2 });
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_AUTH_FAILED' });
    expect(error).toMatchObject({ transient: false, details: { reason: 'TOKEN_REJECTED' } });
  });

  it('fails permanently when the token endpoint refuses the client credentials', async () => {
    api()
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(401, wireSample('token.invalid-client.json'), {
        headers: { ...JSON_HEADERS, 'www-authenticate': 'Basic realm="ttdh-chinh-phu"' },
      });
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_AUTH_FAILED' });
    expect(error).toMatchObject({ transient: false, details: { reason: 'CLIENT_REJECTED' } });
    expect(pending()).toBe(0);
  });

  it('retries a 5xx within the call and succeeds when the operations center recovers', async () => {
    tokenOk();
    reportAnswer(503, 'Service Unavailable', { headers: { 'content-type': 'text/plain' } });
    reportAnswer(201, 'report.accepted.json');
    await expect(client.submitReport(report)).resolves.toMatchObject({ outcome: 'accepted' });
    expect(pending()).toBe(0);
  });

  it.each([
    [500, 'system-error.json'],
    [502, 'bad-gateway.html'],
  ])('reports HTTP %i as transient once its retries are spent', async (status, sample) => {
    tokenOk();
    reportAnswer(status, sample, { times: 2 });
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNAVAILABLE' });
    expect(error).toMatchObject({ details: { reason: 'HTTP_STATUS', status } });
    expect(isTransientUpstreamError(error)).toBe(true);
    expect(pending()).toBe(0);
  });

  it('reports 429 as transient with the Retry-After delay', async () => {
    tokenOk();
    reportAnswer(429, 'too-many-requests.json', { headers: { 'retry-after': '2' }, times: 2 });
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNAVAILABLE' });
    expect(upstreamRetryAfterMs(error)).toBe(2000);
    expect(isTransientUpstreamError(error)).toBe(true);
  });

  it('reports a cut-off answer as a transient malformed response', async () => {
    tokenOk();
    reportAnswer(201, 'truncated.json.txt', { times: 2 });
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_MALFORMED_RESPONSE' });
    expect(isTransientUpstreamError(error)).toBe(true);
  });

  it('reports a refused connection as transient and counts it in health()', async () => {
    api()
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .replyWithError(new Error('connect ECONNREFUSED'))
      .times(2);
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNAVAILABLE' });
    expect(error).toMatchObject({ details: { reason: 'NETWORK', endpoint: 'token' } });
    expect(client.health()).toMatchObject({ adapter: 'operations-center', circuit: 'closed', errorRate: 1 });
  });

  it('opens the circuit after repeated failures and then refuses without calling', async () => {
    await client.close();
    client = newClient({
      resilience: {
        timeoutMs: 300,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 2 },
        halfOpenAfterMs: 60_000,
      },
    });
    tokenOk();
    reportAnswer(500, 'system-error.json', { times: 2 });
    await failureOf(client.submitReport(report));
    await failureOf(client.submitReport(report));
    const error = await failureOf(client.submitReport(report));
    expect(error).toMatchObject({ transient: true, details: { reason: 'CIRCUIT_OPEN' } });
    expect(client.health().circuit).toBe('open');
    expect(pending()).toBe(0);
  });
});

import { validate } from '@lienthong/contracts';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { wireSample } from '../test-fixtures/wire-sample';
import { BusinessRegistryClient } from './business-registry.client';

/**
 * Both legs over node's http module, replayed by nock from the recorded samples (test-fixtures/): the token
 * endpoint (axios) and the data calls (the client's `dispatcher.request`, as on its undici Pool, through
 * NodeHttpDispatcher).
 */
const nock = useNock();
const BASE = 'http://dkdn.test';
const ENTERPRISE = '0364844271';
const DATA_PATH = `/api/v1/doanh-nghiep/${ENTERPRISE}`;
const ctx = { requestId: 'req-nock-1' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const INVALID_TOKEN_CHALLENGE =
  'Bearer realm="csdlqg-dkdn", error="invalid_token", error_description="The access token expired"';
const NOW = new Date('2026-10-31T02:15:02Z');

/** The recorded token answer, issuing `token` (the sample's own value is `fixture-access-token`). */
function tokenAnswer(token = 'fixture-access-token'): string {
  return wireSample('token.ok.json').replace('fixture-access-token', token);
}

describe('BusinessRegistryClient through nock (recorded wire samples)', () => {
  let dispatcher: NodeHttpDispatcher;
  let client: BusinessRegistryClient;
  let tokenRequests: { authorization?: string; body: string }[];
  let dataRequests: { authorization?: string; requestId?: string }[];

  /** The token endpoint, answering the next request with `answer` and recording the request. */
  function tokenEndpoint(status: number, answer: string, headers: Record<string, string> = JSON_HEADERS) {
    return nock(BASE)
      .post('/oauth2/token')
      .once()
      .reply(function (_path, body) {
        tokenRequests.push({ authorization: this.req.headers.authorization, body: String(body) });
        return [status, answer, headers];
      });
  }

  /** The data call, when it carries `token`, answered with a recorded sample and recorded. */
  function dataCall(
    token: string,
    status: number,
    file: string,
    headers: Record<string, string> = JSON_HEADERS,
  ) {
    return nock(BASE)
      .get(DATA_PATH)
      .matchHeader('authorization', `Bearer ${token}`)
      .once()
      .reply(function () {
        dataRequests.push({
          authorization: this.req.headers.authorization,
          requestId: this.req.headers['x-request-id'] as string | undefined,
        });
        return [status, wireSample(file), headers];
      });
  }

  beforeEach(() => {
    dispatcher = new NodeHttpDispatcher();
    tokenRequests = [];
    dataRequests = [];
    client = new BusinessRegistryClient({
      dispatcher,
      baseUrl: BASE,
      clientId: 'gateway',
      clientSecret: 'secret',
      clock: () => NOW,
      resilience: { timeoutMs: 2_000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await client.close();
    await dispatcher.destroy();
  });

  it('fetches a token with the client credentials, then maps the recorded enterprise', async () => {
    const token = tokenEndpoint(200, tokenAnswer());
    const data = dataCall('fixture-access-token', 200, 'enterprise.ok.json');

    const enterprise = await client.lookupEnterprise(ENTERPRISE, ctx);

    expect(token.isDone()).toBe(true);
    expect(data.isDone()).toBe(true);
    expect(tokenRequests).toEqual([
      {
        authorization: `Basic ${Buffer.from('gateway:secret').toString('base64')}`,
        body: 'grant_type=client_credentials',
      },
    ]);
    expect(dataRequests).toEqual([{ authorization: 'Bearer fixture-access-token', requestId: 'req-nock-1' }]);
    expect(validate('enterprise', enterprise)).toMatchObject({ ok: true });
    expect(enterprise).toMatchObject({
      enterpriseCode: ENTERPRISE,
      kind: 'ENTERPRISE',
      name: 'Công ty TNHH Dược phẩm Trường An',
      foreignName: 'TRUONG AN PHARMACEUTICAL COMPANY LIMITED',
      status: 'ACTIVE',
      headOfficeAddress: { provinceCode: '79', provinceName: 'Thành phố Hồ Chí Minh' },
      checkDigitWarning: false,
      provenance: {
        source: 'CSDLQG_DKDN',
        retrievedAt: '2026-10-31T09:15:02+07:00',
        validUntil: '2026-11-07T09:15:02+07:00',
      },
    });
  });

  it('renews an expired token (401 invalid_token) at the token endpoint and repeats the call once with it', async () => {
    const firstToken = tokenEndpoint(200, tokenAnswer('expired-token'));
    const refused = dataCall('expired-token', 401, 'invalid-token.json', {
      ...JSON_HEADERS,
      'www-authenticate': INVALID_TOKEN_CHALLENGE,
    });
    const secondToken = tokenEndpoint(200, tokenAnswer('renewed-token'));
    const accepted = dataCall('renewed-token', 200, 'enterprise.ok.json');

    const enterprise = await client.lookupEnterprise(ENTERPRISE, ctx);

    expect(enterprise.enterpriseCode).toBe(ENTERPRISE);
    for (const scope of [firstToken, refused, secondToken, accepted]) expect(scope.isDone()).toBe(true);
    expect(tokenRequests).toHaveLength(2);
    expect(dataRequests.map((r) => r.authorization)).toEqual([
      'Bearer expired-token',
      'Bearer renewed-token',
    ]);
    expect(dataRequests.map((r) => r.requestId)).toEqual(['req-nock-1', 'req-nock-1']);
  });

  it('gives up with an auth error when the renewed token is refused too', async () => {
    const challenge = { ...JSON_HEADERS, 'www-authenticate': INVALID_TOKEN_CHALLENGE };
    tokenEndpoint(200, tokenAnswer('expired-token'));
    dataCall('expired-token', 401, 'invalid-token.json', challenge);
    tokenEndpoint(200, tokenAnswer('renewed-token'));
    dataCall('renewed-token', 401, 'invalid-token.json', challenge);

    const failure = client.lookupEnterprise(ENTERPRISE, ctx);

    await expect(failure).rejects.toMatchObject({ code: 'BUSINESS_REGISTRY_AUTH_FAILED' });
    await expect(failure).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_AUTH_FAILED',
      transient: false,
      details: { reason: 'TOKEN_REJECTED' },
    });
    expect(tokenRequests).toHaveLength(2);
    expect(dataRequests).toHaveLength(2);
  });

  it('reports refused client credentials at the token endpoint as an auth error, sending no data call', async () => {
    const token = tokenEndpoint(401, wireSample('token.invalid-client.json'), {
      ...JSON_HEADERS,
      'www-authenticate': 'Basic realm="csdlqg-dkdn"',
    });

    const failure = client.lookupEnterprise(ENTERPRISE, ctx);

    await expect(failure).rejects.toMatchObject({ code: 'BUSINESS_REGISTRY_AUTH_FAILED' });
    await expect(failure).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_AUTH_FAILED',
      details: { reason: 'CLIENT_REJECTED', status: 401, oauthError: 'invalid_client' },
    });
    expect(token.isDone()).toBe(true);
    expect(tokenRequests).toHaveLength(1);
    expect(dataRequests).toHaveLength(0);
  });

  it('reports the token endpoint failing (HTTP 500, then again on the retry) as unavailable', async () => {
    tokenEndpoint(500, wireSample('system-error.json'));
    tokenEndpoint(500, wireSample('system-error.json'));

    await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_UNAVAILABLE',
      details: { reason: 'HTTP_STATUS', status: 500, endpoint: 'token' },
    });
    expect(tokenRequests).toHaveLength(2);
    expect(dataRequests).toHaveLength(0);
  });

  it('reports the recorded 404 KHONG_TIM_THAY as not found, without retrying', async () => {
    tokenEndpoint(200, tokenAnswer());
    dataCall('fixture-access-token', 404, 'not-found.json');

    const failure = client.lookupEnterprise(ENTERPRISE, ctx);

    await expect(failure).rejects.toMatchObject({ code: 'ENTERPRISE_NOT_FOUND' });
    await expect(failure).rejects.toMatchObject({ code: 'ENTERPRISE_NOT_FOUND', transient: false });
    expect(dataRequests).toHaveLength(1);
  });

  it('reports a truncated body as malformed after retrying it', async () => {
    tokenEndpoint(200, tokenAnswer());
    dataCall('fixture-access-token', 200, 'truncated.json.txt');
    dataCall('fixture-access-token', 200, 'truncated.json.txt');

    await expect(client.lookupEnterprise(ENTERPRISE, ctx)).rejects.toMatchObject({
      code: 'BUSINESS_REGISTRY_MALFORMED_RESPONSE',
    });
    expect(tokenRequests).toHaveLength(1);
    expect(dataRequests).toHaveLength(2);
  });
});

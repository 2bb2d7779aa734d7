import type { IndicatorReport } from '@lienthong/contracts';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { wireSample } from '../test-fixtures/wire-sample';
import { OperationsCenterClient } from './operations-center.client';

/**
 * Every exchange (the token request included) goes through the client's `dispatcher.request`, as on its undici
 * Pool, here over node's http module through NodeHttpDispatcher, so nock replays the recorded samples
 * (test-fixtures/) and records what was sent.
 */
const nock = useNock();
const BASE = 'http://ttdh.test';
const REPORT_PATH = '/api/v1/bao-cao-chi-so';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const report = JSON.parse(wireSample('report.canonical.json')) as IndicatorReport;
const requestBody = JSON.parse(wireSample('report.request.json')) as Record<string, unknown>;

describe('OperationsCenterClient through nock (recorded wire samples)', () => {
  let dispatcher: NodeHttpDispatcher;
  let client: OperationsCenterClient;
  let tokenRequests: { authorization?: string; body: string }[];
  let reports: { authorization?: string; body: unknown }[];

  function tokenEndpoint(token: string) {
    return nock(BASE)
      .post('/oauth2/token')
      .once()
      .reply(function (_path, body) {
        tokenRequests.push({ authorization: this.req.headers.authorization, body: String(body) });
        return [200, wireSample('token.ok.json').replace('fixture-access-token', token), JSON_HEADERS];
      });
  }

  function reportEndpoint(token: string, status: number, file: string, headers: Record<string, string> = {}) {
    return nock(BASE)
      .post(REPORT_PATH)
      .matchHeader('authorization', `Bearer ${token}`)
      .once()
      .reply(function (_path, body) {
        reports.push({ authorization: this.req.headers.authorization, body });
        return [status, wireSample(file), { ...JSON_HEADERS, ...headers }];
      });
  }

  beforeEach(() => {
    dispatcher = new NodeHttpDispatcher();
    tokenRequests = [];
    reports = [];
    client = new OperationsCenterClient({
      dispatcher,
      baseUrl: BASE,
      clientId: 'relay',
      clientSecret: 'secret',
      resilience: { timeoutMs: 2_000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await client.close();
    await dispatcher.destroy();
  });

  it('sends the recorded wire body with a fresh bearer token and reports the receipt', async () => {
    const token = tokenEndpoint('fixture-access-token');
    const submitted = reportEndpoint('fixture-access-token', 201, 'report.accepted.json');

    await expect(client.submitReport(report, { requestId: 'req-1' })).resolves.toEqual({
      outcome: 'accepted',
      version: 1,
      receiptId: 'TN-000001',
    });
    expect(token.isDone()).toBe(true);
    expect(submitted.isDone()).toBe(true);
    expect(tokenRequests).toEqual([
      {
        authorization: `Basic ${Buffer.from('relay:secret').toString('base64')}`,
        body: 'grant_type=client_credentials',
      },
    ]);
    expect(reports).toEqual([{ authorization: 'Bearer fixture-access-token', body: requestBody }]);
  });

  it('renews a token the API refuses (401) and repeats the submission once with the new one', async () => {
    tokenEndpoint('expired-token');
    reportEndpoint('expired-token', 401, 'invalid-token.json', {
      'www-authenticate': 'Bearer realm="ttdh-chinh-phu", error="invalid_token"',
    });
    tokenEndpoint('renewed-token');
    reportEndpoint('renewed-token', 201, 'report.accepted.json');

    await expect(client.submitReport(report)).resolves.toMatchObject({ outcome: 'accepted' });
    expect(tokenRequests).toHaveLength(2);
    expect(reports.map((r) => r.authorization)).toEqual(['Bearer expired-token', 'Bearer renewed-token']);
    expect(reports[1].body).toEqual(requestBody);
  });

  it('reports refused client credentials as an auth error, submitting nothing', async () => {
    nock(BASE)
      .post('/oauth2/token')
      .once()
      .reply(401, wireSample('token.invalid-client.json'), {
        ...JSON_HEADERS,
        'www-authenticate': 'Basic realm="ttdh-chinh-phu"',
      });

    const failure = client.submitReport(report);

    await expect(failure).rejects.toMatchObject({ code: 'OPERATIONS_CENTER_AUTH_FAILED' });
    await expect(failure).rejects.toMatchObject({ transient: false, details: { reason: 'CLIENT_REJECTED' } });
    expect(reports).toHaveLength(0);
  });
});

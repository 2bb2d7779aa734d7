import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { DossierStatus } from '@lienthong/domain';
import { createLogger, metricsRegistry } from '@lienthong/observability';
import { isTransientUpstreamError, upstreamRetryAfterMs } from '@lienthong/adapters/common';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { parsePortalHeaders, portalClientOptions } from './portal.options';
import {
  PublicServicePortalClient,
  type PublicServicePortalClientOptions,
} from './public-service-portal.client';

/**
 * The client against nock replaying the synthetic recorded-shape samples in test-fixtures/ (see its README: the
 * field names, order and meanings of the independent integrations). Every exchange goes through the client's
 * `dispatcher.request`, here over node's http module (NodeHttpDispatcher) so nock sees it.
 */
const nock = useNock();

const FIXTURES = join(__dirname, '..', 'test-fixtures');
const raw = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string) => JSON.parse(raw(name)) as Record<string, any>;

const BASE = 'http://portal.test';
const DSTCODE = 'DVCQG-LCI';
const SESSION = fixture('login.ok.json').session as string;
const event = fixture('event-in-process.json') as DossierStatusEvent;
const enterpriseEvent = fixture('event-received-enterprise.json') as DossierStatusEvent;
const catalogue = {
  procedureName: 'Đăng ký khai sinh',
  sectorName: 'Hộ tịch',
  agencyName: 'UBND xã Tân Phú',
};
const enterpriseCatalogue = {
  procedureName: 'Đăng ký thành lập công ty',
  sectorName: 'Thành lập và hoạt động doanh nghiệp',
  agencyName: 'UBND xã Tân Phú',
};

type Body = Record<string, any>;

interface Sent {
  path: string;
  headers: Record<string, unknown>;
  body: Body;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('PublicServicePortalClient (OpenCPS-era dialect)', () => {
  let sent: Sent[];
  let logs: string[];
  const open: PublicServicePortalClient[] = [];

  function make(options: Partial<PublicServicePortalClientOptions> = {}) {
    const logger = createLogger({
      name: 'portal-spec',
      level: 'debug',
      destination: { write: (s: string) => logs.push(s) },
    });
    const client = new PublicServicePortalClient({
      baseUrl: BASE,
      username: 'lienthong',
      password: 's3cret-password',
      unitCode: '000.00.00.H56',
      dstcode: DSTCODE,
      logger,
      dispatcher: new NodeHttpDispatcher(),
      resilience: { timeoutMs: 1_000, retries: 0, retryInitialDelayMs: 1, retryMaxDelayMs: 2 },
      ...options,
    });
    open.push(client);
    return client;
  }

  /** One answer of the portal at `path`, recording what was sent; `when` picks the request by its body. */
  function reply(
    path: string,
    answer: Body | string | (() => [number, Body | string, Record<string, string>?]),
    when: (body: Body) => boolean = () => true,
    times = 1,
  ) {
    return nock(BASE)
      .post(path, (body: Body) => when(body))
      .times(times)
      .reply(function (uri, body) {
        sent.push({ path: uri, headers: { ...this.req.headers }, body: body as Body });
        return typeof answer === 'function' ? answer() : [200, answer];
      });
  }
  const login = (times = 1, answer: Body = fixture('login.ok.json')) =>
    reply('/api/login', answer, () => true, times);
  const service = (
    name: string,
    answer: Body | (() => [number, Body | string, Record<string, string>?]),
    times = 1,
  ) => reply('/api/service', answer, (body) => body.service === name, times);
  const share = (name: string, answer: Body, times = 1) =>
    reply('/api/share', answer, (body) => body.service === name, times);

  beforeEach(() => {
    sent = [];
    logs = [];
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('updates a dossier the portal holds exactly as the recorded-shape requests: lookup, full record, step', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.updated.json'));
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'));

    const result = await portal.syncDossier(event, catalogue);

    expect(result).toEqual({ dossierCode: event.dossierCode, portalStatusCode: 4, created: false });
    expect(sent.map((s) => [s.path, s.body])).toEqual([
      ['/api/login', fixture('login.request.json')],
      ['/api/service', fixture('tra-cuu-ho-so.request.json')],
      ['/api/service', fixture('dong-bo-ho-so.request.json')],
      ['/api/service', fixture('cap-nhat-tien-do.request.json')],
    ]);
    // the destination code on every request, the login included; no header of our own invention
    for (const request of sent) {
      expect(request.headers.dstcode).toBe(DSTCODE);
      expect(request.headers['x-unit-code']).toBeUndefined();
    }
  });

  it('creates an enterprise dossier with its portal account id, looked up on the sharing endpoint', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    share('TraCuuTechID', fixture('tra-cuu-tech-id.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.created.json'));
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'));

    const result = await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);

    expect(result).toMatchObject({ created: true, portalStatusCode: 2 });
    expect(sent.map((s) => s.path)).toEqual([
      '/api/login',
      '/api/service',
      '/api/share',
      '/api/service',
      '/api/service',
    ]);
    expect(sent[2].body).toEqual(fixture('tra-cuu-tech-id.request.json'));
    expect(sent[3].body).toEqual(fixture('dong-bo-ho-so.create.request.json'));
  });

  it('looks up an account once per enterprise, and never a citizen’s', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'), 3);
    share('TraCuuTechID', fixture('tra-cuu-tech-id.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.created.json'), 3);
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'), 3);

    await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);
    await portal.syncDossier({ ...enterpriseEvent, dossierCode: '000.17.22.H56-261031-0013' });
    await portal.syncDossier({ ...event, status: 'RECEIVED', portalStatusCode: 2 });

    expect(sent.filter((s) => s.body.service === 'TraCuuTechID')).toHaveLength(1);
  });

  it('sends a dossier the portal says already exists again as an update, without failing', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    share('TraCuuTechID', fixture('tra-cuu-tech-id.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.already-exists.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.updated.json'));
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'));

    const result = await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);

    expect(result.created).toBe(false);
    const syncs = sent.filter((s) => s.body.service === 'DongBoHoSoMC');
    expect(syncs.map((s) => s.body.isUpdating)).toEqual(['False', 'True']);
    expect(syncs[1].body.data).toEqual(syncs[0].body.data);
    // the "already exists" refusal is no reason to log in again
    expect(sent.filter((s) => s.path === '/api/login')).toHaveLength(1);
  });

  it('reads "already exists" even beside error_code 0, as the later clients do', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    share('TraCuuTechID', fixture('tra-cuu-tech-id.found.json'));
    service('DongBoHoSoMC', { error_code: 0, message: 'Hồ sơ đã tồn tại' });
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.updated.json'));
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'));

    await expect(portal.syncDossier(enterpriseEvent)).resolves.toMatchObject({ created: false });
  });

  it('sends an update the portal cannot place ("does not exist") again as a creation', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    service('DongBoHoSoMC', { error_code: -3, message: 'Hồ sơ không tồn tại trên hệ thống' });
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.created.json'));
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'));

    await expect(portal.syncDossier(event, catalogue)).resolves.toMatchObject({ created: true });
    expect(sent.filter((s) => s.body.service === 'DongBoHoSoMC').map((s) => s.body.isUpdating)).toEqual([
      'True',
      'False',
    ]);
  });

  it('asks TraCuuHoSo once for a burst of one dossier’s events, before every sync with the memory off', async () => {
    const steps = (code: number) => ({
      ...event,
      status: 'IN_PROCESS' as const,
      occurredAt: `2026-11-0${code}T09:00:00+07:00`,
    });
    const remembering = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.updated.json'), 3);
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'), 3);
    for (const day of [1, 2, 3]) await remembering.syncDossier(steps(day), catalogue);
    expect(sent.filter((s) => s.body.service === 'TraCuuHoSo')).toHaveLength(1);
    // the record carried forward is the one stored: the intake date of the portal's record, every time
    const syncs = sent.filter((s) => s.body.service === 'DongBoHoSoMC');
    expect(syncs.map((s) => [s.body.isUpdating, s.body.data[0].NgayTiepNhan])).toEqual([
      ['True', '20261031080512'],
      ['True', '20261031080512'],
      ['True', '20261031080512'],
    ]);

    sent = [];
    const strict = make({ recentRecordTtlMs: 0 });
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'), 2);
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.updated.json'), 2);
    service('CapNhatTienDoHoSoMC', fixture('cap-nhat-tien-do.applied.json'), 2);
    for (const day of [1, 2]) await strict.syncDossier(steps(day), catalogue);
    expect(sent.filter((s) => s.body.service === 'TraCuuHoSo')).toHaveLength(2);
  });

  it('reads a lookup refused as "not found" as a dossier the portal does not hold, without a new login', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    service('TraCuuHoSo', { error_code: -1, message: 'Không tìm thấy hồ sơ' });

    await portal.getDossier(event.dossierCode);
    await expect(portal.getDossier(event.dossierCode)).resolves.toBeNull();
    expect(portal.logins).toBe(1);
  });

  it('logs in once and shares one in-flight login between concurrent callers', async () => {
    const portal = make();
    login(1);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'), 5);

    const results = await Promise.all(Array.from({ length: 5 }, () => portal.getDossier(event.dossierCode)));

    expect(results).toEqual([null, null, null, null, null]);
    expect(portal.logins).toBe(1);
  });

  it('logs in again once the session is older than its configured maximum age', async () => {
    const portal = make({ sessionMaxAgeMs: 40 });
    login(2);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'), 2);

    await portal.getDossier(event.dossierCode);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await portal.getDossier(event.dossierCode);

    expect(portal.logins).toBe(2);
  });

  it.each([
    ['a non-zero error_code', () => [200, fixture('session-expired.json')] as [number, Body]],
    ['HTTP 401', () => [401, {}] as [number, Body]],
  ])('answers %s on a kept session with one new login and one repeat', async (_what, refusal) => {
    const portal = make();
    login(2);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    service('TraCuuHoSo', refusal);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));

    await portal.getDossier(event.dossierCode);
    await expect(portal.getDossier(event.dossierCode)).resolves.toMatchObject({
      status: DossierStatus.RECEIVED,
    });
    expect(portal.logins).toBe(2);
  });

  it('reports a refusal a fresh session does not change as a permanent rejection with the portal’s message', async () => {
    const portal = make();
    login(2);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.invalid-data.json'));
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.invalid-data.json'), 2);

    await portal.syncDossier(event, catalogue).catch(() => undefined);
    const error = await rejectionOf(portal.syncDossier(event, catalogue));

    expect(error).toMatchObject({ code: 'PORTAL_REJECTED' });
    expect(error).toMatchObject({
      code: 'PORTAL_REJECTED',
      transient: false,
      details: { portalErrorCode: -3 },
    });
    expect((error as Error).message).toContain('TrangThaiHoSo: phải từ 1 đến 10');
  });

  it('reports a fresh session refused with HTTP 401 as unavailable (transient), without looping', async () => {
    const portal = make();
    login(1);
    service('TraCuuHoSo', () => [401, {}]);

    const error = await rejectionOf(portal.getDossier(event.dossierCode));

    expect(error).toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'SESSION_REJECTED' } });
  });

  it.each([
    ['wrong credentials', fixture('login.failed.json')],
    ['a refused destination code', fixture('login.dstcode-refused.json')],
  ])('turns a login refused for %s into a permanent PORTAL_AUTH_FAILED', async (_what, answer) => {
    const portal = make();
    login(1, answer);

    const error = await rejectionOf(portal.ping());

    expect(error).toMatchObject({ code: 'PORTAL_AUTH_FAILED' });
    expect(error).toMatchObject({ transient: false, code: 'PORTAL_AUTH_FAILED' });
  });

  it('turns HTTP 429 into a slow-down error with Retry-After in milliseconds', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', () => [429, fixture('too-many-requests.json'), { 'retry-after': '7' }]);

    const error = await rejectionOf(portal.getDossier(event.dossierCode));

    expect(error).toMatchObject({ code: 'PORTAL_RATE_LIMITED' });
    expect(error).toMatchObject({ transient: true, details: { retryAfterMs: 7000, reason: 'HTTP_429' } });
  });

  it('answers 429 at once, without retrying against its Retry-After or counting it against the circuit', async () => {
    const portal = make({
      resilience: {
        timeoutMs: 1_000,
        retries: 2,
        retryInitialDelayMs: 1,
        retryMaxDelayMs: 2,
        breaker: { kind: 'consecutive', failures: 2 },
        halfOpenAfterMs: 30_000,
      },
    });
    login();
    service('TraCuuHoSo', () => [429, fixture('too-many-requests.json'), { 'retry-after': '1' }], 3);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));

    for (let i = 0; i < 3; i++) {
      await expect(rejectionOf(portal.getDossier(event.dossierCode))).resolves.toMatchObject({
        details: { reason: 'HTTP_429' },
      });
    }
    await expect(portal.getDossier(event.dossierCode)).resolves.toBeNull();
    expect(sent.filter((s) => s.body.service === 'TraCuuHoSo')).toHaveLength(4);
    expect(portal.health().circuit).toBe('closed');
  });

  it.each([
    ['HTTP 500', () => [500, fixture('system-error.json')] as [number, Body | string], 'HTTP_STATUS'],
    ['an HTML 502', () => [502, raw('bad-gateway.html')] as [number, Body | string], 'HTTP_STATUS'],
    ['a cut-off JSON body', () => [200, raw('truncated.json.txt')] as [number, Body | string], 'MALFORMED'],
  ])('reports %s as transiently unavailable', async (_what, answer, reason) => {
    const portal = make();
    login();
    service('TraCuuHoSo', answer);

    const error = await rejectionOf(portal.getDossier(event.dossierCode));

    expect(error).toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason } });
  });

  it('retries a transient failure within the call under the shared resilience policy', async () => {
    const portal = make({
      resilience: { timeoutMs: 1_000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 2 },
    });
    login();
    service('TraCuuHoSo', () => [503, 'Service Unavailable']);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));

    await expect(portal.getDossier(event.dossierCode)).resolves.toBeNull();
  });

  it('answers a code the deployment lists as retryable as transient', async () => {
    const portal = make({ retryableErrorCodes: [-1] });
    login();
    service('TraCuuHoSo', fixture('system-error.json'));

    const error = await rejectionOf(portal.getDossier(event.dossierCode));

    expect(error).toMatchObject({ transient: true, details: { reason: 'PORTAL_ERROR' } });
  });

  it('gives up at the per-attempt timeout, and a reset connection is a network failure', async () => {
    const slow = make({ resilience: { timeoutMs: 100, retries: 0 } });
    login();
    nock(BASE).post('/api/service').delay(1_000).reply(200, fixture('tra-cuu-ho-so.not-found.json'));
    const started = Date.now();
    await expect(rejectionOf(slow.getDossier(event.dossierCode))).resolves.toMatchObject({
      transient: true,
      details: { reason: 'TIMEOUT' },
    });
    expect(Date.now() - started).toBeLessThan(900);

    const reset = make();
    login();
    nock(BASE).post('/api/service').replyWithError('socket hang up');
    await expect(rejectionOf(reset.getDossier(event.dossierCode))).resolves.toMatchObject({
      transient: true,
      details: { reason: 'NETWORK' },
    });
  });

  it('opens its circuit after repeated failures and answers "slow down" with the time left, not calling', async () => {
    const portal = make({
      resilience: {
        timeoutMs: 1_000,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 2 },
        halfOpenAfterMs: 30_000,
      },
    });
    login();
    service('TraCuuHoSo', () => [500, fixture('system-error.json')], 2);
    await rejectionOf(portal.getDossier(event.dossierCode));
    await rejectionOf(portal.getDossier(event.dossierCode));
    const calls = sent.length;

    const error = await rejectionOf(portal.syncDossier(event, catalogue));

    expect(error).toMatchObject({ code: 'PORTAL_RATE_LIMITED' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'CIRCUIT_OPEN' } });
    expect(isTransientUpstreamError(error)).toBe(true);
    expect(upstreamRetryAfterMs(error)).toBeGreaterThan(25_000);
    expect(sent.length).toBe(calls);
    expect(portal.health().circuit).toBe('open');
  });

  it('sends the configured extra headers with every request, and refuses to let them replace dstcode', async () => {
    const portal = make({ headers: { apikey: 'k-123', 'X-Gateway': 'lgsp' } });
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));

    await portal.getDossier(event.dossierCode);

    for (const request of sent)
      expect(request.headers).toMatchObject({ apikey: 'k-123', 'x-gateway': 'lgsp' });
    expect(() => make({ headers: { dstcode: 'other' } })).toThrow('set by the adapter');
    expect(parsePortalHeaders('apikey=a=b, X-Trace=1')).toEqual({ apikey: 'a=b', 'x-trace': '1' });
    expect(() => parsePortalHeaders('no-value')).toThrow('Name=value');
  });

  it('builds its options from the PORTAL_* settings', () => {
    const options = portalClientOptions({
      PORTAL_URL: 'https://dvc.example.vn/lgsp',
      PORTAL_USERNAME: 'u',
      PORTAL_PASSWORD: 'p',
      PORTAL_UNIT_CODE: '000.00.00.H56',
      PORTAL_DSTCODE: 'D1',
      PORTAL_LOGIN_PATH: '/auth',
      PORTAL_INTEGRATION_PATH: '/integration',
      PORTAL_SHARE_PATH: '/share',
      PORTAL_EXTRA_HEADERS: 'apikey=k',
      PORTAL_SESSION_MAX_AGE_MS: 60_000,
      PORTAL_TIMEOUT_MS: 5_000,
      PORTAL_RETRYABLE_CODES: ['-1', '99'],
    });
    expect(options).toMatchObject({
      dstcode: 'D1',
      paths: { login: '/auth', integration: '/integration', share: '/share' },
      headers: { apikey: 'k' },
      retryableErrorCodes: [-1, 99],
      techIdLookup: true,
    });
  });

  it('reads the portal’s own evaluation of a unit and period from the sharing endpoint', async () => {
    const portal = make();
    login();
    share('LayKetQuaDanhGia', {
      error_code: 0,
      result: [
        {
          unitCode: '000.17.22.H56',
          period: '2026-10',
          totalScore: 80.5,
          groupScores: [
            {
              group: 'TDGQ',
              score: 18,
              maxScore: 20,
              criteria: [{ code: 'TDGQ.1', score: 18, maxScore: 20 }],
            },
            { group: 'broken', score: 'n/a' },
          ],
        },
      ],
    });

    const evaluation = await portal.getEvaluation('000.17.22.H56', { kind: 'MONTH', key: '2026-10' });

    expect(sent[1].body).toMatchObject({
      service: 'LayKetQuaDanhGia',
      madonvidanhgia: '000.17.22.H56',
      loaiky: 'THANG',
      ky: '2026-10',
    });
    expect(evaluation).toEqual({
      agencyCode: '000.17.22.H56',
      period: { kind: 'MONTH', key: '2026-10' },
      total: 80.5,
      groups: [
        { group: 'TDGQ', score: 18, maxScore: 20, criteria: [{ code: 'TDGQ.1', score: 18, maxScore: 20 }] },
      ],
    });
  });

  it('refuses an event that breaks the contract, or would carry the personal ID, without calling the portal', async () => {
    const portal = make();
    const bad = { ...event, status: 'LOST' } as unknown as DossierStatusEvent;
    await expect(rejectionOf(portal.syncDossier(bad))).resolves.toMatchObject({ code: 'INVALID_EVENT' });

    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'));
    const leaky = { ...event, note: `Kiểm tra CCCD ${event.applicant.personalId}` };
    const error = await rejectionOf(portal.syncDossier(leaky, catalogue));

    expect(error).toMatchObject({ code: 'INVALID_EVENT', transient: false });
    expect(sent.filter((s) => s.body.service === 'DongBoHoSoMC')).toEqual([]);
  });

  it('records each exchange by service and outcome, a refusal as "refused"', async () => {
    const portal = make();
    login();
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.not-found.json'));
    const count = async (outcome: string) =>
      ((await metricsRegistry.getSingleMetric('lgsp_portal_request_duration_seconds')?.get())?.values ?? [])
        .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))
        .filter((v) => v.labels.service === 'TraCuuHoSo' && v.labels.outcome === outcome)
        .reduce((sum, v) => sum + v.value, 0);
    const before = await count('ok');

    await portal.getDossier(event.dossierCode);

    expect(await count('ok')).toBe(before + 1);
  });

  it('never writes the applicant, the password or the session to its logs', async () => {
    const portal = make();
    login(2);
    service('TraCuuHoSo', fixture('tra-cuu-ho-so.found.json'), 2);
    service('DongBoHoSoMC', fixture('dong-bo-ho-so.invalid-data.json'), 2);

    await rejectionOf(portal.syncDossier(event, catalogue));
    await rejectionOf(portal.syncDossier(event, catalogue));

    const output = logs.join('');
    expect(output).toContain('portal rejected DongBoHoSoMC');
    for (const secret of ['001090012345', 'Nguyễn Văn An', 's3cret-password', SESSION, '0912000111']) {
      expect(output).not.toContain(secret);
    }
  });
});

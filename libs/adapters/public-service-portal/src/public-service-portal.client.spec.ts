import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { DossierStatus } from '@lienthong/domain';
import { createLogger, metricsRegistry } from '@lienthong/observability';
import {
  isTransientPortalError,
  PortalAuthError,
  PortalRateLimitedError,
  PortalRejectedError,
  PortalUnavailableError,
} from './portal.errors';
import {
  PublicServicePortalClient,
  type PublicServicePortalClientOptions,
} from './public-service-portal.client';
import { loadNock } from '../../common/src/testing/load-nock';

const nock = loadNock();

const FIXTURES = join(__dirname, '..', 'test-fixtures');
const raw = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const fixture = (name: string) => JSON.parse(raw(name)) as Record<string, any>;

const BASE = 'http://portal.test';
const UNIT = '000.00.00.H56';
const SESSION = fixture('login.ok.json').session as string;
const event = fixture('event-in-process.json') as DossierStatusEvent;
const extras = {
  procedureName: 'Đăng ký khai sinh',
  sectorName: 'Hộ tịch',
  applicantName: 'Nguyễn Văn An',
  agencyName: 'UBND xã Tân Phú',
};

type Body = Record<string, any>;
const isService = (service: string) => (body: Body) => body.service === service;

function client(options: Partial<PublicServicePortalClientOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    name: 'portal-spec',
    level: 'debug',
    destination: { write: (s: string) => lines.push(s) },
  });
  const instance = new PublicServicePortalClient({
    baseUrl: BASE,
    username: 'lienthong',
    password: 's3cret-password',
    unitCode: UNIT,
    timeoutMs: 500,
    logger,
    ...options,
  });
  return { portal: instance, logs: lines };
}

function login(times = 1, answer: Body = fixture('login.ok.json'), delayMs = 0) {
  return nock(BASE, { reqheaders: { 'x-unit-code': UNIT } })
    .post('/api/login', { username: 'lienthong', password: 's3cret-password' })
    .times(times)
    .delay(delayMs)
    .reply(200, answer);
}

function service(name: string) {
  return nock(BASE).post('/api/service', isService(name));
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = (await metricsRegistry.getSingleMetric(name)?.get())?.values ?? [];
  return found
    .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('PublicServicePortalClient', () => {
  const open: PublicServicePortalClient[] = [];
  const make = (options: Partial<PublicServicePortalClientOptions> = {}) => {
    const made = client(options);
    open.push(made.portal);
    return made;
  };

  beforeAll(() => nock.disableNetConnect());
  afterEach(async () => {
    nock.cleanAll();
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });

  it('syncs an event as the recorded dossier upsert then progress entry, with the session and unit code', async () => {
    const { portal } = make();
    const logins = login();
    const sent: Body[] = [];
    const calls = nock(BASE)
      .post('/api/service', (body: Body) => (sent.push(body), true))
      .once()
      .reply(200, fixture('dong-bo-ho-so.created.json'))
      .post('/api/service', (body: Body) => (sent.push(body), true))
      .once()
      .reply(200, fixture('cap-nhat-tien-do.applied.json'));

    const result = await portal.syncDossier(event, extras);

    expect(result).toEqual({ dossierCode: event.dossierCode, portalStatusCode: 4, duplicate: false });
    expect(sent).toEqual([fixture('dong-bo-ho-so.request.json'), fixture('cap-nhat-tien-do.request.json')]);
    expect(logins.isDone() && calls.isDone()).toBe(true);
  });

  it('logs in once and reuses the session for later calls', async () => {
    const { portal } = make();
    const logins = login(1);
    service('TraCuuHoSo').times(3).reply(200, fixture('tra-cuu-ho-so.not-found.json'));

    for (let i = 0; i < 3; i++) await portal.getDossier(event.dossierCode);

    expect(logins.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('shares one in-flight login between concurrent callers', async () => {
    const { portal } = make();
    login(1, fixture('login.ok.json'), 50);
    service('TraCuuHoSo').times(5).reply(200, fixture('tra-cuu-ho-so.not-found.json'));

    const results = await Promise.all(Array.from({ length: 5 }, () => portal.getDossier(event.dossierCode)));

    expect(results).toEqual([null, null, null, null, null]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('logs in again before the announced session lifetime runs out', async () => {
    const { portal } = make();
    login(1, { ...fixture('login.ok.json'), expires_in: 0.05 });
    login(1, { ...fixture('login.ok.json'), session: 'second-session' });
    const sessions: string[] = [];
    nock(BASE)
      .post('/api/service', (body: Body) => (sessions.push(body.session), true))
      .times(2)
      .reply(200, fixture('tra-cuu-ho-so.not-found.json'));

    await portal.getDossier(event.dossierCode);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await portal.getDossier(event.dossierCode);

    expect(sessions).toEqual([SESSION, 'second-session']);
  });

  it('on an expired session logs in again and repeats the call once, transparently', async () => {
    const { portal } = make();
    login(1);
    login(1, { ...fixture('login.ok.json'), session: 'fresh-session' });
    const sessions: string[] = [];
    nock(BASE)
      .post('/api/service', (body: Body) => (sessions.push(body.session), true))
      .reply(200, fixture('session-expired.json'))
      .post('/api/service', (body: Body) => (sessions.push(body.session), true))
      .reply(200, fixture('tra-cuu-ho-so.found.json'));

    const dossier = await portal.getDossier(event.dossierCode);

    expect(dossier?.status).toBe(DossierStatus.IN_PROCESS);
    expect(sessions).toEqual([SESSION, 'fresh-session']);
  });

  it('treats HTTP 401 on a service call as an expired session', async () => {
    const { portal } = make();
    login(2);
    service('TraCuuHoSo')
      .reply(401, '')
      .post('/api/service')
      .reply(200, fixture('tra-cuu-ho-so.not-found.json'));

    await expect(portal.getDossier(event.dossierCode)).resolves.toBeNull();
  });

  it('reports a fresh session refused at once as unavailable (transient), without looping', async () => {
    const { portal } = make();
    login(2);
    service('TraCuuHoSo').times(2).reply(200, fixture('session-expired.json'));

    const error = await rejectionOf(portal.getDossier(event.dossierCode));

    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect((error as PortalUnavailableError).reason).toBe('session-rejected');
    expect(isTransientPortalError(error)).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.each([
    ['login.failed.json', -5],
    ['login.unit-not-allowed.json', -6],
  ])('turns a refused login (%s) into a permanent PortalAuthError', async (file, code) => {
    const { portal } = make();
    login(1, fixture(file));

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalAuthError);
    expect((error as PortalAuthError).portalErrorCode).toBe(code);
    expect(isTransientPortalError(error)).toBe(false);
  });

  it('turns HTTP 429 into PortalRateLimitedError with Retry-After in milliseconds', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(429, fixture('too-many-requests.json'), { 'Retry-After': '7' });
    const before = await metric('lgsp_portal_errors_total', { service: 'DongBoHoSoMC', code: 'HTTP_429' });

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalRateLimitedError);
    expect((error as PortalRateLimitedError).retryAfterMs).toBe(7000);
    expect(isTransientPortalError(error)).toBe(true);
    expect(await metric('lgsp_portal_errors_total', { service: 'DongBoHoSoMC', code: 'HTTP_429' })).toBe(
      before + 1,
    );
  });

  it('reads Retry-After given as an HTTP date, and falls back to the default without one', async () => {
    const { portal } = make({ defaultRetryAfterMs: 2500 });
    login();
    const at = new Date(Date.now() + 30_000).toUTCString();
    service('TraCuuHoSo')
      .reply(429, fixture('too-many-requests.json'), { 'Retry-After': at })
      .post('/api/service')
      .reply(429, fixture('too-many-requests.json'));

    const dated = (await rejectionOf(portal.getDossier('x'))) as PortalRateLimitedError;
    const bare = (await rejectionOf(portal.getDossier('x'))) as PortalRateLimitedError;

    expect(dated.retryAfterMs).toBeGreaterThan(25_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(bare.retryAfterMs).toBe(2500);
  });

  it.each([
    [500, 'system-error.json', 'application/json'],
    [502, 'bad-gateway.html', 'text/html'],
    [503, undefined, 'text/plain'],
    [504, undefined, 'text/plain'],
  ])('turns HTTP %s into a transient PortalUnavailableError', async (status, file, type) => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(status, file ? raw(file) : 'Service Unavailable', { 'Content-Type': type });

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect(error).toMatchObject({ reason: 'http-status', details: { status }, transient: true });
  });

  it('turns error_code -1 in an HTTP 200 into a transient PortalUnavailableError', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(200, fixture('system-error.json'));

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toMatchObject({
      reason: 'portal-error',
      details: { portalErrorCode: -1 },
      transient: true,
    });
  });

  it('turns invalid data (error_code -3) into a permanent PortalRejectedError naming the item and the rule', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(200, fixture('dong-bo-ho-so.invalid-data.json'));

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalRejectedError);
    const rejected = error as PortalRejectedError;
    expect(rejected.portalErrorCode).toBe(-3);
    expect(rejected.items).toEqual([
      {
        dossierCode: event.dossierCode,
        portalErrorCode: -3,
        message: 'TrangThaiHoSo: phải từ 1 đến 10; NgayHenTra: không đúng định dạng yyyyMMddHHmmss',
      },
    ]);
    expect(rejected.message).toContain('TrangThaiHoSo');
    expect(isTransientPortalError(error)).toBe(false);
  });

  it('turns an invalid request (error_code -4, HTTP 400) into a permanent PortalRejectedError', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(400, { error_code: -4, message: 'Yêu cầu không hợp lệ' });

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toMatchObject({ portalErrorCode: -4, transient: false });
    expect(error).toBeInstanceOf(PortalRejectedError);
  });

  it('treats a truncated JSON body as a transient PortalUnavailableError (malformed-response)', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(200, raw('truncated.json.txt'), { 'Content-Type': 'application/json' });

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect((error as PortalUnavailableError).reason).toBe('malformed-response');
  });

  it('treats an error_code the contract does not list as transient', async () => {
    const { portal } = make();
    login();
    service('TraCuuHoSo').reply(200, { error_code: 77, message: 'Bảo trì' });

    const error = await rejectionOf(portal.getDossier('x'));

    expect(error).toMatchObject({
      reason: 'portal-error',
      details: { portalErrorCode: 77 },
      transient: true,
    });
  });

  it('accepts error_code sent as the string "00"', async () => {
    const { portal } = make();
    login(1, { ...fixture('login.ok.json'), error_code: '00' });
    service('TraCuuHoSo').reply(200, { ...fixture('tra-cuu-ho-so.found.json'), error_code: '0' });

    await expect(portal.getDossier(event.dossierCode)).resolves.toMatchObject({ portalStatusCode: 4 });
  });

  it('gives up after timeoutMs with a transient PortalUnavailableError (timeout)', async () => {
    const { portal } = make({ timeoutMs: 100 });
    login();
    service('DongBoHoSoMC').delay(1000).reply(200, fixture('dong-bo-ho-so.created.json'));

    const started = Date.now();
    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect((error as PortalUnavailableError).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('turns a reset connection into a transient PortalUnavailableError (network)', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').replyWithError('socket hang up');

    const error = await rejectionOf(portal.syncDossier(event, extras));

    expect(error).toMatchObject({ reason: 'network', transient: true });
  });

  it('reports a redelivered progress entry as a duplicate', async () => {
    const { portal } = make();
    login();
    service('DongBoHoSoMC').reply(200, fixture('dong-bo-ho-so.created.json'));
    service('CapNhatTienDoHoSoMC').reply(200, fixture('cap-nhat-tien-do.duplicate.json'));

    await expect(portal.syncDossier(event, extras)).resolves.toMatchObject({ duplicate: true });
  });

  it('reads a dossier back, or null when the portal does not hold it', async () => {
    const { portal } = make();
    login();
    const asked: string[] = [];
    nock(BASE)
      .post('/api/service', (body: Body) => (asked.push(body.mahoso), body.service === 'TraCuuHoSo'))
      .reply(200, fixture('tra-cuu-ho-so.found.json'))
      .post('/api/service', (body: Body) => (asked.push(body.mahoso), body.service === 'TraCuuHoSo'))
      .reply(200, fixture('tra-cuu-ho-so.not-found.json'));

    const found = await portal.getDossier(event.dossierCode);
    const missing = await portal.getDossier('000.17.22.H56-261031-0099');

    expect(found).toMatchObject({ dossierCode: event.dossierCode, status: DossierStatus.IN_PROCESS });
    expect(found?.progress).toHaveLength(2);
    expect(missing).toBeNull();
    expect(asked).toEqual([event.dossierCode, '000.17.22.H56-261031-0099']);
  });

  it('refuses an event that breaks the contract without calling the portal', async () => {
    const { portal } = make();
    const bad = { ...event, status: 'LOST' } as unknown as DossierStatusEvent;

    const error = await rejectionOf(portal.syncDossier(bad));

    expect(error).toBeInstanceOf(PortalRejectedError);
    expect((error as PortalRejectedError).code).toBe('INVALID_EVENT');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('records the duration of each exchange by service and outcome', async () => {
    const { portal } = make();
    login();
    service('TraCuuHoSo').reply(200, fixture('tra-cuu-ho-so.not-found.json'));
    const labels = { service: 'TraCuuHoSo', outcome: 'ok' };
    const count = async () =>
      ((await metricsRegistry.getSingleMetric('lgsp_portal_request_duration_seconds')?.get())?.values ?? [])
        .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))
        .filter((v) => v.labels.service === labels.service)
        .filter((v) => v.labels.outcome === labels.outcome)
        .reduce((sum, v) => sum + v.value, 0);
    const before = await count();

    await portal.getDossier(event.dossierCode);

    expect(await count()).toBe(before + 1);
  });

  it('never writes the applicant, the password or the session to its logs', async () => {
    const { portal, logs } = make();
    login();
    service('DongBoHoSoMC').reply(200, fixture('dong-bo-ho-so.invalid-data.json'));

    await rejectionOf(portal.syncDossier(event, extras));

    const output = logs.join('');
    expect(output).toContain('portal rejected DongBoHoSoMC');
    for (const secret of ['001090012345', 'Nguyễn Văn An', 's3cret-password', SESSION]) {
      expect(output).not.toContain(secret);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { createLogger } from '@lienthong/observability';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { InMemoryPortalDossierCodes } from './portal-dossier-codes';
import { createPortalClient, portalDialectOf } from './portal.factory';
import { TokenPortalClient, type TokenPortalClientOptions } from './portal-token.client';
import { PublicServicePortalClient } from './public-service-portal.client';

/**
 * The token-dialect client against nock replaying the synthetic samples in test-fixtures/token-2025 (their
 * README: the shape is assumed from 2025 clients; the dossier fields are the integrations'). Every exchange goes
 * through the client's `dispatcher.request`, over node's http module so nock sees it.
 */
const nock = useNock();

const FIXTURES = join(__dirname, '..', 'test-fixtures');
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, any>;
const token = (name: string) => fixture(join('token-2025', name));

const BASE = 'http://portal.test';
const CLIENT_ID = 'lienthong-lci';
const CLIENT_SECRET = 's3cret-client-secret';
const ACCESS_TOKEN = token('token.ok.json').access_token as string;
const HELD_CODE = token('dossier.found.json').MaHoSoQuocGia as string;
const ISSUED_CODE = token('dossier.created.json').MaHoSoQuocGia as string;
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
type Answer = [number, Body | string, Record<string, string>?];

interface Sent {
  method: string;
  path: string;
  headers: Record<string, unknown>;
  body: Body | string | undefined;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('TokenPortalClient (token-2025 dialect, assumed shape)', () => {
  let sent: Sent[];
  let logs: string[];
  let codes: InMemoryPortalDossierCodes;
  const open: TokenPortalClient[] = [];

  function make(options: Partial<TokenPortalClientOptions> = {}) {
    const logger = createLogger({
      name: 'portal-token-spec',
      level: 'debug',
      destination: { write: (s: string) => logs.push(s) },
    });
    const client = new TokenPortalClient({
      baseUrl: BASE,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      unitCode: '000.00.00.H56',
      dossierCodes: codes,
      logger,
      dispatcher: new NodeHttpDispatcher(),
      resilience: { timeoutMs: 1_000, retries: 0, retryInitialDelayMs: 1, retryMaxDelayMs: 2 },
      ...options,
    });
    open.push(client);
    return client;
  }

  function on(method: 'get' | 'post' | 'put', path: string, answer: Body | (() => Answer), times = 1) {
    const scope = nock(BASE);
    return scope[method](path, () => true)
      .times(times)
      .reply(function (uri, body) {
        sent.push({
          method: method.toUpperCase(),
          path: uri,
          headers: { ...this.req.headers },
          body: body === '' ? undefined : (body as Body | string),
        });
        return typeof answer === 'function' ? answer() : [method === 'post' ? 201 : 200, answer];
      });
  }
  const issueToken = (times = 1) => on('post', '/oauth2/token', () => [200, token('token.ok.json')], times);
  const api = (path: string) => `/api/v2${path}`;
  const dossier = (code: string) => api(`/dossiers/${encodeURIComponent(code)}`);

  beforeEach(() => {
    sent = [];
    logs = [];
    codes = new InMemoryPortalDossierCodes();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('updates a dossier under the code the portal issued, exactly as the recorded-shape requests', async () => {
    await codes.set(event.dossierCode, HELD_CODE);
    const portal = make();
    issueToken();
    on('get', dossier(HELD_CODE), token('dossier.found.json'));
    on('put', dossier(HELD_CODE), token('dossier.updated.json'));
    on('post', `${dossier(HELD_CODE)}/progress`, token('progress.added.json'));

    const result = await portal.syncDossier(event, catalogue);

    expect(result).toEqual({ dossierCode: event.dossierCode, portalStatusCode: 4, created: false });
    expect(sent.map((s) => [s.method, s.path, s.body])).toEqual([
      ['POST', '/oauth2/token', 'grant_type=client_credentials'],
      ['GET', dossier(HELD_CODE), undefined],
      ['PUT', dossier(HELD_CODE), token('dossier.update.request.json')],
      ['POST', `${dossier(HELD_CODE)}/progress`, token('progress.request.json')],
    ]);
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    expect(sent[0].headers.authorization).toBe(`Basic ${basic}`);
    expect(sent[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
    for (const request of sent.slice(1)) {
      expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      // the OpenCPS-era dialect's routing header is not this dialect's
      expect(request.headers.dstcode).toBeUndefined();
    }
  });

  it('creates a dossier it has no portal code for, keeps the code issued, and addresses later events to it', async () => {
    const portal = make();
    issueToken();
    on('post', api('/dossiers'), token('dossier.created.json'));
    on('post', `${dossier(ISSUED_CODE)}/progress`, token('progress.added.json'), 2);
    on('put', dossier(ISSUED_CODE), token('dossier.updated.json'));

    const first = await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);
    const later = { ...enterpriseEvent, status: 'IN_PROCESS' as const, portalStatusCode: 4 };
    const second = await portal.syncDossier(later, enterpriseCatalogue);

    expect([first.created, second.created]).toEqual([true, false]);
    expect(await codes.get(enterpriseEvent.dossierCode)).toBe(ISSUED_CODE);
    expect(sent[1].body).toEqual(token('dossier.create.request.json'));
    expect(sent[2].body).toEqual(token('progress.create.request.json'));
    // the record it has just stored needs no read-back; one token serves every call
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /oauth2/token',
      `POST ${api('/dossiers')}`,
      `POST ${dossier(ISSUED_CODE)}/progress`,
      `PUT ${dossier(ISSUED_CODE)}`,
      `POST ${dossier(ISSUED_CODE)}/progress`,
    ]);
    expect((sent[3].body as Body).TrangThaiHoSo).toBe('4');
    expect((sent[3].body as Body).NgayTiepNhan).toBe((sent[1].body as Body).NgayTiepNhan);
  });

  it('adopts the code a 409 names for a dossier the portal already holds, and updates it', async () => {
    const portal = make();
    const existing = token('dossier-exists.problem.json').MaHoSoQuocGia as string;
    issueToken();
    on('post', api('/dossiers'), () => [409, token('dossier-exists.problem.json')]);
    on('put', dossier(existing), token('dossier.updated.json'));
    on('post', `${dossier(existing)}/progress`, token('progress.added.json'));

    const result = await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);

    expect(result.created).toBe(false);
    expect(await codes.get(enterpriseEvent.dossierCode)).toBe(existing);
    const { MaDonVi, ...record } = token('dossier.create.request.json');
    expect(sent[2].body).toEqual({ ...record, MaDonVi });
  });

  it('forgets a kept code the portal does not know and creates the dossier again', async () => {
    await codes.set(enterpriseEvent.dossierCode, 'QG-LOST');
    const portal = make();
    issueToken();
    on('get', dossier('QG-LOST'), () => [404, token('dossier-not-found.problem.json')]);
    on('post', api('/dossiers'), token('dossier.created.json'));
    on('post', `${dossier(ISSUED_CODE)}/progress`, token('progress.added.json'));

    const result = await portal.syncDossier(enterpriseEvent, enterpriseCatalogue);

    expect(result.created).toBe(true);
    expect(await codes.get(enterpriseEvent.dossierCode)).toBe(ISSUED_CODE);
  });

  it('renews a refused token once and repeats the call; a fresh token refused at once is transient', async () => {
    await codes.set(event.dossierCode, HELD_CODE);
    const portal = make();
    issueToken(3);
    on('get', dossier(HELD_CODE), () => [401, token('invalid-token.problem.json')]);
    on('get', dossier(HELD_CODE), token('dossier.found.json'));
    on('put', dossier(HELD_CODE), token('dossier.updated.json'));
    on('post', `${dossier(HELD_CODE)}/progress`, token('progress.added.json'));

    await portal.syncDossier(event, catalogue);
    expect(portal.tokenFetches).toBe(2);

    on('get', dossier(HELD_CODE), () => [401, token('invalid-token.problem.json')], 2);
    const error = await rejectionOf(portal.getDossier(event.dossierCode));
    expect(error).toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'SESSION_REJECTED' } });
  });

  it('caches the token until shortly before it expires', async () => {
    let now = Date.parse('2026-10-31T08:00:00Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      await codes.set(event.dossierCode, HELD_CODE);
      const portal = make({ recentRecordTtlMs: 0 });
      issueToken(2);
      on('get', dossier(HELD_CODE), token('dossier.found.json'), 3);

      await portal.getDossier(event.dossierCode);
      now += 1_000_000; // within the 1 800 s lifetime, before the margin
      await portal.getDossier(event.dossierCode);
      expect(portal.tokenFetches).toBe(1);
      now += 760_000; // within 60 s of expiry
      await portal.getDossier(event.dossierCode);
      expect(portal.tokenFetches).toBe(2);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('answers a refused record as a permanent rejection naming the stable code, a 429 and a 503 as transient', async () => {
    const portal = make();
    issueToken();
    on('post', api('/dossiers'), () => [422, token('invalid-dossier.problem.json')]);
    const refused = await rejectionOf(portal.syncDossier(enterpriseEvent, enterpriseCatalogue));
    expect(refused).toMatchObject({ code: 'PORTAL_REJECTED' });
    expect(refused).toMatchObject({
      transient: false,
      code: 'PORTAL_REJECTED',
      details: { operation: 'createDossier' },
    });
    expect((refused as Error).message).toContain('INVALID_DOSSIER');
    expect((refused as Error).message).toContain('NgayTiepNhan');

    on('post', api('/dossiers'), () => [
      429,
      { status: 429, code: 'TOO_MANY_REQUESTS' },
      { 'retry-after': '7' },
    ]);
    const slowDown = await rejectionOf(portal.syncDossier(enterpriseEvent, enterpriseCatalogue));
    expect(slowDown).toMatchObject({ code: 'PORTAL_RATE_LIMITED' });
    expect(slowDown).toMatchObject({ transient: true, details: { retryAfterMs: 7_000 } });

    on('post', api('/dossiers'), () => [503, 'Service Unavailable', { 'content-type': 'text/plain' }]);
    const down = await rejectionOf(portal.syncDossier(enterpriseEvent, enterpriseCatalogue));
    expect(down).toMatchObject({ transient: true, details: { reason: 'HTTP_STATUS' } });
    expect(await codes.get(enterpriseEvent.dossierCode)).toBeUndefined();
  });

  it('answers a failing code store as transient, and creates nothing it could not keep the code of', async () => {
    const broken = new InMemoryPortalDossierCodes();
    broken.set = () => Promise.reject(new Error('connection terminated'));
    const portal = make({ dossierCodes: broken });
    issueToken();
    on('post', api('/dossiers'), token('dossier.created.json'));

    const error = await rejectionOf(portal.syncDossier(enterpriseEvent, enterpriseCatalogue));

    expect(error).toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'CODE_STORE' } });
    // no step was sent for a dossier whose code was not kept: the retry creates it again and adopts the code
    expect(sent.map((s) => s.path)).toEqual(['/oauth2/token', api('/dossiers')]);
  });

  it('refuses an event that would carry the personal ID without sending it', async () => {
    const portal = make();
    const leaky = { ...event, note: `Kiểm tra CCCD ${event.applicant.personalId}` };

    const error = await rejectionOf(portal.syncDossier(leaky, catalogue));

    expect(error).toMatchObject({ code: 'INVALID_EVENT', transient: false });
    expect(sent).toEqual([]);
  });

  it('never writes the applicant, the secret or the token to its logs', async () => {
    await codes.set(event.dossierCode, HELD_CODE);
    const portal = make();
    issueToken();
    on('get', dossier(HELD_CODE), token('dossier.found.json'));
    on('put', dossier(HELD_CODE), () => [422, token('invalid-dossier.problem.json')]);

    await rejectionOf(portal.syncDossier(event, catalogue));

    const output = logs.join('');
    expect(output).toContain('portal rejected updateDossier');
    for (const secret of ['001090012345', 'Nguyễn Văn An', CLIENT_SECRET, ACCESS_TOKEN, '0912000111']) {
      expect(output).not.toContain(secret);
    }
  });

  it('is chosen per deployment by PORTAL_DIALECT, the OpenCPS-era dialect by default', async () => {
    const settings = {
      PORTAL_URL: BASE,
      PORTAL_USERNAME: 'lienthong',
      PORTAL_PASSWORD: 's3cret-password',
      PORTAL_UNIT_CODE: '000.00.00.H56',
      PORTAL_DSTCODE: 'DVCQG',
      PORTAL_LOGIN_PATH: '/api/login',
      PORTAL_INTEGRATION_PATH: '/api/service',
      PORTAL_SHARE_PATH: '/api/share',
      PORTAL_SESSION_MAX_AGE_MS: 60_000,
      PORTAL_TIMEOUT_MS: 1_000,
      PORTAL_CLIENT_ID: CLIENT_ID,
      PORTAL_CLIENT_SECRET: CLIENT_SECRET,
    };
    const opencps = createPortalClient(settings);
    const tokenBased = createPortalClient({ ...settings, PORTAL_DIALECT: 'token-2025' });
    try {
      expect(opencps).toBeInstanceOf(PublicServicePortalClient);
      expect(tokenBased).toBeInstanceOf(TokenPortalClient);
    } finally {
      await Promise.all([opencps.close(), tokenBased.close()]);
    }
    expect(() => portalDialectOf({ PORTAL_DIALECT: 'soap' })).toThrow(/opencps, token-2025/);
    expect(
      () =>
        new TokenPortalClient({
          baseUrl: BASE,
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          unitCode: '000.00.00.H56',
          headers: { Authorization: 'Basic x' },
        }),
    ).toThrow(/Authorization/);
  });
});

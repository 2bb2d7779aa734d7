import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import axios from 'axios';
import type { DossierStatusEvent } from '@lienthong/contracts';
import {
  PortalRateLimitedError,
  PortalRejectedError,
  PortalUnavailableError,
  PublicServicePortalClient,
  type PublicServicePortalClientOptions,
} from '@lienthong/adapters/public-service-portal';
import { DossierStatus } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { PORTAL_SIMULATOR_DEFAULTS, startPortalSimulator, type PortalSimulator } from './portal-simulator';

// The real client against the real simulator over HTTP: no nock anywhere in this file.

const FIXTURES = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'libs',
  'adapters',
  'public-service-portal',
  'test-fixtures',
);
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, any>;
const quiet = createLogger({ name: 'portal-simulator-spec', level: 'silent' });

let sequence = 0;
function dossierCode(): string {
  sequence += 1;
  return `000.17.22.H56-261031-${String(sequence).padStart(4, '0')}`;
}

function eventFor(
  code: string,
  status: DossierStatusEvent['status'],
  occurredAt: string,
): DossierStatusEvent {
  return {
    eventId: randomUUID(),
    dossierCode: code,
    agencyCode: '000.17.22.H56',
    procedureCode: '1.001234',
    status,
    occurredAt,
    dueAt: '2026-11-07T17:00:00+07:00',
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
    handler: { name: 'Đỗ Minh Quang', position: 'Chuyên viên' },
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('portal simulator with the real client', () => {
  let sim: PortalSimulator;
  const clients: PublicServicePortalClient[] = [];
  const clientFor = (options: Partial<PublicServicePortalClientOptions> = {}) => {
    const made = new PublicServicePortalClient({
      baseUrl: sim.url,
      username: PORTAL_SIMULATOR_DEFAULTS.username,
      password: PORTAL_SIMULATOR_DEFAULTS.password,
      unitCode: PORTAL_SIMULATOR_DEFAULTS.unitCode,
      timeoutMs: 2000,
      logger: quiet,
      ...options,
    });
    clients.push(made);
    return made;
  };
  /** A dossier received then taken into processing, synced. */
  async function receivedAndInProcess(portal: PublicServicePortalClient) {
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    const inProcess = eventFor(code, 'IN_PROCESS', '2026-10-31T17:30:00Z');
    await portal.syncDossier(received, {
      procedureName: 'Đăng ký khai sinh',
      applicantName: 'Nguyễn Văn An',
    });
    await portal.syncDossier(inProcess);
    return { code, received, inProcess };
  }

  beforeAll(async () => {
    sim = await startPortalSimulator({ port: 0, logger: quiet });
  });
  afterEach(async () => {
    sim.faults.clear();
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('upserts the dossier and appends each status update in order', async () => {
    const portal = clientFor();
    const { code, received, inProcess } = await receivedAndInProcess(portal);

    const stored = sim.store.dossier(code)!;
    expect(stored).toMatchObject({
      MaHoSo: code,
      TrangThaiHoSo: 4,
      MaTTHC: '1.001234',
      TenTTHC: 'Đăng ký khai sinh',
      ChuHoSo: 'Nguyễn Văn An',
      NgayTiepNhan: '20261031080512',
      NgayHenTra: '20261107170000',
      HinhThuc: '1',
      upserts: 2,
    });
    expect(stored.statusHistory).toEqual([
      { status: 2, at: '20261031080512', eventId: received.eventId },
      { status: 4, at: '20261101003000', eventId: inProcess.eventId },
    ]);

    const view = await portal.getDossier(code);
    expect(view).toMatchObject({ status: DossierStatus.IN_PROCESS, receivedAt: '2026-10-31T08:05:12+07:00' });
    expect(view!.progress.map((p) => p.eventId)).toEqual([received.eventId, inProcess.eventId]);
    await expect(portal.getDossier(dossierCode())).resolves.toBeNull();
  });

  it('applies a redelivered event once and acknowledges the repeat as a duplicate', async () => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    const before = sim.store.stats();

    const first = await portal.syncDossier(received);
    const again = await portal.syncDossier(received);

    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
    const after = sim.store.stats();
    expect(after.applied - before.applied).toBe(1);
    expect(after.duplicates - before.duplicates).toBe(1);
  });

  it('keeps two in-process updates with the same second apart by their event ids', async () => {
    const portal = clientFor();
    const { code } = await receivedAndInProcess(portal);
    await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T17:30:00Z'));

    expect(sim.store.dossier(code)!.statusHistory.map((u) => u.status)).toEqual([2, 4, 4]);
  });

  it('logs in again transparently when every session is expired', async () => {
    const portal = clientFor();
    const code = dossierCode();
    await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z'));
    const logins = sim.store.stats().logins;

    sim.faults.set({ expireSessions: true });
    await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T03:00:00Z'));

    expect(sim.store.stats().logins).toBe(logins + 1);
    expect(sim.store.dossier(code)!.statusHistory.map((u) => u.status)).toEqual([2, 4]);
  });

  it('shares one new login between concurrent callers whose session was expired', async () => {
    const portal = clientFor();
    const codes = Array.from({ length: 20 }, () => dossierCode());
    await Promise.all(
      codes.map((code) => portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:00:00Z'))),
    );
    const logins = sim.store.stats().logins;

    sim.faults.set({ expireSessions: true });
    await Promise.all(
      codes.map((code) => portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T02:00:00Z'))),
    );

    for (const code of codes) {
      expect(sim.store.dossier(code)!.statusHistory.map((u) => u.status)).toEqual([2, 4]);
    }
    expect(sim.store.stats().logins).toBe(logins + 1);
  });

  it('recovers from a session that ran out on its own before the client expected', async () => {
    // The simulator announces lifetimes in whole seconds (at least 1), so a 200 ms session is still
    // believed alive by the client when the portal has already dropped it.
    const shortLived = await startPortalSimulator({ port: 0, logger: quiet, sessionTtlMs: 200 });
    try {
      const portal = clientFor({ baseUrl: shortLived.url });
      const code = dossierCode();
      await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:00:00Z'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T02:00:00Z'));

      expect(shortLived.store.dossier(code)!.statusHistory.map((u) => u.status)).toEqual([2, 4]);
      expect(shortLived.store.stats().logins).toBeGreaterThanOrEqual(2);
    } finally {
      await shortLived.close();
    }
  });

  it('answers 429 with Retry-After, then accepts the same event', async () => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    await portal.ping();
    sim.faults.set({ rateLimit: { count: 1, retryAfterSeconds: 2 } });

    const error = await rejectionOf(portal.syncDossier(received));
    expect(error).toBeInstanceOf(PortalRateLimitedError);
    expect((error as PortalRateLimitedError).retryAfterMs).toBe(2000);

    await expect(portal.syncDossier(received)).resolves.toMatchObject({ duplicate: false });
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
  });

  it.each([500, 502, 503] as const)('reports HTTP %s as unavailable and then delivers', async (status) => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    await portal.ping();
    sim.faults.set({ serverErrors: { count: 1, status } });

    const error = await rejectionOf(portal.syncDossier(received));
    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect(error).toMatchObject({ reason: 'http-status', details: { status }, transient: true });

    await portal.syncDossier(received);
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
  });

  it('reports a cut-off JSON answer as unavailable; the retry applies the update once', async () => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    await portal.ping();
    sim.faults.set({ malformedResponses: { count: 1 } });

    const error = await rejectionOf(portal.syncDossier(received));
    expect(error).toMatchObject({ reason: 'malformed-response', transient: true });

    await portal.syncDossier(received);
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
  });

  it('refuses listed dossiers permanently until the list is cleared', async () => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    sim.faults.set({ rejectDossiers: [code] });

    const error = await rejectionOf(portal.syncDossier(received));
    expect(error).toBeInstanceOf(PortalRejectedError);
    expect(error).toMatchObject({ portalErrorCode: -3, transient: false });
    expect((error as PortalRejectedError).items[0]).toMatchObject({ dossierCode: code, portalErrorCode: -3 });
    expect(sim.store.dossier(code)).toBeUndefined();

    sim.faults.set({ rejectDossiers: [] });
    await portal.syncDossier(received);
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
  });

  it('drops connections while down and serves again once up', async () => {
    const portal = clientFor();
    const code = dossierCode();
    const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
    await portal.ping();
    sim.faults.set({ down: true });

    const error = await rejectionOf(portal.syncDossier(received));
    expect(error).toBeInstanceOf(PortalUnavailableError);
    expect((error as PortalUnavailableError).reason).toBe('network');

    sim.faults.set({ down: false });
    await portal.syncDossier(received);
    expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
  });

  it('is slow on demand, and the client gives up at its deadline', async () => {
    const portal = clientFor({ timeoutMs: 100 });
    await portal.ping();
    sim.faults.set({ latencyMs: { min: 300, max: 400 } });

    const error = await rejectionOf(portal.getDossier(dossierCode()));

    expect(error).toMatchObject({ reason: 'timeout', transient: true });
  });

  describe('wire rules, called directly', () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      axios.post(`${sim.url}${path}`, body, {
        headers: { 'content-type': 'application/json', ...headers },
        validateStatus: () => true,
        transformResponse: [(data: string) => data],
      });
    const login = async () => {
      const answer = await post(
        '/api/login',
        { username: PORTAL_SIMULATOR_DEFAULTS.username, password: PORTAL_SIMULATOR_DEFAULTS.password },
        { 'X-Unit-Code': PORTAL_SIMULATOR_DEFAULTS.unitCode },
      );
      return JSON.parse(answer.data).session as string;
    };
    const validItem = (code: string) => ({
      MaHoSo: code,
      MaTTHC: '1.001234',
      NgayTiepNhan: '20261031080512',
      TrangThaiHoSo: '2',
      HinhThuc: '1',
    });

    it('answers a bad login and an unknown session as the recorded samples do', async () => {
      const badLogin = await post(
        '/api/login',
        { username: 'x', password: 'y' },
        { 'X-Unit-Code': '000.00.00.H56' },
      );
      expect(badLogin.status).toBe(200);
      expect(JSON.parse(badLogin.data)).toEqual(fixture('login.failed.json'));

      const wrongUnit = await post(
        '/api/login',
        { username: PORTAL_SIMULATOR_DEFAULTS.username, password: PORTAL_SIMULATOR_DEFAULTS.password },
        { 'X-Unit-Code': '000.00.00.H01' },
      );
      expect(JSON.parse(wrongUnit.data)).toEqual(fixture('login.unit-not-allowed.json'));

      const unknown = await post('/api/service', { session: 'nope', service: 'TraCuuHoSo', mahoso: 'x' });
      expect(JSON.parse(unknown.data)).toEqual(fixture('session-expired.json'));
    });

    it('refuses a status outside 1–10 and a badly formatted date with per-item messages', async () => {
      const session = await login();
      const good = validItem(dossierCode());
      const bad = { ...validItem(dossierCode()), TrangThaiHoSo: 11, NgayHenTra: '2026-11-07 17:00' };

      const answer = await post('/api/service', { session, service: 'DongBoHoSoMC', data: [good, bad] });

      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.data)).toEqual({
        error_code: -3,
        message: 'Dữ liệu không hợp lệ',
        result: [
          { MaHoSo: good.MaHoSo, error_code: 0, message: 'Đã tạo mới hồ sơ' },
          {
            MaHoSo: bad.MaHoSo,
            error_code: -3,
            message: 'TrangThaiHoSo: phải từ 1 đến 10; NgayHenTra: không đúng định dạng yyyyMMddHHmmss',
          },
        ],
      });
      expect(sim.store.dossier(good.MaHoSo)).toBeDefined();
      expect(sim.store.dossier(bad.MaHoSo)).toBeUndefined();
    });

    it('refuses impossible calendar dates, missing creation fields and progress for unknown dossiers', async () => {
      const session = await login();
      const code = dossierCode();
      const answer = await post('/api/service', {
        session,
        service: 'DongBoHoSoMC',
        data: [{ MaHoSo: code, TrangThaiHoSo: 4, NgayHenTra: '20260230120000' }],
      });
      expect(JSON.parse(answer.data).result[0].message).toBe(
        'MaTTHC: bắt buộc khi tạo mới hồ sơ; NgayTiepNhan: bắt buộc khi tạo mới hồ sơ; NgayHenTra: không đúng định dạng yyyyMMddHHmmss',
      );

      const progress = await post('/api/service', {
        session,
        service: 'CapNhatTienDoHoSoMC',
        data: [{ MaHoSo: code, ThoiDiemXuLy: '20261031080512', TrangThai: 4 }],
      });
      expect(JSON.parse(progress.data)).toMatchObject({ error_code: -3, result: [{ error_code: -3 }] });
    });

    it('answers malformed JSON, unknown services and empty data with error_code -4', async () => {
      const session = await login();
      const malformed = await axios.post(`${sim.url}/api/service`, '{"session":', {
        headers: { 'content-type': 'application/json' },
        transformRequest: [(data: string) => data],
        validateStatus: () => true,
      });
      expect(malformed.status).toBe(400);
      expect(malformed.data).toMatchObject({ error_code: -4 });

      const unknown = await post('/api/service', { session, service: 'XoaHoSo', data: [{}] });
      expect(JSON.parse(unknown.data)).toMatchObject({ error_code: -4 });
      const empty = await post('/api/service', { session, service: 'DongBoHoSoMC', data: [] });
      expect(JSON.parse(empty.data)).toMatchObject({ error_code: -4 });
    });

    it('takes faults and shows dossiers over the admin routes', async () => {
      const set = await axios.post(`${sim.url}/__admin/faults`, {
        rateLimit: { count: 2, retryAfterSeconds: 5 },
      });
      expect(set.data.rateLimit).toEqual({ remaining: 2, retryAfterSeconds: 5 });

      const limited = await post('/api/service', {});
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('5');
      expect(JSON.parse(limited.data)).toEqual(fixture('too-many-requests.json'));

      const cleared = await axios.delete(`${sim.url}/__admin/faults`);
      expect(cleared.data.rateLimit).toBeNull();

      const refused = await axios.post(
        `${sim.url}/__admin/faults`,
        { rateLimit: { count: -1 } },
        {
          validateStatus: () => true,
        },
      );
      expect(refused.status).toBe(400);

      const portal = clientFor();
      const { code } = await receivedAndInProcess(portal);
      const shown = await axios.get(`${sim.url}/__admin/dossiers/${encodeURIComponent(code)}`);
      expect(shown.data.statusHistory.map((u: { status: number }) => u.status)).toEqual([2, 4]);
      const missing = await axios.get(`${sim.url}/__admin/dossiers/nope`, { validateStatus: () => true });
      expect(missing.status).toBe(404);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, type Dispatcher } from 'undici';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { upstreamRetryAfterMs } from '@lienthong/adapters/common';
import {
  PublicServicePortalClient,
  InMemoryPortalDossierCodes,
  TokenPortalClient,
  type PublicServicePortal,
  type PublicServicePortalClientOptions,
  type TokenPortalClientOptions,
} from '@lienthong/adapters/public-service-portal';
import { DOSSIER_STATUS_TABLE, DossierStatus, validatePersonalId } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { PORTAL_SIMULATOR_DEFAULTS, startPortalSimulator, type PortalSimulator } from './portal-simulator';

// The real client, and a client written as OpenCPS sends its requests, against the real simulator over HTTP:
// no nock anywhere in this file.

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
const { username, password, unitCode, dstcode } = PORTAL_SIMULATOR_DEFAULTS;

let sequence = 0;
function dossierCode(): string {
  sequence += 1;
  return `000.17.22.H56-261031-${String(sequence).padStart(4, '0')}`;
}

function eventFor(
  code: string,
  status: DossierStatusEvent['status'],
  occurredAt: string,
  changes: Partial<DossierStatusEvent> = {},
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
    ...changes,
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

type Body = Record<string, any>;

/** A raw JSON POST, as the integrations send theirs: `dstcode` header, JSON body. */
async function post(url: string, body: unknown, headers: Record<string, string> = { dstcode }) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Body | undefined;
  try {
    json = JSON.parse(text) as Body;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

describe('portal simulator', () => {
  let sim: PortalSimulator;
  const clients: PublicServicePortal[] = [];
  const clientFor = (options: Partial<PublicServicePortalClientOptions> = {}) => {
    const made = new PublicServicePortalClient({
      baseUrl: sim.url,
      username,
      password,
      unitCode,
      dstcode,
      logger: quiet,
      resilience: { timeoutMs: 2_000, retries: 0 },
      ...options,
    });
    clients.push(made);
    return made;
  };
  const tokenClientFor = (options: Partial<TokenPortalClientOptions> = {}) => {
    const made = new TokenPortalClient({
      baseUrl: sim.url,
      clientId: PORTAL_SIMULATOR_DEFAULTS.clientId,
      clientSecret: PORTAL_SIMULATOR_DEFAULTS.clientSecret,
      unitCode,
      dossierCodes: new InMemoryPortalDossierCodes(),
      logger: quiet,
      resilience: { timeoutMs: 2_000, retries: 0 },
      ...options,
    });
    clients.push(made);
    return made;
  };
  const catalogue = {
    procedureName: 'Đăng ký khai sinh',
    sectorName: 'Hộ tịch',
    agencyName: 'UBND xã Tân Phú',
  };

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

  describe('with the real client', () => {
    it('creates the dossier, then updates its full record and appends each step in order', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const before = sim.store.stats();

      const created = await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z'), catalogue);
      const updated = await portal.syncDossier(
        eventFor(code, 'IN_PROCESS', '2026-10-31T17:30:00Z'),
        catalogue,
      );

      expect([created.created, updated.created]).toEqual([true, false]);
      const after = sim.store.stats();
      expect([after.creations - before.creations, after.updates - before.updates]).toEqual([1, 1]);
      expect(after.existenceRefusals).toBe(before.existenceRefusals);
      const stored = sim.store.dossier(code)!;
      expect(stored).toMatchObject({
        MaHoSo: code,
        TrangThaiHoSo: 4,
        TenTTHC: 'Đăng ký khai sinh',
        KenhThucHien: '2',
        HinhThuc: '0',
        LoaiDoiTuong: '1',
        MaDoiTuong: '',
        SoGiayToChuHoSo: '',
        // the intake date of the first sync, carried forward by the second (the record is replaced whole)
        NgayTiepNhan: '20261031080512',
        NgayHenTra: '20261107170000',
        DonViXuLy: 'UBND xã Tân Phú',
        TrichYeuHoSo: 'Đăng ký khai sinh',
        TaiLieuNop: [],
        upserts: 2,
      });
      expect(stored.statusHistory).toEqual([
        { status: 2, at: '20261031080512' },
        { status: 4, at: '20261101003000' },
      ]);
      const view = await portal.getDossier(code);
      expect(view).toMatchObject({
        status: DossierStatus.IN_PROCESS,
        receivedAt: '2026-10-31T08:05:12+07:00',
      });
      await expect(portal.getDossier(dossierCode())).resolves.toBeNull();
    });

    it('applies a redelivered event once', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      const before = sim.store.stats();

      await portal.syncDossier(received);
      await portal.syncDossier(received);

      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
      const after = sim.store.stats();
      expect([after.applied - before.applied, after.duplicates - before.duplicates]).toEqual([1, 1]);
    });

    it('sets MaDoiTuong to the portal account an enterprise holds, found by its enterprise code', async () => {
      sim.store.addAccount('0314409058', 'tech-7f3a');
      const portal = clientFor();
      const code = dossierCode();
      const enterprise = { kind: 'ENTERPRISE' as const, enterpriseCode: '0314409058' };

      await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z', { applicant: enterprise }));

      expect(sim.store.dossier(code)).toMatchObject({
        LoaiDoiTuong: '2',
        MaDoiTuong: 'tech-7f3a',
        SoGiayToChuHoSo: '0314409058',
      });
    });

    it('logs in again once when every session is expired, shared by concurrent callers', async () => {
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

    it('recovers from a session that ran out on the portal, which announces no lifetime', async () => {
      const shortLived = await startPortalSimulator({ port: 0, logger: quiet, sessionTtlMs: 200 });
      try {
        const portal = clientFor({ baseUrl: shortLived.url });
        const code = dossierCode();
        await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:00:00Z'));
        await new Promise((resolve) => setTimeout(resolve, 300));
        await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T02:00:00Z'));

        expect(shortLived.store.dossier(code)!.statusHistory.map((u) => u.status)).toEqual([2, 4]);
        expect(shortLived.store.stats().logins).toBe(2);
      } finally {
        await shortLived.close();
      }
    });

    it('answers 429 with Retry-After as "slow down", then accepts the same event', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      await portal.ping();
      sim.faults.set({ rateLimit: { count: 1, retryAfterSeconds: 2 } });

      const error = await rejectionOf(portal.syncDossier(received));
      expect(error).toMatchObject({ code: 'PORTAL_RATE_LIMITED' });
      expect(upstreamRetryAfterMs(error)).toBe(2000);

      await portal.syncDossier(received);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
    });

    it.each([500, 502, 503] as const)('reports HTTP %s as unavailable, then delivers', async (status) => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      await portal.ping();
      sim.faults.set({ serverErrors: { count: 1, status } });

      const error = await rejectionOf(portal.syncDossier(received));
      expect(error).toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
      expect(error).toMatchObject({ details: { reason: 'HTTP_STATUS', status }, transient: true });

      await portal.syncDossier(received);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
    });

    it('reports a cut-off JSON answer as unavailable; the retry applies the update once', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      await portal.ping();
      sim.faults.set({ malformedResponses: { count: 1 } });

      await expect(rejectionOf(portal.syncDossier(received))).resolves.toMatchObject({
        transient: true,
        details: { reason: 'MALFORMED' },
      });
      await portal.syncDossier(received);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
    });

    it('refuses listed dossiers permanently until the list is cleared', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      sim.faults.set({ rejectDossiers: [code] });

      const error = await rejectionOf(portal.syncDossier(received));
      expect(error).toMatchObject({ code: 'PORTAL_REJECTED' });
      expect(error).toMatchObject({ transient: false });
      expect((error as Error).message).toContain('từ chối tiếp nhận đồng bộ');
      expect(sim.store.dossier(code)).toBeUndefined();

      sim.faults.set({ rejectDossiers: [] });
      await portal.syncDossier(received);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);
    });

    it('drops connections while down and serves again once up; is slow on demand past the deadline', async () => {
      const portal = clientFor();
      const code = dossierCode();
      const received = eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z');
      await portal.ping();
      sim.faults.set({ down: true });
      await expect(rejectionOf(portal.syncDossier(received))).resolves.toMatchObject({
        details: { reason: 'NETWORK' },
      });
      sim.faults.set({ down: false });
      await portal.syncDossier(received);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(1);

      const slow = clientFor({ resilience: { timeoutMs: 100, retries: 0 } });
      await slow.ping();
      sim.faults.set({ latencyMs: { min: 300, max: 400 } });
      await expect(rejectionOf(slow.getDossier(dossierCode()))).resolves.toMatchObject({
        transient: true,
        details: { reason: 'TIMEOUT' },
      });
    });

    it.each(['opencps', 'token-2025'] as const)(
      'never sends a personal ID (%s dialect): every request of every kind of dossier and status, scanned',
      async (dialect) => {
        const requests: string[] = [];
        const pool = new Pool(sim.url);
        // what the client hands its dispatcher is what goes on the wire: path, headers and body
        const recording = {
          request(options: Dispatcher.RequestOptions) {
            // random values (a credential, a request id) may hold any run of digits: they carry no data
            const headers = { ...(options.headers as Record<string, string>) };
            if (headers.authorization) headers.authorization = '<credential>';
            if (headers['x-request-id']) headers['x-request-id'] = '<uuid>';
            requests.push(JSON.stringify({ path: options.path, headers, body: options.body }));
            return pool.request(options);
          },
          close: () => pool.close(),
        } as unknown as Dispatcher;
        sim.store.addAccount('0100109106', 'tech-0100');
        const portal =
          dialect === 'opencps'
            ? clientFor({ dispatcher: recording })
            : tokenClientFor({ dispatcher: recording });
        const people = [
          { applicant: { kind: 'CITIZEN' as const, personalId: '079203001234' }, channel: 'ONLINE' as const },
          {
            applicant: { kind: 'CITIZEN' as const, personalId: '001185009876' },
            channel: 'COUNTER' as const,
          },
          {
            applicant: { kind: 'ENTERPRISE' as const, enterpriseCode: '0100109106' },
            channel: 'ONLINE' as const,
          },
          { applicant: { kind: 'ORGANISATION' as const }, channel: 'POSTAL' as const },
        ];
        const statuses = DOSSIER_STATUS_TABLE.map((row) => row.status).filter(
          (s) => !['REJECTED', 'WITHDRAWN', 'STOPPED'].includes(s),
        ) as DossierStatusEvent['status'][];
        for (const person of people) {
          const code = dossierCode();
          let at = Date.parse('2026-10-31T01:00:00Z');
          for (const status of statuses) {
            at += 3_600_000;
            await portal.syncDossier(eventFor(code, status, new Date(at).toISOString(), person), catalogue);
          }
          for (const ending of ['REJECTED', 'WITHDRAWN', 'STOPPED'] as const) {
            await portal.syncDossier(eventFor(dossierCode(), ending, '2026-10-31T05:00:00Z', person));
          }
          await portal.getDossier(code);
        }
        await portal.getEvaluation('000.17.22.H56', { kind: 'MONTH', key: '2026-10' });

        expect(requests.length).toBeGreaterThan(60);
        const all = requests.join('\n');
        for (const id of ['079203001234', '001185009876']) expect(all).not.toContain(id);
        // nor anything else shaped like a personal ID (12 digits that validate) or an old 9-digit ID card
        const candidates = all.match(/(?<!\d)(\d{12}|\d{9})(?!\d)/g) ?? [];
        expect(candidates.filter((n) => n.length === 9 || validatePersonalId(n).valid)).toEqual([]);
        // the enterprise code does leave, as the owner's document (and, OpenCPS-era, to find its portal account)
        expect(all).toContain('0100109106');
      },
    );
  });

  describe('an OpenCPS-style client over HTTP (login with dstcode, sync, update with isUpdating)', () => {
    // What DVCQGIntegrationActionImpl sends (field names and order of createSyncDossierBodyRequest and
    // createSyncDossierStatusBodyRequest); the values are synthetic.
    const opencpsItem = (code: string, status: string, extra: Body = {}) => ({
      MaHoSo: code,
      MaTTHC: '1.001193',
      TenTTHC: 'Đăng ký khai sinh',
      MaLinhVuc: 'HT',
      TenLinhVuc: 'Hộ tịch',
      ChuHoSo: 'Trần Thị Bình',
      LoaiDoiTuong: '1',
      MaDoiTuong: '',
      ThongTinKhac: '',
      Email: 'binh.tran@example.vn',
      Fax: '0912345678',
      SoDienThoai: '0912345678',
      TrichYeuHoSo: 'Đăng ký khai sinh cho con',
      NgayTiepNhan: '20261031080512',
      NgayHenTra: '20261105170000',
      TrangThaiHoSo: status,
      NgayTra: '',
      ThongTinTra: '',
      HinhThuc: '0',
      NgayKetThucXuLy: '',
      DonViXuLy: 'UBND xã Tân Phú',
      GhiChu: 'Đăng ký khai sinh cho con',
      TaiLieuNop: [],
      DanhSachLePhi: [],
      DanhSachTepDinhKemKhac: [],
      DanhSachHoSoBoSung: [],
      DanhSachGiayToKetQua: [],
      ...extra,
    });
    const opencpsStep = (code: string, status: string, at: string) => ({
      MaHoSo: code,
      NguoiXuLy: 'Cán bộ một cửa',
      ChucDanh: '',
      ThoiDiemXuLy: at,
      PhongBanXuLy: '',
      NoiDungXuLy: 'Chuyển xử lý',
      TrangThai: status,
      NgayBatDau: '',
      NgayKetThucTheoQuyDinh: '',
    });
    /** syncDossierAndDossierStatus: TraCuuHoSo, DongBoHoSoMC with isUpdating, then CapNhatTienDoHoSoMC if 0. */
    async function opencpsSync(session: string, item: Body, step: Body) {
      const integration = `${sim.url}/api/service`;
      const search = await post(integration, {
        session,
        madonvi: unitCode,
        service: 'TraCuuHoSo',
        mahoso: item.MaHoSo,
      });
      const hasSync = Array.isArray(search.json?.result) && search.json.result.length > 0;
      const sync = await post(integration, {
        session,
        madonvi: unitCode,
        isUpdating: hasSync ? 'True' : 'False',
        data: [item],
        service: 'DongBoHoSoMC',
      });
      // GetterUtil.getInteger(result.getString("error_code")) == 0
      if (Number(sync.json?.error_code) !== 0) return { hasSync, sync, step: undefined };
      const progress = await post(integration, {
        session,
        madonvi: unitCode,
        service: 'CapNhatTienDoHoSoMC',
        data: [step],
      });
      return { hasSync, sync, step: progress };
    }

    it('logs in with only dstcode, creates the dossier, then updates it with isUpdating "True"', async () => {
      const login = await post(`${sim.url}/api/login`, { username, password }, { dstcode });
      expect(login.json).toMatchObject({ error_code: 0 });
      expect(login.json).not.toHaveProperty('expires_in');
      const session = login.json!.session as string;
      const code = dossierCode();

      const first = await opencpsSync(
        session,
        opencpsItem(code, '2'),
        opencpsStep(code, '2', '20261031080512'),
      );
      expect(first.hasSync).toBe(false);
      expect([first.sync.json?.error_code, first.step?.json?.error_code]).toEqual([0, 0]);

      const second = await opencpsSync(
        session,
        opencpsItem(code, '4'),
        opencpsStep(code, '4', '20261031100000'),
      );
      expect(second.hasSync).toBe(true);
      expect([second.sync.json?.error_code, second.step?.json?.error_code]).toEqual([0, 0]);

      expect(sim.store.dossier(code)).toMatchObject({
        TrangThaiHoSo: 4,
        ChuHoSo: 'Trần Thị Bình',
        Fax: '0912345678',
        statusHistory: [
          { status: 2, at: '20261031080512' },
          { status: 4, at: '20261031100000' },
        ],
      });
    });

    it('is refused what a real portal refuses: no dstcode, a second creation, an update of nothing', async () => {
      const noRoute = await post(`${sim.url}/api/login`, { username, password }, {});
      expect(noRoute.json).toEqual(fixture('login.dstcode-refused.json'));
      const unitHeaderOnly = await post(
        `${sim.url}/api/login`,
        { username, password },
        { 'X-Unit-Code': unitCode },
      );
      expect(unitHeaderOnly.json?.error_code).not.toBe(0);

      const session = (await post(`${sim.url}/api/login`, { username, password })).json!.session as string;
      const code = dossierCode();
      await opencpsSync(session, opencpsItem(code, '2'), opencpsStep(code, '2', '20261031080512'));
      const again = await post(`${sim.url}/api/service`, {
        session,
        madonvi: unitCode,
        isUpdating: 'False',
        data: [opencpsItem(code, '4')],
        service: 'DongBoHoSoMC',
      });
      expect(again.json).toMatchObject({ error_code: -3, message: `Hồ sơ ${code} đã tồn tại trên hệ thống` });

      const ghost = dossierCode();
      const update = await post(`${sim.url}/api/service`, {
        session,
        madonvi: unitCode,
        isUpdating: 'True',
        data: [opencpsItem(ghost, '4')],
        service: 'DongBoHoSoMC',
      });
      expect(update.json?.message).toContain('không tồn tại');
      expect(sim.store.dossier(ghost)).toBeUndefined();
    });
  });

  describe('wire rules, called directly', () => {
    const integration = () => `${sim.url}/api/service`;
    const login = async () =>
      (await post(`${sim.url}/api/login`, { username, password })).json!.session as string;
    const validItem = (code: string, extra: Body = {}) => ({
      MaHoSo: code,
      MaTTHC: '1.001234',
      NgayTiepNhan: '20261031080512',
      TrangThaiHoSo: '2',
      HinhThuc: '0',
      KenhThucHien: '2',
      LoaiDoiTuong: '1',
      MaDoiTuong: '',
      ...extra,
    });
    const sync = (session: string, data: unknown[], isUpdating = 'False') =>
      post(integration(), { session, madonvi: unitCode, service: 'DongBoHoSoMC', isUpdating, data });

    it('answers a bad login, an unknown session and another unit as the samples do', async () => {
      const badLogin = await post(`${sim.url}/api/login`, { username: 'x', password: 'y' });
      expect(badLogin.status).toBe(200);
      expect(badLogin.json).toEqual(fixture('login.failed.json'));

      const unknown = await post(integration(), {
        session: 'nope',
        madonvi: unitCode,
        service: 'TraCuuHoSo',
        mahoso: 'x',
      });
      expect(unknown.json).toEqual(fixture('session-expired.json'));

      const session = await login();
      const otherUnit = await post(integration(), {
        session,
        madonvi: '000.00.00.H01',
        service: 'TraCuuHoSo',
        mahoso: 'x',
      });
      expect(otherUnit.json?.error_code).toBe(-6);
      const noRoute = await post(
        integration(),
        { session, madonvi: unitCode, service: 'TraCuuHoSo', mahoso: 'x' },
        {},
      );
      expect(noRoute.json?.error_code).toBe(-6);
    });

    it('judges each item and says the first refusal in the top-level message, which is all clients read', async () => {
      const session = await login();
      const good = validItem(dossierCode());
      const bad = { ...validItem(dossierCode()), TrangThaiHoSo: 11, NgayHenTra: '2026-11-07 17:00' };

      const answer = await sync(session, [good, bad]);

      expect(answer.json).toEqual({
        error_code: -3,
        message: 'TrangThaiHoSo: phải từ 1 đến 10; NgayHenTra: không đúng định dạng yyyyMMddHHmmss',
        result: [
          { MaHoSo: good.MaHoSo, error_code: 0, message: 'Thêm mới hồ sơ thành công' },
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

    it('needs the whole record on every sync, and a blank overwrites what was stored', async () => {
      const session = await login();
      const code = dossierCode();
      await sync(session, [validItem(code, { ChuHoSo: 'Nguyễn Văn An' })]);

      const blankIntake = await sync(
        session,
        [validItem(code, { NgayTiepNhan: '', TrangThaiHoSo: '4' })],
        'True',
      );
      expect(blankIntake.json?.message).toBe('NgayTiepNhan: bắt buộc');

      await sync(session, [validItem(code, { TrangThaiHoSo: '4', ChuHoSo: '' })], 'True');
      expect(sim.store.dossier(code)).toMatchObject({ ChuHoSo: '', TrangThaiHoSo: 4, DanhSachLePhi: [] });
    });

    it('refuses codes outside the dialect and a MaDoiTuong that names no portal account', async () => {
      const session = await login();
      const problems = async (extra: Body) =>
        (await sync(session, [validItem(dossierCode(), extra)])).json?.message;

      expect(await problems({ HinhThuc: '2' })).toBe('HinhThuc: phải là một trong 0, 1');
      expect(await problems({ KenhThucHien: '0' })).toBe('KenhThucHien: phải là một trong 1, 2, 3');
      expect(await problems({ LoaiDoiTuong: '5' })).toBe('LoaiDoiTuong: phải là một trong 1, 2, 3, 4');
      expect(await problems({ MaDoiTuong: '001090012345' })).toBe(
        'MaDoiTuong: không tìm thấy tài khoản trên Cổng Dịch vụ công quốc gia',
      );
      const oddFlag = await sync(session, [validItem(dossierCode())], 'yes');
      expect(oddFlag.json).toMatchObject({ error_code: -4 });
    });

    it('refuses progress for a dossier it does not hold, and answers TraCuuTechID from its accounts', async () => {
      const session = await login();
      const progress = await post(integration(), {
        session,
        madonvi: unitCode,
        service: 'CapNhatTienDoHoSoMC',
        data: [{ MaHoSo: dossierCode(), ThoiDiemXuLy: '20261031080512', TrangThai: 4 }],
      });
      expect(progress.json).toMatchObject({ error_code: -3, result: [{ error_code: -3 }] });

      sim.store.addAccount('0314409058', 'tech-1');
      const found = await post(`${sim.url}/api/share`, {
        session,
        madonvi: unitCode,
        service: 'TraCuuTechID',
        provider: 'wso2is',
        mstorcmnd: '0314409058',
      });
      expect(found.json).toMatchObject({ error_code: 0, result: [{ TECHNICALID: 'tech-1' }] });
    });

    it('answers malformed JSON, unknown services, services on the wrong endpoint and empty data with -4', async () => {
      const session = await login();
      const malformed = await post(integration(), '{"session":');
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({ error_code: -4 });

      const unknown = await post(integration(), {
        session,
        madonvi: unitCode,
        service: 'XoaHoSo',
        data: [{}],
      });
      expect(unknown.json).toMatchObject({ error_code: -4 });
      const misplaced = await post(`${sim.url}/api/share`, {
        session,
        madonvi: unitCode,
        service: 'TraCuuHoSo',
        mahoso: 'x',
      });
      expect(misplaced.json).toMatchObject({ error_code: -4 });
      const empty = await sync(session, []);
      expect(empty.json).toMatchObject({ error_code: -4 });
    });

    it('takes faults, accounts and the portal’s own evaluations over the admin routes', async () => {
      const set = await post(
        `${sim.url}/__admin/faults`,
        { rateLimit: { count: 2, retryAfterSeconds: 5 } },
        {},
      );
      expect(set.json?.rateLimit).toEqual({ remaining: 2, retryAfterSeconds: 5 });
      const limited = await post(integration(), {});
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('5');
      expect(limited.json).toEqual(fixture('too-many-requests.json'));
      const cleared = await fetch(`${sim.url}/__admin/faults`, { method: 'DELETE' });
      expect(((await cleared.json()) as Body).rateLimit).toBeNull();
      expect((await post(`${sim.url}/__admin/faults`, { rateLimit: { count: -1 } }, {})).status).toBe(400);

      expect((await post(`${sim.url}/__admin/accounts`, { '0100233488': 'tech-9' }, {})).json).toEqual({
        added: 1,
      });
      const evaluation = {
        unitCode: '000.17.22.H56',
        periodKind: 'THANG',
        period: '2026-10',
        totalScore: 71.5,
        groupScores: [
          { group: 'CKMB', score: 12, maxScore: 18, criteria: [{ code: 'CKMB.4', score: 6, maxScore: 6 }] },
        ],
      };
      expect((await post(`${sim.url}/__admin/evaluations`, evaluation, {})).status).toBe(200);
      expect(
        (await post(`${sim.url}/__admin/evaluations`, { ...evaluation, periodKind: 'WEEK' }, {})).status,
      ).toBe(400);
      const session = await login();
      const served = await post(`${sim.url}/api/share`, {
        session,
        madonvi: unitCode,
        service: 'LayKetQuaDanhGia',
        madonvidanhgia: '000.17.22.H56',
        loaiky: 'THANG',
        ky: '2026-10',
      });
      expect(served.json).toMatchObject({
        error_code: 0,
        result: [
          {
            unitCode: '000.17.22.H56',
            period: '2026-10',
            totalScore: 71.5,
            groupScores: evaluation.groupScores,
          },
        ],
      });

      const code = dossierCode();
      await sync(session, [validItem(code)]);
      const shown = await fetch(`${sim.url}/__admin/dossiers/${encodeURIComponent(code)}`);
      expect(((await shown.json()) as Body).MaHoSo).toBe(code);
      expect((await fetch(`${sim.url}/__admin/dossiers/nope`)).status).toBe(404);
    });
  });

  describe('the token-based dialect (synthetic, shape assumed from 2025 clients)', () => {
    const { clientId, clientSecret } = PORTAL_SIMULATOR_DEFAULTS;
    const basic = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${sim.url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: Body | undefined;
      try {
        json = JSON.parse(text) as Body;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, json };
    }
    async function bearer(): Promise<Record<string, string>> {
      const answer = await fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basic(clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const json = (await answer.json()) as Body;
      return { authorization: `Bearer ${json.access_token as string}` };
    }
    const record = (code: string, changes: Body = {}): Body => ({
      MaHoSo: code,
      MaDonVi: unitCode,
      MaTTHC: '1.001234',
      TenTTHC: 'Đăng ký khai sinh',
      KenhThucHien: '2',
      LoaiDoiTuong: '1',
      MaDoiTuong: '',
      NgayTiepNhan: '2026-10-31T08:05:12+07:00',
      NgayHenTra: '2026-11-07T17:00:00+07:00',
      NgayTra: null,
      TrangThaiHoSo: '2',
      HinhThuc: '0',
      TaiLieuNop: [],
      ...changes,
    });

    it('takes the real client: the portal issues the code, later events update the record and add steps', async () => {
      const portal = tokenClientFor();
      const code = dossierCode();
      const before = sim.store.stats();

      const created = await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z'), catalogue);
      const updated = await portal.syncDossier(
        eventFor(code, 'IN_PROCESS', '2026-10-31T17:30:00Z'),
        catalogue,
      );

      expect([created.created, updated.created]).toEqual([true, false]);
      const held = sim.store.dossier(code)!;
      expect(held.portalCode).toMatch(/^QG-/);
      expect(held).toMatchObject({
        TrangThaiHoSo: 4,
        NgayTiepNhan: '20261031080512',
        TenTTHC: 'Đăng ký khai sinh',
      });
      expect(held.statusHistory).toEqual([
        { status: 2, at: '20261031080512' },
        { status: 4, at: '20261101003000' },
      ]);
      const after = sim.store.stats();
      expect(after.tokensIssued - before.tokensIssued).toBe(1);
      expect([after.creations - before.creations, after.updates - before.updates]).toEqual([1, 1]);
      await expect(portal.getDossier(code)).resolves.toMatchObject({
        dossierCode: code,
        status: 'IN_PROCESS',
        receivedAt: '2026-10-31T08:05:12+07:00',
      });
    });

    it("reads the portal's own evaluation of a unit for a period, and none where it has none", async () => {
      const portal = tokenClientFor();
      sim.store.setEvaluation({
        unitCode: '000.17.22.H56',
        periodKind: 'THANG',
        period: '2026-10',
        totalScore: 80.5,
        groupScores: [{ group: 'TDGQ', score: 18, maxScore: 20 }],
      });

      await expect(
        portal.getEvaluation('000.17.22.H56', { kind: 'MONTH', key: '2026-10' }),
      ).resolves.toMatchObject({
        agencyCode: '000.17.22.H56',
        total: 80.5,
        groups: [{ group: 'TDGQ', score: 18, maxScore: 20 }],
      });
      await expect(
        portal.getEvaluation('000.17.22.H56', { kind: 'QUARTER', key: '2026-Q4' }),
      ).resolves.toBeNull();
    });

    it('renews an expired token once and goes on; creates again a dossier the portal lost', async () => {
      const portal = tokenClientFor();
      const code = dossierCode();
      await portal.syncDossier(eventFor(code, 'RECEIVED', '2026-10-31T01:05:12Z'));

      sim.faults.set({ expireSessions: true });
      await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T03:00:00Z'));
      expect(portal.tokenFetches).toBe(2);
      expect(sim.store.dossier(code)!.statusHistory).toHaveLength(2);

      await fetch(`${sim.url}/__admin/reset`, { method: 'POST' });
      const again = await portal.syncDossier(eventFor(code, 'IN_PROCESS', '2026-10-31T04:00:00Z'), catalogue);
      expect(again.created).toBe(true);
      expect(sim.store.dossier(code)).toMatchObject({ portalCode: expect.any(String), TrangThaiHoSo: 4 });
    });

    it('answers, and the adapter sends, bodies that match the assumed OpenAPI contract', async () => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      const file = join(
        __dirname,
        '..',
        '..',
        '..',
        '..',
        'contracts/upstream/public-service-portal/openapi.token-2025.yaml',
      );
      ajv.addSchema(load(readFileSync(file, 'utf8')) as object, 'openapi');
      const check = (name: string, body: unknown) => {
        const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
        expect(validate(body) ? [] : validate.errors).toEqual([]);
      };
      // the adapter's recorded-shape requests
      check('Dossier', fixture('token-2025/dossier.update.request.json'));
      check('Dossier', fixture('token-2025/dossier.create.request.json'));
      check('Step', fixture('token-2025/progress.request.json'));
      for (const name of ['dossier-exists', 'dossier-not-found', 'invalid-token', 'invalid-dossier']) {
        check('Problem', fixture(`token-2025/${name}.problem.json`));
      }
      // the simulator's answers
      const tokenAnswer = await fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basic(clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const issued = (await tokenAnswer.json()) as Body;
      check('TokenResponse', issued);
      const auth = { authorization: `Bearer ${issued.access_token as string}` };
      const code = dossierCode();
      const created = await call('POST', '/api/v2/dossiers', record(code), auth);
      check('DossierAnswer', created.json);
      const portalCode = created.json?.MaHoSoQuocGia as string;
      await call(
        'POST',
        `/api/v2/dossiers/${portalCode}/progress`,
        { ThoiDiemXuLy: '2026-10-31T09:00:00+07:00', TrangThai: '2' },
        auth,
      );
      check('StoredDossier', (await call('GET', `/api/v2/dossiers/${portalCode}`, undefined, auth)).json);
      check('Problem', (await call('POST', '/api/v2/dossiers', record(code), auth)).json);
      check('Problem', (await call('GET', '/api/v2/dossiers/QG-NOPE', undefined, auth)).json);
      check('Problem', (await call('GET', '/api/v2/dossiers/QG-NOPE')).json);
    });

    it('refuses what a real portal would, as problem+json with a stable code', async () => {
      const wrongSecret = await fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basic(clientId, 'guess'),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      expect([wrongSecret.status, ((await wrongSecret.json()) as Body).error]).toEqual([
        401,
        'invalid_client',
      ]);
      const password = await fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basic(clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=password&username=a&password=b',
      });
      expect([password.status, ((await password.json()) as Body).error]).toEqual([
        400,
        'unsupported_grant_type',
      ]);

      const code = dossierCode();
      const anonymous = await call('POST', '/api/v2/dossiers', record(code));
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(anonymous.json).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
      const expired = await bearer();
      sim.faults.set({ expireSessions: true });
      expect((await call('POST', '/api/v2/dossiers', record(code), expired)).json?.code).toBe(
        'INVALID_TOKEN',
      );

      const auth = await bearer();
      const compact = await call(
        'POST',
        '/api/v2/dossiers',
        record(code, { NgayTiepNhan: '20261031080512' }),
        auth,
      );
      expect(compact.status).toBe(422);
      expect(compact.json).toMatchObject({
        code: 'INVALID_DOSSIER',
        errors: [{ field: 'NgayTiepNhan' }],
      });
      const noOffset = await call(
        'POST',
        '/api/v2/dossiers',
        record(code, { NgayHenTra: '2026-11-07T17:00:00' }),
        auth,
      );
      expect(noOffset.json).toMatchObject({ code: 'INVALID_DOSSIER', errors: [{ field: 'NgayHenTra' }] });
      const otherUnit = await call(
        'POST',
        '/api/v2/dossiers',
        record(code, { MaDonVi: '000.00.00.H01' }),
        auth,
      );
      expect(otherUnit.json).toMatchObject({ code: 'INVALID_DOSSIER', errors: [{ field: 'MaDonVi' }] });
      const personalIdAccount = await call(
        'POST',
        '/api/v2/dossiers',
        record(code, { MaDoiTuong: '001090012345' }),
        auth,
      );
      expect(personalIdAccount.json).toMatchObject({
        code: 'INVALID_DOSSIER',
        errors: [{ field: 'MaDoiTuong' }],
      });
      expect(sim.store.has(code)).toBe(false);

      const created = await call('POST', '/api/v2/dossiers', record(code), auth);
      expect(created.status).toBe(201);
      const portalCode = created.json?.MaHoSoQuocGia as string;
      const twice = await call('POST', '/api/v2/dossiers', record(code), auth);
      expect([twice.status, twice.json?.code, twice.json?.MaHoSoQuocGia]).toEqual([
        409,
        'DOSSIER_EXISTS',
        portalCode,
      ]);
      const unknown = await call('PUT', '/api/v2/dossiers/QG-NOPE', record(code), auth);
      expect([unknown.status, unknown.json?.code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
      const stepOfUnknown = await call('POST', '/api/v2/dossiers/QG-NOPE/progress', {}, auth);
      expect([stepOfUnknown.status, stepOfUnknown.json?.code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
      const otherDossier = await call('PUT', `/api/v2/dossiers/${portalCode}`, record(dossierCode()), auth);
      expect(otherDossier.json).toMatchObject({ code: 'INVALID_DOSSIER', errors: [{ field: 'MaHoSo' }] });
      const notJson = await call('PUT', `/api/v2/dossiers/${portalCode}`, '{"MaHoSo":', auth);
      expect([notJson.status, notJson.json?.code]).toEqual([400, 'INVALID_REQUEST']);

      const step = { ThoiDiemXuLy: '2026-10-31T09:00:00+07:00', TrangThai: '4', NoiDungXuLy: 'Đang xử lý' };
      const first = await call('POST', `/api/v2/dossiers/${portalCode}/progress`, step, auth);
      const repeat = await call('POST', `/api/v2/dossiers/${portalCode}/progress`, step, auth);
      expect([first.status, repeat.status, repeat.json?.duplicate]).toEqual([201, 200, true]);
      expect(sim.store.dossier(code)!.statusHistory).toEqual([{ status: 4, at: '20261031090000' }]);
    });
  });
});

import { createLogger } from '@lienthong/observability';
import { PORTAL_SIMULATOR_DEFAULTS, startPortalSimulator, type PortalSimulator } from './portal-simulator';

// The national procedure catalogue services of the simulated portal, over real HTTP as an integration calls them.

type Body = Record<string, any>;
const { username, password, unitCode, dstcode } = PORTAL_SIMULATOR_DEFAULTS;

describe('portal simulator: the national procedure catalogue', () => {
  let sim: PortalSimulator;
  let session: string;

  const post = async (path: string, body: Body): Promise<Body> => {
    const response = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dstcode },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Body;
  };
  const share = (service: string, more: Body = {}) =>
    post('/api/share', { session, madonvi: unitCode, service, ...more });
  const integration = (service: string, more: Body = {}) =>
    post('/api/service', { session, madonvi: unitCode, service, ...more });

  beforeAll(async () => {
    sim = await startPortalSimulator({ logger: createLogger({ name: 'spec', level: 'silent' }) });
    session = (await post('/api/login', { username, password })).session as string;
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.faults.clear();
    sim.catalogue.reset();
  });

  it('pages LayDanhSachTTHC in code order with the total, and refuses a page size over 100', async () => {
    const first = await share('LayDanhSachTTHC', { trang: 1, sobanghi: 5 });
    expect(first).toMatchObject({ error_code: 0, tongso: 13 });
    expect(first.result).toHaveLength(5);
    expect(first.result[0]).toEqual({ MaTTHC: '1.000894', TenTTHC: 'Đăng ký kết hôn' });
    const last = await share('LayDanhSachTTHC', { trang: 3, sobanghi: 5 });
    expect(last.result).toHaveLength(3);
    const all = [
      ...first.result,
      ...(await share('LayDanhSachTTHC', { trang: 2, sobanghi: 5 })).result,
      ...last.result,
    ];
    expect(new Set(all.map((p: Body) => p.MaTTHC)).size).toBe(13);
    expect((await share('LayDanhSachTTHC')).result).toHaveLength(13); // default page size 50
    expect(await share('LayDanhSachTTHC', { sobanghi: 101 })).toMatchObject({ error_code: -4 });
    expect(await share('LayDanhSachTTHC', { trang: 0 })).toMatchObject({ error_code: -4 });
  });

  it('answers one procedure in full with LayThuTuc, an empty result for an unknown code', async () => {
    const found = await integration('LayThuTuc', { mathutuc: '2.001255' });
    expect(found.error_code).toBe(0);
    expect(found.result[0]).toMatchObject({
      MaTTHC: '2.001255',
      MaLinhVuc: 'QT',
      CapThucHien: ['2'],
      CoQuanThucHien: [{ MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp' }],
      TiepNhanKhongPhuThuocDiaGioi: '0',
      ThanhToanTrucTuyen: '0',
      TrangThai: '1',
    });
    expect(found.result[0].CachThucThucHien[0]).toMatchObject({ KenhThucHien: '1', ThoiGian: 115 });
    expect(await integration('LayThuTuc', { mathutuc: '9.999999' })).toMatchObject({
      error_code: 0,
      result: [],
    });
    expect(await integration('LayThuTuc', {})).toMatchObject({ error_code: -4 });
    // LayThuTuc is an integration service, the lists are sharing services
    expect(await share('LayThuTuc', { mathutuc: '2.001255' })).toMatchObject({ error_code: -4 });
    expect(await integration('LayDanhMucLinhVuc')).toMatchObject({ error_code: -4 });
  });

  it('lists sectors with their branch and agencies, and serves what a test puts in the catalogue', async () => {
    const sectors = await share('LayDanhMucLinhVuc');
    expect(sectors.result).toContainEqual({ MaLinhVuc: 'QT', TenLinhVuc: 'Quốc tịch', MaNganh: 'BTP' });
    const agencies = await share('LayDanhMucCoQuan');
    expect(agencies.result).toContainEqual({
      MaCoQuan: '000.00.14.H56',
      TenCoQuan: 'Sở Tư pháp',
      MaCoQuanCha: '000.00.00.H56',
    });
    sim.catalogue.put({ MaTTHC: '3.000001', TenTTHC: 'Thủ tục mới', MaLinhVuc: 'NC' });
    expect((await share('LayDanhSachTTHC')).tongso).toBe(14);
    expect((await integration('LayThuTuc', { mathutuc: '3.000001' })).result[0].TenLinhVuc).toBe(
      'Nuôi con nuôi',
    );
  });

  it('fails LayThuTuc for the procedures the failProcedures fault names, until cleared', async () => {
    expect(sim.faults.set({ failProcedures: ['1.001193'] }).failProcedures).toEqual(['1.001193']);
    expect(await integration('LayThuTuc', { mathutuc: '1.001193' })).toMatchObject({ error_code: -1 });
    expect((await integration('LayThuTuc', { mathutuc: '1.000894' })).error_code).toBe(0);
    sim.faults.set({ failProcedures: null });
    expect((await integration('LayThuTuc', { mathutuc: '1.001193' })).error_code).toBe(0);
    expect(() => sim.faults.set({ failProcedures: 'x' as never })).toThrow(/failProcedures/);
  });
});

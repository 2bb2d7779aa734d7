import { ResidenceSimulator, startResidenceSimulator } from './residence.simulator';

const CHILD = '001324000123';
const HEAD = '001093054321';

function registration(maYeuCau: string, overrides: Record<string, unknown> = {}) {
  return {
    maYeuCau,
    congDan: { soDinhDanh: CHILD, hoTen: 'Nguyễn Minh An', ngaySinh: '2024-02-29' },
    soGiayKhaiSinh: '000001/2024/KS',
    soDinhDanhChuHo: HEAD,
    diaChiThuongTru: 'Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội',
    ...overrides,
  };
}

describe('residence simulator over HTTP', () => {
  let sim: ResidenceSimulator;
  let token: string;
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const fetchToken = (authorization = basic('lienthong', 'lienthong-dev-secret')) =>
    fetch(`${sim.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
  const post = (path: string, body: unknown, bearer = token) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sim = await startResidenceSimulator();
    token = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.faults.clear();
    sim.refusals.clear();
  });

  it('registers a child’s permanent residence and stores it', async () => {
    const response = await post('/api/cu-tru/v1/thuong-tru', registration('YC-1'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      maYeuCau: 'YC-1',
      ketQua: 'DA_DANG_KY',
      soDinhDanh: CHILD,
      diaChiThuongTru: 'Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội',
    });
    expect(body.ngayDangKy).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sim.store.residents.get(CHILD)).toBe('Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội');
    expect(sim.store.registrations.get('YC-1')?.request.soGiayKhaiSinh).toBe('000001/2024/KS');
  });

  it('answers a repeated request id with the same answer; another request for the same child is refused', async () => {
    const first = await (await post('/api/cu-tru/v1/thuong-tru', registration('YC-1'))).json();
    expect(first).toMatchObject({ ketQua: 'DA_DANG_KY' });
    expect(sim.store.registrations.size).toBe(1);
    const other = await (await post('/api/cu-tru/v1/thuong-tru', registration('YC-2'))).json();
    expect(other).toMatchObject({ ketQua: 'TU_CHOI', lyDoTuChoi: { ma: 'DA_CO_THUONG_TRU' } });
    const reused = await post('/api/cu-tru/v1/thuong-tru', registration('YC-1', { soGiayKhaiSinh: 'X' }));
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ loi: { ma: 'TRUNG_MA_YEU_CAU' } });
  });

  it('refuses a personal ID of unknown format, and on demand, with a citizen-readable reason', async () => {
    const bad = await post(
      '/api/cu-tru/v1/thuong-tru',
      registration('YC-3', { congDan: { soDinhDanh: '999324000123', hoTen: 'A', ngaySinh: '2024-02-29' } }),
    );
    expect(await bad.json()).toMatchObject({
      ketQua: 'TU_CHOI',
      lyDoTuChoi: { ma: 'SO_DINH_DANH_KHONG_HOP_LE' },
    });
    sim.refusals.add({
      match: '001325000777',
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ không thuộc hộ của chủ hộ.',
    });
    const told = await post(
      '/api/cu-tru/v1/thuong-tru',
      registration('YC-4', { congDan: { soDinhDanh: '001325000777', hoTen: 'B', ngaySinh: '2025-01-02' } }),
    );
    expect(await told.json()).toEqual({
      maYeuCau: 'YC-4',
      ketQua: 'TU_CHOI',
      lyDoTuChoi: { ma: 'SAI_DIA_CHI', noiDung: 'Địa chỉ không thuộc hộ của chủ hộ.' },
    });
    expect(sim.store.residents.has('001325000777')).toBe(false);
  });

  it('refuses missing fields with its own error format naming them', async () => {
    const response = await post(
      '/api/cu-tru/v1/thuong-tru',
      registration('YC-5', { soGiayKhaiSinh: undefined }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      loi: { ma: 'THIEU_THONG_TIN', chiTiet: [{ truong: 'soGiayKhaiSinh', moTa: 'bắt buộc' }] },
    });
    expect(sim.store.registrations.has('YC-5')).toBe(false);
  });

  it('deletes the permanent residence of a deceased once', async () => {
    const deletion = {
      maYeuCau: 'YC-D-1',
      soDinhDanh: CHILD,
      lyDo: 'CHET',
      soTrichLucKhaiTu: '000001/2025/KT',
      ngayCapTrichLuc: '2025-12-01',
    };
    const first = await (await post('/api/cu-tru/v1/thuong-tru/xoa', deletion)).json();
    expect(first).toMatchObject({ maYeuCau: 'YC-D-1', ketQua: 'DA_XOA', soDinhDanh: CHILD });
    expect(await (await post('/api/cu-tru/v1/thuong-tru/xoa', deletion)).json()).toEqual(first);
    expect(sim.store.residents.has(CHILD)).toBe(false);
    const again = await (
      await post('/api/cu-tru/v1/thuong-tru/xoa', { ...deletion, maYeuCau: 'YC-D-2' })
    ).json();
    expect(again).toMatchObject({ ketQua: 'TU_CHOI', lyDoTuChoi: { ma: 'DA_XOA_THUONG_TRU' } });
    const missing = await post('/api/cu-tru/v1/thuong-tru/xoa', {
      ...deletion,
      maYeuCau: 'YC-D-3',
      soTrichLucKhaiTu: '',
    });
    expect(missing.status).toBe(400);
  });

  it('refuses a wrong client secret, a missing or expired token', async () => {
    const wrong = await fetchToken(basic('lienthong', 'nope'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const none = await fetch(`${sim.url}/api/cu-tru/v1/thuong-tru`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration('YC-6')),
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ loi: { ma: 'CHUA_XAC_THUC' } });
    const fresh = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
    sim.tokens.expireAll();
    const expired = await post('/api/cu-tru/v1/thuong-tru', registration('YC-6'), fresh);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ loi: { ma: 'TOKEN_KHONG_HOP_LE' } });
    expect(sim.store.registrations.has('YC-6')).toBe(false);
    token = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
  });

  it('drops connections while down and answers 500 in its own format at an error rate of 1', async () => {
    sim.faults.set({ down: true });
    await expect(post('/api/cu-tru/v1/thuong-tru', registration('YC-7'))).rejects.toThrow();
    sim.faults.set({ down: false, errorRate: 1 });
    const failed = await post('/api/cu-tru/v1/thuong-tru', registration('YC-7'));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ loi: { ma: 'LOI_HE_THONG' } });
    expect(sim.store.registrations.has('YC-7')).toBe(false);
  });
});

import { validatePersonalId } from '@lienthong/domain';
import { parseStringPromise } from 'xml2js';
import { CivilStatusSimulator, startCivilStatusSimulator } from './civil-status.simulator';

const MOTHER = '001195012345';
const FATHER = '001093054321';

function birthXml(
  transactionId: string,
  overrides: { childName?: string; omitMother?: boolean } = {},
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<YeuCauDangKyKhaiSinh xmlns="urn:vn:gov:moj:hotich:1.0" maGiaoDich="${transactionId}">
  <TreEm>
    <HoTen>${overrides.childName ?? 'Nguyễn Minh An'}</HoTen>
    <GioiTinh>NU</GioiTinh>
    <NgaySinh>2024-02-29</NgaySinh>
    <NoiSinh>Bệnh viện Phụ sản Hà Nội</NoiSinh>
    <DanToc>Kinh</DanToc>
    <QuocTich>Việt Nam</QuocTich>
  </TreEm>
  ${overrides.omitMother ? '' : `<Me><SoDinhDanh>${MOTHER}</SoDinhDanh><HoTen>Trần Thị Bình</HoTen></Me>`}
  <Cha><SoDinhDanh>${FATHER}</SoDinhDanh></Cha>
  <NguoiYeuCau><SoDinhDanh>${MOTHER}</SoDinhDanh><QuanHe>ME</QuanHe></NguoiYeuCau>
</YeuCauDangKyKhaiSinh>`;
}

function deathXml(transactionId: string, deceased: string): string {
  return `<YeuCauDangKyKhaiTu xmlns="urn:vn:gov:moj:hotich:1.0" maGiaoDich="${transactionId}">
  <NguoiChet><SoDinhDanh>${deceased}</SoDinhDanh><NgayChet>2025-11-30</NgayChet>
    <NoiChet>Bệnh viện Bạch Mai</NoiChet><NguyenNhan>Bệnh</NguyenNhan></NguoiChet>
  <NguoiYeuCau><SoDinhDanh>${FATHER}</SoDinhDanh><QuanHe>CON</QuanHe></NguoiYeuCau>
</YeuCauDangKyKhaiTu>`;
}

describe('civil-status simulator over HTTP', () => {
  let sim: CivilStatusSimulator;
  const auth = `Basic ${Buffer.from('lienthong:lienthong-dev').toString('base64')}`;

  beforeAll(async () => {
    sim = await startCivilStatusSimulator();
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.faults.clear();
    sim.refusals.clear();
  });

  const post = (path: string, body: string, authorization = auth) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization },
      body,
    });
  const parse = async (response: Response) =>
    (await parseStringPromise(await response.text(), { explicitArray: false })) as Record<string, any>;

  it('registers a birth: a valid personal ID for the child, a birth certificate number and date, stored once', async () => {
    const response = await post('/hotich/v1/khai-sinh', birthXml('GD-B-1'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const result = (await parse(response)).KetQuaDangKy;
    expect(result.$).toMatchObject({ maGiaoDich: 'GD-B-1', trangThai: 'DA_DANG_KY', loai: 'KHAI_SINH' });
    expect(result.SoDinhDanh).toMatch(/^001324\d{6}$/); // Hà Nội, female born in the 2000s, 2024
    expect(validatePersonalId(result.SoDinhDanh, { dateOfBirth: '2024-02-29', sex: 'FEMALE' }).valid).toBe(
      true,
    );
    expect(result.SoGiayKhaiSinh).toMatch(/^\d{6}\/\d{4}\/KS$/);
    expect(result.NgayCap).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const stored = sim.store.births.get('GD-B-1');
    expect(stored?.request.child).toMatchObject({
      fullName: 'Nguyễn Minh An',
      sex: 'NU',
      dateOfBirth: '2024-02-29',
    });
    expect(stored?.request.mother).toMatchObject({ personalId: MOTHER, fullName: 'Trần Thị Bình' });
    expect(stored?.outcome).toMatchObject({ status: 'DA_DANG_KY', personalId: result.SoDinhDanh });
  });

  it('answers a repeated transaction id with the same result and never registers twice', async () => {
    const first = (await parse(await post('/hotich/v1/khai-sinh', birthXml('GD-B-2')))).KetQuaDangKy;
    const issued = sim.store.issuedPersonalIds.size;
    const again = (await parse(await post('/hotich/v1/khai-sinh', birthXml('GD-B-2')))).KetQuaDangKy;
    expect(again).toEqual(first);
    expect(sim.store.issuedPersonalIds.size).toBe(issued);
    const other = await post('/hotich/v1/khai-sinh', birthXml('GD-B-2', { childName: 'Lê Văn C' }));
    expect(other.status).toBe(409);
    expect((await parse(other)).Loi.MaLoi).toBe('TRUNG_MA_GIAO_DICH');
  });

  it('refuses an application it was told to refuse, with a reason code and a citizen-readable reason', async () => {
    sim.refusals.add({ match: 'GD-B-3', code: 'THIEU_GIAY_CHUNG_SINH', reason: 'Thiếu giấy chứng sinh.' });
    const result = (await parse(await post('/hotich/v1/khai-sinh', birthXml('GD-B-3')))).KetQuaDangKy;
    expect(result.$.trangThai).toBe('TU_CHOI');
    expect(result.MaLyDo).toBe('THIEU_GIAY_CHUNG_SINH');
    expect(result.LyDo).toBe('Thiếu giấy chứng sinh.');
    expect(result.SoDinhDanh).toBeUndefined();
    expect(sim.store.births.get('GD-B-3')?.outcome.status).toBe('TU_CHOI');
  });

  it('takes refusal rules over its admin API: a malformed one is 400, a set one refuses, a cleared one no longer does', async () => {
    const admin = (method: string, body?: unknown) =>
      fetch(`${sim.url}/__admin/refusals`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    expect((await admin('POST', { match: 'GD-B-9' })).status).toBe(400);
    const set = await admin('POST', { match: MOTHER, code: 'TRUNG_LAP', reason: 'Đã đăng ký.' });
    expect(set.status).toBe(200);
    expect(await (await admin('GET')).json()).toEqual([
      { match: MOTHER, code: 'TRUNG_LAP', reason: 'Đã đăng ký.' },
    ]);
    const refused = (await parse(await post('/hotich/v1/khai-sinh', birthXml('GD-B-9')))).KetQuaDangKy;
    expect([refused.$.trangThai, refused.MaLyDo]).toEqual(['TU_CHOI', 'TRUNG_LAP']);
    expect((await admin('DELETE')).status).toBe(204);
    const registered = (await parse(await post('/hotich/v1/khai-sinh', birthXml('GD-B-10')))).KetQuaDangKy;
    expect(registered.$.trangThai).toBe('DA_DANG_KY');
  });

  it('refuses missing fields with its own error document naming them', async () => {
    const response = await post('/hotich/v1/khai-sinh', birthXml('GD-B-4', { omitMother: true }));
    expect(response.status).toBe(400);
    const error = (await parse(response)).Loi;
    expect(error.MaLoi).toBe('DU_LIEU_KHONG_HOP_LE');
    expect(error.TruongLoi).toBe('Me/SoDinhDanh');
    expect(sim.store.births.has('GD-B-4')).toBe(false);
  });

  it('registers a death once: a repeat is the same answer, another application for the same person is refused', async () => {
    const deceased = '001060001234';
    const first = (await parse(await post('/hotich/v1/khai-tu', deathXml('GD-D-1', deceased)))).KetQuaDangKy;
    expect(first.$.trangThai).toBe('DA_DANG_KY');
    expect(first.SoTrichLucKhaiTu).toMatch(/^\d{6}\/\d{4}\/KT$/);
    const again = (await parse(await post('/hotich/v1/khai-tu', deathXml('GD-D-1', deceased)))).KetQuaDangKy;
    expect(again).toEqual(first);
    const other = (await parse(await post('/hotich/v1/khai-tu', deathXml('GD-D-2', deceased)))).KetQuaDangKy;
    expect(other.$.trangThai).toBe('TU_CHOI');
    expect(other.MaLyDo).toBe('DA_DANG_KY_KHAI_TU');
    expect(sim.store.deceased.size).toBe(1);
  });

  it('refuses a wrong account with 401 and a Basic challenge', async () => {
    const wrong = `Basic ${Buffer.from('lienthong:wrong').toString('base64')}`;
    const response = await post('/hotich/v1/khai-sinh', birthXml('GD-B-5'), wrong);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic');
    expect((await parse(response)).Loi.MaLoi).toBe('CHUA_XAC_THUC');
    expect(sim.store.births.has('GD-B-5')).toBe(false);
  });

  it('drops connections while down, over the admin API too', async () => {
    const set = await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down: true }),
    });
    expect(set.status).toBe(200);
    await expect(post('/hotich/v1/khai-sinh', birthXml('GD-B-6'))).rejects.toThrow();
    expect(sim.store.births.has('GD-B-6')).toBe(false);
    sim.faults.clear();
    expect((await post('/hotich/v1/khai-sinh', birthXml('GD-B-6'))).status).toBe(200);
  });
});

import {
  dayBeforeSixthBirthday,
  signSocialSecurityRequest,
  SOCIAL_SECURITY_DEFAULTS,
  SocialSecuritySimulator,
  startSocialSecuritySimulator,
} from './social-security.simulator';

const CHILD = '001324000123';
const MOTHER = '001195012345';
const DECEASED = '001060001234';

function today(): string {
  return new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
}

function cardRequest(id: string, overrides: Record<string, unknown> = {}) {
  return {
    ma_yeu_cau: id,
    tre_em: { so_dinh_danh: CHILD, ho_ten: 'Nguyễn Minh An', gioi_tinh: 'NU', ngay_sinh: '2024-02-29' },
    so_giay_khai_sinh: '000001/2024/KS',
    noi_dang_ky_kcb_ban_dau: '01-001',
    dia_chi: 'Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội',
    ...overrides,
  };
}

describe('social-security simulator over HTTP', () => {
  let sim: SocialSecuritySimulator;

  beforeAll(async () => {
    sim = await startSocialSecuritySimulator({ processingDelayMs: 0 });
  });
  afterAll(() => sim.close());
  afterEach(() => {
    sim.faults.clear();
    sim.refusals.clear();
    sim.settings.processingDelayMs = 0;
  });

  function signed(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: { secret?: string; timestamp?: number } = {},
  ) {
    const text = body === undefined ? '' : JSON.stringify(body);
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signature = signSocialSecurityRequest(options.secret ?? SOCIAL_SECURITY_DEFAULTS.secret, {
      method,
      path,
      body: text,
      timestamp,
    });
    return fetch(`${sim.url}${path}`, {
      method,
      headers: {
        'x-vss-client-id': 'lienthong',
        'x-vss-timestamp': String(timestamp),
        'x-vss-signature': signature,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : text,
    });
  }
  const poll = async (reference: string) =>
    (await (await signed('GET', `/api/v1/ho-so/${reference}`)).json()) as Record<string, any>;

  it('accepts a child card request with 202 and a reference, then answers the card when polled', async () => {
    sim.settings.processingDelayMs = 150;
    const accepted = await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-1'));
    expect(accepted.status).toBe(202);
    const body = (await accepted.json()) as { ma_ho_so: string; trang_thai: string };
    expect(body.trang_thai).toBe('DANG_XU_LY');
    expect(accepted.headers.get('location')).toBe(`/api/v1/ho-so/${body.ma_ho_so}`);
    const early = await signed('GET', `/api/v1/ho-so/${body.ma_ho_so}`);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(await early.json()).toMatchObject({ trang_thai: 'DANG_XU_LY' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const done = await poll(body.ma_ho_so);
    expect(done).toMatchObject({
      ma_ho_so: body.ma_ho_so,
      ma_yeu_cau: 'BH-1',
      trang_thai: 'HOAN_THANH',
      ket_qua: { loai: 'THE_BHYT_TRE_EM', gia_tri_tu: '2024-02-29', gia_tri_den: '2030-02-28' },
    });
    expect(done.ket_qua.ma_the).toMatch(/^TE101\d{10}$/);
    expect(sim.store.files.get(body.ma_ho_so)?.request).toMatchObject({
      so_giay_khai_sinh: '000001/2024/KS',
    });
    expect(sim.store.insuredChildren.has(CHILD)).toBe(true);
  });

  it('covers a child to the day before the sixth birthday', () => {
    expect(dayBeforeSixthBirthday('2025-03-01')).toBe('2031-02-28');
    expect(dayBeforeSixthBirthday('2024-02-29')).toBe('2030-02-28');
    expect(dayBeforeSixthBirthday('2023-12-31')).toBe('2029-12-30');
  });

  it('answers a repeated request id with the same reference and keeps one file', async () => {
    const first = (await (await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-1'))).json()) as {
      ma_ho_so: string;
    };
    const again = await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-1'));
    expect(again.status).toBe(202);
    expect(((await again.json()) as { ma_ho_so: string }).ma_ho_so).toBe(first.ma_ho_so);
    expect([...sim.store.files.values()].filter((file) => file.ma_yeu_cau === 'BH-1')).toHaveLength(1);
    const other = await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-1', { dia_chi: 'khác' }));
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ ma_loi: 'TRUNG_MA_YEU_CAU' });
  });

  it('refuses on demand with a reason code and a citizen-readable reason, in the polled result', async () => {
    sim.refusals.add({
      match: 'BH-2',
      code: 'SAI_NOI_KCB',
      reason: 'Nơi đăng ký khám chữa bệnh không hợp lệ.',
    });
    const accepted = (await (
      await signed(
        'POST',
        '/api/v1/the-bhyt-tre-em',
        cardRequest('BH-2', { tre_em: { ...cardRequest('').tre_em, so_dinh_danh: '001325000777' } }),
      )
    ).json()) as { ma_ho_so: string };
    expect(await poll(accepted.ma_ho_so)).toMatchObject({
      trang_thai: 'TU_CHOI',
      ly_do: { ma: 'SAI_NOI_KCB', noi_dung: 'Nơi đăng ký khám chữa bệnh không hợp lệ.' },
    });
    expect(sim.store.insuredChildren.has('001325000777')).toBe(false);
  });

  it('refuses missing fields and a malformed personal ID with its own error format', async () => {
    const missing = await signed(
      'POST',
      '/api/v1/the-bhyt-tre-em',
      cardRequest('BH-3', { so_giay_khai_sinh: '' }),
    );
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      ma_loi: 'THIEU_TRUONG_BAT_BUOC',
      chi_tiet: [{ truong: 'so_giay_khai_sinh', loi: 'bat_buoc' }],
    });
    const malformed = await signed(
      'POST',
      '/api/v1/the-bhyt-tre-em',
      cardRequest('BH-3', { tre_em: { ...cardRequest('').tre_em, so_dinh_danh: '12345' } }),
    );
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ ma_loi: 'DU_LIEU_KHONG_HOP_LE' });
    expect(sim.store.byRequestId.has('BH-3')).toBe(false);
  });

  it('decides a funeral allowance once per deceased', async () => {
    const request = {
      ma_yeu_cau: 'MT-1',
      nguoi_chet: { so_dinh_danh: DECEASED },
      so_trich_luc_khai_tu: '000001/2025/KT',
      ngay_cap_trich_luc: today(),
      nguoi_huong: { so_dinh_danh: MOTHER, tai_khoan_ngan_hang: '0011004455667 Vietcombank' },
    };
    const first = (await (await signed('POST', '/api/v1/tro-cap-mai-tang', request)).json()) as {
      ma_ho_so: string;
    };
    expect(await poll(first.ma_ho_so)).toMatchObject({
      trang_thai: 'HOAN_THANH',
      ket_qua: { loai: 'TRO_CAP_MAI_TANG', so_quyet_dinh: '1/QĐ-BHXH', so_tien: 23_400_000 },
    });
    const second = (await (
      await signed('POST', '/api/v1/tro-cap-mai-tang', { ...request, ma_yeu_cau: 'MT-2' })
    ).json()) as {
      ma_ho_so: string;
    };
    expect(await poll(second.ma_ho_so)).toMatchObject({
      trang_thai: 'TU_CHOI',
      ly_do: { ma: 'DA_GIAI_QUYET' },
    });
  });

  it('rejects a bad signature, a stale timestamp and a tampered body', async () => {
    const bad = await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-4'), { secret: 'wrong' });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ ma_loi: 'CHU_KY_KHONG_HOP_LE' });
    const stale = await signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-4'), {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ ma_loi: 'YEU_CAU_HET_HAN' });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signSocialSecurityRequest(SOCIAL_SECURITY_DEFAULTS.secret, {
      method: 'POST',
      path: '/api/v1/the-bhyt-tre-em',
      body: JSON.stringify(cardRequest('BH-4')),
      timestamp,
    });
    const tampered = await fetch(`${sim.url}/api/v1/the-bhyt-tre-em`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-vss-client-id': 'lienthong',
        'x-vss-timestamp': String(timestamp),
        'x-vss-signature': signature,
      },
      body: JSON.stringify(cardRequest('BH-4', { dia_chi: 'khác' })),
    });
    expect(tampered.status).toBe(401);
    expect(sim.store.byRequestId.has('BH-4')).toBe(false);
  });

  it('drops connections while down, and keeps a polled file after the outage', async () => {
    sim.faults.set({ down: true });
    await expect(signed('POST', '/api/v1/the-bhyt-tre-em', cardRequest('BH-5'))).rejects.toThrow();
    expect(sim.store.byRequestId.has('BH-5')).toBe(false);
    sim.faults.clear();
    const reference = sim.store.byRequestId.get('BH-1') as string;
    expect(await poll(reference)).toMatchObject({ trang_thai: 'HOAN_THANH' });
  });
});

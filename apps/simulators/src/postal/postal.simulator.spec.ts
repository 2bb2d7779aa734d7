import { startPostalSimulator, type PostalSimulator } from './postal.simulator';

const TOKEN = 'lienthong-dev-postal-token';
const order = (reference: string, phone = '0912345678') => ({
  ma_khach_hang: reference,
  nguoi_gui: { ma_don_vi: '000.00.31.H56' },
  nguoi_nhan: { ho_ten: 'Nguyễn Văn An', dia_chi: 'Số 12 Hoàng Liên, Lào Cai', so_dien_thoai: phone },
  ma_ho_so: reference,
  so_luong_tai_lieu: 1,
  tien_thu_ho: 0,
});

describe('postal simulator', () => {
  let sim: PostalSimulator;
  const send = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    sim = await startPostalSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => send('POST', '/__admin/reset', {}));

  it('refuses a request without the API token', async () => {
    const answer = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0001'), 'wrong');
    expect(answer.status).toBe(401);
    expect(answer.body.ma_loi).toBe('SAI_MA_TRUY_CAP');
  });

  it('takes an order once per reference and refuses the reference with other content', async () => {
    const first = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0001'));
    expect(first.status).toBe(201);
    const again = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0001'));
    expect(again.status).toBe(200);
    expect(again.body.ma_van_don).toBe(first.body.ma_van_don);
    const other = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0001', '0987654321'));
    expect(other.status).toBe(409);
    expect(other.body.ma_loi).toBe('TRUNG_MA_KHACH_HANG');
  });

  it('names the invalid fields without repeating their values', async () => {
    const answer = await send('POST', '/api/v1/don-hang', { ...order('X-1', '12345'), tien_thu_ho: 50_000 });
    expect(answer.status).toBe(400);
    expect(answer.body.chi_tiet.map((p: { truong: string }) => p.truong)).toEqual([
      'nguoi_nhan.so_dien_thoai',
      'tien_thu_ho',
    ]);
    expect(JSON.stringify(answer.body)).not.toContain('12345');
  });

  it('moves an order along allowed transitions only, and tracks each event', async () => {
    const { body } = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0002'));
    const number = body.ma_van_don as string;
    expect((await send('POST', `/__admin/orders/${number}/advance`, { state: 'DELIVERED' })).status).toBe(
      409,
    );
    expect((await send('POST', `/__admin/orders/${number}/advance`, { state: 'PICKED_UP' })).body).toEqual({
      callbackStatus: null,
    });
    await send('POST', `/__admin/orders/${number}/advance`, { state: 'RETURNED' });
    const tracking = await send('GET', `/api/v1/don-hang/${number}/hanh-trinh`);
    expect(tracking.body.trang_thai).toBe('CHUYEN_HOAN');
    expect(tracking.body.hanh_trinh.map((e: { trang_thai: string }) => e.trang_thai)).toEqual([
      'TAO_DON',
      'DA_LAY_HANG',
      'CHUYEN_HOAN',
    ]);
    expect((await send('GET', '/api/v1/don-hang/EH0/hanh-trinh')).status).toBe(404);
  });

  it('answers its own 500 under an injected error rate, on the API routes only', async () => {
    await send('POST', '/__admin/faults', { errorRate: 1 });
    const answer = await send('POST', '/api/v1/don-hang', order('000.00.31.H56-261206-0003'));
    expect(answer.status).toBe(500);
    expect(answer.body.ma_loi).toBe('LOI_HE_THONG');
    expect((await send('GET', '/__admin/store')).status).toBe(200);
  });
});

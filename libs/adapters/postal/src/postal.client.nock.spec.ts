import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { PostalClient } from './postal.client';
import { postalErrors } from './postal.errors';
import { signPostalCallback, verifyPostalCallback } from './postal-signature';

/** The postal client's own code path over node's http (NodeHttpDispatcher), the operator answered by nock. */
const nock = useNock();
const BASE = 'http://vnpost.test';
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const ORDER = {
  dossierCode: '000.00.31.H56-261206-0001',
  senderAgencyCode: '000.00.31.H56',
  receiver: { name: 'Nguyễn Văn An', address: 'Số 12 Hoàng Liên, Lào Cai', phone: '0912 345 678' },
  documents: 2,
};

describe('PostalClient through nock', () => {
  let dispatcher: NodeHttpDispatcher;
  let client: PostalClient;

  beforeEach(() => {
    dispatcher = new NodeHttpDispatcher();
    client = new PostalClient({
      dispatcher,
      url: BASE,
      token: 'fixture-token',
      resilience: { timeoutMs: 2_000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await client.close();
    await dispatcher.destroy();
  });

  it('creates an order with the token, the dossier code as reference and no cash on delivery', async () => {
    let sent: unknown;
    const scope = nock(BASE)
      .post('/api/v1/don-hang')
      .matchHeader('authorization', 'Bearer fixture-token')
      .reply(
        201,
        (_path, body) => {
          sent = body;
          return {
            ma_van_don: 'EH000000001VN',
            ma_khach_hang: ORDER.dossierCode,
            trang_thai: 'TAO_DON',
            thoi_gian_tao: '2026-12-06T09:00:00+07:00',
          };
        },
        JSON_HEADERS,
      );
    await expect(client.createOrder(ORDER, { requestId: 'req-1' })).resolves.toEqual({
      orderNumber: 'EH000000001VN',
      state: 'CREATED',
      createdAt: '2026-12-06T09:00:00+07:00',
    });
    expect(scope.isDone()).toBe(true);
    expect(sent).toMatchObject({
      ma_khach_hang: ORDER.dossierCode,
      ma_ho_so: ORDER.dossierCode,
      nguoi_gui: { ma_don_vi: '000.00.31.H56' },
      nguoi_nhan: { so_dien_thoai: '0912345678' },
      so_luong_tai_lieu: 2,
      tien_thu_ho: 0,
    });
  });

  it('retries an overloaded operator, then takes the order', async () => {
    nock(BASE).post('/api/v1/don-hang').reply(500, { ma_loi: 'LOI_HE_THONG' }, JSON_HEADERS);
    nock(BASE)
      .post('/api/v1/don-hang')
      .reply(
        200,
        { ma_van_don: 'EH000000002VN', trang_thai: 'TAO_DON', thoi_gian_tao: '2026-12-06T09:00:00+07:00' },
        JSON_HEADERS,
      );
    await expect(client.createOrder(ORDER, { requestId: 'req-2' })).resolves.toMatchObject({
      orderNumber: 'EH000000002VN',
    });
  });

  it.each([
    [400, 'INVALID_REQUEST'],
    [401, 'AUTHENTICATION'],
    [409, 'CONFLICT'],
  ])('maps HTTP %i to %s', async (status, kind) => {
    nock(BASE).post('/api/v1/don-hang').reply(status, { ma_loi: 'X' }, JSON_HEADERS);
    await expect(client.createOrder(ORDER, { requestId: 'req-3' })).rejects.toMatchObject({
      kind,
      code: `POSTAL_${kind}`,
      transient: false,
    });
  });

  it('refuses a malformed phone before sending anything, without repeating it', async () => {
    const error = await client
      .createOrder({ ...ORDER, receiver: { ...ORDER.receiver, phone: '12345' } }, { requestId: 'req-4' })
      .catch((e: unknown) => e);
    expect(postalErrors.owns(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'INVALID_REQUEST', details: { field: 'receiver.phone' } });
    expect((error as Error).message).not.toContain('12345');
  });

  it('reads the tracking history in the gateway’s state names', async () => {
    nock(BASE)
      .get('/api/v1/don-hang/EH000000001VN/hanh-trinh')
      .reply(
        200,
        {
          ma_van_don: 'EH000000001VN',
          ma_khach_hang: ORDER.dossierCode,
          trang_thai: 'DA_PHAT',
          hanh_trinh: [
            { ma_su_kien: 'e1', trang_thai: 'TAO_DON', thoi_gian: '2026-12-06T09:00:00+07:00' },
            { ma_su_kien: 'e2', trang_thai: 'DA_LAY_HANG', thoi_gian: '2026-12-06T10:00:00+07:00' },
            { ma_su_kien: 'e3', trang_thai: 'DA_PHAT', thoi_gian: '2026-12-07T10:00:00+07:00' },
          ],
        },
        JSON_HEADERS,
      );
    const tracking = await client.tracking('EH000000001VN', { requestId: 'req-5' });
    expect(tracking.state).toBe('DELIVERED');
    expect(tracking.events.map((e) => e.state)).toEqual(['CREATED', 'PICKED_UP', 'DELIVERED']);
  });

  it('answers NOT_FOUND for an unknown waybill and MALFORMED_RESPONSE for an answer outside the contract', async () => {
    nock(BASE)
      .get('/api/v1/don-hang/EH9/hanh-trinh')
      .reply(404, { ma_loi: 'KHONG_TIM_THAY_DON_HANG' }, JSON_HEADERS);
    await expect(client.tracking('EH9', { requestId: 'req-6' })).rejects.toMatchObject({ kind: 'NOT_FOUND' });
    nock(BASE)
      .get('/api/v1/don-hang/EH8/hanh-trinh')
      .reply(200, { ma_van_don: 'EH8', trang_thai: 'LAC_DUONG' }, JSON_HEADERS);
    await expect(client.tracking('EH8', { requestId: 'req-7' })).rejects.toMatchObject({
      kind: 'MALFORMED_RESPONSE',
    });
  });
});

describe('postal callback signatures', () => {
  const body = '{"ma_van_don":"EH1","trang_thai":"DA_PHAT"}';
  const now = 1_796_000_000_000;
  const timestamp = now / 1000;

  it('accepts the operator’s signature and refuses a changed body, another secret or an old timestamp', () => {
    const signature = signPostalCallback('s3cret', timestamp, body);
    const headers = { timestamp: String(timestamp), signature };
    expect(verifyPostalCallback('s3cret', headers, body, { now })).toBe('OK');
    expect(verifyPostalCallback('s3cret', headers, body.replace('DA_PHAT', 'CHUYEN_HOAN'), { now })).toBe(
      'BAD_SIGNATURE',
    );
    expect(verifyPostalCallback('other', headers, body, { now })).toBe('BAD_SIGNATURE');
    expect(verifyPostalCallback('s3cret', headers, body, { now: now + 301_000 })).toBe('STALE');
    expect(verifyPostalCallback('s3cret', {}, body, { now })).toBe('MISSING');
  });
});

import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { FaultControls } from '../shared/fault-controls';
import {
  buildPaymentPlatformApp,
  PAYMENT_PLATFORM_DEFAULTS,
  PaymentPlatformStore,
} from './payment-platform.simulator';

const { merchantCode } = PAYMENT_PLATFORM_DEFAULTS;
const secretKey: string = PAYMENT_PLATFORM_DEFAULTS.secretKey;
const sign = (values: unknown[], key = secretKey) =>
  createHmac('sha256', key).update(values.map(String).join('|')).digest('hex');

describe('payment platform simulator', () => {
  let app: FastifyInstance;
  const store = new PaymentPlatformStore();

  beforeAll(async () => {
    app = buildPaymentPlatformApp({
      store,
      faults: new FaultControls(),
      merchantCode,
      secretKey,
      baseUrl: () => 'http://pay.test',
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const order = (orderId: string, amount: number, key = secretKey) => {
    const fields = {
      merchantCode,
      orderId,
      amount,
      currency: 'VND',
      orderInfo: '000.00.31.H56-261206-0001 Lệ phí',
      returnUrl: 'https://motcua.test/back',
      notifyUrl: 'http://127.0.0.1:9/callback',
      requestTime: '20261206120000',
    };
    return app.inject({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { ...fields, checksum: sign(Object.values(fields), key) },
    });
  };

  it('opens an order once per order id, signing its answer', async () => {
    const first = (await order('LT-1', 50_000)).json();
    expect(first).toMatchObject({
      code: '00',
      orderId: 'LT-1',
      paymentUrl: `http://pay.test/pay/${first.transactionNo}`,
    });
    expect(first.checksum).toBe(sign([first.code, first.transactionNo, first.orderId, first.paymentUrl]));
    expect((await order('LT-1', 50_000)).json().transactionNo).toBe(first.transactionNo);
    expect((await order('LT-1', 60_000)).json()).toEqual({ code: '03', message: expect.any(String) });
  });

  it('refuses a wrong checksum and invalid data with its own codes', async () => {
    expect((await order('LT-2', 50_000, 'not-the-key')).json().code).toBe('97');
    expect((await order('LT-3', 0)).json().code).toBe('01');
  });

  it('settles an order once and replays only what it sent', async () => {
    const { transactionNo } = (await order('LT-4', 10_000)).json();
    const nothingYet = await app.inject({ method: 'POST', url: `/__admin/orders/${transactionNo}/notify` });
    expect(nothingYet.statusCode).toBe(404);
    const paid = await app.inject({
      method: 'POST',
      url: `/__admin/orders/${transactionNo}/pay`,
      payload: { status: 'FAILED' },
    });
    const { notification } = paid.json();
    expect(notification).toMatchObject({ transactionNo, status: 'FAILED', amount: 10_000 });
    const { checksum, ...values } = notification;
    expect(checksum).toBe(sign(Object.values(values)));
    const again = await app.inject({
      method: 'POST',
      url: `/__admin/orders/${transactionNo}/pay`,
      payload: {},
    });
    expect(again.statusCode).toBe(409);
    const replay = await app.inject({ method: 'POST', url: `/__admin/orders/${transactionNo}/notify` });
    expect(replay.json().notification).toEqual(notification);
  });
});

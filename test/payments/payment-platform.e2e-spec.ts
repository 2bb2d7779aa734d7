/**
 * The payment platform's client against its simulator over real HTTP: a payment opened, settled by the
 * simulator, whose signed notification reaches the merchant's notify URL and verifies; the transaction
 * queried and listed for reconciliation; and the failures each with its kind (a wrong secret, the order id
 * reused, the platform down).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  notificationValues,
  PaymentPlatformClient,
  paygovChecksumValid,
  reconcilePayments,
  type PaymentNotification,
} from '@lienthong/adapters/payment-platform';
import {
  PaymentPlatformSimulator,
  startPaymentPlatformSimulator,
} from '../../apps/simulators/src/payment-platform';

const FAST = { retries: 1, retryInitialDelayMs: 10, retryMaxDelayMs: 20, timeoutMs: 2_000 };

describe('payment platform client and simulator', () => {
  let platform: PaymentPlatformSimulator;
  let client: PaymentPlatformClient;
  let merchant: Server;
  let notifyUrl = '';
  const received: PaymentNotification[] = [];
  const ctx = () => ({ requestId: `pay-${Math.random().toString(36).slice(2)}` });

  beforeAll(async () => {
    platform = await startPaymentPlatformSimulator();
    client = new PaymentPlatformClient({
      url: platform.url,
      merchantCode: platform.merchantCode,
      secretKey: platform.secretKey,
      resilience: FAST,
    });
    merchant = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body) as PaymentNotification);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"code":"00"}');
      });
    });
    await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
    notifyUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}/callback`;
  });

  afterAll(async () => {
    await client?.close();
    await platform?.close();
    await new Promise((resolve) => merchant?.close(resolve));
  });

  const order = (orderId: string, amount = 50_000) => ({
    orderId,
    dossierCode: '000.00.31.H56-261206-0001',
    amount,
    feeDescription: 'Lệ phí đăng ký khai sinh',
    returnUrl: 'https://dichvucong.example/ket-qua',
    notifyUrl,
  });

  it('opens a payment, settles it with a signed notification, and lists it for the day', async () => {
    const created = await client.create(order('LT-A1'), ctx());
    expect(created.transactionNo).toMatch(/^PG\d{16}$/);
    expect(created.paymentUrl).toBe(`${platform.url}/pay/${created.transactionNo}`);
    // the same order again answers the same transaction
    expect(await client.create(order('LT-A1'), ctx())).toEqual(created);
    expect(await client.query(created.transactionNo, ctx())).toMatchObject({
      status: 'PENDING',
      amount: 50_000,
    });

    const paid = await fetch(`${platform.url}/__admin/orders/${created.transactionNo}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'SUCCESS' }),
    });
    expect(paid.status).toBe(200);
    const notification = received.find((n) => n.transactionNo === created.transactionNo)!;
    expect(notification).toMatchObject({ orderId: 'LT-A1', amount: 50_000, status: 'SUCCESS' });
    expect(
      paygovChecksumValid(platform.secretKey, notificationValues(notification), notification.checksum),
    ).toBe(true);
    expect(
      paygovChecksumValid('another-secret', notificationValues(notification), notification.checksum),
    ).toBe(false);

    expect(await client.query(created.transactionNo, ctx())).toMatchObject({ status: 'SUCCESS' });
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const list = await client.reconciliation(today, ctx());
    expect(list).toContainEqual(
      expect.objectContaining({ transactionNo: created.transactionNo, status: 'SUCCESS' }),
    );
    expect(
      reconcilePayments(list, [{ transactionNo: created.transactionNo, amount: 50_000, status: 'PENDING' }])
        .mismatches,
    ).toEqual([expect.objectContaining({ kind: 'STATUS', transactionNo: created.transactionNo })]);
  });

  it('fails with a kind the caller can switch on', async () => {
    const kind = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: { kind?: string }) => error.kind,
      );
    const wrongSecret = new PaymentPlatformClient({
      url: platform.url,
      merchantCode: platform.merchantCode,
      secretKey: 'not-the-secret',
      resilience: FAST,
    });
    expect(await kind(wrongSecret.create(order('LT-B1'), ctx()))).toBe('AUTHENTICATION');
    await wrongSecret.close();

    await client.create(order('LT-B2'), ctx());
    expect(await kind(client.create(order('LT-B2', 70_000), ctx()))).toBe('CONFLICT');
    expect(await kind(client.query('PG0000', ctx()))).toBe('NOT_FOUND');
    expect(await kind(client.create({ ...order('LT-B3'), amount: 0 }, ctx()))).toBe('INVALID_REQUEST');

    // an answer whose checksum is not the merchant's is not believed
    const impostor = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          code: '00',
          transactionNo: 'PG1',
          orderId: 'LT-B5',
          paymentUrl: 'https://pay.example/PG1',
          checksum: '0'.repeat(64),
        }),
      ),
    );
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    const fooled = new PaymentPlatformClient({
      url: `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`,
      merchantCode: platform.merchantCode,
      secretKey: platform.secretKey,
      resilience: { ...FAST, retries: 0 },
    });
    try {
      expect(await kind(fooled.create(order('LT-B5'), ctx()))).toBe('MALFORMED_RESPONSE');
    } finally {
      await fooled.close();
      await new Promise((resolve) => impostor.close(resolve));
    }

    platform.faults.set({ down: true });
    try {
      expect(await kind(client.create(order('LT-B4'), ctx()))).toBe('UNAVAILABLE');
    } finally {
      platform.faults.clear();
    }
  });
});

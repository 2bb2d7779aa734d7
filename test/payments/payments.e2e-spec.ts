/**
 * Online payment of dossier fees end to end: the gateway in-process over real HTTP, the payment platform's
 * simulator, an isolated PostgreSQL and the suite's Kafka broker. A one-stop system opens a payment
 * (POST /v1/payments), the simulator settles it and sends the signed result notification to the gateway's
 * public callback, the payment is CONFIRMED and published once on lgsp.payment.status.v1; a forged
 * notification is refused (401, audited DENIED), a replayed one changes nothing, and the online-payment
 * indicator (GET /v1/indicators, the portal's formula, PAID_ONLINE_SOURCE=payment-platform) counts the
 * confirmed payment only, not a one-stop system's paidOnline claim without one. The daily reconciliation
 * finds what the platform settled without the gateway hearing of it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import {
  notificationValues,
  paygovChecksum,
  PaymentPlatformClient,
  type PaymentNotification,
} from '@lienthong/adapters/payment-platform';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { createKafkaClient, initTopics, Topic } from '@lienthong/messaging';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { paymentsCommand } from '../../apps/cli/src/commands/payments.command';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { PaymentsService } from '../../apps/gateway/src/payments/payments.service';
import { IndicatorStore } from '@lienthong/indicators';
import {
  PaymentPlatformSimulator,
  startPaymentPlatformSimulator,
} from '../../apps/simulators/src/payment-platform';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';

const KEYS = { onestop: generateApiKey(), other: generateApiKey() };
const AGENCY = `000.00.${10 + Math.floor(Math.random() * 89)}.H56`;

function clientsDocument() {
  const client = (id: string, key: string, agencies: string[]) => ({
    id,
    name: id,
    kind: 'ONE_STOP_SYSTEM',
    enabled: true,
    agencies,
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services: { payments: {}, 'indicators.read': {} },
  });
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP',
        requiresDossierCode: true,
      },
    },
    clients: [
      client('e2e-pay-onestop', KEYS.onestop, ['000.*.*.H56']),
      client('e2e-pay-other', KEYS.other, ['000.*.*.H29']),
    ],
  };
}

interface Published {
  key: string;
  type: string;
  data: { transactionNo: string; dossierCode: string; status: string; amount: number };
}

describe('online payment through the national payment platform', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-payments-'));
  let database: IsolatedDatabase;
  let platform: PaymentPlatformSimulator;
  let gateway: RunningGateway;
  let pg: Client;
  const published: Published[] = [];
  let stopConsumer: () => Promise<void> = async () => undefined;
  let sequence = 0;
  const now = new Date();
  const yymmdd = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(2, 10).replace(/-/g, '');
  const dossier = (n: number) => `${AGENCY}-${yymmdd}-${String(n).padStart(4, '0')}`;
  const PAID = dossier(1);
  const CLAIM_ONLY = dossier(2);

  const call = async (path: string, key: string | undefined, body: unknown) => {
    const requestId = `pay-e2e-${++sequence}`;
    const answer = await getJson(`${gateway.url}${path}`, {
      method: 'POST',
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        'x-request-id': requestId,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    return { ...answer, requestId };
  };
  const open = (dossierCode: string, amount: number, feeDescription: string, key = KEYS.onestop) =>
    call('/v1/payments', key, {
      dossierCode,
      amount,
      feeDescription,
      returnUrl: 'https://motcua.example/ho-so/thanh-toan',
    });
  const settle = async (transactionNo: string, status: 'SUCCESS' | 'FAILED') => {
    const answer = await getJson(`${platform.url}/__admin/orders/${transactionNo}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status }),
    });
    return answer.body as { notification: PaymentNotification; delivery: { status: number; body: string } };
  };
  const auditOf = async (service: string, where = 'TRUE') =>
    (
      await pg.query(
        `SELECT outcome, outcome_code, dossier_code, upstream FROM audit_record WHERE service = $1 AND ${where} ORDER BY seq`,
        [service],
      )
    ).rows;

  beforeAll(async () => {
    platform = await startPaymentPlatformSimulator();
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS as string],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    database = await createIsolatedDatabase('payments');
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: database.url,
        CLIENTS_FILE: clientsFile,
        PKI_DIR: join(work, 'pki'),
        PAYMENT_PLATFORM_URL: platform.url,
        PAID_ONLINE_SOURCE: 'payment-platform',
        AUDIT_FLUSH_INTERVAL_MS: '10',
      }),
    });
    pg = new Client({ connectionString: database.url });
    await pg.connect();

    const kafka = createKafkaClient({
      clientId: 'test-payments',
      brokers: [process.env.KAFKA_BROKERS as string],
    });
    const consumer = kafka.consumer({ groupId: `test-payments-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [Topic.PaymentStatus], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(String(message.value)) as Omit<Published, 'key'>;
        if (event.data?.dossierCode?.startsWith(AGENCY))
          published.push({ key: String(message.key), type: event.type, data: event.data });
      },
    });
    stopConsumer = () => consumer.disconnect();
  }, 120_000);

  afterAll(async () => {
    await stopConsumer();
    await pg?.end();
    await gateway?.close();
    await platform?.close();
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  let confirmed: PaymentNotification;
  let paidTransaction = '';
  let pendingTransaction = '';

  it('opens a payment, confirms it by the signed notification and publishes it once', async () => {
    const opened = await open(PAID, 50_000, 'Lệ phí đăng ký khai sinh');
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      dossierCode: PAID,
      amount: 50_000,
      currency: 'VND',
      status: 'PENDING',
    });
    paidTransaction = opened.body.transactionNo;
    expect(opened.body.paymentUrl).toBe(`${platform.url}/pay/${paidTransaction}`);
    // the same pending fee again answers the same payment
    const again = await open(PAID, 50_000, 'Lệ phí đăng ký khai sinh');
    expect([again.status, again.body.transactionNo]).toEqual([200, paidTransaction]);

    const settled = await settle(paidTransaction, 'SUCCESS');
    confirmed = settled.notification;
    expect(settled.delivery.status).toBe(200);
    expect(JSON.parse(settled.delivery.body)).toMatchObject({ code: '00', status: 'CONFIRMED' });
    const [row] = (
      await pg.query('SELECT status, settled_at FROM payment WHERE transaction_no = $1', [paidTransaction])
    ).rows;
    expect(row.status).toBe('CONFIRMED');

    await waitFor(() => published.some((p) => p.data.transactionNo === paidTransaction), 20_000, 'the event');
    expect(published.find((p) => p.data.transactionNo === paidTransaction)).toEqual({
      key: PAID,
      type: 'vn.lienthong.payment.status.v1',
      data: expect.objectContaining({ dossierCode: PAID, status: 'CONFIRMED', amount: 50_000 }),
    });
    await waitFor(async () => (await auditOf('payments.callback')).length >= 1, 10_000, 'the audit');
    expect(await auditOf('payments.create')).toContainEqual({
      outcome: 'OK',
      outcome_code: null,
      dossier_code: PAID,
      upstream: 'payment-platform',
    });
  });

  it('refuses forged notifications with problem+json and audits them DENIED', async () => {
    const opened = await open(CLAIM_ONLY, 30_000, 'Phí thẩm định');
    pendingTransaction = opened.body.transactionNo;
    const forgedValues = {
      merchantCode: platform.merchantCode,
      transactionNo: pendingTransaction,
      orderId: opened.body.orderId,
      amount: 30_000,
      status: 'SUCCESS' as const,
      payDate: confirmed.payDate,
      nonce: randomUUID(),
      timestamp: Date.now(),
    };
    // signed with a key that is not the merchant's
    const wrongKey = await call('/v1/payments/callback', undefined, {
      ...forgedValues,
      checksum: paygovChecksum('guessed-secret', notificationValues(forgedValues)),
    });
    // a genuine notification with its amount changed
    const tampered = await call('/v1/payments/callback', undefined, { ...confirmed, amount: 1 });
    for (const refused of [wrongKey, tampered]) {
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.body.code).toBe('INVALID_SIGNATURE');
    }
    // a notification that is not one
    const garbage = await call('/v1/payments/callback', undefined, { transactionNo: pendingTransaction });
    expect([garbage.status, garbage.body.code]).toEqual([400, 'INVALID_NOTIFICATION']);

    const [row] = (
      await pg.query('SELECT status FROM payment WHERE transaction_no = $1', [pendingTransaction])
    ).rows;
    expect(row.status).toBe('PENDING');
    await waitFor(
      async () => (await auditOf('payments.callback', "outcome = 'DENIED'")).length >= 2,
      10_000,
      'the denials in the audit log',
    );
    expect(await auditOf('payments.callback', "outcome = 'DENIED'")).toEqual([
      {
        outcome: 'DENIED',
        outcome_code: 'INVALID_SIGNATURE',
        dossier_code: null,
        upstream: 'payment-platform',
      },
      {
        outcome: 'DENIED',
        outcome_code: 'INVALID_SIGNATURE',
        dossier_code: null,
        upstream: 'payment-platform',
      },
    ]);
  });

  it('refuses a genuine-looking notification that is stale, of no payment, or not of the payment', async () => {
    const signed = (changes: Partial<PaymentNotification>) => {
      const values = { ...confirmed, nonce: randomUUID(), timestamp: Date.now(), ...changes };
      return { ...values, checksum: paygovChecksum(platform.secretKey, notificationValues(values)) };
    };
    const stale = await call(
      '/v1/payments/callback',
      undefined,
      signed({ timestamp: Date.now() - 2 * 86_400_000 }),
    );
    expect([stale.status, stale.body.code]).toEqual([401, 'STALE_NOTIFICATION']);
    const unknown = await call(
      '/v1/payments/callback',
      undefined,
      signed({ transactionNo: 'PG000000000000' }),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, 'PAYMENT_NOT_FOUND']);
    const other = await call('/v1/payments/callback', undefined, signed({ amount: 1 }));
    expect([other.status, other.body.code]).toEqual([422, 'NOTIFICATION_MISMATCH']);
    const [row] = (
      await pg.query('SELECT count(*)::int AS n FROM payment_notification WHERE transaction_no = $1', [
        paidTransaction,
      ])
    ).rows;
    expect(row.n).toBe(1);
  });

  it('ignores a replayed notification: one confirmation, one event', async () => {
    const replay = await getJson(`${platform.url}/__admin/orders/${paidTransaction}/notify`, {
      method: 'POST',
    });
    expect(replay.body.delivery.status).toBe(200);
    expect(JSON.parse(replay.body.delivery.body)).toMatchObject({ code: '00', message: 'Already recorded' });
    // the same notification sent straight to the gateway again
    const direct = await call('/v1/payments/callback', undefined, confirmed);
    expect([direct.status, direct.body.status]).toEqual([200, 'CONFIRMED']);

    // a later outcome of the same dossier (same key, same partition) marks the end of what was published
    const second = await open(PAID, 20_000, 'Phí cung cấp bản sao');
    const failedTransaction = second.body.transactionNo;
    await settle(failedTransaction, 'FAILED');
    await waitFor(
      () => published.some((p) => p.data.transactionNo === failedTransaction),
      20_000,
      'the marker',
    );
    expect(published.filter((p) => p.key === PAID).map((p) => [p.data.transactionNo, p.data.status])).toEqual(
      [
        [paidTransaction, 'CONFIRMED'],
        [failedTransaction, 'FAILED'],
      ],
    );
    const notifications = await pg.query('SELECT nonce FROM payment_notification WHERE transaction_no = $1', [
      paidTransaction,
    ]);
    expect(notifications.rows).toHaveLength(1);
    await waitFor(
      async () => (await auditOf('payments.callback', "outcome_code = 'REPLAYED'")).length >= 2,
      10_000,
      'the replays in the audit log',
    );
  });

  it('counts the confirmed payment in the online-payment indicator, not a claim without one', async () => {
    const store = gateway.app.get(IndicatorStore);
    const received = (dossierCode: string): DossierStatusEvent => ({
      eventId: randomUUID(),
      dossierCode,
      agencyCode: AGENCY,
      procedureCode: '1.001193',
      status: 'RECEIVED',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      channel: 'ONLINE',
      applicant: { kind: 'ORGANISATION' },
      // the one-stop system claims both were paid online
      payment: { required: true, paidOnline: true },
    });
    await store.record(received(PAID));
    await store.record(received(CLAIM_ONLY));
    const month = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
    const report = await getJson(`${gateway.url}/v1/indicators?agency=${AGENCY}&period=${month}`, {
      headers: { authorization: `Bearer ${KEYS.onestop}` },
    });
    expect(report.status).toBe(200);
    expect(report.body.counts).toMatchObject({ received: 2, feeBearing: 2, paidOnline: 1 });
  });

  it('opens payments only for dossiers of the agencies the client acts for, and answers bad input as problem+json', async () => {
    const foreign = await open(dossier(3), 10_000, 'Lệ phí', KEYS.other);
    expect([foreign.status, foreign.body.code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);
    const bad = await call('/v1/payments', KEYS.onestop, { dossierCode: 'x', amount: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_BODY');
    const unauthenticated = await open(dossier(3), 10_000, 'Lệ phí', 'lt_not_a_key');
    expect(unauthenticated.status).toBe(401);
  });

  it('reconciles the day: what the platform settled without the gateway hearing of it is a mismatch', async () => {
    // the platform settles the pending payment but its notification never arrives
    const order = platform.store.orders.get(pendingTransaction)!;
    order.status = 'SUCCESS';
    order.payDate = confirmed.payDate;
    const client = new PaymentPlatformClient({
      url: platform.url,
      merchantCode: platform.merchantCode,
      secretKey: platform.secretKey,
    });
    try {
      const day = `${confirmed.payDate.slice(0, 4)}-${confirmed.payDate.slice(4, 6)}-${confirmed.payDate.slice(6, 8)}`;
      const result = await gateway.app.get(PaymentsService).reconcile(client, day, 'pay-e2e-reconcile');
      expect(result.matched).toBe(2);
      expect(result.mismatches).toEqual([
        {
          kind: 'STATUS',
          transactionNo: pendingTransaction,
          platform: { status: 'SUCCESS', amount: 30_000 },
          gateway: { status: 'PENDING', amount: 30_000 },
        },
      ]);
    } finally {
      await client.close();
    }
  });

  it('reconciles from the command line: one line per mismatch, and a failure when there is one', async () => {
    const day = `${confirmed.payDate.slice(0, 4)}-${confirmed.payDate.slice(4, 6)}-${confirmed.payDate.slice(6, 8)}`;
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      PAYMENT_PLATFORM_URL: process.env.PAYMENT_PLATFORM_URL,
    };
    Object.assign(process.env, { DATABASE_URL: database.url, PAYMENT_PLATFORM_URL: platform.url });
    const printed: string[] = [];
    const log = jest
      .spyOn(console, 'log')
      .mockImplementation((line: unknown) => void printed.push(String(line)));
    const summary = jest
      .spyOn(console, 'error')
      .mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      await expect(
        paymentsCommand().exitOverride().parseAsync(['reconcile', '--date', day], { from: 'user' }),
      ).rejects.toThrow('1 payment(s) differ between the platform and the gateway');
    } finally {
      log.mockRestore();
      summary.mockRestore();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(printed).toEqual([
      `STATUS\t${pendingTransaction}\tplatform: SUCCESS 30000 VND\tgateway: PENDING 30000 VND`,
      `${day}: 2 matched, 1 mismatch(es)`,
    ]);
  });
});

/**
 * Postal result delivery end to end: the one-stop system orders the delivery of a dossier's result with
 * POST /v1/deliveries, the postal simulator (own wire format, API token) takes the order, its admin routes
 * move the parcel along and its signed callbacks reach the gateway over real HTTP; the gateway's state, a
 * consumer of lgsp.delivery.status.v1 on the suite's real Kafka broker and the delivery counts follow. The
 * receiver's address and phone never reach the topic or the logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';

import { signPostalCallback } from '@lienthong/adapters/postal';
import { validate } from '@lienthong/contracts';
import { createKafkaClient, decodeEvent, initTopics, Topic } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { PostalSimulator, startPostalSimulator } from '../../apps/simulators/src/postal';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';

const KEYS = { onestop: generateApiKey(), other: generateApiKey() };
const SECRET = 'e2e-postal-webhook-secret-0123456789';
const AGENCY = '000.00.31.H56';
const ADDRESS = 'Số 12 đường Hoàng Liên, phường Cốc Lếu, Lào Cai';
const PHONE = '0912345678';

function clientsDocument() {
  const client = (id: string, key: string, agencies: string[], services: Record<string, unknown>) => ({
    id,
    name: id,
    kind: 'ONE_STOP_SYSTEM',
    enabled: true,
    agencies,
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services,
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
      client('e2e-onestop', KEYS.onestop, ['000.*.*.H56'], { deliveries: {}, 'indicators.read': {} }),
      client('e2e-other', KEYS.other, ['000.*.*.H29'], { deliveries: {} }),
    ],
  };
}

describe('postal result delivery through the gateway and the postal simulator', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-postal-'));
  let database: IsolatedDatabase;
  let postal: PostalSimulator;
  let gateway: RunningGateway;
  let consumer: ReturnType<ReturnType<typeof createKafkaClient>['consumer']>;
  const received = new Map<string, { status: string; raw: string; data: Record<string, unknown> }[]>();
  let sequence = 0;
  // the gateway's own log lines, at debug level: none may carry the receiver's address or phone
  const logLines: string[] = [];
  const logger = createLogger({
    name: 'gateway',
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(line) },
  });

  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) =>
    getJson(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-request-id': `postal-e2e-${++sequence}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const dossierCode = () => `${AGENCY}-261206-${String(Math.floor(Math.random() * 9000) + 1000)}`;
  const order = (code: string) => ({
    dossierCode: code,
    receiver: { name: 'Nguyễn Văn An', address: ADDRESS, phone: PHONE },
    documents: 2,
  });
  const advance = async (orderNumber: string, state: string) => {
    const answer = await getJson(`${postal.url}/__admin/orders/${orderNumber}/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ callbackStatus: 200 });
  };
  const statusesOn = (code: string) => (received.get(code) ?? []).map((m) => m.status);

  beforeAll(async () => {
    postal = await startPostalSimulator({ webhook: { url: 'http://127.0.0.1:1/unset', secret: SECRET } });
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS as string],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    database = await createIsolatedDatabase('postal');
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    gateway = await startGateway({
      logger,
      env: testEnv({
        DATABASE_URL: database.url,
        CLIENTS_FILE: clientsFile,
        POSTAL_URL: postal.url,
        POSTAL_WEBHOOK_SECRET: SECRET,
        AUDIT_FLUSH_INTERVAL_MS: '10',
      }),
    });
    postal.webhook.url = `${gateway.url}/v1/deliveries/callbacks`;

    consumer = createKafkaClient({
      clientId: 'e2e-delivery-reader',
      brokers: [process.env.KAFKA_BROKERS as string],
    }).consumer({ groupId: `e2e-delivery-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [Topic.DeliveryStatus], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const raw = message.value?.toString() ?? '';
        const decoded = decodeEvent<Record<string, unknown>>(raw);
        if (!decoded.ok) throw new Error(decoded.reason);
        const key = message.key?.toString() ?? '';
        const list = received.get(key) ?? [];
        list.push({ status: String(decoded.event.data.status), raw, data: decoded.event.data });
        received.set(key, list);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await gateway?.close();
    await postal?.close();
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('follows a parcel to delivery: the gateway and a consumer of the topic see each state in order, and it is counted', async () => {
    const code = dossierCode();
    const created = await call('POST', '/v1/deliveries', KEYS.onestop, order(code));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      dossierCode: code,
      agencyCode: AGENCY,
      status: 'CREATED',
      documents: 2,
    });
    const orderNumber = created.body.orderNumber as string;
    expect(orderNumber).toMatch(/^EH\d{9}VN$/);
    // the operator got the receiver and the sending agency; the gateway did not keep them
    const simulated = postal.store.byDossier(code)!;
    expect(simulated.request).toMatchObject({
      nguoi_gui: { ma_don_vi: AGENCY },
      nguoi_nhan: { dia_chi: ADDRESS, so_dien_thoai: PHONE },
      so_luong_tai_lieu: 2,
      tien_thu_ho: 0,
    });
    expect(JSON.stringify(created.body)).not.toContain(PHONE);

    // the same order again answers the same delivery, never a second parcel
    const again = await call('POST', '/v1/deliveries', KEYS.onestop, order(code));
    expect(again.body.orderNumber).toBe(orderNumber);
    expect(postal.store.orders.size).toBe(1);

    for (const state of ['PICKED_UP', 'IN_TRANSIT', 'DELIVERED']) await advance(orderNumber, state);

    const view = await call('GET', `/v1/deliveries/${code}`, KEYS.onestop);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('DELIVERED');
    expect(view.body.history.map((h: { status: string }) => h.status)).toEqual([
      'CREATED',
      'PICKED_UP',
      'IN_TRANSIT',
      'DELIVERED',
    ]);

    await waitFor(() => statusesOn(code).length >= 4, 30_000, 'the delivery states on the topic');
    expect(statusesOn(code)).toEqual(['CREATED', 'PICKED_UP', 'IN_TRANSIT', 'DELIVERED']);
    for (const message of received.get(code)!) {
      expect(validate('delivery-status-event', message.data).ok).toBe(true);
      expect(message.raw).not.toContain(PHONE);
      expect(message.raw).not.toContain('Hoàng Liên');
    }

    const period = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
    const counts = await call(
      'GET',
      `/v1/indicators/deliveries?agency=${AGENCY}&period=${period}`,
      KEYS.onestop,
    );
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({ agencyCode: AGENCY, delivered: 1 });
    expect(counts.body.ordered).toBeGreaterThanOrEqual(1);
  });

  it('follows a returned parcel, and a repeated or forged callback changes nothing', async () => {
    const code = dossierCode();
    const created = await call('POST', '/v1/deliveries', KEYS.onestop, order(code));
    expect(created.status).toBe(201);
    const orderNumber = created.body.orderNumber as string;
    await advance(orderNumber, 'PICKED_UP');
    await advance(orderNumber, 'RETURNED');

    // the operator sends the pick-up again (same event id): acknowledged, not applied
    const body = JSON.stringify({
      ma_van_don: orderNumber,
      ma_khach_hang: code,
      ...postal.store.orders.get(orderNumber)!.hanh_trinh[1],
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const repeated = await getJson(`${gateway.url}/v1/deliveries/callbacks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-postal-timestamp': String(timestamp),
        'x-postal-signature': signPostalCallback(SECRET, timestamp, body),
      },
      body,
    });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual({ applied: false, outcome: 'DUPLICATE' });
    // a late in-transit event after the parcel came back: acknowledged, the parcel stays RETURNED
    const late = JSON.stringify({
      ma_van_don: orderNumber,
      ma_khach_hang: code,
      ma_su_kien: `${orderNumber}-late`,
      trang_thai: 'DANG_VAN_CHUYEN',
      thoi_gian: new Date().toISOString(),
    });
    const outdated = await getJson(`${gateway.url}/v1/deliveries/callbacks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-postal-timestamp': String(timestamp),
        'x-postal-signature': signPostalCallback(SECRET, timestamp, late),
      },
      body: late,
    });
    expect(outdated.body).toEqual({ applied: false, outcome: 'OUTDATED' });
    // signed with another secret: refused
    const forged = await getJson(`${gateway.url}/v1/deliveries/callbacks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-postal-timestamp': String(timestamp),
        'x-postal-signature': signPostalCallback('not-the-secret', timestamp, body),
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(forged.body.code).toBe('INVALID_SIGNATURE');

    const view = await call('GET', `/v1/deliveries/${code}`, KEYS.onestop);
    expect(view.body.status).toBe('RETURNED');
    expect(view.body.history.map((h: { status: string }) => h.status)).toEqual([
      'CREATED',
      'PICKED_UP',
      'RETURNED',
    ]);
    await waitFor(() => statusesOn(code).length >= 3, 30_000, 'the returned parcel on the topic');
    expect(statusesOn(code)).toEqual(['CREATED', 'PICKED_UP', 'RETURNED']);

    const period = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
    const counts = await call(
      'GET',
      `/v1/indicators/deliveries?agency=${AGENCY}&period=${period}`,
      KEYS.onestop,
    );
    expect(counts.body.returned).toBe(1);

    // every exchange audited: the order, the callbacks (the forged one denied) and the reads
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const rows = await waitFor(
        async () => {
          const result = await pg.query<{ service: string; outcome: string }>(
            "SELECT service, outcome FROM audit_record WHERE upstream = 'postal' AND (dossier_code = $1 OR outcome = 'DENIED')",
            [code],
          );
          return result.rows.some((r) => r.service === 'deliveries.read') ? result.rows : undefined;
        },
        10_000,
        'the delivery audit records',
      );
      const services = rows.map((r) => `${r.service}:${r.outcome}`);
      expect(services).toEqual(
        expect.arrayContaining([
          'deliveries.create:OK',
          'deliveries.callback:OK',
          'deliveries.callback:DENIED',
          'deliveries.read:OK',
        ]),
      );
    } finally {
      await pg.end();
    }
  });

  it('answers bad requests with problem+json and keeps other agencies out', async () => {
    const bad = await call('POST', '/v1/deliveries', KEYS.onestop, {
      dossierCode: 'not-a-code',
      receiver: { name: 'Nguyễn Văn An', address: ADDRESS, phone: '12345' },
      documents: 0,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('INVALID_BODY');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/documents',
      '/dossierCode',
      '/receiver/phone',
    ]);
    expect(JSON.stringify(bad.body)).not.toContain('12345');

    const foreign = await call('POST', '/v1/deliveries', KEYS.other, order(dossierCode()));
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('AGENCY_NOT_ALLOWED');

    const missing = await call('GET', `/v1/deliveries/${dossierCode()}`, KEYS.onestop);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('DELIVERY_NOT_FOUND');

    const period = await call(
      'GET',
      `/v1/indicators/deliveries?agency=${AGENCY}&period=2026-13`,
      KEYS.onestop,
    );
    expect(period.status).toBe(400);
    expect(period.body.code).toBe('INVALID_PERIOD');
  });

  it('keeps the receiver out of the gateway’s logs', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(PHONE) || line.includes('Hoàng Liên'))).toEqual([]);
  });
});

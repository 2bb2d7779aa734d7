/**
 * Citizen feedback end to end: the national feedback system's simulator holds two items, the relay's feedback
 * role fetches, stores and acknowledges them with their competent agency and answer deadline, each agency's
 * client sees its own items through GET /v1/feedback (another agency's client is refused), and answers go back
 * to the national system through POST /v1/feedback/{id}/answer — one before its deadline (ANSWERED_ON_TIME),
 * one long after it (ANSWERED_LATE). A bad answer is problem+json; every exchange is audited.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { validate, type FeedbackItemEvent } from '@lienthong/contracts';
import { decodeEvent, initTopics, Topic, type ConsumerPort } from '@lienthong/messaging';
import { createDevPki } from '@lienthong/pki';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import { FeedbackSimulator, startFeedbackSimulator } from '../../apps/simulators/src/feedback';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';
import { joinedConsumer } from '../support/joined-consumer';

const KEYS = { laocai: generateApiKey(), hanoi: generateApiKey(), noFeedback: generateApiKey() };
const LAO_CAI = '000.00.31.H56';
const HA_NOI = '000.00.31.H29';

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
      client('e2e-laocai', KEYS.laocai, ['000.*.*.H56'], { feedback: {} }),
      client('e2e-hanoi', KEYS.hanoi, ['000.*.*.H29'], { feedback: {} }),
      client('e2e-no-feedback', KEYS.noFeedback, ['000.*.*.H56'], { 'indicators.read': {} }),
    ],
  };
}

describe('citizen feedback through the relay and the gateway', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-feedback-'));
  let database: IsolatedDatabase;
  let national: FeedbackSimulator;
  let gateway: RunningGateway;
  let relay: RunningRelay;
  let sequence = 0;
  let consumer: ConsumerPort;
  /** What an agency's consumer on lgsp.feedback.item.v1 received: key, data and the raw record. */
  const received: { key: string; data: FeedbackItemEvent; raw: string }[] = [];

  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) =>
    getJson(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-request-id': `feedback-e2e-${++sequence}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    createDevPki(join(work, 'pki'), { agencies: [] });
    national = await startFeedbackSimulator();
    const brokers = (process.env.KAFKA_BROKERS as string).split(',');
    await initTopics({
      brokers,
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    consumer = await joinedConsumer({
      brokers,
      topics: [Topic.FeedbackItem],
      name: 'e2e-feedback',
      onMessage: (message) => {
        const raw = message.value?.toString() ?? '';
        const decoded = decodeEvent<FeedbackItemEvent>(raw);
        if (!decoded.ok) throw new Error(decoded.reason);
        received.push({ key: message.key?.toString() ?? '', data: decoded.event.data, raw });
      },
    });
    database = await createIsolatedDatabase('feedback');
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    const env = testEnv({
      DATABASE_URL: database.url,
      CLIENTS_FILE: clientsFile,
      PKI_DIR: join(work, 'pki'),
      RELAY_ROLES: 'feedback',
      FEEDBACK_URL: national.url,
      FEEDBACK_POLL_INTERVAL_MS: '100',
      AUDIT_FLUSH_INTERVAL_MS: '10',
    });
    gateway = await startGateway({ env });
    relay = await startRelay({ env });
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await relay?.close();
    await gateway?.close();
    await national?.close();
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('routes each item to its agency, and records an answer before and one after the deadline', async () => {
    const fresh = { ma: 'PAKN-2026-0001', thoiGianTiepNhan: new Date().toISOString() };
    // received in January: its 10 working days are long past
    const old = { ma: 'PAKN-2026-0002', thoiGianTiepNhan: '2026-01-05T02:00:00.000Z' };
    national.store.add({
      ...fresh,
      maThuTuc: '1.001612',
      maCoQuan: LAO_CAI,
      noiDung: 'Hồ sơ đăng ký khai sinh quá hạn chưa được trả kết quả.',
      nguoiPhanAnh: { hoTen: 'Nguyễn Văn A', soDienThoai: '0912345678' },
    });
    national.store.add({
      ...old,
      maThuTuc: '2.000488',
      maCoQuan: HA_NOI,
      noiDung: 'Thái độ tiếp công dân chưa đúng mực tại bộ phận một cửa.',
      nguoiPhanAnh: { hoTen: 'Trần Thị B', email: 'b@example.vn' },
    });

    // the relay fetches and acknowledges both
    await waitFor(() => national.store.acknowledged.size === 2, 30_000, 'both items acknowledged', 50);

    // a consumer on the topic receives each item keyed by its agency, without the citizen's contact or text
    await waitFor(
      () => [fresh.ma, old.ma].every((ma) => received.some((r) => r.data.id === ma)),
      30_000,
      'both items on lgsp.feedback.item.v1',
      50,
    );
    const onTopic = received.filter((r) => r.data.id === fresh.ma || r.data.id === old.ma);
    expect(onTopic.map((r) => [r.key, r.data.id]).sort()).toEqual(
      [
        [LAO_CAI, fresh.ma],
        [HA_NOI, old.ma],
      ].sort(),
    );
    expect(onTopic.find((r) => r.data.id === old.ma)?.data).toEqual({
      id: old.ma,
      agencyCode: HA_NOI,
      procedureCode: '2.000488',
      receivedAt: old.thoiGianTiepNhan,
      dueAt: '2026-01-19T16:59:59.999Z',
      status: 'OPEN',
    });
    for (const record of onTopic) {
      expect(validate('feedback-item', record.data).ok).toBe(true);
      expect(record.raw).not.toContain('0912345678');
      expect(record.raw).not.toContain('Nguyễn Văn A');
      expect(record.raw).not.toContain('Thái độ');
    }

    // each agency sees its own item, with the citizen's contact and the deadline
    const laocai = await call('GET', `/v1/feedback?agency=${LAO_CAI}`, KEYS.laocai);
    expect(laocai.status).toBe(200);
    expect(laocai.body.items).toHaveLength(1);
    expect(laocai.body.items[0]).toMatchObject({
      id: fresh.ma,
      agencyCode: LAO_CAI,
      procedureCode: '1.001612',
      status: 'OPEN',
      overdue: false,
      contact: { fullName: 'Nguyễn Văn A', phone: '0912345678' },
    });
    expect(Date.parse(laocai.body.items[0].dueAt)).toBeGreaterThan(Date.now() + 9 * 86_400_000);
    const hanoi = await call('GET', `/v1/feedback?agency=${HA_NOI}&status=OPEN`, KEYS.hanoi);
    expect(hanoi.body.items.map((item: { id: string }) => item.id)).toEqual([old.ma]);
    expect(hanoi.body.items[0]).toMatchObject({ overdue: true, dueAt: '2026-01-19T16:59:59.999Z' });

    // another agency's client is refused, and so is a client without the feedback service
    const foreign = await call('GET', `/v1/feedback?agency=${HA_NOI}`, KEYS.laocai);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(foreign.body.code).toBe('AGENCY_NOT_ALLOWED');
    expect((await call('GET', `/v1/feedback?agency=${LAO_CAI}`, KEYS.noFeedback)).status).toBe(403);
    const foreignAnswer = await call('POST', `/v1/feedback/${old.ma}/answer`, KEYS.laocai, { content: 'x' });
    expect(foreignAnswer.status).toBe(403);
    expect(national.store.answers.has(old.ma)).toBe(false);

    // a bad answer body is problem+json, and nothing is sent
    const bad = await call('POST', `/v1/feedback/${fresh.ma}/answer`, KEYS.laocai, { content: '', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(bad.body.code).toBe('INVALID_BODY');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/content', '/extra']);
    const notJson = await call('POST', `/v1/feedback/${fresh.ma}/answer`, KEYS.laocai, '[1]');
    expect(notJson.status).toBe(400);
    expect(
      (await call('POST', '/v1/feedback/PAKN-unknown/answer', KEYS.laocai, { content: 'x' })).status,
    ).toBe(404);

    // answered before the deadline
    const onTime = await call('POST', `/v1/feedback/${fresh.ma}/answer`, KEYS.laocai, {
      content: 'UBND xã đã trả kết quả khai sinh ngày 06/12/2026 và xin lỗi công dân.',
    });
    expect(onTime.status).toBe(200);
    expect(onTime.body).toMatchObject({ id: fresh.ma, status: 'ANSWERED_ON_TIME', overdue: false });
    expect(national.store.answers.get(fresh.ma)).toMatchObject({
      noiDung: 'UBND xã đã trả kết quả khai sinh ngày 06/12/2026 và xin lỗi công dân.',
      coQuanTraLoi: LAO_CAI,
    });

    // answered after it
    const late = await call('POST', `/v1/feedback/${old.ma}/answer`, KEYS.hanoi, {
      content: 'Đã nhắc nhở cán bộ một cửa.',
    });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ id: old.ma, status: 'ANSWERED_LATE', overdue: true });
    expect(national.store.answers.get(old.ma)?.coQuanTraLoi).toBe(HA_NOI);

    // a second answer is refused; the list shows the outcome
    const again = await call('POST', `/v1/feedback/${old.ma}/answer`, KEYS.hanoi, { content: 'Lần hai.' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('FEEDBACK_ALREADY_ANSWERED');
    const answered = await call('GET', `/v1/feedback?agency=${HA_NOI}&status=ANSWERED_LATE`, KEYS.hanoi);
    expect(answered.body.items.map((item: { id: string }) => item.id)).toEqual([old.ma]);

    // every exchange audited, the citizen's contact in none of the records
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      await waitFor(
        async () =>
          Number(
            (
              await pg.query(
                "SELECT count(*) AS n FROM audit_record WHERE service = 'feedback.answer' AND outcome = 'OK'",
              )
            ).rows[0].n,
          ) === 2,
        10_000,
        'answers audited',
        50,
      );
      const services = (
        await pg.query("SELECT DISTINCT service FROM audit_record WHERE upstream = 'feedback-system'")
      ).rows.map((row: { service: string }) => row.service);
      expect(services.sort()).toEqual(
        ['feedback.acknowledge', 'feedback.answer', 'feedback.fetch', 'feedback.list'].sort(),
      );
      const dump = JSON.stringify((await pg.query('SELECT * FROM audit_record')).rows);
      expect(dump).not.toContain('0912345678');
      expect(dump).not.toContain('b@example.vn');
    } finally {
      await pg.end();
    }
  }, 90_000);
});

/**
 * Operations-center reporting end to end, on the suite's real Kafka broker and PostgreSQL database: the
 * reporter (with a fake indicator source) records and publishes report revisions, the relay (in this process)
 * delivers them to the operations-center simulator over HTTP while it is down, then answers 503s, then refuses
 * an expired token; the simulator must end up holding exactly one accepted report per agency, period and
 * version, and its attempt counter must show the failures happened.
 */
import { randomBytes } from 'node:crypto';
import { OperationsCenterClient } from '@lienthong/adapters/operations-center';
import { schemaIdOf, type IndicatorReport, type ReportingPeriod } from '@lienthong/contracts';
import {
  createEvent,
  DeadLetterStore,
  EventProducer,
  initTopics,
  MessagingOptions,
  Outbox,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { createDatabase, type Database } from '@lienthong/storage';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import {
  INDICATOR_REPORT_EVENT_TYPE,
  IndicatorReporter,
  reportKey,
  type IndicatorReportSource,
} from '@lienthong/indicators';
import {
  OPERATIONS_CENTER_SIMULATOR_DEFAULTS,
  startOperationsCenterSimulator,
  type OperationsCenterSimulator,
  type StoredReport,
} from '../../apps/simulators/src/operations-center';
import { getJson, testEnv, waitFor } from '../support/http';

type Numbers = Omit<IndicatorReport, 'version' | 'generatedAt'>;

const logger = createLogger({ name: 'test', level: 'silent' });
const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');
const run = randomBytes(3).toString('hex').toUpperCase();
const AGENCY_A = `E2E${run}.17.22.H56`;
const AGENCY_B = `E2E${run}.17.23.H56`;
const AGENCY_C = `E2E${run}.17.24.H56`;
const MONTH: ReportingPeriod = { kind: 'MONTH', key: '2026-10' };

function numbersFor(agencyCode: string, received: number): Numbers {
  return {
    agencyCode,
    period: MONTH,
    formulaVersion: '766-2022.1',
    counts: {
      received,
      resolvedOnTime: 371,
      resolvedLate: 9,
      pendingInTime: 36,
      pendingOverdue: 4,
      receivedOnline: 315,
      paidOnline: 188,
      digitisedAtIntake: 402,
      resultsDigitised: 380,
      componentsReusedFromStore: 96,
      componentsReusedFromPortal: 41,
      ratings: 210,
      ratingsSatisfied: 203,
    },
    scores: { CKMB: 17.5, TDGQ: 18.2, CLGQ: 10.4, TTTT: 7.1, MDHL: 17.4, MDSH: 19.6, total: 90.2 },
  };
}

/** The indicator numbers the test decides, per agency. */
class FakeIndicatorSource implements IndicatorReportSource {
  readonly numbers = new Map<string, Numbers>();

  async agencies(period: ReportingPeriod): Promise<string[]> {
    return [...this.numbers.values()].filter((n) => n.period.key === period.key).map((n) => n.agencyCode);
  }

  async report(agencyCode: string, period: ReportingPeriod): Promise<Numbers | undefined> {
    const numbers = this.numbers.get(agencyCode);
    return numbers && numbers.period.key === period.key ? structuredClone(numbers) : undefined;
  }
}

describe('operations-center reporting', () => {
  let sim: OperationsCenterSimulator;
  let relay: RunningRelay;
  let database: Database;
  let producer: EventProducer;
  let reporter: IndicatorReporter;
  const source = new FakeIndicatorSource();

  const mine = (r: StoredReport) => r.MaDonVi.startsWith(`E2E${run}.`);
  const accepted = async (): Promise<StoredReport[]> =>
    ((await getJson(`${sim.url}/__admin/reports`)).body.reports as StoredReport[]).filter(mine);
  const stats = async () => (await getJson(`${sim.url}/__admin/stats`)).body as Record<string, number>;
  const admin = (path: string, body?: unknown) =>
    getJson(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  const rows = (agencyCode: string) =>
    database.query<{ version: number; status: string; receipt_id: string | null; last_error: string | null }>(
      `SELECT version, status, receipt_id, last_error FROM indicator_delivery
        WHERE agency_code = $1 AND period_key = $2 ORDER BY version`,
      [agencyCode, MONTH.key],
    );
  const has = (reports: StoredReport[], agency: string, version: number) =>
    reports.some((r) => r.MaDonVi === agency && r.KyBaoCao === '10/2026' && r.PhienBan === version);

  beforeAll(async () => {
    await initTopics({
      brokers: brokers(),
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    sim = await startOperationsCenterSimulator({ port: 0 });
    relay = await startRelay({
      env: testEnv({
        OPERATIONS_CENTER_URL: sim.url,
        OPERATIONS_CENTER_TIMEOUT_MS: '1000',
        OPERATIONS_CENTER_RETRY_BASE_MS: '200',
        OPERATIONS_CENTER_RETRY_MAX_MS: '1000',
        OPERATIONS_CENTER_MAX_ATTEMPTS: '60',
        INDICATOR_REPORT_SCHEDULE: '0',
      }),
      logger,
    });
    database = await createDatabase({ url: process.env.TEST_DATABASE_URL, applicationName: 'test' });
    const options: MessagingOptions = {
      brokers: brokers(),
      clientId: 'test-reporter',
      sendTimeoutMs: 10_000,
      healthTimeoutMs: 10_000,
      logger,
    };
    producer = new EventProducer(options);
    reporter = new IndicatorReporter({
      database,
      outbox: new Outbox(database, producer, options),
      source,
      logger,
      eventSource: '/lienthong/test',
    });
  });

  afterAll(async () => {
    await relay?.close();
    await producer?.onApplicationShutdown();
    await database?.close();
    await sim?.close();
  });

  it('delivers exactly one accepted report per agency, period and version through outages, 503s and token expiry', async () => {
    // 1. The operations center is down when the first revisions are queued.
    sim.faults.set({ down: true, paths: ['/api'] });
    source.numbers.set(AGENCY_A, numbersFor(AGENCY_A, 420));
    source.numbers.set(AGENCY_B, numbersFor(AGENCY_B, 180));
    const first = await reporter.run(MONTH);
    expect(first.map((o) => [o.agencyCode, o.outcome, 'version' in o ? o.version : undefined])).toEqual([
      [AGENCY_A, 'queued', 1],
      [AGENCY_B, 'queued', 1],
    ]);

    // Both are parked on the retry topic while the outage lasts, and attempts keep reaching the simulator.
    await waitFor(
      async () =>
        (await rows(AGENCY_A))[0]?.status === 'PARKED' && (await rows(AGENCY_B))[0]?.status === 'PARKED',
      // the relay's consumer groups may still be joining on a loaded machine
      90_000,
      'both reports to be parked',
    );
    await waitFor(async () => (await stats()).attempts >= 4, 30_000, 'failed attempts during the outage');
    expect(await accepted()).toEqual([]);

    // 2. It comes back answering 503 three times, and every token it issued has expired.
    await admin('/__admin/failures', { serverErrors: { count: 3, status: 503 } });
    await admin('/__admin/tokens/expire');
    sim.faults.clear();
    await waitFor(
      async () => {
        const reports = await accepted();
        return has(reports, AGENCY_A, 1) && has(reports, AGENCY_B, 1);
      },
      40_000,
      'both first versions to be accepted',
    );

    // 3. Run again with the same numbers: nothing new.
    const second = await reporter.run(MONTH);
    expect(second.map((o) => [o.agencyCode, o.outcome, 'version' in o ? o.version : undefined])).toEqual([
      [AGENCY_A, 'unchanged', 1],
      [AGENCY_B, 'unchanged', 1],
    ]);

    // 4. Agency A's numbers change: version 2 for A only.
    source.numbers.set(AGENCY_A, numbersFor(AGENCY_A, 425));
    const third = await reporter.run(MONTH);
    expect(third.map((o) => [o.agencyCode, o.outcome, 'version' in o ? o.version : undefined])).toEqual([
      [AGENCY_A, 'queued', 2],
      [AGENCY_B, 'unchanged', 1],
    ]);
    await waitFor(async () => has(await accepted(), AGENCY_A, 2), 30_000, 'version 2 of agency A');

    // 5. Kafka redelivers A's version 1: the operations center acknowledges it, nothing is stored twice.
    const v1 = await database.queryOne<{ event_id: string; report: IndicatorReport; attempts: number }>(
      `SELECT event_id, report, attempts FROM indicator_delivery
        WHERE agency_code = $1 AND period_key = $2 AND version = 1`,
      [AGENCY_A, MONTH.key],
    );
    await producer.send(Topic.IndicatorReport, [
      toKafkaMessage(
        createEvent({
          id: v1!.event_id,
          type: INDICATOR_REPORT_EVENT_TYPE,
          source: '/lienthong/test',
          subject: reportKey(AGENCY_A, MONTH),
          dataschema: schemaIdOf('indicator-report'),
          data: v1!.report,
        }),
        reportKey(AGENCY_A, MONTH),
      ),
    ]);
    await waitFor(
      async () => {
        const row = await database.queryOne<{ attempts: number; status: string }>(
          `SELECT attempts, status FROM indicator_delivery
            WHERE agency_code = $1 AND period_key = $2 AND version = 1`,
          [AGENCY_A, MONTH.key],
        );
        return row!.attempts > v1!.attempts && row!.status === 'DELIVERED';
      },
      30_000,
      'the redelivered version to be delivered again',
    );
    // Every delivery row ends delivered, with the operations center's receipt.
    await waitFor(
      async () => {
        const all = [...(await rows(AGENCY_A)), ...(await rows(AGENCY_B))];
        return all.length === 3 && all.every((row) => row.status === 'DELIVERED');
      },
      30_000,
      'every delivery row to be delivered',
    );

    // The simulator holds exactly one accepted report per agency, period and version...
    const reports = await accepted();
    expect(reports.map((r) => `${r.MaDonVi} ${r.KyBaoCao} v${r.PhienBan}`).sort()).toEqual(
      [`${AGENCY_A} 10/2026 v1`, `${AGENCY_A} 10/2026 v2`, `${AGENCY_B} 10/2026 v1`].sort(),
    );
    expect(
      reports.find((r) => r.MaDonVi === AGENCY_A && r.PhienBan === 2)!.report.ChiSo.TongSoHoSoTiepNhan,
    ).toBe(425);
    // ...and its counters show that the failures happened and were retried.
    const after = await stats();
    expect(after.serverErrors).toBe(3);
    expect(after.alreadyAccepted).toBeGreaterThanOrEqual(1);
    expect(after.unauthorized).toBeGreaterThanOrEqual(1);
    expect(after.attempts).toBeGreaterThan(after.accepted + after.alreadyAccepted + after.serverErrors);
    expect((await getJson(`${sim.url}/__admin/failures`)).body.serverErrors.remaining).toBe(0);

    const receipts = [...(await rows(AGENCY_A)), ...(await rows(AGENCY_B))].map((row) => row.receipt_id);
    expect(receipts).toEqual([
      expect.stringMatching(/^TN-/),
      expect.stringMatching(/^TN-/),
      expect.stringMatching(/^TN-/),
    ]);
    expect(new Set(receipts).size).toBe(3);

    // The audit log holds every call the relay made for these reports: the failures and the acceptances.
    const audited = () =>
      database.query<{ service: string; upstream: string; client_id: string; outcome: string; code: string }>(
        `SELECT a.service, a.upstream, a.client_id, a.outcome, coalesce(a.outcome_code, '') AS code
           FROM audit_record a JOIN indicator_delivery d ON a.request_id = d.event_id::text
          WHERE d.agency_code IN ($1, $2) AND a.subject_kind = 'NONE' AND a.upstream_latency_ms >= 0`,
        [AGENCY_A, AGENCY_B],
      );
    const records = await waitFor(
      async () => {
        const found = await audited();
        return found.filter((r) => r.outcome === 'OK' && r.code === 'ACCEPTED').length === 3
          ? found
          : undefined;
      },
      10_000,
      'the accepted deliveries in the audit log',
    );
    expect(new Set(records.map((r) => `${r.service} ${r.upstream} ${r.client_id}`))).toEqual(
      new Set(['operations-center.report operations-center lienthong-relay']),
    );
    const codes = records.map((r) => `${r.outcome} ${r.code}`);
    expect(codes).toContain('OK ALREADY_ACCEPTED');
    const failures = codes.filter((c) => c.startsWith('UPSTREAM_ERROR'));
    expect(failures.length).toBeGreaterThanOrEqual(4);
    expect(failures.every((c) => /^UPSTREAM_ERROR OPERATIONS_CENTER_[A-Z_]+$/.test(c))).toBe(true);
  }, 300_000);

  it('dead-letters a version the operations center already holds with other numbers, with the reason', async () => {
    // The operations center already accepted a version 1 for agency C from elsewhere, with other numbers.
    const direct = new OperationsCenterClient({
      baseUrl: sim.url,
      clientId: OPERATIONS_CENTER_SIMULATOR_DEFAULTS.clientId,
      clientSecret: OPERATIONS_CENTER_SIMULATOR_DEFAULTS.clientSecret,
    });
    await direct.submitReport({
      ...numbersFor(AGENCY_C, 99),
      version: 1,
      generatedAt: '2026-11-01T00:05:00+07:00',
    });
    await direct.close();

    source.numbers.set(AGENCY_C, numbersFor(AGENCY_C, 100));
    const outcome = await reporter.run(MONTH, { agencies: [AGENCY_C] });
    expect(outcome).toMatchObject([{ agencyCode: AGENCY_C, outcome: 'queued', version: 1 }]);

    await waitFor(async () => (await rows(AGENCY_C))[0]?.status === 'REJECTED', 30_000, 'the conflict');
    expect((await rows(AGENCY_C))[0].last_error).toMatch(/^OPERATIONS_CENTER_CONFLICT: /);
    const letters = await waitFor(
      async () => {
        const found = (
          await DeadLetterStore.forBrokers(brokers(), producer).list({ code: 'OPERATIONS_CENTER_CONFLICT' })
        ).filter((letter) => letter.key === reportKey(AGENCY_C, MONTH));
        return found.length > 0 ? found : undefined;
      },
      30_000,
      'the dead letter',
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      sourceTopic: Topic.IndicatorReport,
      group: 'lienthong-relay-operations-center',
      replayTopic: Topic.IndicatorReportRetry,
    });
    const stored = (await accepted()).filter((r) => r.MaDonVi === AGENCY_C);
    expect(stored.map((r) => r.report.ChiSo.TongSoHoSoTiepNhan)).toEqual([99]);
  }, 300_000);
});

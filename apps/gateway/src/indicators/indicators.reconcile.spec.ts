/**
 * GET /v1/indicators/reconcile: the gateway's score beside the portal simulator's own evaluation, read over
 * HTTP by the real portal client (LayKetQuaDanhGia on the sharing endpoint), on embedded PostgreSQL (PGlite).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dump } from 'js-yaml';
import { PublicServicePortalClient } from '@lienthong/adapters/public-service-portal';
import { ContractsModule } from '@lienthong/contracts';
import { metricsRegistry, createHttpApp, createLogger } from '@lienthong/observability';
import { SecurityModule } from '@lienthong/security';
import { PGLITE_MEMORY, StorageModule } from '@lienthong/storage';
import type { IndicatorEvent } from '@lienthong/domain';
import { KEYS, NOW, testClientsDocument } from '../../../../libs/security/src/testing/security.fixtures';
import { IndicatorStore } from '@lienthong/indicators';
import { PORTAL_SIMULATOR_DEFAULTS, startPortalSimulator, type PortalSimulator } from '@lienthong/simulators';
import { GATEWAY_ROUTE_ACCESS } from '../route-access';
import { IndicatorsModule } from './indicators.module';

const logger = createLogger({ name: 'reconcile-spec', level: 'silent' });
const AGENCY = '000.17.22.H56';

const event = (id: number, partial: Partial<IndicatorEvent>): IndicatorEvent => ({
  eventId: `40000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  dossierCode: `${AGENCY}-261005-0001`,
  agencyCode: AGENCY,
  status: 'RECEIVED',
  occurredAt: '2026-10-05T09:00:00+07:00',
  channel: 'ONLINE',
  ...partial,
});

type Body = Record<string, any>;

describe('GET /v1/indicators/reconcile', () => {
  let dir: string;
  let sim: PortalSimulator;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-reconcile-'));
    sim = await startPortalSimulator({ port: 0, logger });
    const document = testClientsDocument() as { clients: { id: string; services: Record<string, object> }[] };
    // the one-stop system and the operations team may read indicators; only the operators may reconcile
    for (const id of ['motcua', 'van-hanh'])
      document.clients.find((c) => c.id === id)!.services['indicators.read'] = {};
    writeFileSync(join(dir, 'clients.yaml'), dump(document));
    @Module({
      imports: [
        ContractsModule,
        StorageModule.forRoot({ pgliteDir: PGLITE_MEMORY, migrate: true }),
        SecurityModule.forRoot({
          clientsFile: join(dir, 'clients.yaml'),
          now: () => NOW,
          routes: GATEWAY_ROUTE_ACCESS,
        }),
        IndicatorsModule.forRoot(
          () =>
            new PublicServicePortalClient({
              baseUrl: sim.url,
              username: PORTAL_SIMULATOR_DEFAULTS.username,
              password: PORTAL_SIMULATOR_DEFAULTS.password,
              unitCode: PORTAL_SIMULATOR_DEFAULTS.unitCode,
              dstcode: PORTAL_SIMULATOR_DEFAULTS.dstcode,
              resilience: { timeoutMs: 2_000, retries: 0 },
              logger,
            }),
        ),
      ],
    })
    class TestModule {}
    app = await createHttpApp(TestModule, { logger });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const store = app.get(IndicatorStore);
    // a dossier received online in October with a fee paid online, resolved on time, rated 5
    await store.record(
      event(1, { dueAt: '2026-10-08T17:00:00+07:00', payment: { required: true, paidOnline: true } }),
    );
    await store.record(event(2, { status: 'RESOLVED', occurredAt: '2026-10-07T10:00:00+07:00' }));
    await store.record(
      event(3, { status: 'RESULT_RETURNED', occurredAt: '2026-10-07T11:00:00+07:00', rating: { score: 5 } }),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, key: string) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

  /** The portal's evaluation: the gateway's own criterion scores, but for what `change` says. */
  async function portalScores(change: Record<string, number>, notMeasured: Record<string, number>) {
    const own = (await get(`/v1/indicators?agency=${AGENCY}&period=2026-10`, KEYS.oneStop)).json();
    const groupScores = (own.groups as Body[]).map((g) => {
      const criteria = (g.criteria as Body[]).map((c) => ({
        code: c.code,
        score: change[c.code] ?? (c.measured ? c.points : (notMeasured[c.code] ?? 0)),
        maxScore: c.maxPoints,
      }));
      return {
        group: g.group,
        score: Math.round(criteria.reduce((s, c) => s + c.score, 0) * 100) / 100,
        maxScore: g.maxPoints,
        criteria,
      };
    });
    return { own, groupScores };
  }

  it('reports the one group where the portal’s score differs, with the sub-criterion, and sets the metric', async () => {
    // the portal judged TDGQ.1 at 15 where the gateway has 20; it scores the catalogue criteria it alone knows
    const { own, groupScores } = await portalScores(
      { 'TDGQ.1': 15 },
      { 'CKMB.1': 6, 'CKMB.2': 3, 'CKMB.3': 2 },
    );
    sim.store.setEvaluation({ unitCode: AGENCY, periodKind: 'THANG', period: '2026-10', groupScores });

    const response = await get(`/v1/indicators/reconcile?agency=${AGENCY}&period=2026-10`, KEYS.operator);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.differences).toEqual([
      { group: 'TDGQ', criterion: 'TDGQ.1', gateway: 20, portal: 15, difference: -5 },
    ]);
    const groups = Object.fromEntries((body.groups as Body[]).map((g) => [g.group, g]));
    expect(groups.TDGQ).toMatchObject({ gateway: 20, portal: 15, difference: -5, measuredDifference: -5 });
    // CKMB differs as a whole only by what the portal scores and the gateway cannot measure
    expect(groups.CKMB).toMatchObject({
      gateway: own.scores.CKMB,
      portal: own.scores.CKMB + 11,
      difference: 11,
      portalNotMeasuredHere: 11,
      measuredDifference: 0,
    });
    expect(groups.CKMB.criteria.find((c: Body) => c.code === 'CKMB.1')).toEqual({
      code: 'CKMB.1',
      title: 'Công bố TTHC đúng hạn',
      maxPoints: 6,
      measured: false,
      gateway: null,
      portal: 6,
      difference: null,
    });
    for (const group of ['CLGQ', 'TTTT', 'MDHL', 'MDSH']) expect(groups[group].measuredDifference).toBe(0);
    expect(body).toMatchObject({
      agencyCode: AGENCY,
      period: { kind: 'MONTH', key: '2026-10' },
      gatewayTotal: own.scores.total,
    });

    const metric = await metricsRegistry.getSingleMetric('lgsp_indicator_reconcile_difference_points')?.get();
    const tdgq = metric?.values.find((v) => v.labels.agency === AGENCY && v.labels.group === 'TDGQ');
    expect(tdgq?.value).toBe(-5);
  });

  it('answers 404 while the portal has no evaluation of the period, and 400 for a day', async () => {
    const none = await get(`/v1/indicators/reconcile?agency=${AGENCY}&period=2026-09`, KEYS.operator);
    expect([none.statusCode, none.json().code]).toEqual([404, 'PORTAL_EVALUATION_NOT_FOUND']);
    const day = await get(`/v1/indicators/reconcile?agency=${AGENCY}&period=2026-10-05`, KEYS.operator);
    expect([day.statusCode, day.json().code]).toEqual([400, 'INVALID_PERIOD']);
  });

  it('answers 503 while the portal is down', async () => {
    sim.faults.set({ down: true });
    try {
      const response = await get(`/v1/indicators/reconcile?agency=${AGENCY}&period=2026-10`, KEYS.operator);
      expect([response.statusCode, response.json().code]).toEqual([503, 'PORTAL_UNAVAILABLE']);
    } finally {
      sim.faults.clear();
    }
  });

  it('is for operators: a one-stop system granted indicators.read is refused', async () => {
    const response = await get(`/v1/indicators/reconcile?agency=${AGENCY}&period=2026-10`, KEYS.oneStop);
    expect([response.statusCode, response.json().code]).toEqual([403, 'ROLE_REQUIRED']);
  });
});

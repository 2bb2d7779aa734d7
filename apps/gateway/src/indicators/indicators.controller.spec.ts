/**
 * GET /v1/indicators over HTTP on the project's HTTP app conventions: embedded PostgreSQL (PGlite) with the
 * migrations, the real client registry and access policy, and the IndicatorStore the relay writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dump } from 'js-yaml';
import { ContractsModule, validate } from '@lienthong/contracts';
import { FORMULA_VERSION, PORTAL_FORMULA_VERSION, type IndicatorEvent } from '@lienthong/domain';
import { createHttpApp, createLogger } from '@lienthong/observability';
import { SecurityModule } from '@lienthong/security';
import { PGLITE_MEMORY, StorageModule } from '@lienthong/storage';
import { KEYS, NOW, testClientsDocument } from '../../../../libs/security/src/testing/security.fixtures';
import { IndicatorStore } from '@lienthong/indicators';
import { buildOpenApi } from '../bootstrap';
import { IndicatorsModule } from './indicators.module';

const logger = createLogger({ name: 'indicators-spec', level: 'silent' });
const DEMO_KEY = 'lt_demoKey_IndicatorsSpec_AbcdefGhijklMnop';
const AGENCY = '000.17.22.H56';

async function startApp(imports: NonNullable<ModuleMetadata['imports']>): Promise<NestFastifyApplication> {
  @Module({ imports: [ContractsModule, ...imports, IndicatorsModule] })
  class TestModule {}
  const app = await createHttpApp(TestModule, { logger });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const event = (id: number, partial: Partial<IndicatorEvent>): IndicatorEvent => ({
  eventId: `30000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  dossierCode: `${AGENCY}-261005-0001`,
  agencyCode: AGENCY,
  status: 'RECEIVED',
  occurredAt: '2026-10-05T09:00:00+07:00',
  channel: 'ONLINE',
  ...partial,
});

describe('GET /v1/indicators', () => {
  let dir: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-indicators-'));
    const document = testClientsDocument() as { clients: { id: string; services: Record<string, object> }[] };
    document.clients.find((c) => c.id === 'motcua')!.services['indicators.read'] = {};
    writeFileSync(join(dir, 'clients.yaml'), dump(document));
    app = await startApp([
      StorageModule.forRoot({ pgliteDir: PGLITE_MEMORY, migrate: true }),
      SecurityModule.forRoot({
        clientsFile: join(dir, 'clients.yaml'),
        demoApiKey: DEMO_KEY,
        now: () => NOW,
      }),
    ]);
    const store = app.get(IndicatorStore);
    await store.record(
      event(1, { dueAt: '2026-10-08T17:00:00+07:00', payment: { required: true, paidOnline: true } }),
    );
    await store.record(event(2, { status: 'RESOLVED', occurredAt: '2026-10-07T10:00:00+07:00' }));
    await store.record(
      event(3, { status: 'RESULT_RETURNED', occurredAt: '2026-10-07T11:00:00+07:00', rating: { score: 4 } }),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (query: string, key?: string) =>
    app.inject({
      method: 'GET',
      url: `/v1/indicators${query}`,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  it('scores the month as the portal does by default: every sub-criterion, its figures, and what is not measured', async () => {
    const response = await get(`?agency=${AGENCY}&period=2026-10`, KEYS.oneStop);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      agencyCode: AGENCY,
      period: { kind: 'MONTH', key: '2026-10' },
      formulaVersion: PORTAL_FORMULA_VERSION,
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/),
    });
    // received online with a fee paid online, resolved before its due date and rated 4; never synced to the
    // portal (no portal.sync in the audit log), nothing digitised, no electronic result, nothing reused
    expect(body.scores).toEqual({ CKMB: 0, TDGQ: 20, CLGQ: 10, TTTT: 6, MDHL: 6, MDSH: 0, total: 42 });
    expect(body.measuredMax).toEqual({ CKMB: 6, TDGQ: 20, CLGQ: 10, TTTT: 6, MDHL: 6, MDSH: 14, total: 62 });
    const criteria = Object.fromEntries(
      (body.groups as { criteria: { code: string }[] }[]).flatMap((g) => g.criteria.map((c) => [c.code, c])),
    );
    expect(criteria['TDGQ.1']).toMatchObject({ measured: true, points: 20, numerator: 1, denominator: 1 });
    expect(criteria['CKMB.4']).toMatchObject({ measured: true, points: 0, numerator: 0, denominator: 1 });
    expect(criteria['CKMB.1']).toMatchObject({ measured: false, points: null, source: 'catalogue' });
    expect(criteria['MDHL.1']).toMatchObject({ measured: false, points: null, source: 'feedback' });
  });

  it('accepts a year with the portal formulas, and refuses a day (the portal evaluates no shorter period)', async () => {
    const year = await get(`?agency=${AGENCY}&period=2026`, DEMO_KEY);
    expect([year.statusCode, year.json().period]).toEqual([200, { kind: 'YEAR', key: '2026' }]);
    expect(year.json().counts).toMatchObject({ received: 1, closed: 1, closedOnTime: 1 });
    const day = await get(`?agency=${AGENCY}&period=2026-10-05`, DEMO_KEY);
    expect([day.statusCode, day.json().code]).toEqual([400, 'INVALID_PERIOD']);
  });

  it('returns the 2022 formulas on request: the canonical report, without a revision number', async () => {
    const response = await get(`?agency=${AGENCY}&period=2026-10&formula=${FORMULA_VERSION}`, KEYS.oneStop);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      agencyCode: AGENCY,
      period: { kind: 'MONTH', key: '2026-10' },
      formulaVersion: FORMULA_VERSION,
      counts: {
        received: 1,
        resolvedOnTime: 1,
        resolvedLate: 0,
        pendingInTime: 0,
        pendingOverdue: 0,
        receivedOnline: 1,
        paidOnline: 1,
        digitisedAtIntake: 0,
        resultsDigitised: 0,
        componentsReusedFromStore: 0,
        componentsReusedFromPortal: 0,
        ratings: 1,
        ratingsSatisfied: 1,
      },
      // MDSH: nothing digitised, no digital result, nothing reused
      scores: { CKMB: 18, TDGQ: 20, CLGQ: 12, TTTT: 10, MDHL: 18, MDSH: 0, total: 78 },
      generatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/),
    });
    expect(validate('indicator-report', { ...body, version: 1 }).ok).toBe(true);
  });

  it.each([
    ['2026-10-05', 'DAY', { received: 1, pendingInTime: 1, resolvedOnTime: 0 }],
    ['2026-10-07', 'DAY', { received: 0, resolvedOnTime: 1, ratings: 1 }],
    ['2026-Q4', 'QUARTER', { received: 1, resolvedOnTime: 1 }],
  ])('accepts the period %s (%s) with the 2022 formulas', async (key, kind, counts) => {
    const response = await get(`?agency=${AGENCY}&period=${key}&formula=${FORMULA_VERSION}`, DEMO_KEY);
    expect(response.statusCode).toBe(200);
    expect(response.json().period).toEqual({ kind, key });
    expect(response.json().counts).toEqual(expect.objectContaining(counts));
  });

  it.each([
    ['no agency', '?period=2026-10', 'INVALID_AGENCY_CODE'],
    ['a lower-case agency code', '?agency=000.17.22.h56&period=2026-10', 'INVALID_AGENCY_CODE'],
    ['an agency code with an empty group', '?agency=000..22.H56&period=2026-10', 'INVALID_AGENCY_CODE'],
    ['two agencies', `?agency=${AGENCY}&agency=${AGENCY}&period=2026-10`, 'INVALID_AGENCY_CODE'],
    ['no period', `?agency=${AGENCY}`, 'INVALID_PERIOD'],
    ['month 13', `?agency=${AGENCY}&period=2026-13`, 'INVALID_PERIOD'],
    ['a day that does not exist', `?agency=${AGENCY}&period=2026-02-30`, 'INVALID_PERIOD'],
    ['a fifth quarter', `?agency=${AGENCY}&period=2026-Q5`, 'INVALID_PERIOD'],
    ['a date-time', `?agency=${AGENCY}&period=2026-10-05T00:00:00Z`, 'INVALID_PERIOD'],
    ['an unknown formula', `?agency=${AGENCY}&period=2026-10&formula=766-2099.9`, 'INVALID_FORMULA'],
  ])('refuses %s with 400 problem+json', async (_name, query, code) => {
    const response = await get(query, DEMO_KEY);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual(expect.objectContaining({ status: 400, code }));
  });

  it('answers 404 when the agency has nothing in the period', async () => {
    const month = await get(`?agency=${AGENCY}&period=2026-09`, DEMO_KEY);
    expect([month.statusCode, month.json().code]).toEqual([404, 'INDICATORS_NOT_FOUND']);
    const other = await get('?agency=000.00.14.H56&period=2026-10', DEMO_KEY);
    expect([other.statusCode, other.json().code]).toEqual([404, 'INDICATORS_NOT_FOUND']);
  });

  it('is described in the OpenAPI document', () => {
    const document = buildOpenApi(app);
    const operation = document.paths['/v1/indicators']?.get;
    expect(operation?.tags).toEqual(['indicators']);
    expect(operation?.parameters?.map((p) => ('name' in p ? p.name : undefined)).sort()).toEqual([
      'agency',
      'formula',
      'period',
    ]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '429',
    ]);
  });

  it('needs a client granted indicators.read', async () => {
    const anonymous = await get(`?agency=${AGENCY}&period=2026-10`);
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const ministry = await get(`?agency=${AGENCY}&period=2026-10`, KEYS.ministry);
    expect([ministry.statusCode, ministry.json().code]).toEqual([403, 'SERVICE_NOT_ALLOWED']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IndicatorReport } from '@lienthong/contracts';
import {
  OperationsCenterClient,
  toWireReport,
  type OperationsCenterClientOptions,
} from '@lienthong/adapters/operations-center';
import {
  OPERATIONS_CENTER_SIMULATOR_DEFAULTS,
  startOperationsCenterSimulator,
  type OperationsCenterSimulator,
} from './operations-center.simulator';

// The real client against the real simulator over HTTP, and the recorded samples checked against the simulator.

const FIXTURES = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'libs',
  'adapters',
  'operations-center',
  'test-fixtures',
);
const sample = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const canonical = JSON.parse(sample('report.canonical.json')) as IndicatorReport;

let sequence = 0;
/** The canonical report for a fresh unit code, so tests never share a report. */
function reportFor(overrides: Partial<IndicatorReport> = {}): IndicatorReport {
  sequence += 1;
  return { ...structuredClone(canonical), agencyCode: `000.17.${sequence}.H56`, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('operations-center simulator with the real client', () => {
  let sim: OperationsCenterSimulator;
  const clients: OperationsCenterClient[] = [];
  const clientFor = (options: Partial<OperationsCenterClientOptions> = {}) => {
    const made = new OperationsCenterClient({
      baseUrl: sim.url,
      clientId: OPERATIONS_CENTER_SIMULATOR_DEFAULTS.clientId,
      clientSecret: OPERATIONS_CENTER_SIMULATOR_DEFAULTS.clientSecret,
      resilience: { timeoutMs: 1000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
      ...options,
    });
    clients.push(made);
    return made;
  };
  const post = async (path: string, body: string, headers: Record<string, string>) => {
    const response = await fetch(`${sim.url}${path}`, { method: 'POST', body, headers });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const bearer = async () => {
    const answer = await post('/oauth2/token', 'grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from('lienthong-relay:lienthong-dev-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    return {
      authorization: `Bearer ${JSON.parse(answer.text).access_token}`,
      'content-type': 'application/json',
    };
  };
  /** A recorded sample with the values that change per answer fixed as in the samples. */
  const normalised = (text: string) => {
    const body = JSON.parse(text);
    if (body.MaYeuCau) body.MaYeuCau = 'ttdh-fixture';
    if (body.ThoiDiemTiepNhan) body.ThoiDiemTiepNhan = '01/11/2026 00:05:03';
    if (body.access_token) body.access_token = 'fixture-access-token';
    return body;
  };

  beforeAll(async () => {
    sim = await startOperationsCenterSimulator({ port: 0 });
  });
  afterEach(async () => {
    sim.faults.clear();
    sim.failures.clear();
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await sim.close();
  });

  it('accepts a report once, acknowledges the same version again, and keeps one stored report', async () => {
    const center = clientFor();
    const report = reportFor();
    const first = await center.submitReport(report);
    const again = await center.submitReport({ ...report, generatedAt: '2026-11-01T06:00:00+07:00' });

    expect(first).toMatchObject({ outcome: 'accepted', version: 1 });
    expect(again).toEqual({ ...first, outcome: 'already-accepted' });
    const stored = sim.store.reports().filter((r) => r.MaDonVi === report.agencyCode);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ LoaiKy: 'THANG', KyBaoCao: '10/2026', PhienBan: 1, submissions: 2 });
    expect(stored[0].report).toEqual(toWireReport(report));
  });

  it('refuses other numbers under an accepted version, accepts them as the next version, and calls older ones superseded', async () => {
    const center = clientFor();
    const report = reportFor();
    await center.submitReport(report);
    const changed = {
      ...report,
      counts: { ...report.counts, received: 421 },
      scores: { ...report.scores, CKMB: 17.6, total: 90.3 },
    };

    const conflict = await failureOf(center.submitReport(changed));
    expect(conflict).toMatchObject({ code: 'OPERATIONS_CENTER_CONFLICT' });
    await expect(center.submitReport({ ...changed, version: 3 })).resolves.toMatchObject({
      outcome: 'accepted',
    });
    await expect(center.submitReport({ ...changed, version: 2 })).resolves.toEqual({
      outcome: 'superseded',
      version: 2,
      currentVersion: 3,
    });
    expect(
      sim.store
        .reports()
        .filter((r) => r.MaDonVi === report.agencyCode)
        .map((r) => r.PhienBan),
    ).toEqual([1, 3]);
  });

  it('keeps day, month and quarter reports of one unit apart', async () => {
    const center = clientFor();
    const report = reportFor();
    for (const period of [
      { kind: 'DAY', key: '2026-10-31' },
      { kind: 'MONTH', key: '2026-10' },
      { kind: 'QUARTER', key: '2026-Q4' },
    ] as const) {
      await expect(center.submitReport({ ...report, period })).resolves.toMatchObject({
        outcome: 'accepted',
      });
    }
    expect(
      sim.store
        .reports()
        .filter((r) => r.MaDonVi === report.agencyCode)
        .map((r) => `${r.LoaiKy} ${r.KyBaoCao}`),
    ).toEqual(['NGAY 31/10/2026', 'THANG 10/2026', 'QUY Q4/2026']);
  });

  it('renews an expired token and repeats the submission', async () => {
    const center = clientFor();
    await center.submitReport(reportFor());
    const before = sim.store.stats();
    sim.tokens.expireAll();

    await expect(center.submitReport(reportFor())).resolves.toMatchObject({ outcome: 'accepted' });
    const after = sim.store.stats();
    expect(after.unauthorized - before.unauthorized).toBe(1);
    expect(after.tokensIssued - before.tokensIssued).toBe(1);
  });

  it('counts every attempt, faulted ones included, and recovers once scripted 503s are spent', async () => {
    const center = clientFor({
      resilience: { timeoutMs: 1000, retries: 3, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
    await center.submitReport(reportFor()); // token cached
    sim.failures.set({ serverErrors: { count: 2, status: 503 } });
    const before = sim.store.stats();

    await expect(center.submitReport(reportFor())).resolves.toMatchObject({ outcome: 'accepted' });
    const after = sim.store.stats();
    expect(after.attempts - before.attempts).toBe(3);
    expect(after.serverErrors - before.serverErrors).toBe(2);
    expect(sim.failures.state().serverErrors).toEqual({ remaining: 0, status: 503 });
  });

  it('reports an outage as transient and counts the swallowed attempts', async () => {
    const center = clientFor();
    await center.submitReport(reportFor());
    sim.faults.set({ down: true, paths: ['/api'] });
    const before = sim.store.stats().attempts;

    const error = await failureOf(center.submitReport(reportFor()));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'NETWORK' } });
    // each attempt reaches the simulator and is counted, unless it raced the closing of a pooled connection
    expect(sim.store.stats().attempts - before).toBeGreaterThanOrEqual(1);
  });

  it('answers a truncated body under the malformed fault, which the client retries into an idempotent success', async () => {
    const center = clientFor();
    await center.submitReport(reportFor());
    const report = reportFor();
    sim.faults.set({ malformedRate: 1, paths: ['/api'] });
    const error = await failureOf(center.submitReport(report));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_MALFORMED_RESPONSE', transient: true });
    sim.faults.clear();
    await expect(center.submitReport(report)).resolves.toMatchObject({ outcome: 'already-accepted' });
  });

  it('refuses an invalid report with every problem named, and an unknown unit when units are configured', async () => {
    const valid = toWireReport(reportFor());
    const answer = await post(
      '/api/v1/bao-cao-chi-so',
      JSON.stringify({
        ...valid,
        Them: 1,
        ChiSo: { ...valid.ChiSo, SoLuotDanhGiaHaiLong: 211 },
        TongDiem: 50,
      }),
      await bearer(),
    );
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.text).DanhSachLoi.map((p: { Truong: string }) => p.Truong)).toEqual([
      'Them',
      'ChiSo.SoLuotDanhGiaHaiLong',
      'TongDiem',
    ]);

    const restricted = await startOperationsCenterSimulator({ port: 0, units: ['000.17.22.H56'] });
    try {
      const other = new OperationsCenterClient({
        baseUrl: restricted.url,
        clientId: 'lienthong-relay',
        clientSecret: 'lienthong-dev-secret',
      });
      clients.push(other);
      await expect(other.submitReport(canonical)).resolves.toMatchObject({ outcome: 'accepted' });
      const error = await failureOf(other.submitReport({ ...canonical, agencyCode: '000.99.99.H56' }));
      expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_UNIT_NOT_FOUND' });
    } finally {
      await restricted.close();
    }
  });

  it('answers exactly as the recorded wire samples', async () => {
    const fresh = await startOperationsCenterSimulator({ port: 0, units: ['000.17.22.H56'] });
    const previous = sim;
    sim = fresh;
    try {
      const wire = JSON.parse(sample('report.request.json'));
      const headers = await bearer();
      const submit = (body: unknown) => post('/api/v1/bao-cao-chi-so', JSON.stringify(body), headers);
      const accepted = await submit(wire);
      expect([accepted.status, normalised(accepted.text)]).toEqual([
        201,
        JSON.parse(sample('report.accepted.json')),
      ]);
      const again = await submit(wire);
      expect([again.status, normalised(again.text)]).toEqual([
        200,
        JSON.parse(sample('report.already-accepted.json')),
      ]);
      const conflict = await submit({ ...wire, TongDiem: 90.3, DiemNhom: { ...wire.DiemNhom, CKMB: 17.6 } });
      expect([conflict.status, normalised(conflict.text)]).toEqual([
        409,
        JSON.parse(sample('report.conflict.json')),
      ]);
      await submit({ ...wire, PhienBan: 3 });
      const superseded = await submit({ ...wire, PhienBan: 2 });
      expect([superseded.status, normalised(superseded.text)]).toEqual([
        409,
        JSON.parse(sample('report.superseded.json')),
      ]);
      const unknown = await submit({ ...wire, MaDonVi: '000.99.99.H56' });
      expect([unknown.status, normalised(unknown.text)]).toEqual([
        404,
        JSON.parse(sample('report.unknown-unit.json')),
      ]);
      const notJson = await post('/api/v1/bao-cao-chi-so', '{"MaDonVi": ', headers);
      expect([notJson.status, normalised(notJson.text)]).toEqual([
        400,
        JSON.parse(sample('report.not-json.json')),
      ]);
      fresh.tokens.expireAll();
      const expired = await submit(wire);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(normalised(expired.text)).toEqual(JSON.parse(sample('invalid-token.json')));
      const token = await post('/oauth2/token', 'grant_type=client_credentials', {
        authorization: `Basic ${Buffer.from('lienthong-relay:lienthong-dev-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(normalised(token.text)).toEqual(JSON.parse(sample('token.ok.json')));
    } finally {
      sim = previous;
      await fresh.close();
    }
  });

  it('validates fault and failure settings on the admin routes, which faults never affect', async () => {
    sim.faults.set({ down: true });
    await new Promise((resolve) => setTimeout(resolve, 50)); // idle keep-alive connections are closed first
    const bad = await post('/__admin/failures', JSON.stringify({ serverErrors: { count: -1 } }), {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    const set = await post('/__admin/failures', JSON.stringify({ rateLimit: { count: 2 } }), {
      'content-type': 'application/json',
    });
    expect(JSON.parse(set.text)).toEqual({
      serverErrors: null,
      rateLimit: { remaining: 2, retryAfterSeconds: 1 },
    });
    const listing = await fetch(`${sim.url}/__admin/reports`);
    expect(listing.status).toBe(200);
    expect(Array.isArray(((await listing.json()) as { reports: unknown[] }).reports)).toBe(true);
  });

  it('refuses an invalid report locally and names the contract path', async () => {
    const error = await failureOf(clientFor().submitReport({ ...reportFor(), formulaVersion: '' }));
    expect(error).toMatchObject({ code: 'OPERATIONS_CENTER_INVALID_REPORT' });
    expect(error.message).toContain('/formulaVersion');
  });
});

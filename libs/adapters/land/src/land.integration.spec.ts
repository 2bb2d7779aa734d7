import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@lienthong/contracts';
import { validatePersonalId } from '@lienthong/domain';
import {
  RunningLandSimulator,
  sampleCertificates,
  sampleParcels,
  startLandSimulator,
  ThuaDatRecord,
} from '@lienthong/simulators';
import { LandClient } from './land.client';

/**
 * The client against the land simulator over real HTTP. With LGSP_CAPTURE_FIXTURES=1 the wire samples under
 * test-fixtures/ are (re)recorded from the simulator; otherwise they are checked to be what the simulator
 * still answers, so the unit specs replay the current dialect.
 */

const FIXTURE_SEED = 2026;
const API_KEY = 'land-fixture-key';
const FIXTURES = join(__dirname, '..', 'test-fixtures');
const capture = process.env.LGSP_CAPTURE_FIXTURES === '1';
const ctx = { requestId: 'it-land' };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LandClient against the simulator', () => {
  let sim: RunningLandSimulator;
  let client: LandClient;

  const newClient = (overrides: Partial<ConstructorParameters<typeof LandClient>[0]> = {}) =>
    new LandClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      resilience: { timeoutMs: 1000, retries: 1, retryInitialDelayMs: 10, retryMaxDelayMs: 20 },
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startLandSimulator({ seed: FIXTURE_SEED, apiKey: API_KEY });
    client = newClient();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  afterEach(() => sim.faults.clear());

  it('looks up parcels by commune, map sheet and parcel number into canonical records', async () => {
    for (const sample of sampleParcels(10, sim.dataset)) {
      const parcel = await client.lookupParcel(sample, ctx);
      expect(validate('land-parcel', parcel).ok).toBe(true);
      expect(parcel).toMatchObject({
        communeCode: sample.communeCode,
        mapSheetNo: sample.mapSheetNo,
        parcelNo: sample.parcelNo,
        provenance: { source: 'CSDLQG_DAT_DAI' },
      });
      for (const holder of parcel.holders ?? []) {
        if (holder.personalId) expect(validatePersonalId(holder.personalId).valid).toBe(true);
      }
    }
  });

  it('finds a parcel with a leading zero in the map sheet number', async () => {
    const [sample] = sampleParcels(1, sim.dataset);
    const parcel = await client.lookupParcel({ ...sample, mapSheetNo: `0${sample.mapSheetNo}` }, ctx);
    expect(parcel.mapSheetNo).toBe(sample.mapSheetNo);
  });

  it('looks up the parcel a certificate was issued for, however the number is spaced', async () => {
    const [sample] = sampleCertificates(1, sim.dataset);
    const parcel = await client.lookupByCertificate(sample.certificateNo.replace(' ', '').toLowerCase(), ctx);
    expect(parcel).toMatchObject({ communeCode: sample.communeCode, parcelNo: sample.parcelNo });
    expect(parcel.certificates?.[0].certificateNo).toBe(sample.certificateNo);
  });

  it('reports unknown parcels and certificates as not found', async () => {
    const [sample] = sampleParcels(1, sim.dataset);
    await expect(client.lookupParcel({ ...sample, mapSheetNo: '999' }, ctx)).rejects.toMatchObject({
      code: 'LAND_PARCEL_NOT_FOUND',
    });
    await expect(client.lookupByCertificate('ZZ 000001', ctx)).rejects.toMatchObject({
      code: 'LAND_PARCEL_NOT_FOUND',
      details: { lookup: 'CERTIFICATE' },
    });
  });

  it('reports a refused API key as an auth error', async () => {
    const wrong = newClient({ apiKey: 'wrong' });
    try {
      const [sample] = sampleParcels(1, sim.dataset);
      await expect(wrong.lookupParcel(sample, ctx)).rejects.toMatchObject({ code: 'LAND_AUTH_FAILED' });
    } finally {
      await wrong.close();
    }
  });

  it('times out a slow drip and reports a truncated answer as malformed', async () => {
    const [sample] = sampleParcels(1, sim.dataset);
    const impatient = newClient({ resilience: { timeoutMs: 200, retries: 0 } });
    try {
      sim.faults.set({ slowDrip: { chunkBytes: 64, intervalMs: 50 } });
      await expect(impatient.lookupParcel(sample, ctx)).rejects.toMatchObject({ code: 'LAND_TIMEOUT' });
      sim.faults.set({ slowDrip: null, malformedRate: 1 });
      await expect(impatient.lookupParcel(sample, ctx)).rejects.toMatchObject({
        code: 'LAND_MALFORMED_RESPONSE',
      });
    } finally {
      await impatient.close();
    }
  });

  it('opens the circuit during an outage, fails fast, and closes it once the upstream is back', async () => {
    const guarded = newClient({
      resilience: {
        timeoutMs: 500,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 3 },
        halfOpenAfterMs: 300,
      },
    });
    try {
      const [sample] = sampleParcels(1, sim.dataset);
      await guarded.lookupParcel(sample, ctx);
      sim.faults.set({ down: true });
      for (let i = 0; i < 3; i++) {
        await expect(guarded.lookupParcel(sample, ctx)).rejects.toMatchObject({
          code: 'LAND_UNAVAILABLE',
          details: { reason: 'NETWORK' },
        });
      }
      expect(guarded.health().circuit).toBe('open');

      const started = performance.now();
      const refused = guarded.lookupParcel(sample, ctx);
      await expect(refused).rejects.toMatchObject({ code: 'LAND_UNAVAILABLE' });
      await expect(refused).rejects.toMatchObject({ details: { reason: 'CIRCUIT_OPEN' } });
      expect(performance.now() - started).toBeLessThan(50);

      sim.faults.set({ down: false });
      await wait(350);
      expect((await guarded.lookupParcel(sample, ctx)).parcelNo).toBe(sample.parcelNo);
      expect(guarded.health()).toMatchObject({ adapter: 'land', circuit: 'closed' });
    } finally {
      await guarded.close();
    }
  });

  describe('wire samples in test-fixtures/', () => {
    const get = (path: string, key = API_KEY) =>
      fetch(`${sim.url}${path}`, { headers: { 'x-api-key': key } });
    const parcelPath = (r: { maXa: string; soToBanDo: string; soThuaDat: string }) =>
      `/api/thua-dat?maXa=${r.maXa}&soToBanDo=${r.soToBanDo}&soThuaDat=${r.soThuaDat}`;
    /** Values that change from one answer to the next are replaced by fixed ones. */
    const normalise = (text: string) =>
      text
        .replace(/maYeuCau="[^"]+"/, 'maYeuCau="dd-fixture"')
        .replace(/thoiDiem="[^"]+"/, 'thoiDiem="2026-10-31T02:15:02.000Z"')
        .replace(/<MaYeuCau>[^<]+<\/MaYeuCau>/, '<MaYeuCau>dd-fixture</MaYeuCau>');

    function pick(predicate: (r: ThuaDatRecord) => boolean): ThuaDatRecord {
      for (let i = 0; i < 20_000; i++) {
        const record = sim.dataset.parcelAt(i);
        if (predicate(record)) return record;
      }
      throw new Error('no parcel in the first 20,000 matches');
    }

    async function samples(): Promise<Record<string, string>> {
      const rich = pick(
        (r) =>
          r.hanChe.some((h) => h.loai === 'THE_CHAP') &&
          r.giayChungNhan.length === 2 &&
          r.soHieuCu !== undefined &&
          r.chuSuDung.length === 2 &&
          r.mucDichSuDung.some((u) => u.thoiHan === 'CO_THOI_HAN'),
      );
      const enterprise = pick((r) => r.chuSuDung[0].loai === 'DOANH_NGHIEP' && r.giayChungNhan.length > 0);
      const out: Record<string, string> = {
        'parcel.ok.xml': await (await get(parcelPath(rich))).text(),
        'parcel.enterprise.xml': await (await get(parcelPath(enterprise))).text(),
        'certificate.ok.xml': await (
          await get(`/api/giay-chung-nhan/${encodeURIComponent(enterprise.giayChungNhan[0].soPhatHanh)}`)
        ).text(),
        'not-found.xml': await (await get('/api/thua-dat?maXa=00004&soToBanDo=999&soThuaDat=1')).text(),
        'invalid.xml': await (await get('/api/thua-dat?maXa=12&soToBanDo=1&soThuaDat=1')).text(),
        'unauthorized.xml': await (await get(parcelPath(rich), 'wrong')).text(),
      };
      sim.faults.set({ errorRate: 1 });
      out['system-error.xml'] = await (await get(parcelPath(rich))).text();
      sim.faults.set({ errorRate: null, malformedRate: 1 });
      out['truncated.xml.txt'] = await (await get(parcelPath(rich))).text();
      sim.faults.clear();
      for (const [name, text] of Object.entries(out)) out[name] = normalise(text);
      return out;
    }

    it(
      capture ? 'records the samples from the simulator' : 'are what the simulator answers today',
      async () => {
        const current = await samples();
        if (capture) {
          mkdirSync(FIXTURES, { recursive: true });
          for (const [name, text] of Object.entries(current)) writeFileSync(join(FIXTURES, name), text);
          return;
        }
        for (const [name, text] of Object.entries(current)) {
          const file = join(FIXTURES, name);
          expect(existsSync(file)).toBe(true);
          expect(text).toBe(readFileSync(file, 'utf8'));
        }
      },
    );
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@lienthong/config';
import { parseStringPromise } from 'xml2js';
import { sampleCertificates, sampleParcels } from './land.samples';
import { RunningLandSimulator, startLandSimulator } from './land.simulator';

const XSD = join(repoRoot(), 'contracts/upstream/land/tra-cuu-dat-dai.xsd');
const hasXmllint = spawnSync('xmllint', ['--version']).status === 0;

/** Validates documents against the shipped XSD with libxml2 when xmllint is installed. */
function validateAgainstXsd(documents: string[]): void {
  if (!hasXmllint) return;
  const dir = mkdtempSync(join(tmpdir(), 'land-xsd-'));
  const files = documents.map((doc, i) => {
    const file = join(dir, `doc${i}.xml`);
    writeFileSync(file, doc);
    return file;
  });
  execFileSync('xmllint', ['--noout', '--schema', XSD, ...files], { stdio: 'pipe' });
}

describe('land simulator over HTTP', () => {
  let sim: RunningLandSimulator;

  beforeAll(async () => {
    sim = await startLandSimulator({ seed: 5, apiKey: 'land-key' });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  const get = (path: string, key = 'land-key') =>
    fetch(`${sim.url}${path}`, { headers: { 'x-api-key': key } });
  const parcelPath = (p: { communeCode: string; mapSheetNo: string; parcelNo: string }) =>
    `/api/thua-dat?maXa=${p.communeCode}&soToBanDo=${p.mapSheetNo}&soThuaDat=${p.parcelNo}`;

  it('answers a parcel by commune, map sheet and parcel number as UTF-8 XML valid against the XSD', async () => {
    const samples = sampleParcels(20, sim.dataset);
    const documents: string[] = [];
    for (const sample of samples) {
      const response = await get(parcelPath(sample));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
      documents.push(await response.text());
    }
    const parsed = await parseStringPromise(documents[0]);
    expect(parsed.KetQuaTraCuu.ThuaDat[0].MaXa[0]).toBe(samples[0].communeCode);
    validateAgainstXsd(documents);
  });

  it('answers the parcel holding a certificate, with the number URL-encoded or compact', async () => {
    const [sample] = sampleCertificates(1, sim.dataset);
    const response = await get(`/api/giay-chung-nhan/${encodeURIComponent(sample.certificateNo)}`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain(`<SoPhatHanh>${sample.certificateNo}</SoPhatHanh>`);
    expect(body).toContain(`<SoThuaDat>${sample.parcelNo}</SoThuaDat>`);
    const compact = await get(`/api/giay-chung-nhan/${sample.certificateNo.replace(' ', '')}`);
    expect(compact.status).toBe(200);
  });

  it('answers XML error documents for invalid input, unknown parcels and a missing key', async () => {
    const invalid = await get('/api/thua-dat?maXa=12&soToBanDo=1&soThuaDat=1');
    expect(invalid.status).toBe(400);
    const invalidBody = await invalid.text();
    expect(invalidBody).toContain('<MaLoi>DU_LIEU_KHONG_HOP_LE</MaLoi>');
    const missing = await get('/api/thua-dat?maXa=00004&soToBanDo=1');
    expect(missing.status).toBe(400);
    const unknown = await get('/api/thua-dat?maXa=00004&soToBanDo=900&soThuaDat=1');
    expect(unknown.status).toBe(404);
    const unknownBody = await unknown.text();
    expect(unknownBody).toContain('<MaLoi>KHONG_TIM_THAY</MaLoi>');
    const noCertificate = await get('/api/giay-chung-nhan/ZZ%20000001');
    expect(noCertificate.status).toBe(404);
    const noKey = await get('/api/thua-dat?maXa=00004&soToBanDo=1&soThuaDat=1', 'wrong');
    expect(noKey.status).toBe(401);
    validateAgainstXsd([invalidBody, unknownBody, await noKey.text()]);
  });

  it('serves faults in its own dialect: XML 500s, truncated XML, outages', async () => {
    const [sample] = sampleParcels(1, sim.dataset);
    sim.faults.set({ errorRate: 1 });
    const failed = await get(parcelPath(sample));
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('<MaLoi>LOI_HE_THONG</MaLoi>');

    sim.faults.set({ errorRate: null, malformedRate: 1 });
    const truncated = await get(parcelPath(sample));
    expect(truncated.status).toBe(200);
    await expect(parseStringPromise(await truncated.text())).rejects.toThrow();

    sim.faults.set({ malformedRate: null, down: true });
    await expect(get(parcelPath(sample))).rejects.toThrow();
  });
});

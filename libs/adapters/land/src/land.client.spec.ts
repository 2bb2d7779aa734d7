import { MockAgent } from 'undici';
import { validate } from '@lienthong/contracts';
import { wireSample } from '../test-fixtures/wire-sample';
import { LandClient } from './land.client';
import type { LandClientOptions } from './land.options';

/** Recorded wire samples replayed with undici's MockAgent (see test-fixtures/README.md). */

const BASE = 'http://datdai.test';
const KEY = { communeCode: '00277', mapSheetNo: '1', parcelNo: '7' };
const ENTERPRISE_KEY = { communeCode: '00028', mapSheetNo: '1', parcelNo: '5' };
const ctx = { requestId: 'req-land-1' };
const XML_HEADERS = { 'content-type': 'application/xml; charset=utf-8' };
const NOW = new Date('2026-10-31T02:15:02Z');

let agent: MockAgent;

const parcelPath = (k: { communeCode: string; mapSheetNo: string; parcelNo: string }) =>
  `/api/thua-dat?maXa=${k.communeCode}&soToBanDo=${k.mapSheetNo}&soThuaDat=${k.parcelNo}`;

function answer(path: string, status: number, body: string, headers: Record<string, string> = XML_HEADERS) {
  return agent
    .get(BASE)
    .intercept({ path, method: 'GET' })
    .reply(status, body.startsWith('<') || body.includes(' ') ? body : wireSample(body), { headers });
}

const pending = () => agent.pendingInterceptors().length;

function newClient(overrides: Partial<LandClientOptions> = {}): LandClient {
  return new LandClient({
    baseUrl: BASE,
    apiKey: 'land-key',
    dispatcher: agent,
    clock: () => NOW,
    resilience: { timeoutMs: 300, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    ...overrides,
  });
}

describe('LandClient (recorded wire samples)', () => {
  let client: LandClient;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    client = newClient();
  });
  afterEach(async () => {
    await client.close();
    await agent.close();
  });

  it('maps a parcel to the canonical model, sending the API key and request id', async () => {
    agent
      .get(BASE)
      .intercept({
        path: parcelPath(KEY),
        method: 'GET',
        headers: { 'x-api-key': 'land-key', 'x-request-id': 'req-land-1' },
      })
      .reply(200, wireSample('parcel.ok.xml'), { headers: XML_HEADERS });

    const parcel = await client.lookupParcel(KEY, ctx);

    expect(pending()).toBe(0);
    expect(validate('land-parcel', parcel)).toMatchObject({ ok: true });
    expect(parcel).toEqual({
      parcelId: '00277.1.7',
      communeCode: '00277',
      mapSheetNo: '1',
      parcelNo: '7',
      oldNumbering: { mapSheetNo: '26', parcelNo: '36', legacyCommuneCode: '00278' },
      area: 3336.6,
      address: {
        detail: 'Thôn 4',
        communeCode: '00277',
        communeName: 'Xã Thắng Phú',
        provinceCode: '01',
        provinceName: 'Thành phố Hà Nội',
      },
      landUses: [
        {
          code: 'CLN',
          name: 'Đất trồng cây lâu năm',
          area: 3336.6,
          term: 'FIXED',
          until: '2068-07-20',
          origin: 'Nhà nước giao đất không thu tiền sử dụng đất',
        },
      ],
      holders: [
        {
          kind: 'PERSON',
          fullName: 'Nguyễn Khánh Ngân',
          personalId: '036145944550',
          legacyIdCard: '977959900',
        },
        { kind: 'PERSON', fullName: 'Trần Công Tài', personalId: '091061975528' },
      ],
      certificates: [
        {
          certificateNo: 'BH 267225',
          registryNo: 'CH24565',
          issuedOn: '2018-07-20',
          issuedBy: 'Chi nhánh Văn phòng đăng ký đất đai thành phố Hà Nội',
        },
        {
          certificateNo: 'BA 771196',
          registryNo: 'CH29833',
          issuedOn: '1998-04-09',
          issuedBy: 'Sở Tài nguyên và Môi trường thành phố Hà Nội',
        },
      ],
      encumbrances: [
        {
          kind: 'MORTGAGE',
          registeredOn: '2021-09-11',
          holder: 'Ngân hàng TMCP Sài Gòn Thương Tín - Chi nhánh Hà Nội',
        },
      ],
      provenance: {
        source: 'CSDLQG_DAT_DAI',
        retrievedAt: '2026-10-31T09:15:02+07:00',
        validUntil: '2026-11-01T09:15:02+07:00',
      },
    });
  });

  it('maps an enterprise holder with its enterprise code', async () => {
    answer(parcelPath(ENTERPRISE_KEY), 200, 'parcel.enterprise.xml');
    const parcel = await client.lookupParcel(ENTERPRISE_KEY, ctx);
    expect(parcel.holders).toEqual([
      { kind: 'ENTERPRISE', fullName: expect.stringMatching(/^Công ty /), enterpriseCode: '0128917551' },
    ]);
    expect(parcel.encumbrances).toEqual(expect.any(Array));
  });

  it('looks up by certificate number, URL-encoded and normalised to upper case', async () => {
    answer('/api/giay-chung-nhan/AK%20778446', 200, 'certificate.ok.xml');
    const parcel = await client.lookupByCertificate('  ak   778446 ', ctx);
    expect(parcel.certificates?.map((c) => c.certificateNo)).toContain('AK 778446');
    expect(parcel.communeCode).toBe('00028');
  });

  it('refuses malformed input before any call', async () => {
    const bad = [
      { ...KEY, communeCode: '277' },
      { ...KEY, communeCode: '00000' },
      { ...KEY, mapSheetNo: '' },
      { ...KEY, parcelNo: 'a b' },
    ];
    for (const key of bad) {
      await expect(client.lookupParcel(key, ctx)).rejects.toMatchObject({
        code: 'LAND_INVALID_REQUEST',
        details: { source: 'adapter' },
      });
    }
    await expect(client.lookupByCertificate('!!', ctx)).rejects.toMatchObject({
      code: 'LAND_INVALID_REQUEST',
    });
    await expect(client.lookupParcel(KEY, { requestId: '' })).rejects.toMatchObject({
      details: { field: 'requestId' },
    });
  });

  it('reports 404 KHONG_TIM_THAY as not found, without retrying', async () => {
    answer(parcelPath(KEY), 404, 'not-found.xml');
    answer(parcelPath(KEY), 200, 'parcel.ok.xml');
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_PARCEL_NOT_FOUND' });
    expect(pending()).toBe(1);
  });

  it('reports an upstream 400 as invalid and a refused API key as an auth error', async () => {
    answer(parcelPath(KEY), 400, 'invalid.xml');
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({
      code: 'LAND_INVALID_REQUEST',
      details: { source: 'upstream' },
    });
    answer(parcelPath(KEY), 401, 'unauthorized.xml');
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({
      code: 'LAND_AUTH_FAILED',
      transient: false,
    });
  });

  it('reports truncated XML as malformed after retrying it', async () => {
    answer(parcelPath(KEY), 200, 'truncated.xml.txt').times(2);
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_MALFORMED_RESPONSE' });
    expect(pending()).toBe(0);
  });

  it('refuses XML in another namespace or with another root as malformed', async () => {
    const otherNamespace = wireSample('parcel.ok.xml').replace(
      'urn:vn:gov:csdldatdai:tracuu:1.0',
      'urn:example:other',
    );
    answer(parcelPath(KEY), 200, otherNamespace).times(2);
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_MALFORMED_RESPONSE' });
    answer(parcelPath(KEY), 200, '<?xml version="1.0"?><html><body>Bảo trì hệ thống</body></html>').times(2);
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_MALFORMED_RESPONSE' });
  });

  it('refuses an answer about another parcel', async () => {
    answer(parcelPath({ ...KEY, parcelNo: '8' }), 200, 'parcel.ok.xml');
    await expect(client.lookupParcel({ ...KEY, parcelNo: '8' }, ctx)).rejects.toMatchObject({
      code: 'LAND_MALFORMED_RESPONSE',
      message: expect.stringContaining('another parcel'),
    });
  });

  it("reports a proxy's 502 page as unavailable and retries a 500", async () => {
    answer(parcelPath(KEY), 502, '<html><body>Bad Gateway</body></html>', {
      'content-type': 'text/html',
    }).times(2);
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({
      code: 'LAND_UNAVAILABLE',
      details: { reason: 'HTTP_STATUS', status: 502 },
    });
    answer(parcelPath(KEY), 500, 'system-error.xml');
    answer(parcelPath(KEY), 200, 'parcel.ok.xml');
    expect((await client.lookupParcel(KEY, ctx)).parcelNo).toBe('7');
  });

  it('times out a slow answer', async () => {
    answer(parcelPath(KEY), 200, 'parcel.ok.xml').delay(1000).times(2);
    const started = performance.now();
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('opens the circuit after consecutive failures and reports it in health()', async () => {
    const guarded = newClient({
      resilience: {
        timeoutMs: 300,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 2 },
        halfOpenAfterMs: 10_000,
      },
    });
    try {
      answer(parcelPath(KEY), 500, 'system-error.xml').times(2);
      for (let i = 0; i < 2; i++)
        await expect(guarded.lookupParcel(KEY, ctx)).rejects.toMatchObject({ code: 'LAND_UNAVAILABLE' });
      await expect(guarded.lookupParcel(KEY, ctx)).rejects.toMatchObject({
        details: { reason: 'CIRCUIT_OPEN' },
      });
      expect(guarded.health()).toMatchObject({
        adapter: 'land',
        circuit: 'open',
        errorRate: 1,
        recentCalls: 2,
      });
    } finally {
      await guarded.close();
    }
  });
});

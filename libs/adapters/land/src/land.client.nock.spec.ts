import { validate } from '@lienthong/contracts';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { wireSample } from '../test-fixtures/wire-sample';
import { LandClient } from './land.client';

/**
 * The client's real code path (`dispatcher.request`, as on its undici Pool) over node's http module through
 * NodeHttpDispatcher, so nock replays the recorded answers of the land database (test-fixtures/).
 */
const nock = useNock();
const BASE = 'http://datdai.test';
const KEY = { communeCode: '00277', mapSheetNo: '1', parcelNo: '7' };
const QUERY = { maXa: '00277', soToBanDo: '1', soThuaDat: '7' };
const ctx = { requestId: 'req-land-nock-1' };
const XML_HEADERS = { 'content-type': 'application/xml; charset=utf-8' };
const NOW = new Date('2026-10-31T02:15:02Z');

describe('LandClient through nock (recorded wire samples)', () => {
  let dispatcher: NodeHttpDispatcher;
  let client: LandClient;
  let sent: Record<string, string | string[] | undefined>[];

  /** The parcel lookup of KEY, answered `times` times with a recorded sample, recording each request. */
  function parcelLookup(status: number, file: string, times = 1) {
    return nock(BASE)
      .get('/api/thua-dat')
      .query(QUERY)
      .times(times)
      .reply(function () {
        sent.push(this.req.headers);
        return [status, wireSample(file), XML_HEADERS];
      });
  }

  beforeEach(() => {
    dispatcher = new NodeHttpDispatcher();
    sent = [];
    client = new LandClient({
      baseUrl: BASE,
      apiKey: 'land-key',
      dispatcher,
      clock: () => NOW,
      resilience: { timeoutMs: 2_000, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
  });
  afterEach(async () => {
    await client.close();
    await dispatcher.destroy();
  });

  it('maps the recorded parcel to the canonical model, having sent the API key and request id', async () => {
    const scope = parcelLookup(200, 'parcel.ok.xml');

    const parcel = await client.lookupParcel(KEY, ctx);

    expect(scope.isDone()).toBe(true);
    expect(sent).toEqual([
      expect.objectContaining({
        accept: 'application/xml',
        'x-api-key': 'land-key',
        'x-request-id': 'req-land-nock-1',
      }),
    ]);
    expect(validate('land-parcel', parcel)).toMatchObject({ ok: true });
    expect(parcel).toMatchObject({
      parcelId: '00277.1.7',
      communeCode: '00277',
      mapSheetNo: '1',
      parcelNo: '7',
      oldNumbering: { mapSheetNo: '26', parcelNo: '36', legacyCommuneCode: '00278' },
      area: 3336.6,
      address: { communeCode: '00277', communeName: 'Xã Thắng Phú', provinceCode: '01' },
      landUses: [{ code: 'CLN', area: 3336.6, term: 'FIXED', until: '2068-07-20' }],
      holders: [
        { kind: 'PERSON', fullName: 'Nguyễn Khánh Ngân', personalId: '036145944550' },
        { kind: 'PERSON', fullName: 'Trần Công Tài', personalId: '091061975528' },
      ],
      certificates: [{ certificateNo: 'BH 267225' }, { certificateNo: 'BA 771196' }],
      encumbrances: [{ kind: 'MORTGAGE', registeredOn: '2021-09-11' }],
      provenance: {
        source: 'CSDLQG_DAT_DAI',
        retrievedAt: '2026-10-31T09:15:02+07:00',
        validUntil: '2026-11-01T09:15:02+07:00',
      },
    });
  });

  it('reports truncated XML as malformed after retrying it once', async () => {
    const scope = parcelLookup(200, 'truncated.xml.txt', 2);

    const failure = client.lookupParcel(KEY, ctx);

    await expect(failure).rejects.toMatchObject({ code: 'LAND_MALFORMED_RESPONSE' });
    await expect(failure).rejects.toMatchObject({ code: 'LAND_MALFORMED_RESPONSE', transient: true });
    expect(scope.isDone()).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('reports the recorded error document KHONG_TIM_THAY (404) as not found, without retrying', async () => {
    const scope = parcelLookup(404, 'not-found.xml');

    const failure = client.lookupParcel(KEY, ctx);

    await expect(failure).rejects.toMatchObject({ code: 'LAND_PARCEL_NOT_FOUND' });
    await expect(failure).rejects.toMatchObject({ code: 'LAND_PARCEL_NOT_FOUND', transient: false });
    expect(scope.isDone()).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('reports the recorded error document DU_LIEU_KHONG_HOP_LE (400) as refused by the upstream', async () => {
    parcelLookup(400, 'invalid.xml');
    await expect(client.lookupParcel(KEY, ctx)).rejects.toMatchObject({
      code: 'LAND_INVALID_REQUEST',
      message: expect.stringContaining('DU_LIEU_KHONG_HOP_LE'),
      details: { source: 'upstream' },
    });
    expect(sent).toHaveLength(1);
  });

  it('looks up by certificate number, URL-encoded and normalised to upper case', async () => {
    const scope = nock(BASE)
      .get('/api/giay-chung-nhan/AK%20778446')
      .reply(200, wireSample('certificate.ok.xml'), XML_HEADERS);
    const parcel = await client.lookupByCertificate('  ak   778446 ', ctx);
    expect(scope.isDone()).toBe(true);
    expect(parcel.certificates?.map((c) => c.certificateNo)).toContain('AK 778446');
  });
});

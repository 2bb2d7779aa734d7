import { createLogger } from '@lienthong/observability';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { PortalCatalogueClient } from './portal-catalogue.client';
import { PublicServicePortalClient } from './public-service-portal.client';

/** The catalogue client on the portal client's transport, against nock answering in the portal's envelope. */
const nock = useNock();
const BASE = 'http://portal.test';
type Body = Record<string, any>;

const procedureWire = (code: string, more: Body = {}) => ({
  MaTTHC: code,
  TenTTHC: `Thủ tục ${code}`,
  MaLinhVuc: 'QT',
  TenLinhVuc: 'Quốc tịch',
  CapThucHien: ['2'],
  CachThucThucHien: [
    {
      KenhThucHien: '1',
      ThoiGian: 115,
      DonViTinh: 'Ngày làm việc',
      PhiLePhi: [{ MaPhiLePhi: 'LP', SoTien: 3000000, MoTa: 'Lệ phí' }],
    },
  ],
  ThanhPhanHoSo: [{ TenGiayTo: 'Tờ khai', SoBanChinh: 1, SoBanSao: 0 }],
  CoQuanThucHien: [{ MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp' }],
  TiepNhanKhongPhuThuocDiaGioi: '1',
  ThanhToanTrucTuyen: '0',
  TrangThai: '1',
  ...more,
});

describe('PortalCatalogueClient', () => {
  const open: PublicServicePortalClient[] = [];
  let calls: Body[];
  let inFlight: number;
  let mostInFlight: number;

  const transport = () => {
    const client = new PublicServicePortalClient({
      baseUrl: BASE,
      username: 'lienthong',
      password: 'secret',
      unitCode: '000.00.00.H56',
      dstcode: 'DVCQG',
      dispatcher: new NodeHttpDispatcher(),
      logger: createLogger({ name: 'spec', level: 'silent' }),
      resilience: { timeoutMs: 1_000, retries: 0, retryInitialDelayMs: 1, retryMaxDelayMs: 2 },
    });
    open.push(client);
    return client;
  };

  /** A portal holding `codes`, answering each LayThuTuc from `detail`, slowly enough to overlap calls. */
  function portal(codes: string[], detail: (code: string) => Body) {
    nock(BASE)
      .post('/api/login')
      .times(2)
      .optionally()
      .reply(200, { error_code: 0, message: 'Thành công', session: 's-1' });
    nock(BASE)
      .persist()
      .post('/api/share')
      .reply((_uri, body) => {
        const request = body as Body;
        calls.push(request);
        switch (request.service) {
          case 'LayDanhSachTTHC': {
            const { trang, sobanghi } = request as { trang: number; sobanghi: number };
            const page = codes.slice((trang - 1) * sobanghi, trang * sobanghi);
            return [
              200,
              {
                error_code: 0,
                message: 'Thành công',
                tongso: codes.length,
                result: page.map((MaTTHC) => ({ MaTTHC, TenTTHC: MaTTHC })),
              },
            ];
          }
          case 'LayDanhMucLinhVuc':
            return [
              200,
              {
                error_code: 0,
                message: 'Thành công',
                result: [
                  { MaLinhVuc: 'QT', TenLinhVuc: 'Quốc tịch', MaNganh: 'BTP' },
                  { MaLinhVuc: '', TenLinhVuc: 'x' },
                ],
              },
            ];
          default:
            return [
              200,
              {
                error_code: 0,
                message: 'Thành công',
                result: [{ MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp', MaCoQuanCha: '' }],
              },
            ];
        }
      });
    nock(BASE)
      .persist()
      .post('/api/service')
      .delay(20)
      .reply((_uri, body) => {
        const request = body as Body;
        calls.push(request);
        return [200, detail(request.mathutuc as string)];
      });
  }

  beforeEach(() => {
    calls = [];
    inFlight = 0;
    mostInFlight = 0;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  it('pages the codes, reads each procedure in full and maps what the store keeps', async () => {
    const codes = Array.from({ length: 7 }, (_, i) => `2.00${1000 + i}`);
    portal(codes, (code) => ({ error_code: 0, message: 'Thành công', result: [procedureWire(code)] }));
    const catalogue = await new PortalCatalogueClient(transport(), { pageSize: 3, concurrency: 2 }).read();

    const pages = calls.filter((c) => c.service === 'LayDanhSachTTHC').map((c) => [c.trang, c.sobanghi]);
    expect(pages).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(
      calls
        .filter((c) => c.service === 'LayThuTuc')
        .map((c) => c.mathutuc)
        .sort(),
    ).toEqual(codes);
    expect(calls.every((c) => c.session === 's-1' && c.madonvi === '000.00.00.H56')).toBe(true);
    expect(catalogue.sectors).toEqual([{ code: 'QT', name: 'Quốc tịch', branchCode: 'BTP' }]);
    expect(catalogue.agencies).toEqual([{ code: '000.00.14.H56', name: 'Sở Tư pháp', parentCode: null }]);
    expect(catalogue.procedures).toHaveLength(7);
    expect(catalogue.procedures[0]).toEqual({
      code: '2.001000',
      name: 'Thủ tục 2.001000',
      sectorCode: 'QT',
      levels: ['2'],
      channels: [
        {
          channel: '1',
          timeLimit: { value: 115, unit: 'Ngày làm việc' },
          fees: [{ code: 'LP', amount: 3000000, description: 'Lệ phí' }],
        },
      ],
      components: [{ name: 'Tờ khai', originals: 1, copies: 0 }],
      competentAgencies: ['000.00.14.H56'],
      nonBoundary: true,
      onlinePayment: false,
    });
  });

  it('keeps at most `concurrency` LayThuTuc calls in flight', async () => {
    const codes = Array.from({ length: 9 }, (_, i) => `1.00${1000 + i}`);
    portal(codes, (code) => ({ error_code: 0, message: 'Thành công', result: [procedureWire(code)] }));
    const client = transport();
    const counting = {
      catalogueCall: async (service: 'LayThuTuc', payload?: Body) => {
        if (service !== 'LayThuTuc') return client.catalogueCall(service, payload);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await client.catalogueCall(service, payload);
        } finally {
          inFlight -= 1;
        }
      },
    };
    const catalogue = await new PortalCatalogueClient(counting, { pageSize: 100, concurrency: 3 }).read();
    expect(catalogue.procedures).toHaveLength(9);
    expect(mostInFlight).toBe(3);
  });

  it('skips a procedure that is not published or gone, and fails the read on a refused call', async () => {
    portal(['1.000001', '1.000002', '1.000003'], (code) =>
      code === '1.000001'
        ? { error_code: 0, message: 'Thành công', result: [procedureWire(code, { TrangThai: '0' })] }
        : code === '1.000002'
          ? { error_code: 0, message: 'Không tìm thấy thủ tục', result: [] }
          : { error_code: 0, message: 'Thành công', result: [procedureWire(code)] },
    );
    const read = await new PortalCatalogueClient(transport()).read();
    expect(read.procedures.map((p) => p.code)).toEqual(['1.000003']);
    expect(read.skipped).toBe(2);

    nock.cleanAll();
    portal(['1.000001'], () => ({ error_code: -1, message: 'Lỗi hệ thống' }));
    await expect(new PortalCatalogueClient(transport()).read()).rejects.toMatchObject({
      code: 'PORTAL_REJECTED',
    });
  });
});

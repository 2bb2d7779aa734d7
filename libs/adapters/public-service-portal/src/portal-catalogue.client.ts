import type { AppLogger } from '@lienthong/observability';
import { portalUnavailable } from './portal.errors';
import type { PortalCatalogueService } from './portal.wire';

/**
 * The national procedure catalogue (CSDLQG về TTHC) read through the portal's sharing services, as the
 * independent integrations call them: LayDanhMucLinhVuc (sectors and their branch, MaNganh: the sector-to-
 * ministry link), LayDanhMucCoQuan (agencies), LayDanhSachTTHC (codes and names, paged with `trang` and
 * `sobanghi`, `tongso` the total) and LayThuTuc per code (`mathutuc`) for the procedure in full. The answers'
 * shapes are assumed (contracts/upstream/public-service-portal/README.md); they are read here only.
 */

/** What the catalogue client needs of a portal client: one catalogue call, its body when error_code is 0. */
export interface PortalCatalogueTransport {
  catalogueCall(
    service: PortalCatalogueService,
    payload?: Record<string, unknown>,
    ctx?: { requestId?: string },
  ): Promise<Record<string, unknown>>;
}

export interface NationalSector {
  code: string;
  name: string;
  /** MaNganh: the branch (the governing ministry's), mapped to a ministry by `branches:` in procedures.yaml. */
  branchCode: string | null;
}

export interface NationalAgency {
  code: string;
  name: string;
  parentCode: string | null;
}

/** How a procedure is carried out through one lodging channel. */
export interface NationalProcedureChannel {
  /** KenhThucHien: 1 in person, 2 online, 3 post. */
  channel: string;
  timeLimit: { value: number; unit: string } | null;
  fees: { code: string; amount: number; description: string }[];
}

export interface NationalProcedure {
  code: string;
  name: string;
  sectorCode: string | null;
  /** CapThucHien: "1" central, "2" province, "3" district, "4" commune. */
  levels: string[];
  channels: NationalProcedureChannel[];
  components: { name: string; originals: number; copies: number }[];
  competentAgencies: string[];
  nonBoundary: boolean;
  onlinePayment: boolean;
}

export interface NationalCatalogue {
  sectors: NationalSector[];
  agencies: NationalAgency[];
  /** Published procedures only. */
  procedures: NationalProcedure[];
  /** Listed codes left out: not published, gone by the time LayThuTuc was called, or without a name. */
  skipped: number;
}

export interface PortalCatalogueClientOptions {
  /** LayDanhSachTTHC page size (`sobanghi`); default 100, the most the simulator answers. */
  pageSize?: number;
  /** LayThuTuc calls in flight at once; default 4. */
  concurrency?: number;
  logger?: AppLogger;
}

type Body = Record<string, unknown>;
const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const count = (value: unknown): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0;
};
const flag = (value: unknown): boolean => value === '1' || value === 1 || value === true;
const resultOf = (body: Body): unknown[] => (Array.isArray(body.result) ? body.result : []);

/** Most pages read in one sync: a guard against a portal whose `tongso` never stops growing. */
const MAX_PAGES = 10_000;

export class PortalCatalogueClient {
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly transport: PortalCatalogueTransport,
    private readonly options: PortalCatalogueClientOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(this.pageSize) || this.pageSize < 1) throw new Error('pageSize must be at least 1');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error('concurrency must be at least 1');
  }

  /** The whole catalogue; any failed call fails it (a sync keeps the previous catalogue). */
  async read(): Promise<NationalCatalogue> {
    const [sectors, agencies, codes] = await Promise.all([this.sectors(), this.agencies(), this.codes()]);
    const procedures: NationalProcedure[] = [];
    let skipped = 0;
    let next = 0;
    const worker = async () => {
      while (next < codes.length) {
        const code = codes[next++];
        const procedure = await this.procedure(code);
        if (procedure) procedures.push(procedure);
        else skipped += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, codes.length) }, worker));
    procedures.sort((a, b) => a.code.localeCompare(b.code));
    this.options.logger?.info(
      { procedures: procedures.length, sectors: sectors.length, agencies: agencies.length, skipped },
      'read the national procedure catalogue',
    );
    return { sectors, agencies, procedures, skipped };
  }

  /** LayDanhSachTTHC, page by page until `tongso` codes are read or a page comes back empty. */
  async codes(): Promise<string[]> {
    const codes = new Set<string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.transport.catalogueCall('LayDanhSachTTHC', {
        trang: page,
        sobanghi: this.pageSize,
      });
      const items = resultOf(body);
      for (const item of items) {
        const code = isObject(item) ? text(item.MaTTHC) : '';
        if (code) codes.add(code);
      }
      const total = count(body.tongso);
      // `tongso` says when to stop; without it, a short page is the last
      const last = total > 0 ? page * this.pageSize >= total : items.length < this.pageSize;
      if (items.length === 0 || last) return [...codes];
    }
    throw portalUnavailable('LayDanhSachTTHC', 'MALFORMED', `more than ${MAX_PAGES} catalogue pages`);
  }

  async sectors(): Promise<NationalSector[]> {
    return resultOf(await this.transport.catalogueCall('LayDanhMucLinhVuc'))
      .filter(isObject)
      .map((s) => ({
        code: text(s.MaLinhVuc),
        name: text(s.TenLinhVuc),
        branchCode: text(s.MaNganh) || null,
      }))
      .filter((s) => s.code && s.name);
  }

  async agencies(): Promise<NationalAgency[]> {
    return resultOf(await this.transport.catalogueCall('LayDanhMucCoQuan'))
      .filter(isObject)
      .map((a) => ({
        code: text(a.MaCoQuan),
        name: text(a.TenCoQuan),
        parentCode: text(a.MaCoQuanCha) || null,
      }))
      .filter((a) => a.code && a.name);
  }

  /** LayThuTuc: the procedure in full; undefined when the portal no longer has it or it is not published. */
  async procedure(code: string): Promise<NationalProcedure | undefined> {
    const found = resultOf(await this.transport.catalogueCall('LayThuTuc', { mathutuc: code }))[0];
    if (!isObject(found) || text(found.TrangThai) !== '1') return undefined;
    const name = text(found.TenTTHC);
    if (!name) return undefined;
    const list = (value: unknown): Body[] => (Array.isArray(value) ? value.filter(isObject) : []);
    return {
      code: text(found.MaTTHC) || code,
      name,
      sectorCode: text(found.MaLinhVuc) || null,
      levels: Array.isArray(found.CapThucHien) ? found.CapThucHien.map(text).filter(Boolean) : [],
      channels: list(found.CachThucThucHien).map((c) => ({
        channel: text(c.KenhThucHien),
        timeLimit: c.ThoiGian === undefined ? null : { value: count(c.ThoiGian), unit: text(c.DonViTinh) },
        fees: list(c.PhiLePhi).map((f) => ({
          code: text(f.MaPhiLePhi),
          amount: count(f.SoTien),
          description: text(f.MoTa),
        })),
      })),
      components: list(found.ThanhPhanHoSo).map((c) => ({
        name: text(c.TenGiayTo),
        originals: count(c.SoBanChinh),
        copies: count(c.SoBanSao),
      })),
      competentAgencies: list(found.CoQuanThucHien)
        .map((a) => text(a.MaCoQuan))
        .filter(Boolean),
      nonBoundary: flag(found.TiepNhanKhongPhuThuocDiaGioi),
      onlinePayment: flag(found.ThanhToanTrucTuyen),
    };
  }
}

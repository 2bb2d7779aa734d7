/**
 * The simulated portal's copy of the National Database on Administrative Procedures (CSDLQG về TTHC), served
 * by the sharing services LayDanhSachTTHC, LayDanhMucLinhVuc and LayDanhMucCoQuan and the integration service
 * LayThuTuc. Field names follow the portal's dialect (Vietnamese, PascalCase); the shape of each answer is
 * assumed (contracts/upstream/public-service-portal/README.md, "The national procedure catalogue").
 *
 * The seed holds procedures that deploy/config/procedures.yaml does not, so a sync visibly adds routes, one
 * procedure that is not published (TrangThai "0"), and a sector of a branch the province maps to no ministry.
 */

/** LayDanhMucLinhVuc: a sector and the branch (ngành, the governing ministry's) it belongs to. */
export interface PortalSectorWire {
  MaLinhVuc: string;
  TenLinhVuc: string;
  MaNganh: string;
}

/** LayDanhMucCoQuan: an agency. */
export interface PortalAgencyWire {
  MaCoQuan: string;
  TenCoQuan: string;
  /** The parent agency's code; "" for the top. */
  MaCoQuanCha: string;
}

/** LayThuTuc: one procedure in full. */
export interface PortalProcedureWire {
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  /** Levels that carry it out: "1" central, "2" province, "3" district, "4" commune. */
  CapThucHien: string[];
  /** Per lodging channel (KenhThucHien 1 in person, 2 online, 3 post): time limit and fees. */
  CachThucThucHien: {
    KenhThucHien: string;
    ThoiGian: number;
    DonViTinh: string;
    PhiLePhi: { MaPhiLePhi: string; SoTien: number; MoTa: string }[];
  }[];
  ThanhPhanHoSo: { TenGiayTo: string; SoBanChinh: number; SoBanSao: number }[];
  CoQuanThucHien: { MaCoQuan: string; TenCoQuan: string }[];
  /** "1" when a dossier may be received anywhere in the province (tiếp nhận không phụ thuộc địa giới). */
  TiepNhanKhongPhuThuocDiaGioi: '0' | '1';
  /** "1" when fees may be paid online. */
  ThanhToanTrucTuyen: '0' | '1';
  /** "1" published (công bố), "0" not (withdrawn or not yet published). */
  TrangThai: '0' | '1';
}

const sectors: PortalSectorWire[] = [
  { MaLinhVuc: 'HT', TenLinhVuc: 'Hộ tịch', MaNganh: 'BTP' },
  { MaLinhVuc: 'QT', TenLinhVuc: 'Quốc tịch', MaNganh: 'BTP' },
  { MaLinhVuc: 'NC', TenLinhVuc: 'Nuôi con nuôi', MaNganh: 'BTP' },
  { MaLinhVuc: 'DKKD', TenLinhVuc: 'Thành lập và hoạt động doanh nghiệp', MaNganh: 'BTC' },
  { MaLinhVuc: 'DD', TenLinhVuc: 'Đất đai', MaNganh: 'BNNMT' },
  { MaLinhVuc: 'NGCC', TenLinhVuc: 'Người có công', MaNganh: 'BNV' },
  { MaLinhVuc: 'TT', TenLinhVuc: 'Thanh tra', MaNganh: 'TTCP' },
];

const agencies: PortalAgencyWire[] = [
  { MaCoQuan: '000.00.00.H56', TenCoQuan: 'UBND tỉnh', MaCoQuanCha: '' },
  { MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp', MaCoQuanCha: '000.00.00.H56' },
  { MaCoQuan: '000.00.09.H56', TenCoQuan: 'Sở Tài chính', MaCoQuanCha: '000.00.00.H56' },
  { MaCoQuan: '000.17.22.H56', TenCoQuan: 'UBND xã Tân Phú', MaCoQuanCha: '000.00.00.H56' },
];

const channel = (kenh: string, days: number, fee = 0) => ({
  KenhThucHien: kenh,
  ThoiGian: days,
  DonViTinh: 'Ngày làm việc',
  PhiLePhi: fee ? [{ MaPhiLePhi: 'LP', SoTien: fee, MoTa: 'Lệ phí' }] : [],
});

function procedure(
  code: string,
  name: string,
  sector: string,
  more: Partial<PortalProcedureWire> = {},
): PortalProcedureWire {
  const found = sectors.find((s) => s.MaLinhVuc === sector);
  return {
    MaTTHC: code,
    TenTTHC: name,
    MaLinhVuc: sector,
    TenLinhVuc: found?.TenLinhVuc ?? '',
    CapThucHien: ['4'],
    CachThucThucHien: [channel('1', 5), channel('2', 5)],
    ThanhPhanHoSo: [{ TenGiayTo: 'Tờ khai', SoBanChinh: 1, SoBanSao: 0 }],
    CoQuanThucHien: [{ MaCoQuan: '000.17.22.H56', TenCoQuan: 'UBND xã Tân Phú' }],
    TiepNhanKhongPhuThuocDiaGioi: '0',
    ThanhToanTrucTuyen: '0',
    TrangThai: '1',
    ...more,
  };
}

/** The seed: some procedures procedures.yaml also names, more that it does not. */
export function seedProcedures(): PortalProcedureWire[] {
  return [
    procedure('1.001193', 'Đăng ký khai sinh', 'HT', { TiepNhanKhongPhuThuocDiaGioi: '1' }),
    procedure('1.000894', 'Đăng ký kết hôn', 'HT'),
    procedure('1.001022', 'Đăng ký khai tử', 'HT'),
    procedure('1.004873', 'Đăng ký giám hộ', 'HT'),
    procedure('1.001766', 'Đăng ký nhận cha, mẹ, con', 'HT'),
    procedure('2.001255', 'Nhập quốc tịch Việt Nam', 'QT', {
      CapThucHien: ['2'],
      CachThucThucHien: [channel('1', 115, 3_000_000)],
      CoQuanThucHien: [{ MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp' }],
    }),
    procedure('2.001211', 'Thôi quốc tịch Việt Nam', 'QT', {
      CapThucHien: ['2'],
      CoQuanThucHien: [{ MaCoQuan: '000.00.14.H56', TenCoQuan: 'Sở Tư pháp' }],
    }),
    procedure('1.003005', 'Giải quyết việc nuôi con nuôi trong nước', 'NC', {
      CachThucThucHien: [channel('1', 30, 400_000), channel('2', 30, 400_000)],
      ThanhToanTrucTuyen: '1',
    }),
    procedure('2.001610', 'Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên', 'DKKD', {
      CapThucHien: ['2'],
      CoQuanThucHien: [{ MaCoQuan: '000.00.09.H56', TenCoQuan: 'Sở Tài chính' }],
      ThanhToanTrucTuyen: '1',
    }),
    procedure('1.005194', 'Cấp Giấy chứng nhận quyền sử dụng đất lần đầu', 'DD', {
      TiepNhanKhongPhuThuocDiaGioi: '1',
    }),
    procedure('1.010812', 'Giải quyết chế độ trợ cấp ưu đãi đối với thân nhân liệt sĩ', 'NGCC'),
    // a sector of a branch the province maps to no ministry: synced, routes nothing
    procedure('2.002170', 'Giải quyết khiếu nại lần đầu', 'TT'),
    // not published: never synced
    procedure('1.009000', 'Thủ tục đã bãi bỏ', 'HT', { TrangThai: '0' }),
  ];
}

/** Most codes one LayDanhSachTTHC page answers; the default page size. */
export const MAX_CATALOGUE_PAGE_SIZE = 100;
export const DEFAULT_CATALOGUE_PAGE_SIZE = 50;

export class PortalCatalogue {
  private procedures = new Map<string, PortalProcedureWire>();

  constructor() {
    this.reset();
  }

  /** Back to the seed. */
  reset(): void {
    this.procedures = new Map(seedProcedures().map((p) => [p.MaTTHC, p]));
  }

  /** Adds or replaces a procedure (its sector must be one of the seed's). */
  put(entry: Partial<PortalProcedureWire> & { MaTTHC: string; TenTTHC: string; MaLinhVuc: string }): void {
    this.procedures.set(entry.MaTTHC, procedure(entry.MaTTHC, entry.TenTTHC, entry.MaLinhVuc, entry));
  }

  remove(code: string): void {
    this.procedures.delete(code);
  }

  /** LayDanhSachTTHC: one page of codes and names, in code order, and the total. */
  page(page: number, size: number): { items: { MaTTHC: string; TenTTHC: string }[]; total: number } {
    const all = [...this.procedures.values()].sort((a, b) => a.MaTTHC.localeCompare(b.MaTTHC));
    return {
      items: all.slice((page - 1) * size, page * size).map((p) => ({ MaTTHC: p.MaTTHC, TenTTHC: p.TenTTHC })),
      total: all.length,
    };
  }

  procedure(code: string): PortalProcedureWire | undefined {
    const found = this.procedures.get(code);
    return found && structuredClone(found);
  }

  sectors(): PortalSectorWire[] {
    return sectors.map((s) => ({ ...s }));
  }

  agencies(): PortalAgencyWire[] {
    return agencies.map((a) => ({ ...a }));
  }
}

/**
 * Wire vocabulary of the simulated National Land Database (CSDLQG về đất đai) lookup service: REST
 * returning XML (UTF-8) in the namespace below, dates as xs:date. The contract is
 * contracts/upstream/land/tra-cuu-dat-dai.xsd.
 */

export const LAND_NAMESPACE = 'urn:vn:gov:csdldatdai:tracuu:1.0';

/** Land-use types (loại đất) used by the simulator, with their names. */
export const LAND_USE_TYPES = {
  ODT: 'Đất ở tại đô thị',
  ONT: 'Đất ở tại nông thôn',
  LUC: 'Đất chuyên trồng lúa',
  BHK: 'Đất trồng cây hằng năm khác',
  CLN: 'Đất trồng cây lâu năm',
  NTS: 'Đất nuôi trồng thủy sản',
  RSX: 'Đất rừng sản xuất',
  TMD: 'Đất thương mại, dịch vụ',
  SKC: 'Đất cơ sở sản xuất phi nông nghiệp',
  TSC: 'Đất xây dựng trụ sở cơ quan',
  DGD: 'Đất xây dựng cơ sở giáo dục và đào tạo',
  DSH: 'Đất sinh hoạt cộng đồng',
} as const;
export type LandUseTypeCode = keyof typeof LAND_USE_TYPES;

/** Kind of holder (loại chủ sử dụng). */
export type HolderKindWire = 'CA_NHAN' | 'DOANH_NGHIEP' | 'TO_CHUC' | 'CONG_DONG_DAN_CU';

/** Kind of registered restriction (loại hạn chế quyền). */
export type RestrictionKindWire =
  'THE_CHAP' | 'CHO_THUE' | 'TRANH_CHAP' | 'NGAN_CHAN' | 'QUYEN_DOI_VOI_BDS_LIEN_KE' | 'KHAC';

/** LAU_DAI (long term) or CO_THOI_HAN (fixed term, with an end date). */
export type TermKindWire = 'LAU_DAI' | 'CO_THOI_HAN';

/** DANG_HIEU_LUC (in force) or DA_CAP_DOI (replaced by a newer certificate). */
export type CertificateStatusWire = 'DANG_HIEU_LUC' | 'DA_CAP_DOI';

export interface DiaChiThuaDat {
  chiTiet?: string;
  maXa: string;
  tenXa: string;
  maTinh: string;
  tenTinh: string;
}

export interface MucDichSuDung {
  kyHieu: LandUseTypeCode;
  ten: string;
  dienTich: number;
  thoiHan: TermKindWire;
  /** xs:date, for CO_THOI_HAN. */
  denNgay?: string;
  nguonGoc?: string;
}

export interface ChuSuDung {
  loai: HolderKindWire;
  /** Person's full name, or the organisation's name. */
  ten: string;
  soDinhDanh?: string;
  soCMND?: string;
  maSoDoanhNghiep?: string;
  /** Share as a fraction, when the holders have defined shares. */
  tyLe?: number;
}

export interface GiayChungNhan {
  soPhatHanh: string;
  soVaoSo: string;
  ngayCap: string;
  coQuanCap: string;
  trangThai: CertificateStatusWire;
}

export interface HanChe {
  loai: RestrictionKindWire;
  ngayDangKy: string;
  benLienQuan?: string;
  ghiChu?: string;
}

/** One parcel as the register holds it. */
export interface ThuaDatRecord {
  maThuaDat?: string;
  maXa: string;
  soToBanDo: string;
  soThuaDat: string;
  soHieuCu?: { maXaCu?: string; soToBanDo: string; soThuaDat: string };
  dienTich: number;
  diaChi: DiaChiThuaDat;
  mucDichSuDung: MucDichSuDung[];
  chuSuDung: ChuSuDung[];
  giayChungNhan: GiayChungNhan[];
  hanChe: HanChe[];
}

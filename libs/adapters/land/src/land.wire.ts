/**
 * The land database's XML dialect as the adapter reads it; the contract is
 * contracts/upstream/land/tra-cuu-dat-dai.xsd (shipped, never fetched at start-up). Documents are parsed
 * with xml2js (no arrays for single children, attributes under `$`, text under `_`); element names are the
 * wire's (Vietnamese). land.mapping.ts turns them into the canonical model.
 */

export const LAND_NAMESPACE = 'urn:vn:gov:csdldatdai:tracuu:1.0';

export const LAND_PATHS = {
  parcel: '/api/thua-dat',
  certificate: '/api/giay-chung-nhan/',
} as const;

/** Error codes (MaLoi) of the Loi document. */
export const LAND_ERROR_CODES = {
  notFound: 'KHONG_TIM_THAY',
  invalid: 'DU_LIEU_KHONG_HOP_LE',
  unauthenticated: 'CHUA_XAC_THUC',
  systemError: 'LOI_HE_THONG',
} as const;

/** An element with attributes and text, as xml2js gives it. */
export interface XmlNode {
  $?: Record<string, string>;
  _?: string;
  [child: string]: unknown;
}

/** One element or several: xml2js gives a lone child as itself and repeated ones as an array. */
export type OneOrMany<T> = T | T[];

export interface WireTerm {
  $?: { loai?: string; denNgay?: string };
}

export interface WireLandUse {
  KyHieu?: string;
  Ten?: string;
  DienTich?: XmlNode | string;
  ThoiHan?: WireTerm | string;
  NguonGoc?: string;
}

export interface WireHolder {
  $?: { loai?: string };
  HoTen?: string;
  TenToChuc?: string;
  SoDinhDanh?: string;
  SoCMND?: string;
  MaSoDoanhNghiep?: string;
  TyLe?: string;
}

export interface WireCertificate {
  $?: { trangThai?: string };
  SoPhatHanh?: string;
  SoVaoSo?: string;
  NgayCap?: string;
  CoQuanCap?: string;
}

export interface WireRestriction {
  $?: { loai?: string };
  NgayDangKy?: string;
  BenLienQuan?: string;
  GhiChu?: string;
}

export interface WireParcel {
  MaThuaDat?: string;
  MaXa?: string;
  SoToBanDo?: string;
  SoThuaDat?: string;
  SoHieuCu?: { MaXaCu?: string; SoToBanDo?: string; SoThuaDat?: string };
  DienTich?: XmlNode | string;
  DiaChi?: { ChiTiet?: string; MaXa?: string; TenXa?: string; MaTinh?: string; TenTinh?: string };
  DanhSachMucDichSuDung?: { MucDichSuDung?: OneOrMany<WireLandUse> } | string;
  DanhSachChuSuDung?: { ChuSuDung?: OneOrMany<WireHolder> } | string;
  DanhSachGiayChungNhan?: { GiayChungNhan?: OneOrMany<WireCertificate> } | string;
  DanhSachHanChe?: { HanChe?: OneOrMany<WireRestriction> } | string;
}

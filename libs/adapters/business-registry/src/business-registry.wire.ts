/**
 * The business registry's REST JSON dialect as the adapter reads it; the contract is
 * contracts/upstream/business-registry/openapi.yaml (shipped, never fetched at start-up). Field names are
 * the wire's (Vietnamese), dates `dd/MM/yyyy`; business-registry.mapping.ts turns them into the canonical
 * model. Every field is optional here: the mapping checks what it needs.
 */

export interface WireCodedValue {
  ma?: string;
  ten?: string;
}

export interface WireAddress {
  soNha?: string;
  duong?: string;
  thonXom?: string;
  maXa?: string;
  tenXa?: string;
  maTinh?: string;
  tenTinh?: string;
  maTinhCu?: string;
  maHuyenCu?: string;
  maXaCu?: string;
  diaChiDayDu?: string;
}

export interface WirePerson {
  hoTen?: string;
  chucDanh?: string;
  soDinhDanh?: string;
}

export interface WireEnterprise {
  maSoDoanhNghiep?: string;
  tenDoanhNghiep?: string;
  tenTiengNuocNgoai?: string;
  tenVietTat?: string;
  loaiHinh?: WireCodedValue;
  tinhTrang?: WireCodedValue;
  ngayThanhLap?: string;
  ngayThayDoiGanNhat?: string;
  soLanThayDoi?: number;
  diaChiTruSo?: WireAddress;
  nguoiDaiDienTheoPhapLuat?: WirePerson[];
  vonDieuLe?: number;
  vonDauTu?: number;
  nganhNgheChinh?: WireCodedValue;
  donViPhuThuoc?: { maSoDonVi?: string; tenDonVi?: string; loaiDonVi?: WireCodedValue }[];
}

export interface WireDependentUnit {
  maSoDonVi?: string;
  maSoDoanhNghiepMe?: string;
  tenDoanhNghiepMe?: string;
  tenDonVi?: string;
  loaiDonVi?: WireCodedValue;
  tinhTrang?: WireCodedValue;
  ngayThanhLap?: string;
  diaChiTruSo?: WireAddress;
  nguoiDungDau?: WirePerson;
}

/** Error codes (maLoi) of the Loi body. */
export const BUSINESS_REGISTRY_ERROR_CODES = {
  notFound: 'KHONG_TIM_THAY',
  invalidCode: 'MA_SO_KHONG_HOP_LE',
  unauthenticated: 'CHUA_XAC_THUC',
  invalidToken: 'TOKEN_KHONG_HOP_LE',
  systemError: 'LOI_HE_THONG',
} as const;

export const BUSINESS_REGISTRY_PATHS = {
  token: '/oauth2/token',
  enterprise: '/api/v1/doanh-nghiep/',
  dependentUnit: '/api/v1/don-vi-phu-thuoc/',
} as const;

/**
 * Wire format of the simulated National Business Registration Database (CSDLQG về đăng ký doanh nghiệp):
 * REST JSON with Vietnamese field names, dates `dd/MM/yyyy`. The contract is
 * contracts/upstream/business-registry/openapi.yaml.
 */

/** A coded value with its Vietnamese label. */
export interface MaTen {
  ma: string;
  ten: string;
}

export interface DiaChiWire {
  soNha?: string;
  duong?: string;
  /** Thôn, ấp, bản, tổ dân phố, khu phố. */
  thonXom?: string;
  /** Current 5-digit commune code. */
  maXa: string;
  tenXa: string;
  /** Current 2-digit province code. */
  maTinh: string;
  tenTinh: string;
  /** 2004-scheme codes, for addresses registered before 1 July 2025. */
  maTinhCu?: string;
  maHuyenCu?: string;
  maXaCu?: string;
  diaChiDayDu: string;
}

export interface NguoiDaiDienWire {
  hoTen: string;
  chucDanh: string;
  /** 12-digit personal ID. */
  soDinhDanh: string;
}

export interface DonViPhuThuocTomTatWire {
  maSoDonVi: string;
  tenDonVi: string;
  loaiDonVi: MaTen;
}

export interface DoanhNghiepWire {
  maSoDoanhNghiep: string;
  tenDoanhNghiep: string;
  tenTiengNuocNgoai?: string;
  tenVietTat?: string;
  loaiHinh: MaTen;
  tinhTrang: MaTen;
  /** First registration, dd/MM/yyyy. */
  ngayThanhLap: string;
  /** Latest change of registration, dd/MM/yyyy. */
  ngayThayDoiGanNhat?: string;
  soLanThayDoi: number;
  diaChiTruSo: DiaChiWire;
  nguoiDaiDienTheoPhapLuat: NguoiDaiDienWire[];
  /** Charter capital, VND. Absent for a private enterprise (it has investment capital instead). */
  vonDieuLe?: number;
  /** Investment capital of a private enterprise's owner, VND. */
  vonDauTu?: number;
  /** Main business line, VSIC 2018 four-digit code. */
  nganhNgheChinh: MaTen;
  donViPhuThuoc: DonViPhuThuocTomTatWire[];
}

export interface DonViPhuThuocWire {
  /** 13 characters: the parent's code, a hyphen, 001-999. */
  maSoDonVi: string;
  maSoDoanhNghiepMe: string;
  tenDoanhNghiepMe: string;
  tenDonVi: string;
  /** CHI_NHANH (branch) or VAN_PHONG_DAI_DIEN (representative office). */
  loaiDonVi: MaTen;
  tinhTrang: MaTen;
  ngayThanhLap: string;
  diaChiTruSo: DiaChiWire;
  nguoiDungDau: NguoiDaiDienWire;
}

/** Error body for every 4xx and 5xx except the token endpoint (which follows RFC 6749). */
export interface LoiWire {
  maLoi: string;
  thongBao: string;
  /** Trace id of the upstream request. */
  maYeuCau: string;
}

export interface TokenResponseWire {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
}

export const LEGAL_FORM_WIRE = {
  TNHH_1TV: 'Công ty trách nhiệm hữu hạn một thành viên',
  TNHH_2TV: 'Công ty trách nhiệm hữu hạn hai thành viên trở lên',
  CO_PHAN: 'Công ty cổ phần',
  HOP_DANH: 'Công ty hợp danh',
  DNTN: 'Doanh nghiệp tư nhân',
} as const;
export type LegalFormWireCode = keyof typeof LEGAL_FORM_WIRE;

export const STATUS_WIRE = {
  DANG_HOAT_DONG: 'Đang hoạt động',
  TAM_NGUNG_KINH_DOANH: 'Tạm ngừng kinh doanh có thời hạn',
  KHONG_HOAT_DONG_TAI_DIA_CHI: 'Không hoạt động tại địa chỉ đã đăng ký',
  DANG_LAM_THU_TUC_GIAI_THE: 'Đang làm thủ tục giải thể',
  DA_GIAI_THE: 'Đã giải thể',
  DA_PHA_SAN: 'Đã phá sản',
  BI_THU_HOI_GCN: 'Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp',
  CHAM_DUT_TON_TAI: 'Chấm dứt tồn tại do chia, hợp nhất, sáp nhập',
} as const;
export type StatusWireCode = keyof typeof STATUS_WIRE;

export const UNIT_KIND_WIRE = {
  CHI_NHANH: 'Chi nhánh',
  VAN_PHONG_DAI_DIEN: 'Văn phòng đại diện',
} as const;
export type UnitKindWireCode = keyof typeof UNIT_KIND_WIRE;

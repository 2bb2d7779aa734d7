import { vietnamDayFirst } from '@lienthong/domain';
/**
 * The simulated operations center's wire format: paths, result codes and bodies, as documented in
 * contracts/upstream/operations-center/openapi.yaml. Written from that contract, independently of the adapter
 * in libs/adapters/operations-center, so the simulator's spec cross-checks the two.
 */

export const OPERATIONS_CENTER_PATHS = {
  token: '/oauth2/token',
  report: '/api/v1/bao-cao-chi-so',
  adminReports: '/__admin/reports',
  adminStats: '/__admin/stats',
  adminFailures: '/__admin/failures',
  adminTokensExpire: '/__admin/tokens/expire',
  adminReset: '/__admin/reset',
} as const;

/** `MaKetQua` of every answer of the report endpoint. */
export const KetQua = {
  /** 201: first receipt of this unit, period and version. */
  ACCEPTED: 'DA_TIEP_NHAN',
  /** 200: this version was accepted before with the same content. */
  ALREADY_ACCEPTED: 'DA_TIEP_NHAN_TRUOC_DO',
  /** 409: this version was accepted before with other content. */
  VERSION_CONFLICT: 'XUNG_DOT_PHIEN_BAN',
  /** 409: a higher version was accepted for the unit and period. */
  SUPERSEDED: 'PHIEN_BAN_CU',
  /** 422: the report breaks a rule. */
  INVALID_DATA: 'DU_LIEU_KHONG_HOP_LE',
  /** 400: the body is not JSON. */
  INVALID_REQUEST: 'YEU_CAU_KHONG_HOP_LE',
  /** 404: the unit is not known. */
  UNKNOWN_UNIT: 'KHONG_TIM_THAY_DON_VI',
  /** 401: no bearer token. */
  UNAUTHENTICATED: 'CHUA_XAC_THUC',
  /** 401: an expired or unknown token. */
  INVALID_TOKEN: 'TOKEN_KHONG_HOP_LE',
  /** 429. */
  TOO_MANY_REQUESTS: 'VUOT_TAN_SUAT',
  /** 404 for a path the service does not have. */
  NO_SUCH_RESOURCE: 'KHONG_TIM_THAY_TAI_NGUYEN',
  /** 500. */
  SYSTEM_ERROR: 'LOI_HE_THONG',
} as const;
export type KetQuaValue = (typeof KetQua)[keyof typeof KetQua];

export const LOAI_KY = ['NGAY', 'THANG', 'QUY'] as const;
export type LoaiKy = (typeof LOAI_KY)[number];

/** ChiSo: the raw counts behind the scores. */
export const CHI_SO_FIELDS = [
  'TongSoHoSoTiepNhan',
  'SoHoSoGiaiQuyetDungHan',
  'SoHoSoGiaiQuyetQuaHan',
  'SoHoSoDangGiaiQuyetTrongHan',
  'SoHoSoDangGiaiQuyetQuaHan',
  'SoHoSoTiepNhanTrucTuyen',
  'SoHoSoThanhToanTrucTuyen',
  'SoHoSoSoHoaKhiTiepNhan',
  'SoKetQuaDuocSoHoa',
  'SoThanhPhanTaiSuDungTuKhoTinh',
  'SoThanhPhanTaiSuDungTuCongQuocGia',
  'SoLuotDanhGia',
  'SoLuotDanhGiaHaiLong',
] as const;
export type ChiSoField = (typeof CHI_SO_FIELDS)[number];

/** DiemNhom: Decision 766 groups and their maximum points. */
export const DIEM_NHOM_MAX = { CKMB: 18, TDGQ: 20, CLGQ: 12, TTTT: 10, MDHL: 18, MDSH: 22 } as const;
export type NhomChiSo = keyof typeof DIEM_NHOM_MAX;

/** A report as submitted (after validation). */
export interface BaoCaoChiSo {
  MaDonVi: string;
  LoaiKy: LoaiKy;
  KyBaoCao: string;
  PhienBan: number;
  PhienBanCongThuc: string;
  ChiSo: Record<ChiSoField, number>;
  DiemNhom: Record<NhomChiSo, number>;
  TongDiem: number;
  ThoiDiemTongHop: string;
}

/** 200/201 answer. */
export interface KetQuaTiepNhan {
  MaKetQua: typeof KetQua.ACCEPTED | typeof KetQua.ALREADY_ACCEPTED;
  ThongBao: string;
  MaTiepNhan: string;
  PhienBan: number;
  ThoiDiemTiepNhan: string;
}

/** Every error answer. */
export interface LoiWire {
  MaKetQua: KetQuaValue;
  ThongBao: string;
  MaYeuCau: string;
  PhienBanHienTai?: number;
  DanhSachLoi?: { Truong: string; MoTa: string }[];
}

/** `dd/MM/yyyy HH:mm:ss` in Asia/Ho_Chi_Minh (UTC+07:00, no daylight saving). */
export function thoiDiem(date: Date): string {
  return vietnamDayFirst(date);
}

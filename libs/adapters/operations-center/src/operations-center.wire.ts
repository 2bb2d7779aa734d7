/**
 * Wire format of the Government operations center's indicator reporting API, as documented in
 * contracts/upstream/operations-center/openapi.yaml. Field names are the operations center's (Vietnamese,
 * PascalCase); nothing here is canonical.
 */

export const OPERATIONS_CENTER_PATHS = { token: '/oauth2/token', report: '/api/v1/bao-cao-chi-so' } as const;

/** `MaKetQua` values the adapter knows. */
export const OPERATIONS_CENTER_RESULT_CODES = {
  accepted: 'DA_TIEP_NHAN',
  alreadyAccepted: 'DA_TIEP_NHAN_TRUOC_DO',
  versionConflict: 'XUNG_DOT_PHIEN_BAN',
  superseded: 'PHIEN_BAN_CU',
  invalidData: 'DU_LIEU_KHONG_HOP_LE',
  invalidRequest: 'YEU_CAU_KHONG_HOP_LE',
  unknownUnit: 'KHONG_TIM_THAY_DON_VI',
  invalidToken: 'TOKEN_KHONG_HOP_LE',
  unauthenticated: 'CHUA_XAC_THUC',
  tooManyRequests: 'VUOT_TAN_SUAT',
  systemError: 'LOI_HE_THONG',
} as const;

/** NGAY (day), THANG (month), QUY (quarter). */
export type WireLoaiKy = 'NGAY' | 'THANG' | 'QUY';

/** The raw counts, by their wire names. */
export interface WireChiSo {
  TongSoHoSoTiepNhan: number;
  SoHoSoGiaiQuyetDungHan: number;
  SoHoSoGiaiQuyetQuaHan: number;
  SoHoSoDangGiaiQuyetTrongHan: number;
  SoHoSoDangGiaiQuyetQuaHan: number;
  SoHoSoTiepNhanTrucTuyen: number;
  SoHoSoThanhToanTrucTuyen: number;
  SoHoSoSoHoaKhiTiepNhan: number;
  SoKetQuaDuocSoHoa: number;
  SoThanhPhanTaiSuDungTuKhoTinh: number;
  SoThanhPhanTaiSuDungTuCongQuocGia: number;
  SoLuotDanhGia: number;
  SoLuotDanhGiaHaiLong: number;
}

export interface WireDiemNhom {
  CKMB: number;
  TDGQ: number;
  CLGQ: number;
  TTTT: number;
  MDHL: number;
  MDSH: number;
}

/** Body of `POST /api/v1/bao-cao-chi-so`. */
export interface WireBaoCaoChiSo {
  MaDonVi: string;
  LoaiKy: WireLoaiKy;
  /** `dd/MM/yyyy`, `MM/yyyy` or `Qn/yyyy`. */
  KyBaoCao: string;
  PhienBan: number;
  PhienBanCongThuc: string;
  ChiSo: WireChiSo;
  DiemNhom: WireDiemNhom;
  TongDiem: number;
  /** `dd/MM/yyyy HH:mm:ss` in Asia/Ho_Chi_Minh. */
  ThoiDiemTongHop: string;
}

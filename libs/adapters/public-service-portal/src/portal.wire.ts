/**
 * Wire format of the National Public Service Portal's (Cổng DVCQG) dossier sync API, as documented in
 * contracts/upstream/public-service-portal/openapi.yaml. Field names are the portal's (Vietnamese,
 * PascalCase); nothing here is canonical.
 */

export const PORTAL_SERVICES = ['DongBoHoSoMC', 'CapNhatTienDoHoSoMC', 'TraCuuHoSo'] as const;
export type PortalService = (typeof PORTAL_SERVICES)[number];
/** Label used in metrics and errors for a call: a service, or the login. */
export type PortalOperation = PortalService | 'login';

/** `error_code` values the adapter knows (see the contract's table). Any other non-zero value is unexpected. */
export const PORTAL_ERROR_CODES = {
  OK: 0,
  SYSTEM_ERROR: -1,
  SESSION_EXPIRED: -2,
  INVALID_DATA: -3,
  INVALID_REQUEST: -4,
  LOGIN_FAILED: -5,
  UNIT_NOT_ALLOWED: -6,
  TOO_MANY_REQUESTS: -9,
} as const;

export const DEFAULT_PORTAL_PATHS = { login: '/api/login', service: '/api/service' } as const;
/** Header carrying the unit code (mã đơn vị) at login. */
export const PORTAL_UNIT_CODE_HEADER = 'X-Unit-Code';

/** Every response body has these two; `error_code` may arrive as a number or a decimal string ("0", "00"). */
export interface PortalEnvelope {
  error_code: number | string;
  message?: string;
}

export interface PortalLoginRequest {
  username: string;
  password: string;
}

export interface PortalLoginResponse extends PortalEnvelope {
  session?: string;
  /** Session lifetime in seconds. */
  expires_in?: number;
}

/** Body of a call to the service endpoint. */
export interface PortalServiceRequest {
  session: string;
  /** Unit code (mã đơn vị); must be the session's. */
  madonvi: string;
  service: PortalService;
  data?: unknown[];
  /** TraCuuHoSo: the dossier code to read back. */
  mahoso?: string;
}

/** Per-item outcome in DongBoHoSoMC / CapNhatTienDoHoSoMC answers. */
export interface PortalItemResult {
  MaHoSo: string | null;
  error_code: number | string;
  message?: string;
  /** Our extension: true when a progress entry was a redelivery, acknowledged and not applied again. */
  TrungLap?: boolean;
}

export interface PortalServiceResponse<R = unknown> extends PortalEnvelope {
  result?: R[];
}

/** A DongBoHoSoMC item. Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; '' means "keep what you have". */
export interface PortalDossierItem {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  SoBienNhan: string;
  /** Applicant's name: personal data. */
  ChuHoSo: string;
  /** 1 citizen, 2 enterprise, 3 other organisation. */
  LoaiDoiTuong: string;
  /** Applicant's personal ID or enterprise code: personal data. */
  MaDoiTuong: string;
  TrichYeuHoSo: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  /** 1–10, see the domain's status table. */
  TrangThaiHoSo: string;
  NgayTra: string;
  /** 0 at the counter, 1 online, 2 public postal service. */
  HinhThuc: string;
  NgayKetThucXuLy: string;
  DonViXuLy: string;
  TaiLieuNop?: unknown[];
  DanhSachLePhi?: unknown[];
  DanhSachHoSoBoSung?: unknown[];
  DanhSachGiayToKetQua?: unknown[];
}

/** A CapNhatTienDoHoSoMC item. */
export interface PortalProgressItem {
  MaHoSo: string;
  NguoiXuLy: string;
  ChucDanh: string;
  ThoiDiemXuLy: string;
  PhongBanXuLy: string;
  NoiDungXuLy: string;
  TrangThai: string;
  NgayBatDau: string;
  NgayKetThucTheoQuyDinh: string;
  /** Our extension: the canonical eventId, the portal's idempotency key for this entry. */
  MaSuKien: string;
}

/** A TraCuuHoSo result: the dossier's fields and its progress history. */
export type PortalDossierRecordWire = Partial<Record<keyof PortalDossierItem, unknown>> & {
  MaHoSo: string;
  TrangThaiHoSo: number | string;
  /** Our name for the progress list in the answer. */
  QuaTrinhXuLy?: Partial<Record<keyof PortalProgressItem, unknown>>[];
  [field: string]: unknown;
};

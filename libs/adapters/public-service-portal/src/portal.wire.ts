/**
 * Wire format of the National Public Service Portal's (Cổng DVCQG) sync API in the OpenCPS-era dialect, as the
 * independent integrations send it (contracts/upstream/public-service-portal/README.md names them and what each
 * field means there). Field names are the portal's (Vietnamese, PascalCase); nothing here is canonical.
 *
 * Three endpoints, each configured per deployment by the integrations (`auth_endpoint`, `integration_endpoint`,
 * `share_endpoint` under one `adapter_url`): the login, the integration endpoint (DongBoHoSoMC,
 * CapNhatTienDoHoSoMC, TraCuuHoSo) and the sharing endpoint (TraCuuTechID, LayKetQuaDanhGia). Every request
 * carries the `dstcode` header; every call but the login carries `session` and `madonvi` in its JSON body.
 */

export const PORTAL_INTEGRATION_SERVICES = [
  'DongBoHoSoMC',
  'CapNhatTienDoHoSoMC',
  'TraCuuHoSo',
  'LayThuTuc',
] as const;
export const PORTAL_SHARE_SERVICES = [
  'TraCuuTechID',
  'LayKetQuaDanhGia',
  'LayDanhSachTTHC',
  'LayDanhMucLinhVuc',
  'LayDanhMucCoQuan',
] as const;
/** The national procedure catalogue's services (shapes assumed; portal-catalogue.client.ts). */
export const PORTAL_CATALOGUE_SERVICES = [
  'LayDanhSachTTHC',
  'LayThuTuc',
  'LayDanhMucLinhVuc',
  'LayDanhMucCoQuan',
] as const;
export type PortalCatalogueService = (typeof PORTAL_CATALOGUE_SERVICES)[number];
export const PORTAL_SERVICES = [...PORTAL_INTEGRATION_SERVICES, ...PORTAL_SHARE_SERVICES] as const;
export type PortalService = (typeof PORTAL_SERVICES)[number];
/** Label used in metrics and errors for a call: a service or the login, or a call of the token dialect. */
export type PortalOperation = PortalService | 'login' | PortalTokenOperation;

/** The calls of the token-based dialect (portal-token.wire.ts). */
export type PortalTokenOperation =
  'token' | 'createDossier' | 'updateDossier' | 'addProgress' | 'readDossier' | 'readEvaluation';

/** Which endpoint serves a service. */
export function endpointOf(service: PortalService): 'integration' | 'share' {
  return (PORTAL_SHARE_SERVICES as readonly string[]).includes(service) ? 'share' : 'integration';
}

/**
 * The integrations compare `error_code` with 0 and know nothing else: any other value is a refusal whose
 * meaning is in `message`. The one refusal they act on is "already exists" (`đã tồn tại`), answered when a
 * dossier is created twice; its mirror "does not exist" (`không tồn tại`, or "not found", `không tìm thấy`)
 * answers an update, or a lookup, of a dossier the portal does not hold.
 */
export const PORTAL_OK = 0;
export const ALREADY_EXISTS = /đã\s+tồn\s+tại/i;
export const DOES_NOT_EXIST = /không\s+(tồn\s+tại|tìm\s+thấy)/i;

export interface PortalPaths {
  login: string;
  integration: string;
  share: string;
}

/** Defaults of the three paths (ours: the integrations configure them per deployment). */
export const DEFAULT_PORTAL_PATHS: Readonly<PortalPaths> = Object.freeze({
  login: '/api/login',
  integration: '/api/service',
  share: '/api/share',
});

/** Header the integrations send with every request: the destination code the portal routes by. */
export const PORTAL_DSTCODE_HEADER = 'dstcode';

/** `isUpdating` of DongBoHoSoMC: "False" creates the dossier, "True" updates one the portal holds. */
export type PortalIsUpdating = 'True' | 'False';

/**
 * A DongBoHoSoMC item: the dossier's full record, every field present on every sync (a portal may overwrite a
 * stored value with whatever arrives, blanks included). Dates are `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh; codes
 * are decimal strings. Field order as OpenCPS builds the item, the later clients' fields after it.
 */
export interface PortalDossierItem {
  MaHoSo: string;
  MaTTHC: string;
  TenTTHC: string;
  MaLinhVuc: string;
  TenLinhVuc: string;
  /** Lodging channel (later clients): 1 in person, 2 online, 3 by public post. */
  KenhThucHien: string;
  /** Number of the owner's identity document (later clients). Never the personal ID: see the mapping. */
  SoGiayToChuHoSo: string;
  /** Owner's name: personal data. */
  ChuHoSo: string;
  /** 1 citizen, 2 enterprise, 3 state agency, 4 other organisation. */
  LoaiDoiTuong: string;
  /** The owner's portal account id (TraCuuTechID's TECHNICALID), or '' — never an identity number. */
  MaDoiTuong: string;
  ThongTinKhac: string;
  Email: string;
  Fax: string;
  SoDienThoai: string;
  TrichYeuHoSo: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  /** 1–10, see the domain's status table. */
  TrangThaiHoSo: string;
  NgayTra: string;
  ThongTinTra: string;
  /** How the RESULT is returned: "0" (at the counter or online), "1" by public post. */
  HinhThuc: string;
  NgayKetThucXuLy: string;
  /** Name of the handling agency. */
  DonViXuLy: string;
  GhiChu: string;
  TaiLieuNop: unknown[];
  DanhSachLePhi: unknown[];
  DanhSachTepDinhKemKhac: unknown[];
  DanhSachHoSoBoSung: unknown[];
  DanhSachGiayToKetQua: unknown[];
  /** Where the dossier was lodged (later clients): "2", the province's one-stop system. */
  NoiNopHoSo: string;
  /** When the dossier was lodged (later clients). */
  NgayNopHoSo: string;
}

/** A CapNhatTienDoHoSoMC item: one processing step. */
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
}

/** A TraCuuHoSo result: the dossier's fields and, in the simulator, its progress history. */
export type PortalDossierRecordWire = Partial<Record<keyof PortalDossierItem, unknown>> & {
  MaHoSo: string;
  TrangThaiHoSo: number | string;
  /** The simulator's name for the progress list in the answer. */
  QuaTrinhXuLy?: Partial<Record<keyof PortalProgressItem, unknown>>[];
  [field: string]: unknown;
};

/** A TraCuuTechID result. */
export interface PortalTechIdRecord {
  TECHNICALID?: unknown;
  [field: string]: unknown;
}

/**
 * LayKetQuaDanhGia: the portal's own Decision 766 evaluation of one unit for one period (the group scores its
 * reporting shows), on the sharing endpoint. Request: `madonvidanhgia` (the evaluated unit), `loaiky`
 * (THANG, QUY, NAM) and `ky` (2026-10, 2026-Q4, 2026). Shape ours, after the groupScores the portal's
 * scoring responses show.
 */
export interface PortalEvaluationWire {
  unitCode: string;
  period: string;
  totalScore?: number;
  groupScores: {
    group: string;
    score: number;
    maxScore?: number;
    criteria?: { code: string; score: number; maxScore?: number }[];
  }[];
}

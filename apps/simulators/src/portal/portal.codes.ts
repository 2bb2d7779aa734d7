/**
 * The simulated portal's result codes (`error_code` in every response body) and messages, as documented in
 * contracts/upstream/public-service-portal/openapi.yaml. The codes other than 0 are the simulator's own: the
 * integrations only tell 0 from "not 0" and read the message (an "already exists" answer among them), and the
 * adapter must do no more. Written from that contract, independently of the adapter in
 * libs/adapters/public-service-portal, so the integration spec cross-checks the two.
 */
export const PortalCode = {
  /** Thành công. */
  OK: 0,
  /** Lỗi hệ thống: the portal failed; retry later. */
  SYSTEM_ERROR: -1,
  /** Phiên làm việc hết hạn hoặc không hợp lệ: log in again and repeat the call. */
  SESSION_EXPIRED: -2,
  /** Dữ liệu không hợp lệ: one or more items were refused; `result[]` says which and why. Permanent. */
  INVALID_DATA: -3,
  /** Yêu cầu không hợp lệ: malformed body, unknown service, missing or empty `data`. Permanent. */
  INVALID_REQUEST: -4,
  /** Sai tên đăng nhập hoặc mật khẩu (login). */
  LOGIN_FAILED: -5,
  /** Mã đơn vị (madonvi) or destination code (dstcode) missing, wrong, or not the session's. */
  UNIT_NOT_ALLOWED: -6,
  /** Vượt quá tần suất cho phép (sent with HTTP 429 and Retry-After). */
  TOO_MANY_REQUESTS: -9,
} as const;
export type PortalCodeValue = (typeof PortalCode)[keyof typeof PortalCode];

export const PORTAL_MESSAGES: Readonly<Record<PortalCodeValue, string>> = {
  [PortalCode.OK]: 'Thành công',
  [PortalCode.SYSTEM_ERROR]: 'Lỗi hệ thống, vui lòng thử lại sau',
  [PortalCode.SESSION_EXPIRED]: 'Phiên làm việc hết hạn hoặc không hợp lệ',
  [PortalCode.INVALID_DATA]: 'Dữ liệu không hợp lệ',
  [PortalCode.INVALID_REQUEST]: 'Yêu cầu không hợp lệ',
  [PortalCode.LOGIN_FAILED]: 'Sai tên đăng nhập hoặc mật khẩu',
  [PortalCode.UNIT_NOT_ALLOWED]: 'Mã đơn vị hoặc mã định tuyến không hợp lệ hoặc không được phép',
  [PortalCode.TOO_MANY_REQUESTS]: 'Vượt quá tần suất gọi cho phép, vui lòng thử lại sau',
};

/** Services of the integration endpoint (dossier sync) and of the sharing endpoint. */
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
export type PortalServiceName =
  (typeof PORTAL_INTEGRATION_SERVICES)[number] | (typeof PORTAL_SHARE_SERVICES)[number];

/** Routes of the simulated portal: the three endpoints the integrations configure, and the test controls. */
export const PORTAL_PATHS = {
  login: '/api/login',
  integration: '/api/service',
  share: '/api/share',
  adminFaults: '/__admin/faults',
  adminDossier: '/__admin/dossiers/:code',
  adminStats: '/__admin/stats',
  adminReset: '/__admin/reset',
  adminAccounts: '/__admin/accounts',
  adminEvaluations: '/__admin/evaluations',
  /** Token-based dialect (assumed shape): the token endpoint and the prefix of its resources. */
  token: '/oauth2/token',
  api: '/api/v2',
} as const;

/** Header the integrations send with every request: the destination code the portal routes by. */
export const DSTCODE_HEADER = 'dstcode';

/** `isUpdating` values of DongBoHoSoMC, as OpenCPS sends them. */
export const IS_UPDATING_VALUES = ['True', 'False'] as const;

/** Most items accepted in one DongBoHoSoMC or CapNhatTienDoHoSoMC call. */
export const MAX_ITEMS_PER_CALL = 100;

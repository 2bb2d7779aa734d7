/**
 * Wire format of the National Public Service Portal's newer, token-based API ("token-2025" dialect), as 2025
 * clients are seen to use it. ASSUMED, NOT CONFIRMED: no published specification or open-source client shows
 * it field by field; contracts/upstream/public-service-portal/README.md says what is assumed. Kept in this one
 * file (and the settings) so it can change when a province's connection documents say otherwise.
 *
 * - Client-credentials OAuth 2.0 token (RFC 6749 section 4.4) at `tokenPath`, sent as a bearer token.
 * - JSON REST under `apiPath`: the dossier is created with POST `/dossiers`, and the portal answers the code it
 *   issues (`MaHoSoQuocGia`); later updates (PUT `/dossiers/{code}`), steps (POST `/dossiers/{code}/progress`)
 *   and read-backs (GET `/dossiers/{code}`) are addressed by that code.
 * - The dossier's fields keep the portal's names and meanings (those of the OpenCPS-era dialect, see
 *   portal.wire.ts): the full record on every sync, `MaDoiTuong` never an identity number. Dates are ISO 8601
 *   with the +07:00 offset; an unknown date is `null`.
 * - Failures are HTTP statuses with an RFC 9457 problem body whose `code` is stable.
 */

export interface PortalTokenPaths {
  /** The token endpoint. */
  token: string;
  /** Prefix of the dossier and evaluation resources. */
  api: string;
}

/** Defaults of the two paths (ours: configured per deployment, PORTAL_TOKEN_PATH and PORTAL_API_PATH). */
export const DEFAULT_PORTAL_TOKEN_PATHS: Readonly<PortalTokenPaths> = Object.freeze({
  token: '/oauth2/token',
  api: '/api/v2',
});

/** Resources under the API path. */
export const PORTAL_TOKEN_RESOURCES = Object.freeze({
  dossiers: '/dossiers',
  dossier: (portalCode: string) => `/dossiers/${encodeURIComponent(portalCode)}`,
  progress: (portalCode: string) => `/dossiers/${encodeURIComponent(portalCode)}/progress`,
  evaluations: '/evaluations',
});

/** The field carrying the dossier code the portal issues. */
export const PORTAL_CODE_FIELD = 'MaHoSoQuocGia';
/** The field carrying the province's unit code (mã đơn vị) in a dossier body. */
export const PORTAL_UNIT_FIELD = 'MaDonVi';

/** Stable `code` values of the problem bodies the dialect answers with. */
export const PORTAL_TOKEN_PROBLEMS = Object.freeze({
  /** 409 on a creation: the portal already holds a dossier with this MaHoSo; the body names its code. */
  dossierExists: 'DOSSIER_EXISTS',
  /** 404 on an update, a step or a read: no dossier has this portal code. */
  dossierNotFound: 'DOSSIER_NOT_FOUND',
  /** 422: a field is missing or malformed; `errors[]` says which. */
  invalidDossier: 'INVALID_DOSSIER',
  /** 401: no token, or one the portal does not know or that has expired. */
  invalidToken: 'INVALID_TOKEN',
});

/** Date fields of a dossier record and of a step: ISO 8601 with offset in this dialect. */
export const PORTAL_TOKEN_DOSSIER_DATES = [
  'NgayTiepNhan',
  'NgayHenTra',
  'NgayTra',
  'NgayKetThucXuLy',
  'NgayNopHoSo',
] as const;
export const PORTAL_TOKEN_PROGRESS_DATES = ['ThoiDiemXuLy', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'] as const;

/** ISO 8601 date-time with seconds and an explicit offset (`Z` or ±hh:mm), as the dialect requires. */
export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/** A dossier body: the OpenCPS-era record's fields, dates as ISO 8601 strings or null, and the unit code. */
export type PortalTokenDossierRecord = Record<string, unknown> & {
  MaHoSo: string;
  MaDonVi: string;
};

/** An RFC 9457 problem body as the dialect sends it. */
export interface PortalTokenProblem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  errors?: { field?: string; message?: string }[];
  MaHoSoQuocGia?: string;
}

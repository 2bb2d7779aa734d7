import { parseDossierCode } from '@lienthong/domain';
import { fromVietnamCompact } from '@lienthong/calendar';

/**
 * Checks the simulated portal applies to DongBoHoSoMC and CapNhatTienDoHoSoMC items. Each check returns
 * the problems it found as `Field: reason` strings; an item with any problem is refused with INVALID_DATA.
 */

/** True for a real `yyyyMMddHHmmss` local time from 1900 on (Asia/Ho_Chi_Minh has no DST, so every such time exists). */
export function isPortalDateTime(value: string): boolean {
  return fromVietnamCompact(value) !== undefined && Number(value.slice(0, 4)) >= 1900;
}

/** The 1–10 status code (number or decimal string), or undefined. */
export function statusCodeOf(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,2}$/.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 10 ? n : undefined;
}

/** HinhThuc: how the result is returned, "0" (at the counter or online) or "1" by public post. */
export const HINH_THUC_CODES = ['0', '1'] as const;
/** KenhThucHien: how the dossier was lodged, 1 in person, 2 online, 3 by public post. */
export const KENH_THUC_HIEN_CODES = ['1', '2', '3'] as const;
/** LoaiDoiTuong: 1 citizen, 2 enterprise, 3 state agency, 4 other organisation. */
export const LOAI_DOI_TUONG_CODES = ['1', '2', '3', '4'] as const;

export const DOSSIER_DATE_FIELDS = [
  'NgayTiepNhan',
  'NgayHenTra',
  'NgayTra',
  'NgayKetThucXuLy',
  'NgayNopHoSo',
] as const;
export const DOSSIER_LIST_FIELDS = [
  'TaiLieuNop',
  'DanhSachLePhi',
  'DanhSachHoSoBoSung',
  'DanhSachGiayToKetQua',
  'DanhSachTepDinhKemKhac',
] as const;
export const DOSSIER_TEXT_FIELDS = [
  'MaTTHC',
  'TenTTHC',
  'MaLinhVuc',
  'TenLinhVuc',
  'SoBienNhan',
  'SoGiayToChuHoSo',
  'ChuHoSo',
  'MaDoiTuong',
  'TrichYeuHoSo',
  'DonViXuLy',
  'ThongTinKhac',
  'Email',
  'Fax',
  'SoDienThoai',
  'ThongTinTra',
  'GhiChu',
  'NoiNopHoSo',
] as const;
/**
 * Fields every DongBoHoSoMC item must carry, creation and update alike: an item is the dossier's whole record
 * (a blank stored over a value is a blank), so a portal that needs the intake date needs it every time.
 */
export const DOSSIER_REQUIRED = ['MaTTHC', 'NgayTiepNhan', 'TrangThaiHoSo'] as const;

export const PROGRESS_DATE_FIELDS = ['ThoiDiemXuLy', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'] as const;
export const PROGRESS_TEXT_FIELDS = ['NguoiXuLy', 'ChucDanh', 'PhongBanXuLy', 'NoiDungXuLy'] as const;

const MAX_TEXT = 4000;

/** Absent, null and '' all mean "not given" (the integrations send '' for unknown optional fields). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function textProblems(item: Record<string, unknown>, fields: readonly string[]): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const value = item[field];
    if (isBlank(value)) continue;
    if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${field}: phải là chuỗi`);
    else if (String(value).length > MAX_TEXT) problems.push(`${field}: dài quá ${MAX_TEXT} ký tự`);
  }
  return problems;
}

function dateProblems(item: Record<string, unknown>, fields: readonly string[]): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const value = item[field];
    if (isBlank(value)) continue;
    if (typeof value !== 'string' || !isPortalDateTime(value)) {
      problems.push(`${field}: không đúng định dạng yyyyMMddHHmmss`);
    }
  }
  return problems;
}

export function dossierCodeProblems(value: unknown): string[] {
  if (isBlank(value)) return ['MaHoSo: bắt buộc'];
  if (typeof value !== 'string' || parseDossierCode(value) === null) {
    return ['MaHoSo: không đúng cấu trúc <mã đơn vị>-YYMMDD-XXXX'];
  }
  return [];
}

const oneOf = (item: Record<string, unknown>, field: string, codes: readonly string[]): string[] =>
  !isBlank(item[field]) && !codes.includes(String(item[field]))
    ? [`${field}: phải là một trong ${codes.join(', ')}`]
    : [];

/**
 * Problems of one DongBoHoSoMC item: the dossier code, the fields every record needs, dates, texts, codes and
 * lists. Whether the dossier may be created or updated (`isUpdating`) and whether MaDoiTuong names a known
 * account are the simulator's checks, against its store.
 */
export function dossierItemProblems(item: Record<string, unknown>): string[] {
  const problems = [...dossierCodeProblems(item.MaHoSo)];
  for (const field of DOSSIER_REQUIRED) {
    if (isBlank(item[field])) problems.push(`${field}: bắt buộc`);
  }
  if (!isBlank(item.TrangThaiHoSo) && statusCodeOf(item.TrangThaiHoSo) === undefined) {
    problems.push('TrangThaiHoSo: phải từ 1 đến 10');
  }
  problems.push(...dateProblems(item, DOSSIER_DATE_FIELDS));
  problems.push(...textProblems(item, DOSSIER_TEXT_FIELDS));
  problems.push(...oneOf(item, 'HinhThuc', HINH_THUC_CODES));
  problems.push(...oneOf(item, 'KenhThucHien', KENH_THUC_HIEN_CODES));
  problems.push(...oneOf(item, 'LoaiDoiTuong', LOAI_DOI_TUONG_CODES));
  for (const field of DOSSIER_LIST_FIELDS) {
    const value = item[field];
    if (value !== undefined && value !== null && !Array.isArray(value))
      problems.push(`${field}: phải là mảng`);
  }
  return problems;
}

/** Problems of one CapNhatTienDoHoSoMC item. */
export function progressItemProblems(item: Record<string, unknown>): string[] {
  const problems = [...dossierCodeProblems(item.MaHoSo)];
  if (isBlank(item.ThoiDiemXuLy)) problems.push('ThoiDiemXuLy: bắt buộc');
  if (isBlank(item.TrangThai)) problems.push('TrangThai: bắt buộc');
  else if (statusCodeOf(item.TrangThai) === undefined) problems.push('TrangThai: phải từ 1 đến 10');
  problems.push(...dateProblems(item, PROGRESS_DATE_FIELDS));
  problems.push(...textProblems(item, PROGRESS_TEXT_FIELDS));
  return problems;
}

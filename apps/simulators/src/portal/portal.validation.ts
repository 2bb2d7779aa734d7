import { parseDossierCode } from '@lienthong/domain';

/**
 * Checks the simulated portal applies to DongBoHoSoMC and CapNhatTienDoHoSoMC items. Each check returns
 * the problems it found as `Field: reason` strings; an item with any problem is refused with INVALID_DATA.
 */

const PORTAL_DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** True for a real `yyyyMMddHHmmss` local time (Asia/Ho_Chi_Minh has no DST, so every such time exists). */
export function isPortalDateTime(value: string): boolean {
  const m = PORTAL_DATE.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
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

/** Receipt channel codes (HinhThuc): 0 direct at the counter, 1 online, 2 public postal service. */
export const HINH_THUC_CODES = ['0', '1', '2'] as const;
/** Applicant kinds (LoaiDoiTuong): 1 citizen, 2 enterprise, 3 other organisation. */
export const LOAI_DOI_TUONG_CODES = ['1', '2', '3'] as const;

export const DOSSIER_DATE_FIELDS = ['NgayTiepNhan', 'NgayHenTra', 'NgayTra', 'NgayKetThucXuLy'] as const;
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
  'ChuHoSo',
  'MaDoiTuong',
  'TrichYeuHoSo',
  'DonViXuLy',
  'ThongTinKhac',
  'ThongTinTra',
  'GhiChu',
] as const;
/** Fields a dossier must have when it is created (an update may omit them and keep the stored value). */
export const DOSSIER_REQUIRED_ON_CREATE = ['MaTTHC', 'NgayTiepNhan'] as const;

export const PROGRESS_DATE_FIELDS = ['ThoiDiemXuLy', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'] as const;
export const PROGRESS_TEXT_FIELDS = [
  'NguoiXuLy',
  'ChucDanh',
  'PhongBanXuLy',
  'NoiDungXuLy',
  'MaSuKien',
] as const;

const MAX_TEXT = 4000;

/** Absent, null and '' all mean "not given" (public integrations send '' for unknown optional fields). */
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

/** Problems of one DongBoHoSoMC item; `exists` tells whether the dossier is already known (update). */
export function dossierItemProblems(item: Record<string, unknown>, exists: boolean): string[] {
  const problems = [...dossierCodeProblems(item.MaHoSo)];
  if (isBlank(item.TrangThaiHoSo)) problems.push('TrangThaiHoSo: bắt buộc');
  else if (statusCodeOf(item.TrangThaiHoSo) === undefined) problems.push('TrangThaiHoSo: phải từ 1 đến 10');
  if (!exists) {
    for (const field of DOSSIER_REQUIRED_ON_CREATE) {
      if (isBlank(item[field])) problems.push(`${field}: bắt buộc khi tạo mới hồ sơ`);
    }
  }
  problems.push(...dateProblems(item, DOSSIER_DATE_FIELDS));
  problems.push(...textProblems(item, DOSSIER_TEXT_FIELDS));
  if (!isBlank(item.HinhThuc) && !(HINH_THUC_CODES as readonly string[]).includes(String(item.HinhThuc))) {
    problems.push(`HinhThuc: phải là một trong ${HINH_THUC_CODES.join(', ')}`);
  }
  if (
    !isBlank(item.LoaiDoiTuong) &&
    !(LOAI_DOI_TUONG_CODES as readonly string[]).includes(String(item.LoaiDoiTuong))
  ) {
    problems.push(`LoaiDoiTuong: phải là một trong ${LOAI_DOI_TUONG_CODES.join(', ')}`);
  }
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

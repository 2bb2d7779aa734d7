import { validateAgencyCode } from '@lienthong/domain';
import {
  type BaoCaoChiSo,
  CHI_SO_FIELDS,
  DIEM_NHOM_MAX,
  LOAI_KY,
  type LoaiKy,
  type NhomChiSo,
} from './operations-center.wire';
import { isRealDate } from '@lienthong/calendar';

/** One problem of a refused report, as `DanhSachLoi` carries it. */
export interface ReportProblem {
  Truong: string;
  MoTa: string;
}

const REPORT_FIELDS = new Set([
  'MaDonVi',
  'LoaiKy',
  'KyBaoCao',
  'PhienBan',
  'PhienBanCongThuc',
  'ChiSo',
  'DiemNhom',
  'TongDiem',
  'ThoiDiemTongHop',
]);

/** Largest difference accepted between TongDiem and the sum of DiemNhom (each group is rounded on its own). */
export const TOTAL_TOLERANCE = 0.5;

const THOI_DIEM =
  /^(0[1-9]|[12][0-9]|3[01])\/(0[1-9]|1[0-2])\/([0-9]{4}) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when KyBaoCao names a real period of the form LoaiKy requires. */
export function isPeriodOf(loaiKy: LoaiKy, kyBaoCao: string): boolean {
  switch (loaiKy) {
    case 'NGAY': {
      const m = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4})$/.exec(kyBaoCao);
      return m !== null && isRealDate(Number(m[3]), Number(m[2]), Number(m[1]));
    }
    case 'THANG':
      return /^(0[1-9]|1[0-2])\/[0-9]{4}$/.test(kyBaoCao);
    case 'QUY':
      return /^Q[1-4]\/[0-9]{4}$/.test(kyBaoCao);
  }
}

/** The problems of a submitted body (empty when it is a valid report), in the contract's rule order. */
export function reportProblems(body: unknown): ReportProblem[] {
  if (!isObject(body)) return [{ Truong: '', MoTa: 'nội dung phải là một đối tượng JSON' }];
  const problems: ReportProblem[] = [];
  const add = (Truong: string, MoTa: string) => problems.push({ Truong, MoTa });
  for (const field of Object.keys(body)) {
    if (!REPORT_FIELDS.has(field)) add(field, 'trường không có trong đặc tả');
  }
  const unit = body.MaDonVi;
  if (
    typeof unit !== 'string' ||
    !validateAgencyCode(unit).valid ||
    !/^[0-9A-Z]+(\.[0-9A-Z]+)*$/.test(unit)
  ) {
    add('MaDonVi', 'mã đơn vị không hợp lệ');
  }
  const loaiKy = body.LoaiKy;
  if (typeof loaiKy !== 'string' || !(LOAI_KY as readonly string[]).includes(loaiKy)) {
    add('LoaiKy', 'phải là NGAY, THANG hoặc QUY');
  } else if (typeof body.KyBaoCao !== 'string' || !isPeriodOf(loaiKy as LoaiKy, body.KyBaoCao)) {
    add('KyBaoCao', `không phải kỳ báo cáo hợp lệ của loại kỳ ${loaiKy}`);
  }
  if (!Number.isInteger(body.PhienBan) || (body.PhienBan as number) < 1) {
    add('PhienBan', 'phải là số nguyên từ 1');
  }
  if (
    typeof body.PhienBanCongThuc !== 'string' ||
    body.PhienBanCongThuc === '' ||
    body.PhienBanCongThuc.length > 40
  ) {
    add('PhienBanCongThuc', 'bắt buộc, tối đa 40 ký tự');
  }
  const chiSo = body.ChiSo;
  if (!isObject(chiSo)) {
    add('ChiSo', 'bắt buộc');
  } else {
    for (const field of CHI_SO_FIELDS) {
      const value = chiSo[field];
      if (!Number.isInteger(value) || (value as number) < 0)
        add(`ChiSo.${field}`, 'phải là số nguyên không âm');
    }
    for (const field of Object.keys(chiSo)) {
      if (!(CHI_SO_FIELDS as readonly string[]).includes(field))
        add(`ChiSo.${field}`, 'trường không có trong đặc tả');
    }
    if (
      Number.isInteger(chiSo.SoLuotDanhGia) &&
      Number.isInteger(chiSo.SoLuotDanhGiaHaiLong) &&
      (chiSo.SoLuotDanhGiaHaiLong as number) > (chiSo.SoLuotDanhGia as number)
    ) {
      add('ChiSo.SoLuotDanhGiaHaiLong', 'không được lớn hơn SoLuotDanhGia');
    }
  }
  const diemNhom = body.DiemNhom;
  let sum = 0;
  let groupsValid = isObject(diemNhom);
  if (!isObject(diemNhom)) {
    add('DiemNhom', 'bắt buộc');
  } else {
    for (const [group, max] of Object.entries(DIEM_NHOM_MAX) as [NhomChiSo, number][]) {
      const value = diemNhom[group];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
        add(`DiemNhom.${group}`, `phải từ 0 đến ${max}`);
        groupsValid = false;
      } else sum += value;
    }
    for (const field of Object.keys(diemNhom)) {
      if (!(field in DIEM_NHOM_MAX)) add(`DiemNhom.${field}`, 'nhóm chỉ số không có trong Quyết định 766');
    }
  }
  const total = body.TongDiem;
  if (typeof total !== 'number' || !Number.isFinite(total) || total < 0 || total > 100) {
    add('TongDiem', 'phải từ 0 đến 100');
  } else if (groupsValid && Math.abs(total - sum) > TOTAL_TOLERANCE) {
    add('TongDiem', 'không bằng tổng điểm các nhóm');
  }
  if (typeof body.ThoiDiemTongHop !== 'string' || !THOI_DIEM.test(body.ThoiDiemTongHop)) {
    add('ThoiDiemTongHop', 'phải có dạng dd/MM/yyyy HH:mm:ss');
  }
  return problems;
}

/** Narrowing after `reportProblems(body)` returned no problem. */
export function asReport(body: unknown): BaoCaoChiSo {
  return body as BaoCaoChiSo;
}

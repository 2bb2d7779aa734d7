import type { IndicatorCounts, IndicatorReport, ReportingPeriod } from '@lienthong/contracts';
import type { WireBaoCaoChiSo, WireChiSo, WireLoaiKy } from './operations-center.wire';
import { vietnamDayFirst } from '@lienthong/domain';

/**
 * Canonical indicator report ↔ the operations center's wire format.
 *
 * - Period: DAY `2026-10-31` → LoaiKy NGAY, KyBaoCao `31/10/2026`; MONTH `2026-10` → THANG `10/2026`;
 *   QUARTER `2026-Q4` → QUY `Q4/2026`.
 * - Counts → ChiSo, one to one (table below); scores → DiemNhom (same group keys) and TongDiem (total).
 * - version → PhienBan; formulaVersion → PhienBanCongThuc; agencyCode → MaDonVi.
 * - generatedAt → ThoiDiemTongHop, `dd/MM/yyyy HH:mm:ss` at UTC+07:00 (Vietnam has no daylight saving),
 *   seconds precision: `2026-10-31T17:05:00Z` → `01/11/2026 00:05:00`.
 */

export const CHI_SO_OF: Readonly<Record<keyof IndicatorCounts, keyof WireChiSo>> = Object.freeze({
  received: 'TongSoHoSoTiepNhan',
  resolvedOnTime: 'SoHoSoGiaiQuyetDungHan',
  resolvedLate: 'SoHoSoGiaiQuyetQuaHan',
  pendingInTime: 'SoHoSoDangGiaiQuyetTrongHan',
  pendingOverdue: 'SoHoSoDangGiaiQuyetQuaHan',
  receivedOnline: 'SoHoSoTiepNhanTrucTuyen',
  paidOnline: 'SoHoSoThanhToanTrucTuyen',
  digitisedAtIntake: 'SoHoSoSoHoaKhiTiepNhan',
  resultsDigitised: 'SoKetQuaDuocSoHoa',
  componentsReusedFromStore: 'SoThanhPhanTaiSuDungTuKhoTinh',
  componentsReusedFromPortal: 'SoThanhPhanTaiSuDungTuCongQuocGia',
  ratings: 'SoLuotDanhGia',
  ratingsSatisfied: 'SoLuotDanhGiaHaiLong',
});

/** Raised for a canonical value the wire cannot express (never for a report that passed its schema). */
export class OperationsCenterMappingError extends Error {
  override readonly name = 'OperationsCenterMappingError';
}

export function toWirePeriod(period: ReportingPeriod): { LoaiKy: WireLoaiKy; KyBaoCao: string } {
  const { kind, key } = period;
  let match: RegExpExecArray | null;
  if (kind === 'DAY' && (match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(key))) {
    return { LoaiKy: 'NGAY', KyBaoCao: `${match[3]}/${match[2]}/${match[1]}` };
  }
  if (kind === 'MONTH' && (match = /^([0-9]{4})-([0-9]{2})$/.exec(key))) {
    return { LoaiKy: 'THANG', KyBaoCao: `${match[2]}/${match[1]}` };
  }
  if (kind === 'QUARTER' && (match = /^([0-9]{4})-Q([1-4])$/.exec(key))) {
    return { LoaiKy: 'QUY', KyBaoCao: `Q${match[2]}/${match[1]}` };
  }
  throw new OperationsCenterMappingError(`the period key does not match its kind ${String(kind)}`);
}

export function fromWirePeriod(loaiKy: string, kyBaoCao: string): ReportingPeriod {
  let match: RegExpExecArray | null;
  if (loaiKy === 'NGAY' && (match = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4})$/.exec(kyBaoCao))) {
    return { kind: 'DAY', key: `${match[3]}-${match[2]}-${match[1]}` };
  }
  if (loaiKy === 'THANG' && (match = /^([0-9]{2})\/([0-9]{4})$/.exec(kyBaoCao))) {
    return { kind: 'MONTH', key: `${match[2]}-${match[1]}` };
  }
  if (loaiKy === 'QUY' && (match = /^Q([1-4])\/([0-9]{4})$/.exec(kyBaoCao))) {
    return { kind: 'QUARTER', key: `${match[2]}-Q${match[1]}` };
  }
  throw new OperationsCenterMappingError('LoaiKy and KyBaoCao do not name a period');
}

/** `dd/MM/yyyy HH:mm:ss` at UTC+07:00 for an RFC 3339 date-time. */
export function toWireDateTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new OperationsCenterMappingError('not a date-time');
  return vietnamDayFirst(time);
}

/** RFC 3339 with the +07:00 offset for a wire `dd/MM/yyyy HH:mm:ss`. */
export function fromWireDateTime(value: string): string {
  const m = /^([0-9]{2})\/([0-9]{2})\/([0-9]{4}) ([0-9]{2}:[0-9]{2}:[0-9]{2})$/.exec(value);
  if (!m) throw new OperationsCenterMappingError('not a dd/MM/yyyy HH:mm:ss date-time');
  return `${m[3]}-${m[2]}-${m[1]}T${m[4]}+07:00`;
}

export function toWireReport(report: IndicatorReport): WireBaoCaoChiSo {
  const chiSo = {} as WireChiSo;
  for (const [field, wire] of Object.entries(CHI_SO_OF) as [keyof IndicatorCounts, keyof WireChiSo][]) {
    chiSo[wire] = report.counts[field];
  }
  const { total, CKMB, TDGQ, CLGQ, TTTT, MDHL, MDSH } = report.scores;
  return {
    MaDonVi: report.agencyCode,
    ...toWirePeriod(report.period),
    PhienBan: report.version,
    PhienBanCongThuc: report.formulaVersion,
    ChiSo: chiSo,
    DiemNhom: { CKMB, TDGQ, CLGQ, TTTT, MDHL, MDSH },
    TongDiem: total,
    ThoiDiemTongHop: toWireDateTime(report.generatedAt),
  };
}

/** The canonical report a wire report stands for (read-backs, tests). */
export function fromWireReport(wire: WireBaoCaoChiSo): IndicatorReport {
  const counts = {} as IndicatorCounts;
  for (const [field, name] of Object.entries(CHI_SO_OF) as [keyof IndicatorCounts, keyof WireChiSo][]) {
    counts[field] = wire.ChiSo[name];
  }
  return {
    agencyCode: wire.MaDonVi,
    period: fromWirePeriod(wire.LoaiKy, wire.KyBaoCao),
    formulaVersion: wire.PhienBanCongThuc,
    version: wire.PhienBan,
    counts,
    scores: { ...wire.DiemNhom, total: wire.TongDiem },
    generatedAt: fromWireDateTime(wire.ThoiDiemTongHop),
  };
}

import type { BaoCaoChiSo } from './operations-center.wire';

/** An accepted report as the simulator holds it. A copy; safe to keep. */
export interface StoredReport {
  MaDonVi: string;
  LoaiKy: string;
  KyBaoCao: string;
  PhienBan: number;
  /** Receipt given at the first acceptance and repeated on every idempotent repeat. */
  MaTiepNhan: string;
  /** When it was first accepted (RFC 3339). */
  ThoiDiemTiepNhan: string;
  /** Requests that named this unit, period and version and passed validation (accepted, repeated or refused). */
  submissions: number;
  /** The body as first accepted. */
  report: BaoCaoChiSo;
}

export interface OperationsCenterStats {
  /** Every request to the report endpoint, faulted ones included (outage, injected or scripted errors). */
  attempts: number;
  accepted: number;
  alreadyAccepted: number;
  conflicts: number;
  superseded: number;
  /** 422 and 400 answers. */
  invalid: number;
  unknownUnit: number;
  /** 401 answers of the report endpoint. */
  unauthorized: number;
  /** Scripted 429 answers. */
  rateLimited: number;
  /** Scripted 5xx answers (the shared fault controls' errors are counted in attempts only). */
  serverErrors: number;
  tokensIssued: number;
}

export type SubmitOutcome =
  | { outcome: 'accepted' | 'already-accepted'; stored: StoredReport }
  | { outcome: 'conflict' | 'superseded'; currentVersion: number };

interface Entry {
  stored: StoredReport;
  content: string;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** What is compared between two submissions of one version: the numbers, not when they were computed. */
function contentOf(report: BaoCaoChiSo): string {
  return JSON.stringify(
    sorted({
      PhienBanCongThuc: report.PhienBanCongThuc,
      ChiSo: report.ChiSo,
      DiemNhom: report.DiemNhom,
      TongDiem: report.TongDiem,
    }),
  );
}

const periodKey = (r: { MaDonVi: string; LoaiKy: string; KyBaoCao: string }) =>
  `${r.MaDonVi}|${r.LoaiKy}|${r.KyBaoCao}`;

/** In-memory reports of the simulated operations center, one per unit, period and version. */
export class OperationsCenterStore {
  private readonly entries = new Map<string, Entry>();
  /** Highest accepted version per unit and period. */
  private readonly latest = new Map<string, number>();
  private receipts = 0;
  private readonly counters: OperationsCenterStats = {
    attempts: 0,
    accepted: 0,
    alreadyAccepted: 0,
    conflicts: 0,
    superseded: 0,
    invalid: 0,
    unknownUnit: 0,
    unauthorized: 0,
    rateLimited: 0,
    serverErrors: 0,
    tokensIssued: 0,
  };

  /** Accepted reports in acceptance order. */
  reports(): StoredReport[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry.stored));
  }

  /** The accepted report of this unit, period and version, if any. */
  report(unit: string, loaiKy: string, kyBaoCao: string, version: number): StoredReport | undefined {
    const entry = this.entries.get(
      `${periodKey({ MaDonVi: unit, LoaiKy: loaiKy, KyBaoCao: kyBaoCao })}|${version}`,
    );
    return entry && structuredClone(entry.stored);
  }

  stats(): OperationsCenterStats {
    return { ...this.counters };
  }

  count(counter: keyof OperationsCenterStats): void {
    this.counters[counter] += 1;
  }

  clear(): void {
    this.entries.clear();
    this.latest.clear();
    this.receipts = 0;
    for (const key of Object.keys(this.counters) as (keyof OperationsCenterStats)[]) this.counters[key] = 0;
  }

  /**
   * Judges a validated report: the same version again is an idempotent repeat when its content is the
   * same and a conflict otherwise; a version below the highest accepted one is superseded; anything else
   * is accepted.
   */
  submit(report: BaoCaoChiSo, now: Date = new Date()): SubmitOutcome {
    const period = periodKey(report);
    const key = `${period}|${report.PhienBan}`;
    const content = contentOf(report);
    const existing = this.entries.get(key);
    const current = this.latest.get(period) ?? 0;
    if (existing) {
      existing.stored.submissions += 1;
      if (existing.content === content) {
        this.counters.alreadyAccepted += 1;
        return { outcome: 'already-accepted', stored: structuredClone(existing.stored) };
      }
      this.counters.conflicts += 1;
      return { outcome: 'conflict', currentVersion: current };
    }
    if (report.PhienBan < current) {
      this.counters.superseded += 1;
      return { outcome: 'superseded', currentVersion: current };
    }
    this.receipts += 1;
    const stored: StoredReport = {
      MaDonVi: report.MaDonVi,
      LoaiKy: report.LoaiKy,
      KyBaoCao: report.KyBaoCao,
      PhienBan: report.PhienBan,
      MaTiepNhan: `TN-${String(this.receipts).padStart(6, '0')}`,
      ThoiDiemTiepNhan: now.toISOString(),
      submissions: 1,
      report: structuredClone(report),
    };
    this.entries.set(key, { stored, content });
    this.latest.set(period, report.PhienBan);
    this.counters.accepted += 1;
    return { outcome: 'accepted', stored: structuredClone(stored) };
  }
}

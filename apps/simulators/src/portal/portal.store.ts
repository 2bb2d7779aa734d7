import { DOSSIER_LIST_FIELDS, isBlank, statusCodeOf } from './portal.validation';

/** One applied status update (a CapNhatTienDoHoSoMC item that was not a redelivery). */
export interface PortalStatusUpdate {
  /** TrangThai, 1–10. */
  status: number;
  /** ThoiDiemXuLy as sent, `yyyyMMddHHmmss` Asia/Ho_Chi_Minh. */
  at: string;
}

/** A progress entry as stored (CapNhatTienDoHoSoMC item, TrangThai normalised to a number). */
export interface PortalProgressEntry {
  MaHoSo: string;
  NguoiXuLy?: string;
  ChucDanh?: string;
  ThoiDiemXuLy: string;
  PhongBanXuLy?: string;
  NoiDungXuLy?: string;
  TrangThai: number;
  NgayBatDau?: string;
  NgayKetThucTheoQuyDinh?: string;
}

/** The dossier record: the fields of the last DongBoHoSoMC item, which replaces the record as a whole. */
export interface PortalDossierRecord {
  MaHoSo: string;
  TrangThaiHoSo: number;
  MaTTHC?: string;
  TenTTHC?: string;
  MaLinhVuc?: string;
  TenLinhVuc?: string;
  SoBienNhan?: string;
  ChuHoSo?: string;
  LoaiDoiTuong?: string;
  MaDoiTuong?: string;
  TrichYeuHoSo?: string;
  NgayTiepNhan?: string;
  NgayHenTra?: string;
  NgayTra?: string;
  HinhThuc?: string;
  NgayKetThucXuLy?: string;
  DonViXuLy?: string;
  KenhThucHien?: string;
  NoiNopHoSo?: string;
  NgayNopHoSo?: string;
  TaiLieuNop?: unknown[];
  DanhSachLePhi?: unknown[];
  DanhSachHoSoBoSung?: unknown[];
  DanhSachGiayToKetQua?: unknown[];
  [field: string]: unknown;
}

/** A group score of the portal's own evaluation, as LayKetQuaDanhGia returns it. */
export interface PortalGroupScoreRecord {
  group: string;
  score: number;
  maxScore?: number;
  criteria?: { code: string; score: number; maxScore?: number }[];
}

/** The portal's own Decision 766 evaluation of one unit for one period (set over the admin route). */
export interface PortalEvaluationRecord {
  unitCode: string;
  /** THANG, QUY or NAM. */
  periodKind: string;
  /** 2026-10, 2026-Q4, 2026. */
  period: string;
  totalScore?: number;
  groupScores: PortalGroupScoreRecord[];
}

/** What `store.dossier(code)` returns: the record's fields plus its history. A copy; safe to keep. */
export type PortalStoredDossier = PortalDossierRecord & {
  /** Applied status updates in the order they were applied; a redelivery is never appended twice. */
  statusHistory: PortalStatusUpdate[];
  /** Applied progress entries, same order. */
  progress: PortalProgressEntry[];
  /** Unit code (mã đơn vị) of the session that created the dossier. */
  unitCode: string;
  /** The code the portal issued (token-based dialect only: MaHoSoQuocGia). */
  portalCode?: string;
  /** DongBoHoSoMC items applied to this dossier (creation included). */
  upserts: number;
  createdAt: string;
  updatedAt: string;
};

export interface PortalStoreStats {
  /** Progress entries applied (status updates appended). */
  applied: number;
  /** Progress entries acknowledged as redeliveries and not appended. */
  duplicates: number;
  /** Items refused with INVALID_DATA (both services). */
  rejected: number;
  /** Dossiers created / updated by DongBoHoSoMC. */
  created: number;
  updated: number;
  /** Dossiers held. */
  dossiers: number;
  /** Successful logins. */
  logins: number;
  /** Calls to the integration or sharing endpoint that reached a service (after faults). */
  serviceCalls: number;
  /** DongBoHoSoMC items by isUpdating: created ("False") and updated ("True"). */
  creations: number;
  updates: number;
  /** DongBoHoSoMC items refused because isUpdating did not match what the portal holds. */
  existenceRefusals: number;
  /** TraCuuHoSo calls answered. */
  lookups: number;
  /** TraCuuTechID calls answered. */
  accountLookups: number;
  /** Access tokens issued (token-based dialect). */
  tokensIssued: number;
  /** Dossier codes issued (token-based dialect). */
  portalCodesIssued: number;
}

interface Entry {
  record: PortalDossierRecord;
  statusHistory: PortalStatusUpdate[];
  progress: PortalProgressEntry[];
  seen: Set<string>;
  unitCode: string;
  upserts: number;
  createdAt: string;
  updatedAt: string;
}

const str = (value: unknown): string | undefined => (isBlank(value) ? undefined : String(value));

/** In-memory dossier store of the simulated portal, inspectable by tests. */
export class PortalStore {
  private readonly entries = new Map<string, Entry>();
  private readonly counters = {
    applied: 0,
    duplicates: 0,
    rejected: 0,
    created: 0,
    updated: 0,
    logins: 0,
    serviceCalls: 0,
    creations: 0,
    updates: 0,
    existenceRefusals: 0,
    lookups: 0,
    accountLookups: 0,
    tokensIssued: 0,
    portalCodesIssued: 0,
  };
  /** Token-based dialect: portal code → dossier code, and back. */
  private readonly byPortalCode = new Map<string, string>();
  private readonly portalCodes = new Map<string, string>();
  /** Portal accounts: tax code (or identity number) → TECHNICALID. */
  private readonly accounts = new Map<string, string>();
  private readonly evaluations = new Map<string, PortalEvaluationRecord>();

  has(code: string): boolean {
    return this.entries.has(code);
  }

  /** The dossier with its status history and progress, or undefined when the portal never received it. */
  dossier(code: string): PortalStoredDossier | undefined {
    const entry = this.entries.get(code);
    if (!entry) return undefined;
    return structuredClone({
      ...entry.record,
      statusHistory: entry.statusHistory,
      progress: entry.progress,
      unitCode: entry.unitCode,
      ...(this.portalCodes.has(code) ? { portalCode: this.portalCodes.get(code) } : {}),
      upserts: entry.upserts,
      createdAt: entry.createdAt,
      updatedAt: entry.updatedAt,
    });
  }

  /** Codes of every dossier held, in creation order. */
  codes(): string[] {
    return [...this.entries.keys()];
  }

  stats(): PortalStoreStats {
    return { ...this.counters, dossiers: this.entries.size };
  }

  clear(): void {
    this.entries.clear();
    this.accounts.clear();
    this.evaluations.clear();
    this.byPortalCode.clear();
    this.portalCodes.clear();
    for (const key of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[key] = 0;
  }

  // --- used by the simulator ------------------------------------------------------------------------

  /**
   * Stores a validated DongBoHoSoMC item as the dossier's record: the item replaces the record as a whole, so a
   * field sent blank is blank afterwards and a list left out is empty (the integrations always send them).
   */
  upsertDossier(item: Record<string, unknown>, unitCode: string): 'created' | 'updated' {
    const code = String(item.MaHoSo);
    const now = new Date().toISOString();
    let entry = this.entries.get(code);
    const outcome = entry ? 'updated' : 'created';
    if (!entry) {
      entry = {
        record: { MaHoSo: code, TrangThaiHoSo: 0 },
        statusHistory: [],
        progress: [],
        seen: new Set(),
        unitCode,
        upserts: 0,
        createdAt: now,
        updatedAt: now,
      };
      this.entries.set(code, entry);
    }
    const record: PortalDossierRecord = { MaHoSo: code, TrangThaiHoSo: 0 };
    for (const [field, value] of Object.entries(item)) {
      if (field === 'MaHoSo') continue;
      if ((DOSSIER_LIST_FIELDS as readonly string[]).includes(field)) {
        record[field] = Array.isArray(value) ? structuredClone(value) : [];
        continue;
      }
      if (field === 'TrangThaiHoSo') record.TrangThaiHoSo = statusCodeOf(value) as number;
      else record[field] = isBlank(value) ? '' : String(value);
    }
    for (const field of DOSSIER_LIST_FIELDS) record[field] ??= [];
    entry.record = record;
    entry.upserts += 1;
    entry.updatedAt = now;
    this.counters[outcome] += 1;
    return outcome;
  }

  /**
   * Appends a validated CapNhatTienDoHoSoMC item to the dossier's history, unless it is a redelivery: the
   * same ThoiDiemXuLy, TrangThai and NoiDungXuLy as a step already held. Returns whether it was a duplicate.
   * The dossier must exist.
   */
  applyProgress(item: Record<string, unknown>): { duplicate: boolean } {
    const entry = this.entries.get(String(item.MaHoSo));
    if (!entry) throw new Error(`dossier ${String(item.MaHoSo)} is not held`);
    const status = statusCodeOf(item.TrangThai) as number;
    const at = String(item.ThoiDiemXuLy);
    const key = `${at}|${status}|${str(item.NoiDungXuLy) ?? ''}`;
    if (entry.seen.has(key)) {
      this.counters.duplicates += 1;
      return { duplicate: true };
    }
    entry.seen.add(key);
    const progress: PortalProgressEntry = {
      MaHoSo: entry.record.MaHoSo,
      ThoiDiemXuLy: at,
      TrangThai: status,
    };
    for (const field of [
      'NguoiXuLy',
      'ChucDanh',
      'PhongBanXuLy',
      'NoiDungXuLy',
      'NgayBatDau',
      'NgayKetThucTheoQuyDinh',
    ] as const) {
      const value = str(item[field]);
      if (value !== undefined) progress[field] = value;
    }
    entry.progress.push(progress);
    entry.statusHistory.push({ status, at });
    entry.record.TrangThaiHoSo = status;
    entry.updatedAt = new Date().toISOString();
    this.counters.applied += 1;
    return { duplicate: false };
  }

  /** The record and its progress as TraCuuHoSo returns them (progress under QuaTrinhXuLy). */
  lookup(code: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(code);
    if (!entry) return undefined;
    return structuredClone({ ...entry.record, QuaTrinhXuLy: entry.progress });
  }

  /** Registers a portal account (a citizen's or enterprise's login on the portal) for TraCuuTechID. */
  addAccount(taxCodeOrIdNumber: string, technicalId: string): void {
    this.accounts.set(taxCodeOrIdNumber, technicalId);
  }

  /** TraCuuTechID: the account registered for a tax code or identity number. */
  account(taxCodeOrIdNumber: string): string | undefined {
    this.counters.accountLookups += 1;
    return this.accounts.get(taxCodeOrIdNumber);
  }

  /** True when a TECHNICALID belongs to a registered account (what MaDoiTuong must name). */
  isAccount(technicalId: string): boolean {
    for (const id of this.accounts.values()) if (id === technicalId) return true;
    return false;
  }

  setEvaluation(evaluation: PortalEvaluationRecord): void {
    this.evaluations.set(evaluationKey(evaluation.unitCode, evaluation.periodKind, evaluation.period), {
      ...structuredClone(evaluation),
    });
  }

  evaluation(unitCode: string, periodKind: string, period: string): PortalEvaluationRecord | undefined {
    const found = this.evaluations.get(evaluationKey(unitCode, periodKind, period));
    return found && structuredClone(found);
  }

  allEvaluations(): PortalEvaluationRecord[] {
    return [...this.evaluations.values()].map((e) => structuredClone(e));
  }

  /** Token-based dialect: issues the portal's code for a dossier it holds (once; later calls return it). */
  issuePortalCode(dossierCode: string, unitCode: string): string {
    const held = this.portalCodes.get(dossierCode);
    if (held) return held;
    this.counters.portalCodesIssued += 1;
    // synthetic: the real portal's code format is not known; this one only has to be opaque and unique
    const code = `QG-${unitCode}-${String(this.counters.portalCodesIssued).padStart(8, '0')}`;
    this.portalCodes.set(dossierCode, code);
    this.byPortalCode.set(code, dossierCode);
    return code;
  }

  /** The portal code issued for a dossier, if any. */
  portalCodeOf(dossierCode: string): string | undefined {
    return this.portalCodes.get(dossierCode);
  }

  /** The dossier a portal code names, if it names one. */
  dossierOfPortalCode(portalCode: string): string | undefined {
    return this.byPortalCode.get(portalCode);
  }

  countToken(): void {
    this.counters.tokensIssued += 1;
  }

  countExistenceRefusal(): void {
    this.counters.existenceRefusals += 1;
  }

  countSync(isUpdating: 'True' | 'False'): void {
    this.counters[isUpdating === 'True' ? 'updates' : 'creations'] += 1;
  }

  countLookup(): void {
    this.counters.lookups += 1;
  }

  countRejected(n = 1): void {
    this.counters.rejected += n;
  }

  countLogin(): void {
    this.counters.logins += 1;
  }

  countServiceCall(): void {
    this.counters.serviceCalls += 1;
  }
}

function evaluationKey(unitCode: string, periodKind: string, period: string): string {
  return `${unitCode}|${periodKind}|${period}`;
}

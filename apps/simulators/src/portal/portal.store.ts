import { DOSSIER_LIST_FIELDS, isBlank, statusCodeOf } from './portal.validation';

/** One applied status update (a CapNhatTienDoHoSoMC item that was not a redelivery). */
export interface PortalStatusUpdate {
  /** TrangThai, 1–10. */
  status: number;
  /** ThoiDiemXuLy as sent, `yyyyMMddHHmmss` Asia/Ho_Chi_Minh. */
  at: string;
  /** MaSuKien (the canonical eventId) when the client sent it. */
  eventId?: string;
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
  MaSuKien?: string;
}

/** The dossier record (DongBoHoSoMC fields, merged over successive upserts). */
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
  TaiLieuNop?: unknown[];
  DanhSachLePhi?: unknown[];
  DanhSachHoSoBoSung?: unknown[];
  DanhSachGiayToKetQua?: unknown[];
  [field: string]: unknown;
}

/** What `store.dossier(code)` returns: the record's fields plus its history. A copy; safe to keep. */
export type PortalStoredDossier = PortalDossierRecord & {
  /** Applied status updates in the order they were applied; a redelivery is never appended twice. */
  statusHistory: PortalStatusUpdate[];
  /** Applied progress entries, same order. */
  progress: PortalProgressEntry[];
  /** Unit code (mã đơn vị) of the session that created the dossier. */
  unitCode: string;
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
  /** Calls to the service endpoint that reached a service (after faults). */
  serviceCalls: number;
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

const IGNORED_DOSSIER_FIELDS = new Set(['isUpdating']);

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
  };

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
    for (const key of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[key] = 0;
  }

  // --- used by the simulator ------------------------------------------------------------------------

  /** Creates or updates a validated DongBoHoSoMC item. Blank fields keep the stored value; lists replace. */
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
    for (const [field, value] of Object.entries(item)) {
      if (IGNORED_DOSSIER_FIELDS.has(field) || field === 'MaHoSo') continue;
      if ((DOSSIER_LIST_FIELDS as readonly string[]).includes(field)) {
        if (Array.isArray(value)) entry.record[field] = structuredClone(value);
        continue;
      }
      if (isBlank(value)) continue;
      entry.record[field] = field === 'TrangThaiHoSo' ? statusCodeOf(value) : String(value);
    }
    entry.upserts += 1;
    entry.updatedAt = now;
    this.counters[outcome] += 1;
    return outcome;
  }

  /**
   * Appends a validated CapNhatTienDoHoSoMC item to the dossier's history, unless it is a redelivery:
   * same MaSuKien when the client sends one, otherwise same ThoiDiemXuLy and TrangThai. Returns whether
   * it was a duplicate. The dossier must exist.
   */
  applyProgress(item: Record<string, unknown>): { duplicate: boolean } {
    const entry = this.entries.get(String(item.MaHoSo));
    if (!entry) throw new Error(`dossier ${String(item.MaHoSo)} is not held`);
    const status = statusCodeOf(item.TrangThai) as number;
    const at = String(item.ThoiDiemXuLy);
    const eventId = str(item.MaSuKien);
    const key = eventId !== undefined ? `event:${eventId}` : `step:${at}|${status}`;
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
      'MaSuKien',
    ] as const) {
      const value = str(item[field]);
      if (value !== undefined) progress[field] = value;
    }
    entry.progress.push(progress);
    entry.statusHistory.push(eventId !== undefined ? { status, at, eventId } : { status, at });
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

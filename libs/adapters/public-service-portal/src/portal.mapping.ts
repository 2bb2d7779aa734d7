import type { DossierChannel, DossierStatusEvent, PartyKind } from '@lienthong/contracts';
import {
  dossierStatusLabel,
  DossierStatus,
  fromPortalCode,
  isDossierStatus,
  toPortalCode,
} from '@lienthong/domain';
import type { PortalDossierItem, PortalDossierRecordWire, PortalProgressItem } from './portal.wire';

/**
 * Canonical dossier status event → the portal's wire format, and back for read-backs.
 *
 * Every event becomes two calls, in this order (see PublicServicePortalClient.syncDossier):
 * 1. DongBoHoSoMC with one dossier item: an upsert by MaHoSo carrying the current status (TrangThaiHoSo)
 *    and what the event knows about the dossier. Sent for every event, not only the first, so that a portal
 *    that never saw the dossier (an earlier sync lost on its side, a reset) gets it back, and because the
 *    portal shows TrangThaiHoSo, not the last progress entry. Fields the event does not know are sent as ''
 *    (public integrations do the same), which the portal treats as "keep the stored value".
 * 2. CapNhatTienDoHoSoMC with one progress item for the step itself (who, when, what, which status), carrying
 *    the eventId in MaSuKien so that a redelivered event is acknowledged and not appended twice.
 *
 * Field rules:
 * - TrangThaiHoSo / TrangThai: `toPortalCode(status)` (SUBMITTED 1 … RESULT_RETURNED 10), as a decimal string
 *   like public integrations send it.
 * - Dates: `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh, formatted with a fixed +07:00 offset (Vietnam has had no
 *   daylight saving time since 1975). Sub-second precision is dropped.
 * - NgayTiepNhan (receipt): `extra.receivedAt` when the caller knows it; otherwise occurredAt of a SUBMITTED
 *   or RECEIVED event (the intake steps; RECEIVED overwrites the submission time); otherwise ''. The portal
 *   requires it when it creates a dossier, so a dossier whose first synced event is past intake needs
 *   `extra.receivedAt` or it is rejected (permanent, dead-lettered, fixed by replaying from intake).
 * - NgayHenTra: dueAt. NgayKetThucXuLy (processing ended): occurredAt of RESOLVED, REJECTED, WITHDRAWN and
 *   STOPPED. NgayTra (result returned): occurredAt of RESULT_RETURNED.
 * - HinhThuc (how the dossier was lodged): COUNTER '0', ONLINE '1', POSTAL '2'. Uncertain: public
 *   integrations send '0'/'1' only; one table below to change.
 * - LoaiDoiTuong / MaDoiTuong: CITIZEN '1' + personal ID, ENTERPRISE '2' + enterprise code, ORGANISATION '3'
 *   + enterprise code when it has one. ChuHoSo (the applicant's name) only from `extra.applicantName`: the
 *   canonical event carries identifiers, no names.
 * - MaTTHC: procedureCode; MaLinhVuc: sectorCode (event, else extra); TenTTHC, TenLinhVuc, SoBienNhan,
 *   TrichYeuHoSo from `extra`; DonViXuLy: `extra.agencyName`, else the agency code.
 * - Progress: NguoiXuLy/ChucDanh/PhongBanXuLy from handler; NoiDungXuLy: note, else the status label
 *   ("Đang xử lý"); ThoiDiemXuLy and NgayBatDau: occurredAt; NgayKetThucTheoQuyDinh: `extra.stepDueAt`,
 *   else dueAt; MaSuKien: eventId.
 * - Document lists (TaiLieuNop, DanhSachLePhi, …) are sent only when `extra` gives them; an absent list keeps
 *   what the portal holds.
 */

/** What the canonical event does not carry but the portal's dossier record has room for. All optional. */
export interface PortalDossierExtras {
  /** TenTTHC. */
  procedureName?: string;
  /** MaLinhVuc, when the event has no sectorCode. */
  sectorCode?: string;
  /** TenLinhVuc. */
  sectorName?: string;
  /** SoBienNhan (receipt number). */
  receiptNumber?: string;
  /** ChuHoSo: the applicant's name. Personal data: sent to the portal, never logged. */
  applicantName?: string;
  /** TrichYeuHoSo (summary of the request). */
  summary?: string;
  /** DonViXuLy (name of the handling agency); defaults to the agency code. */
  agencyName?: string;
  /** NgayTiepNhan, RFC 3339; see the rule above. */
  receivedAt?: string;
  /** NgayKetThucTheoQuyDinh of this step, RFC 3339; defaults to dueAt. */
  stepDueAt?: string;
  TaiLieuNop?: unknown[];
  DanhSachLePhi?: unknown[];
  DanhSachHoSoBoSung?: unknown[];
  DanhSachGiayToKetQua?: unknown[];
}

/** HinhThuc for each channel. */
export const PORTAL_CHANNEL_CODES: Readonly<Record<DossierChannel, string>> = Object.freeze({
  COUNTER: '0',
  ONLINE: '1',
  POSTAL: '2',
});

/** LoaiDoiTuong for each kind of applicant. */
export const PORTAL_APPLICANT_KINDS: Readonly<Record<PartyKind, string>> = Object.freeze({
  CITIZEN: '1',
  ENTERPRISE: '2',
  ORGANISATION: '3',
});

const INTAKE = new Set<DossierStatus>([DossierStatus.SUBMITTED, DossierStatus.RECEIVED]);
const PROCESSING_ENDED = new Set<DossierStatus>([
  DossierStatus.RESOLVED,
  DossierStatus.REJECTED,
  DossierStatus.WITHDRAWN,
  DossierStatus.STOPPED,
]);

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const PORTAL_DATE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh for an instant (RFC 3339 string with offset, Date or epoch ms). */
export function toPortalDateTime(value: string | Date | number): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError('not a valid date-time');
  const local = new Date(ms + VIETNAM_OFFSET_MS);
  return (
    pad(local.getUTCFullYear(), 4) +
    pad(local.getUTCMonth() + 1) +
    pad(local.getUTCDate()) +
    pad(local.getUTCHours()) +
    pad(local.getUTCMinutes()) +
    pad(local.getUTCSeconds())
  );
}

/** RFC 3339 with the +07:00 offset for a portal date-time, or undefined when it is not a real one. */
export function fromPortalDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = PORTAL_DATE.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return undefined;
  }
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+07:00`;
}

const dateOrBlank = (value: string | undefined) => (value ? toPortalDateTime(value) : '');

/** The domain's status for the event's (the contract's string union and the domain enum share their values). */
export function statusOf(event: Pick<DossierStatusEvent, 'status'>): DossierStatus {
  const status: unknown = event.status;
  if (!isDossierStatus(status)) throw new RangeError('unknown dossier status');
  return status;
}

/** The DongBoHoSoMC item for an event. Throws RangeError for an event whose dates are not dates. */
export function toPortalDossierItem(
  event: DossierStatusEvent,
  extra: PortalDossierExtras = {},
): PortalDossierItem {
  const status = statusOf(event);
  const occurredAt = toPortalDateTime(event.occurredAt);
  const receivedAt = extra.receivedAt
    ? toPortalDateTime(extra.receivedAt)
    : INTAKE.has(status)
      ? occurredAt
      : '';
  const item: PortalDossierItem = {
    MaHoSo: event.dossierCode,
    MaTTHC: event.procedureCode,
    TenTTHC: extra.procedureName ?? '',
    MaLinhVuc: event.sectorCode ?? extra.sectorCode ?? '',
    TenLinhVuc: extra.sectorName ?? '',
    SoBienNhan: extra.receiptNumber ?? '',
    ChuHoSo: extra.applicantName ?? '',
    LoaiDoiTuong: PORTAL_APPLICANT_KINDS[event.applicant.kind],
    MaDoiTuong: event.applicant.personalId ?? event.applicant.enterpriseCode ?? '',
    TrichYeuHoSo: extra.summary ?? '',
    NgayTiepNhan: receivedAt,
    NgayHenTra: dateOrBlank(event.dueAt),
    TrangThaiHoSo: String(toPortalCode(status)),
    NgayTra: status === DossierStatus.RESULT_RETURNED ? occurredAt : '',
    HinhThuc: PORTAL_CHANNEL_CODES[event.channel],
    NgayKetThucXuLy: PROCESSING_ENDED.has(status) ? occurredAt : '',
    DonViXuLy: extra.agencyName ?? event.agencyCode,
  };
  for (const list of ['TaiLieuNop', 'DanhSachLePhi', 'DanhSachHoSoBoSung', 'DanhSachGiayToKetQua'] as const) {
    if (extra[list]) item[list] = extra[list];
  }
  return item;
}

/** The CapNhatTienDoHoSoMC item for an event. Throws RangeError for an event whose dates are not dates. */
export function toPortalProgressItem(
  event: DossierStatusEvent,
  extra: Pick<PortalDossierExtras, 'stepDueAt'> = {},
): PortalProgressItem {
  const status = statusOf(event);
  const occurredAt = toPortalDateTime(event.occurredAt);
  return {
    MaHoSo: event.dossierCode,
    NguoiXuLy: event.handler?.name ?? '',
    ChucDanh: event.handler?.position ?? '',
    ThoiDiemXuLy: occurredAt,
    PhongBanXuLy: event.handler?.department ?? '',
    NoiDungXuLy: event.note ?? dossierStatusLabel(status),
    TrangThai: String(toPortalCode(status)),
    NgayBatDau: occurredAt,
    NgayKetThucTheoQuyDinh: dateOrBlank(extra.stepDueAt ?? event.dueAt),
    MaSuKien: event.eventId,
  };
}

/** `error_code` as a number: accepts 0, "0", "00", "-2"; undefined for anything else. */
export function parsePortalErrorCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,6}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** One progress entry of a read-back, canonical where it can be. */
export interface PortalProgressView {
  portalStatusCode: number | undefined;
  status: DossierStatus | undefined;
  /** ThoiDiemXuLy as RFC 3339 (+07:00). */
  at: string | undefined;
  eventId?: string;
  note?: string;
}

/** A dossier as the portal holds it (TraCuuHoSo), canonical where it can be. */
export interface PortalDossierView {
  dossierCode: string;
  portalStatusCode: number | undefined;
  status: DossierStatus | undefined;
  procedureCode?: string;
  /** RFC 3339 (+07:00). */
  receivedAt?: string;
  dueAt?: string;
  processingEndedAt?: string;
  returnedAt?: string;
  progress: PortalProgressView[];
  /** The record exactly as the portal returned it (holds personal data: do not log). */
  wire: PortalDossierRecordWire;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const code = (value: unknown) => {
  const n = parsePortalErrorCode(value);
  return n !== undefined && n >= 1 && n <= 10 ? n : undefined;
};

export function fromPortalDossierRecord(wire: PortalDossierRecordWire): PortalDossierView {
  const portalStatusCode = code(wire.TrangThaiHoSo);
  const progress = Array.isArray(wire.QuaTrinhXuLy) ? wire.QuaTrinhXuLy : [];
  return {
    dossierCode: wire.MaHoSo,
    portalStatusCode,
    status: portalStatusCode !== undefined ? fromPortalCode(portalStatusCode) : undefined,
    procedureCode: text(wire.MaTTHC),
    receivedAt: fromPortalDateTime(wire.NgayTiepNhan),
    dueAt: fromPortalDateTime(wire.NgayHenTra),
    processingEndedAt: fromPortalDateTime(wire.NgayKetThucXuLy),
    returnedAt: fromPortalDateTime(wire.NgayTra),
    progress: progress.map((entry) => {
      const entryCode = code(entry.TrangThai);
      const view: PortalProgressView = {
        portalStatusCode: entryCode,
        status: entryCode !== undefined ? fromPortalCode(entryCode) : undefined,
        at: fromPortalDateTime(entry.ThoiDiemXuLy),
      };
      const eventId = text(entry.MaSuKien);
      const note = text(entry.NoiDungXuLy);
      if (eventId) view.eventId = eventId;
      if (note) view.note = note;
      return view;
    }),
    wire,
  };
}

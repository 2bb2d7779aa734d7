import type { DossierChannel, DossierStatusEvent, PartyKind } from '@lienthong/contracts';
import {
  DossierStatus,
  dossierStatusLabel,
  fromPortalCode,
  fromVietnamCompact,
  isDossierStatus,
  parseDossierCode,
  toPortalCode,
  validatePersonalId,
  vietnamCompact,
} from '@lienthong/domain';
import type { PortalDossierItem, PortalDossierRecordWire, PortalProgressItem } from './portal.wire';

/**
 * Canonical dossier status event → the portal's OpenCPS-era wire format, and back for read-backs.
 *
 * Every event becomes, in this order (PublicServicePortalClient.syncDossier):
 * 1. TraCuuHoSo: does the portal hold the dossier? Its answer sets `isUpdating` ("True" when it does) and gives
 *    the record the portal holds, from which the fields the event cannot know are carried forward.
 * 2. DongBoHoSoMC with the dossier's FULL record (every field, every sync): a portal may overwrite a stored value
 *    with whatever arrives, so nothing is sent blank that the gateway or the portal's record knows.
 * 3. CapNhatTienDoHoSoMC with the step itself (who, when, what, which status).
 *
 * Where each field comes from, first that gives a value (event → the relay's extras → the portal's record →
 * the rule's fallback). Gaps (what neither the event nor the gateway's catalogue knows) are marked GAP.
 * - MaTTHC: procedureCode. TenTTHC, MaLinhVuc, TenLinhVuc: the catalogue (extras), else the portal's record.
 * - KenhThucHien (lodging channel): COUNTER "1", ONLINE "2", POSTAL "3".
 * - HinhThuc (how the RESULT is returned): "1" by public post, else "0". `extras.resultByPost` when the relay
 *   knows it; otherwise "1" for a dossier lodged by post (the public postal service carries both ways) — GAP:
 *   the canonical event says how a dossier was lodged, not how its result goes back.
 * - LoaiDoiTuong: CITIZEN "1", ENTERPRISE "2", ORGANISATION "4" (other organisation; "3" is a state agency,
 *   which the canonical party kinds do not tell apart).
 * - MaDoiTuong: the owner's portal account id (TraCuuTechID's TECHNICALID, `extras.portalAccountId`), else the
 *   one in the portal's record, else "". Never a personal ID or an enterprise code.
 * - SoGiayToChuHoSo: the enterprise code of an enterprise or organisation; "" for a citizen — the personal ID
 *   does not leave the gateway (the trust issue decides whether it ever may).
 * - ChuHoSo (owner's name), Email, Fax, SoDienThoai, ThongTinKhac, ThongTinTra, GhiChu: the portal's record,
 *   else "" — GAP: the canonical event carries identifiers, no names or contact details.
 * - TrichYeuHoSo: `extras.summary`, else the portal's record, else the procedure's name.
 * - NgayTiepNhan (intake): `extras.receivedAt`; the RECEIVED event's time; the portal's record; a SUBMITTED
 *   event's time; else the receipt date in the dossier code (`<agency>-YYMMDD-XXXX`) at 00:00 — GAP: the
 *   relay keeps no intake time of its own, so a dossier first synced after intake carries its code's date.
 * - NgayNopHoSo (lodging): `extras.submittedAt`; the SUBMITTED event's time; the portal's record; NgayTiepNhan.
 * - NgayHenTra: dueAt, else the portal's record. NgayKetThucXuLy: the time of RESOLVED, REJECTED, WITHDRAWN,
 *   STOPPED; kept from the record once the result is returned; "" while in process. NgayTra: RESULT_RETURNED.
 * - DonViXuLy: the handling agency's NAME from the catalogue (`extras.agencyName`), else the record, else the
 *   agency code — GAP for an agency the catalogue does not name.
 * - NoiNopHoSo: the record, else "2" (lodged at the province's one-stop system, as later clients send it).
 * - Lists (TaiLieuNop, DanhSachLePhi, DanhSachTepDinhKemKhac, DanhSachHoSoBoSung, DanhSachGiayToKetQua):
 *   `extras`, else the record, else [] — always arrays, never absent.
 * - Progress: NguoiXuLy/ChucDanh/PhongBanXuLy from the handler; NoiDungXuLy: note, else the status label;
 *   ThoiDiemXuLy and NgayBatDau: occurredAt; NgayKetThucTheoQuyDinh: `extras.stepDueAt`, else dueAt.
 * - Dates: `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (fixed +07:00: no daylight saving since 1975).
 */

/** What the canonical event does not carry but the portal's dossier record has room for. All optional. */
export interface PortalDossierExtras {
  /** TenTTHC (catalogue). */
  procedureName?: string;
  /** MaLinhVuc, when the event has no sectorCode (catalogue). */
  sectorCode?: string;
  /** TenLinhVuc (catalogue). */
  sectorName?: string;
  /** DonViXuLy: the name of the handling agency (catalogue). */
  agencyName?: string;
  /** ChuHoSo: the applicant's name. Personal data: sent to the portal, never logged. */
  applicantName?: string;
  /** TrichYeuHoSo (summary of the request). */
  summary?: string;
  /** NgayTiepNhan, RFC 3339. */
  receivedAt?: string;
  /** NgayNopHoSo, RFC 3339. */
  submittedAt?: string;
  /** HinhThuc: true when the result is returned by public post. */
  resultByPost?: boolean;
  /** MaDoiTuong: the owner's portal account id (found with TraCuuTechID by the client). */
  portalAccountId?: string;
  /** NgayKetThucTheoQuyDinh of this step, RFC 3339; defaults to dueAt. */
  stepDueAt?: string;
  TaiLieuNop?: unknown[];
  DanhSachLePhi?: unknown[];
  DanhSachTepDinhKemKhac?: unknown[];
  DanhSachHoSoBoSung?: unknown[];
  DanhSachGiayToKetQua?: unknown[];
}

/** KenhThucHien for each lodging channel. */
export const PORTAL_LODGING_CHANNELS: Readonly<Record<DossierChannel, string>> = Object.freeze({
  COUNTER: '1',
  ONLINE: '2',
  POSTAL: '3',
});

/** HinhThuc: how the result is returned. */
export const PORTAL_RESULT_DELIVERY = Object.freeze({ other: '0', byPost: '1' });

/** LoaiDoiTuong for each kind of applicant. */
export const PORTAL_APPLICANT_KINDS: Readonly<Record<PartyKind, string>> = Object.freeze({
  CITIZEN: '1',
  ENTERPRISE: '2',
  ORGANISATION: '4',
});

/** NoiNopHoSo of a dossier lodged at the province's one-stop system. */
export const PORTAL_LODGED_AT_PROVINCE = '2';

export const PORTAL_LIST_FIELDS = [
  'TaiLieuNop',
  'DanhSachLePhi',
  'DanhSachTepDinhKemKhac',
  'DanhSachHoSoBoSung',
  'DanhSachGiayToKetQua',
] as const;

const PROCESSING_ENDED = new Set<DossierStatus>([
  DossierStatus.RESOLVED,
  DossierStatus.REJECTED,
  DossierStatus.WITHDRAWN,
  DossierStatus.STOPPED,
]);

/** `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh for an instant (RFC 3339 string with offset, Date or epoch ms). */
export function toPortalDateTime(value: string | Date | number): string {
  return vietnamCompact(value);
}

/** RFC 3339 with the +07:00 offset for a portal date-time, or undefined when it is not a real one. */
export function fromPortalDateTime(value: unknown): string | undefined {
  return fromVietnamCompact(value);
}

/** The domain's status for the event's (the contract's string union and the domain enum share their values). */
export function statusOf(event: Pick<DossierStatusEvent, 'status'>): DossierStatus {
  const status: unknown = event.status;
  if (!isDossierStatus(status)) throw new RangeError('unknown dossier status');
  return status;
}

/** A text field of the portal's record, when it holds a non-blank one. */
function storedText(stored: PortalDossierRecordWire | undefined, field: string): string | undefined {
  const value = stored?.[field];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A date field of the portal's record, when it holds a real `yyyyMMddHHmmss` one. */
function storedDate(stored: PortalDossierRecordWire | undefined, field: string): string | undefined {
  const value = storedText(stored, field);
  return value !== undefined && fromPortalDateTime(value) !== undefined ? value : undefined;
}

/** The receipt date in a dossier code (`<agency>-YYMMDD-XXXX`) at 00:00 Asia/Ho_Chi_Minh, or undefined. */
export function receiptDateOfCode(dossierCode: string): string | undefined {
  const parsed = parseDossierCode(dossierCode);
  return parsed?.receiptDate ? `${parsed.receiptDate.replace(/-/g, '')}000000` : undefined;
}

const date = (value: string | undefined) => (value ? toPortalDateTime(value) : undefined);

/** True for a value shaped like a personal ID (12 digits) or an old ID card number (9 digits). */
export function looksLikePersonalId(value: string): boolean {
  return /^\d{9}$/.test(value) || validatePersonalId(value).valid;
}

/**
 * The DongBoHoSoMC item for an event: the dossier's full record. `stored` is the record the portal holds
 * (TraCuuHoSo), if any. Throws RangeError for an event whose dates are not dates.
 */
export function toPortalDossierItem(
  event: DossierStatusEvent,
  extra: PortalDossierExtras = {},
  stored?: PortalDossierRecordWire,
): PortalDossierItem {
  const status = statusOf(event);
  const occurredAt = toPortalDateTime(event.occurredAt);
  const keep = (field: keyof PortalDossierItem) => storedText(stored, field);

  const receivedAt =
    date(extra.receivedAt) ??
    (status === DossierStatus.RECEIVED ? occurredAt : undefined) ??
    storedDate(stored, 'NgayTiepNhan') ??
    (status === DossierStatus.SUBMITTED ? occurredAt : undefined) ??
    receiptDateOfCode(event.dossierCode) ??
    '';
  const submittedAt =
    date(extra.submittedAt) ??
    (status === DossierStatus.SUBMITTED ? occurredAt : undefined) ??
    storedDate(stored, 'NgayNopHoSo') ??
    receivedAt;
  const processingEnded = PROCESSING_ENDED.has(status)
    ? occurredAt
    : status === DossierStatus.RESULT_RETURNED
      ? (storedDate(stored, 'NgayKetThucXuLy') ?? '')
      : '';
  const storedAccount = keep('MaDoiTuong');
  const resultByPost = extra.resultByPost ?? event.channel === 'POSTAL';
  const lists = Object.fromEntries(
    PORTAL_LIST_FIELDS.map((field) => {
      const given = extra[field];
      const kept = stored?.[field];
      return [field, given ?? (Array.isArray(kept) ? kept : [])];
    }),
  ) as Pick<PortalDossierItem, (typeof PORTAL_LIST_FIELDS)[number]>;

  return {
    MaHoSo: event.dossierCode,
    MaTTHC: event.procedureCode,
    TenTTHC: extra.procedureName ?? keep('TenTTHC') ?? '',
    MaLinhVuc: event.sectorCode ?? extra.sectorCode ?? keep('MaLinhVuc') ?? '',
    TenLinhVuc: extra.sectorName ?? keep('TenLinhVuc') ?? '',
    KenhThucHien: PORTAL_LODGING_CHANNELS[event.channel],
    SoGiayToChuHoSo: event.applicant.kind === 'CITIZEN' ? '' : (event.applicant.enterpriseCode ?? ''),
    ChuHoSo: extra.applicantName ?? keep('ChuHoSo') ?? '',
    LoaiDoiTuong: PORTAL_APPLICANT_KINDS[event.applicant.kind],
    MaDoiTuong:
      extra.portalAccountId ??
      (storedAccount !== undefined && !looksLikePersonalId(storedAccount) ? storedAccount : '') ??
      '',
    ThongTinKhac: keep('ThongTinKhac') ?? '',
    Email: keep('Email') ?? '',
    Fax: keep('Fax') ?? '',
    SoDienThoai: keep('SoDienThoai') ?? '',
    TrichYeuHoSo: extra.summary ?? keep('TrichYeuHoSo') ?? extra.procedureName ?? '',
    NgayTiepNhan: receivedAt,
    NgayHenTra: date(event.dueAt) ?? storedDate(stored, 'NgayHenTra') ?? '',
    TrangThaiHoSo: String(toPortalCode(status)),
    NgayTra: status === DossierStatus.RESULT_RETURNED ? occurredAt : '',
    ThongTinTra: keep('ThongTinTra') ?? '',
    HinhThuc: resultByPost ? PORTAL_RESULT_DELIVERY.byPost : PORTAL_RESULT_DELIVERY.other,
    NgayKetThucXuLy: processingEnded,
    DonViXuLy: extra.agencyName ?? keep('DonViXuLy') ?? event.agencyCode,
    GhiChu: keep('GhiChu') ?? '',
    ...lists,
    NoiNopHoSo: keep('NoiNopHoSo') ?? PORTAL_LODGED_AT_PROVINCE,
    NgayNopHoSo: submittedAt,
  };
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
    NgayKetThucTheoQuyDinh: date(extra.stepDueAt ?? event.dueAt) ?? '',
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
      const note = text(entry.NoiDungXuLy);
      if (note) view.note = note;
      return view;
    }),
    wire,
  };
}

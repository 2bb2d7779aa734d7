/**
 * Canonical dossier statuses and their codes on the National Public Service Portal (DVCQG) sync API
 * (field TrangThaiHoSo). The 1–10 mapping is consistent across independent one-stop implementations
 * (docs/domain.md).
 */
export enum DossierStatus {
  SUBMITTED = 'SUBMITTED',
  RECEIVED = 'RECEIVED',
  REJECTED = 'REJECTED',
  IN_PROCESS = 'IN_PROCESS',
  SUPPLEMENT_REQUESTED = 'SUPPLEMENT_REQUESTED',
  PAYMENT_REQUESTED = 'PAYMENT_REQUESTED',
  WITHDRAWN = 'WITHDRAWN',
  STOPPED = 'STOPPED',
  RESOLVED = 'RESOLVED',
  RESULT_RETURNED = 'RESULT_RETURNED',
}

export type PortalStatusCode = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export interface DossierStatusInfo {
  readonly status: DossierStatus;
  readonly portalCode: PortalStatusCode;
  /** Label used by the portal and the one-stop systems. */
  readonly label: string;
  readonly terminal: boolean;
}

/** One row per status, in portal-code order. */
export const DOSSIER_STATUS_TABLE: readonly DossierStatusInfo[] = Object.freeze([
  { status: DossierStatus.SUBMITTED, portalCode: 1, label: 'Mới đăng ký', terminal: false },
  { status: DossierStatus.RECEIVED, portalCode: 2, label: 'Được tiếp nhận', terminal: false },
  { status: DossierStatus.REJECTED, portalCode: 3, label: 'Không được tiếp nhận', terminal: true },
  { status: DossierStatus.IN_PROCESS, portalCode: 4, label: 'Đang xử lý', terminal: false },
  {
    status: DossierStatus.SUPPLEMENT_REQUESTED,
    portalCode: 5,
    label: 'Yêu cầu bổ sung giấy tờ',
    terminal: false,
  },
  {
    status: DossierStatus.PAYMENT_REQUESTED,
    portalCode: 6,
    label: 'Yêu cầu thực hiện nghĩa vụ tài chính',
    terminal: false,
  },
  { status: DossierStatus.WITHDRAWN, portalCode: 7, label: 'Công dân yêu cầu rút hồ sơ', terminal: true },
  { status: DossierStatus.STOPPED, portalCode: 8, label: 'Dừng xử lý', terminal: true },
  { status: DossierStatus.RESOLVED, portalCode: 9, label: 'Đã xử lý xong', terminal: false },
  { status: DossierStatus.RESULT_RETURNED, portalCode: 10, label: 'Đã trả kết quả', terminal: true },
]);

export const DOSSIER_STATUSES: readonly DossierStatus[] = Object.freeze(
  DOSSIER_STATUS_TABLE.map((r) => r.status),
);

export const TERMINAL_DOSSIER_STATUSES: ReadonlySet<DossierStatus> = new Set(
  DOSSIER_STATUS_TABLE.filter((r) => r.terminal).map((r) => r.status),
);

const BY_STATUS: ReadonlyMap<DossierStatus, DossierStatusInfo> = new Map(
  DOSSIER_STATUS_TABLE.map((r) => [r.status, r]),
);
const BY_PORTAL_CODE: ReadonlyMap<number, DossierStatusInfo> = new Map(
  DOSSIER_STATUS_TABLE.map((r) => [r.portalCode, r]),
);

export function isDossierStatus(value: unknown): value is DossierStatus {
  return typeof value === 'string' && BY_STATUS.has(value as DossierStatus);
}

export function isTerminalStatus(status: DossierStatus): boolean {
  return TERMINAL_DOSSIER_STATUSES.has(status);
}

export function toPortalCode(status: DossierStatus): PortalStatusCode {
  const row = BY_STATUS.get(status);
  if (!row) throw new RangeError(`Unknown dossier status "${String(status)}"`);
  return row.portalCode;
}

/**
 * Status for a portal code. Accepts the number or its decimal string ("4"), since upstream JSON carries both;
 * returns undefined for anything else.
 */
export function fromPortalCode(code: number | string): DossierStatus | undefined {
  const n = typeof code === 'string' && /^[0-9]{1,2}$/.test(code.trim()) ? Number(code.trim()) : code;
  return typeof n === 'number' ? BY_PORTAL_CODE.get(n)?.status : undefined;
}

export function dossierStatusLabel(status: DossierStatus): string {
  const row = BY_STATUS.get(status);
  if (!row) throw new RangeError(`Unknown dossier status "${String(status)}"`);
  return row.label;
}

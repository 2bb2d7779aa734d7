import {
  DOSSIER_STATUSES as CONTRACT_DOSSIER_STATUSES,
  PORTAL_STATUS_CODES,
  type DossierStatus as ContractDossierStatus,
} from '@lienthong/contracts';

/**
 * Canonical dossier statuses and their codes on the National Public Service Portal (DVCQG) sync API
 * (field TrangThaiHoSo). The list and the 1–10 codes come from the dossier-status-event contract
 * (contracts/schemas, through @lienthong/contracts), their one source; the mapping is consistent across
 * independent one-stop implementations (docs/domain.md). This module adds what the domain knows of each:
 * its label and whether it ends the dossier.
 */
export type DossierStatus = ContractDossierStatus;
/** `DossierStatus.RECEIVED === 'RECEIVED'`, one member per status of the contract. */
export const DossierStatus = Object.freeze(
  Object.fromEntries(CONTRACT_DOSSIER_STATUSES.map((status) => [status, status])),
) as { readonly [S in DossierStatus]: S };

export type PortalStatusCode = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

export interface DossierStatusInfo {
  readonly status: DossierStatus;
  readonly portalCode: PortalStatusCode;
  /** Label used by the portal and the one-stop systems. */
  readonly label: string;
  readonly terminal: boolean;
}

/** What the domain adds to each status of the contract (a status the contract adds fails the type check here). */
const STATUS_FACTS: Readonly<Record<DossierStatus, { label: string; terminal: boolean }>> = {
  SUBMITTED: { label: 'Mới đăng ký', terminal: false },
  RECEIVED: { label: 'Được tiếp nhận', terminal: false },
  REJECTED: { label: 'Không được tiếp nhận', terminal: true },
  IN_PROCESS: { label: 'Đang xử lý', terminal: false },
  SUPPLEMENT_REQUESTED: { label: 'Yêu cầu bổ sung giấy tờ', terminal: false },
  PAYMENT_REQUESTED: { label: 'Yêu cầu thực hiện nghĩa vụ tài chính', terminal: false },
  WITHDRAWN: { label: 'Công dân yêu cầu rút hồ sơ', terminal: true },
  STOPPED: { label: 'Dừng xử lý', terminal: true },
  RESOLVED: { label: 'Đã xử lý xong', terminal: false },
  RESULT_RETURNED: { label: 'Đã trả kết quả', terminal: true },
};

/** One row per status, in portal-code order. */
export const DOSSIER_STATUS_TABLE: readonly DossierStatusInfo[] = Object.freeze(
  CONTRACT_DOSSIER_STATUSES.map((status) => ({
    status,
    portalCode: PORTAL_STATUS_CODES[status] as PortalStatusCode,
    ...STATUS_FACTS[status],
  })).sort((a, b) => a.portalCode - b.portalCode),
);

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

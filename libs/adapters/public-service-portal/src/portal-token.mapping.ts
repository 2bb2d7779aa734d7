import { fromPortalDateTime, toPortalDateTime } from './portal.mapping';
import {
  ISO_DATE_TIME,
  PORTAL_TOKEN_DOSSIER_DATES,
  PORTAL_TOKEN_PROGRESS_DATES,
  PORTAL_UNIT_FIELD,
  type PortalTokenDossierRecord,
} from './portal-token.wire';
import type { PortalDossierItem, PortalDossierRecordWire, PortalProgressItem } from './portal.wire';

/**
 * Canonical event → the token-based dialect. The record is the OpenCPS-era dialect's, field for field and
 * rule for rule (portal.mapping.ts: the full record, the carried-forward values, MaDoiTuong never an identity
 * number), so the two dialects cannot drift apart in meaning; only the dates change form, `yyyyMMddHHmmss`
 * becoming ISO 8601 with +07:00, and the unit code travels in the body as MaDonVi.
 */

/** `yyyyMMddHHmmss` (Vietnam time) → ISO 8601 with +07:00; '' and anything else that is no date → null. */
function isoOf(value: unknown): string | null {
  return fromPortalDateTime(value) ?? null;
}

/** An ISO 8601 date-time with offset → `yyyyMMddHHmmss` Vietnam time, or undefined. */
function compactOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) return undefined;
  return toPortalDateTime(value);
}

function withDates<T extends object>(
  item: T,
  fields: readonly string[],
  convert: (v: unknown) => unknown,
): T {
  const out = { ...item } as Record<string, unknown>;
  for (const field of fields) if (field in out) out[field] = convert(out[field]);
  return out as T;
}

/**
 * A record the portal holds (GET /dossiers/{code}) in the OpenCPS-era form the shared mapping reads: ISO
 * dates back to `yyyyMMddHHmmss`, so the same carry-forward rules apply to both dialects.
 */
export function fromTokenRecord(record: Record<string, unknown>): PortalDossierRecordWire {
  const compact = withDates(record, PORTAL_TOKEN_DOSSIER_DATES, (v) => compactOf(v) ?? '');
  if (Array.isArray(record.QuaTrinhXuLy)) {
    compact.QuaTrinhXuLy = record.QuaTrinhXuLy.map((step: unknown) =>
      typeof step === 'object' && step !== null
        ? withDates(step as Record<string, unknown>, PORTAL_TOKEN_PROGRESS_DATES, (v) => compactOf(v) ?? '')
        : step,
    );
  }
  return compact as PortalDossierRecordWire;
}

/** The OpenCPS-era item as the token dialect's body: ISO dates (null when unknown) and MaDonVi. */
export function toTokenRecord(item: PortalDossierItem, unitCode: string): PortalTokenDossierRecord {
  return {
    ...withDates(item as unknown as Record<string, unknown>, PORTAL_TOKEN_DOSSIER_DATES, isoOf),
    MaHoSo: item.MaHoSo,
    [PORTAL_UNIT_FIELD]: unitCode,
  };
}

/** The step as the token dialect's body (the dossier is in the path). */
export function toTokenProgress(item: PortalProgressItem): Record<string, unknown> {
  return withDates(item as unknown as Record<string, unknown>, PORTAL_TOKEN_PROGRESS_DATES, isoOf);
}

import type { PeriodKind, ReportingPeriod } from '@lienthong/contracts';
import {
  isRealDate,
  toMillis,
  vietnamDateTime,
  VIETNAM_TIME_ZONE,
  VIETNAM_UTC_OFFSET_MS,
} from '@lienthong/calendar';

/**
 * Reporting periods of the Decision 766 indicators: calendar days, months, quarters and years in
 * Asia/Ho_Chi_Minh time (the indicator-report contract: DAY `2026-10-31`, MONTH `2026-10`, QUARTER
 * `2026-Q4`, YEAR `2026`). Vietnam has kept UTC+07:00 without daylight saving since 1975, so the local calendar is
 * computed with a fixed offset: deterministic, and independent of the host's time-zone database.
 */
export const INDICATOR_TIME_ZONE = VIETNAM_TIME_ZONE;
export const INDICATOR_UTC_OFFSET_MS = VIETNAM_UTC_OFFSET_MS;

/** The periods reported to the operations center and kept on /metrics (a year is computed when asked). */
export const INDICATOR_PERIOD_KINDS: readonly PeriodKind[] = Object.freeze(['DAY', 'MONTH', 'QUARTER']);

/** A period and the instants it covers: `start` included, `end` excluded. */
export interface PeriodBounds {
  start: Date;
  end: Date;
}

const DAY_KEY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const MONTH_KEY = /^([0-9]{4})-([0-9]{2})$/;
const QUARTER_KEY = /^([0-9]{4})-Q([1-4])$/;
const YEAR_KEY = /^([0-9]{4})$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Year, month (1-12) and day of an instant on the Asia/Ho_Chi_Minh calendar. */
export function localDateOf(instant: Date | string | number): { year: number; month: number; day: number } {
  const local = new Date(toMillis(instant) + INDICATOR_UTC_OFFSET_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
}

/** The period of the given kind that contains an instant, e.g. MONTH of 2026-10-31T20:00:00Z is 2026-11. */
export function periodOf(kind: PeriodKind, instant: Date | string | number): ReportingPeriod {
  const { year, month, day } = localDateOf(instant);
  switch (kind) {
    case 'DAY':
      return { kind, key: `${pad(year, 4)}-${pad(month)}-${pad(day)}` };
    case 'MONTH':
      return { kind, key: `${pad(year, 4)}-${pad(month)}` };
    case 'QUARTER':
      return { kind, key: `${pad(year, 4)}-Q${Math.ceil(month / 3)}` };
    case 'YEAR':
      return { kind, key: pad(year, 4) };
    default:
      throw new RangeError(`unknown period kind ${String(kind)}`);
  }
}

/** The day, month and quarter that contain an instant (the periods reported to the operations center). */
export function periodsOf(instant: Date | string | number): ReportingPeriod[] {
  return INDICATOR_PERIOD_KINDS.map((kind) => periodOf(kind, instant));
}

/**
 * Reads a period key as the HTTP API and the CLI accept it: `2026-10-31` (DAY), `2026-10` (MONTH),
 * `2026-Q4` (QUARTER) or `2026` (YEAR). Undefined for anything else, including dates that do not exist
 * (`2026-02-30`).
 */
export function parsePeriodKey(key: unknown): ReportingPeriod | undefined {
  if (typeof key !== 'string') return undefined;
  let m = DAY_KEY.exec(key);
  if (m) return isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) ? { kind: 'DAY', key } : undefined;
  m = MONTH_KEY.exec(key);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? { kind: 'MONTH', key } : undefined;
  m = QUARTER_KEY.exec(key);
  if (m) return { kind: 'QUARTER', key };
  m = YEAR_KEY.exec(key);
  if (m) return { kind: 'YEAR', key };
  return undefined;
}

/** True when `period` is a well-formed period whose key matches its kind. */
export function isReportingPeriod(period: unknown): period is ReportingPeriod {
  if (typeof period !== 'object' || period === null) return false;
  const { kind, key } = period as Partial<ReportingPeriod>;
  return parsePeriodKey(key)?.kind === kind;
}

const localMidnight = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day) - INDICATOR_UTC_OFFSET_MS);

/** The instants a period covers; throws RangeError for a malformed period. */
export function periodBounds(period: ReportingPeriod): PeriodBounds {
  if (!isReportingPeriod(period)) {
    throw new RangeError(`not a reporting period: ${JSON.stringify(period)}`);
  }
  const year = Number(period.key.slice(0, 4));
  switch (period.kind) {
    case 'DAY': {
      const month = Number(period.key.slice(5, 7));
      const day = Number(period.key.slice(8, 10));
      return { start: localMidnight(year, month, day), end: localMidnight(year, month, day + 1) };
    }
    case 'MONTH': {
      const month = Number(period.key.slice(5, 7));
      return { start: localMidnight(year, month, 1), end: localMidnight(year, month + 1, 1) };
    }
    case 'QUARTER': {
      const first = (Number(period.key.slice(6)) - 1) * 3 + 1;
      return { start: localMidnight(year, first, 1), end: localMidnight(year, first + 3, 1) };
    }
    case 'YEAR':
      return { start: localMidnight(year, 1, 1), end: localMidnight(year + 1, 1, 1) };
  }
}

/**
 * The instant at which a period's stock figures (pending in time / overdue) are taken: `now` while the
 * period is running, otherwise its end. A period that has not started yet is also taken at its end, so
 * a report never depends on when a future-dated period happens to be asked for.
 */
export function evaluationInstant(period: ReportingPeriod, now: Date | number): Date {
  const { start, end } = periodBounds(period);
  const at = toMillis(now);
  return at >= start.getTime() && at < end.getTime() ? new Date(at) : end;
}

/** `2026-10-31T00:00:00+07:00`: an instant written in Asia/Ho_Chi_Minh time, as reports and logs show it. */
export function formatLocalDateTime(instant: Date | string | number): string {
  return vietnamDateTime(instant);
}

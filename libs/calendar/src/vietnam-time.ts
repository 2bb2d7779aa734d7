/**
 * Vietnam time, in one place. Viet Nam has kept UTC+07:00 without daylight saving since 1975, so local wall
 * clocks and calendar days are computed with a fixed offset: deterministic, and independent of the host's
 * time-zone database. Every wire format, report and log line that shows local time goes through here.
 */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const VIETNAM_UTC_OFFSET_MS = 7 * 3_600_000;

/** An instant: a Date, epoch milliseconds, or an RFC 3339 / ISO 8601 string with its offset. */
export type Instant = Date | number | string;

/** Epoch milliseconds of an instant; a RangeError when it is none. */
export function toMillis(instant: Instant): number {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(instant)}`);
  return ms;
}

/** `2026-10-31T09:15:02`: the wall clock in Viet Nam at an instant, without an offset. */
function wallClock(instant: Instant): string {
  return new Date(toMillis(instant) + VIETNAM_UTC_OFFSET_MS).toISOString().slice(0, 19);
}

/** `2026-10-31T09:15:02+07:00`: an instant written in Vietnam time (RFC 3339), as contracts and reports show it. */
export function vietnamDateTime(instant: Instant): string {
  return `${wallClock(instant)}+07:00`;
}

/** `2026-10-31`: the calendar date in Viet Nam at an instant. */
export function vietnamDate(instant: Instant): string {
  return wallClock(instant).slice(0, 10);
}

/** `20261031091502` (`yyyyMMddHHmmss`): the compact local form of the portal, the population database and the payment platform. */
export function vietnamCompact(instant: Instant): string {
  return wallClock(instant).replace(/[-T:]/g, '');
}

/** `31/10/2026 09:15:02` (`dd/MM/yyyy HH:mm:ss`): the operations center's local form. */
export function vietnamDayFirst(instant: Instant): string {
  const t = wallClock(instant);
  return `${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)} ${t.slice(11, 19)}`;
}

/** The instant a Vietnam calendar day (`YYYY-MM-DD`) starts. */
export function vietnamDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+07:00`);
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/**
 * RFC 3339 with +07:00 for a compact local `yyyyMMddHHmmss`, or undefined when it is not a real local time
 * (Asia/Ho_Chi_Minh has no daylight saving, so every real wall-clock time exists exactly once).
 */
export function fromVietnamCompact(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = COMPACT.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
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

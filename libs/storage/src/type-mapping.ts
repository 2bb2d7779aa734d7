/**
 * Value conversions both drivers share, so that a row reads the same from PostgreSQL and from PGlite:
 * - int8 and numeric: strings (exact; node-postgres default)
 * - date: 'YYYY-MM-DD' strings (no time zone can shift a birth date)
 * - timestamp without time zone: a Date read as UTC (never the process's local zone)
 * - timestamptz: a Date (the instant)
 * - bytea: Buffer; json/jsonb: parsed values; interval: the server's text
 */

const NAIVE_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/** True for Date objects, also ones created in another JavaScript realm. */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** timestamp without time zone, read as UTC; 'infinity' as ±Infinity; anything else (BC years) as text. */
export function parseTimestampAsUtc(value: string): Date | number | string {
  if (value === 'infinity') return Infinity;
  if (value === '-infinity') return -Infinity;
  const match = NAIVE_TIMESTAMP.exec(value);
  return match ? new Date(`${match[1]}T${match[2]}Z`) : value;
}

/** timestamptz as the server prints it (ISO style with offset). */
export function parseTimestampWithZone(value: string): Date | number {
  if (value === 'infinity') return Infinity;
  if (value === '-infinity') return -Infinity;
  return new Date(value);
}

/** A Date, epoch milliseconds, ±Infinity or text, as a date/time parameter. */
export function serializeDateTime(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === Infinity) return 'infinity';
  if (value === -Infinity) return '-infinity';
  if (typeof value === 'number') return new Date(value).toISOString();
  if (isDate(value)) return value.toISOString();
  throw new TypeError('a date/time parameter must be a Date, a number of milliseconds or a string');
}

/** A Buffer/Uint8Array (or bytea text) as a bytea parameter. */
export function serializeBytea(value: unknown): string {
  if (typeof value === 'string') return value;
  if (ArrayBuffer.isView(value)) {
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  throw new TypeError('a bytea parameter must be a Buffer, a Uint8Array or a string');
}

export function parseBytea(value: string): Buffer {
  return Buffer.from(value.startsWith('\\x') ? value.slice(2) : value, 'hex');
}

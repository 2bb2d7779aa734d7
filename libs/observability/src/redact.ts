/**
 * Personal-data redaction for everything that reaches a log line.
 *
 * Two nets: keys that name personal data are replaced whole, and any free text is scanned for digit
 * runs shaped like a personal ID (12 digits) or a legacy ID card number (9 digits), which are replaced
 * wherever they appear (messages, error texts, URLs). Enterprise codes (10 digits, not personal) pass.
 */
const PERSONAL_KEYS =
  /^(personalId|personal_id|legacyIdCard|idNumber|soDinhDanh|SoDinhDanh|cccd|cmnd|fullName|hoTen|HoVaTen|dateOfBirth|ngaySinh|NgaySinh|phone|phoneNumber|email|password|secret|apiKey|authorization|cookie)$/i;
const ID_PATTERN = /(?<!\d)(\d{12}|\d{9})(?!\d)/g;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(ID_PATTERN, REDACTED);
}

export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message) };
  }
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = PERSONAL_KEYS.test(key) ? REDACTED : redactValue(item, depth + 1);
  }
  return out;
}

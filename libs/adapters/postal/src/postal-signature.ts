import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The postal operator's webhook signature (contracts/upstream/postal, assumed): `X-Postal-Timestamp` (Unix
 * seconds) and `X-Postal-Signature`, the lowercase hex HMAC-SHA256 of `timestamp + "." + body` under the
 * secret the operator issued to the province.
 */
export const POSTAL_SIGNATURE_HEADER = 'x-postal-signature';
export const POSTAL_TIMESTAMP_HEADER = 'x-postal-timestamp';

export function signPostalCallback(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export type PostalSignatureCheck = 'OK' | 'MISSING' | 'STALE' | 'BAD_SIGNATURE';

/** Whether a callback carries a valid signature made within `maxSkewSeconds` of `now`. */
export function verifyPostalCallback(
  secret: string,
  headers: { timestamp?: unknown; signature?: unknown },
  body: string,
  options: { maxSkewSeconds?: number; now?: number } = {},
): PostalSignatureCheck {
  const { timestamp, signature } = headers;
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return 'MISSING';
  const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
  const now = (options.now ?? Date.now()) / 1000;
  if (!Number.isFinite(seconds) || Math.abs(now - seconds) > (options.maxSkewSeconds ?? 300)) return 'STALE';
  const expected = Buffer.from(signPostalCallback(secret, seconds, body), 'utf8');
  const given = Buffer.from(signature.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'OK' : 'BAD_SIGNATURE';
}

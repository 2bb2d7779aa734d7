import { createHmac, timingSafeEqual } from 'node:crypto';
import { vietnamCompact } from '@lienthong/domain';

/**
 * The checksum of the national payment platform (contracts/upstream/payment-platform, assumed): HMAC-SHA256
 * with the merchant's secret key over the named fields' values joined by `|`, in the order the contract
 * lists them, as lowercase hex. Requests, answers and result notifications all carry one.
 */
export function paygovChecksum(secretKey: string, values: readonly (string | number)[]): string {
  return createHmac('sha256', secretKey).update(values.map(String).join('|'), 'utf8').digest('hex');
}

/** True when `checksum` is the checksum of `values` (constant-time comparison). */
export function paygovChecksumValid(
  secretKey: string,
  values: readonly (string | number)[],
  checksum: unknown,
): boolean {
  if (typeof checksum !== 'string' || !/^[0-9a-f]{64}$/.test(checksum)) return false;
  const expected = Buffer.from(paygovChecksum(secretKey, values), 'hex');
  return timingSafeEqual(expected, Buffer.from(checksum, 'hex'));
}

/** The fields of a result notification (IPN) the checksum covers, in order. */
export const NOTIFICATION_SIGNED_FIELDS = [
  'merchantCode',
  'transactionNo',
  'orderId',
  'amount',
  'status',
  'payDate',
  'nonce',
  'timestamp',
] as const;

/** A result notification as the platform POSTs it to the merchant's notify URL. */
export interface PaymentNotification {
  merchantCode: string;
  transactionNo: string;
  orderId: string;
  /** Whole VND. */
  amount: number;
  status: 'SUCCESS' | 'FAILED';
  /** `yyyyMMddHHmmss`, Vietnam time. */
  payDate: string;
  /** Unique per notification sent; the same notification resent carries the same nonce. */
  nonce: string;
  /** Unix milliseconds when the notification was signed. */
  timestamp: number;
  checksum: string;
}

/** The signed values of a notification, in order. */
export function notificationValues(n: Omit<PaymentNotification, 'checksum'>): (string | number)[] {
  return NOTIFICATION_SIGNED_FIELDS.map((field) => n[field]);
}

/** `yyyyMMddHHmmss` in Vietnam time (UTC+7, no daylight saving). */
export function paygovTime(at: Date = new Date()): string {
  return vietnamCompact(at);
}

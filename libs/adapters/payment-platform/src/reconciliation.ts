import type { PlatformTransaction } from './payment-platform.client';

/** A payment as the gateway recorded it. */
export interface RecordedPayment {
  transactionNo: string;
  amount: number;
  status: 'PENDING' | 'CONFIRMED' | 'FAILED';
}

export type ReconciliationMismatchKind =
  /** The platform settled a transaction the gateway has no record of. */
  | 'UNKNOWN_TO_GATEWAY'
  /** The gateway recorded a settled payment the platform does not list for the day. */
  | 'MISSING_AT_PLATFORM'
  /** Both know it, with another outcome (e.g. paid at the platform, no notification received). */
  | 'STATUS'
  | 'AMOUNT';

export interface ReconciliationMismatch {
  kind: ReconciliationMismatchKind;
  transactionNo: string;
  platform?: { status: string; amount: number };
  gateway?: { status: string; amount: number };
}

export interface ReconciliationResult {
  matched: number;
  mismatches: ReconciliationMismatch[];
}

const EXPECTED: Record<string, RecordedPayment['status']> = {
  SUCCESS: 'CONFIRMED',
  FAILED: 'FAILED',
  PENDING: 'PENDING',
};

/**
 * Compares the platform's list of one day with the gateway's records of the same day: every transaction on
 * either side that the other does not hold with the same outcome and amount is a mismatch. `recorded` holds
 * the payments created or settled that day; a pending one the platform does not list is no mismatch.
 */
export function reconcilePayments(
  platform: readonly PlatformTransaction[],
  recorded: readonly RecordedPayment[],
): ReconciliationResult {
  const ours = new Map(recorded.map((payment) => [payment.transactionNo, payment]));
  const mismatches: ReconciliationMismatch[] = [];
  let matched = 0;
  const seen = new Set<string>();
  for (const theirs of platform) {
    seen.add(theirs.transactionNo);
    const mine = ours.get(theirs.transactionNo);
    const p = { status: theirs.status, amount: theirs.amount };
    if (!mine) {
      mismatches.push({ kind: 'UNKNOWN_TO_GATEWAY', transactionNo: theirs.transactionNo, platform: p });
      continue;
    }
    const g = { status: mine.status, amount: mine.amount };
    if (mine.amount !== theirs.amount) {
      mismatches.push({ kind: 'AMOUNT', transactionNo: theirs.transactionNo, platform: p, gateway: g });
    } else if (EXPECTED[theirs.status] !== mine.status) {
      mismatches.push({ kind: 'STATUS', transactionNo: theirs.transactionNo, platform: p, gateway: g });
    } else matched += 1;
  }
  for (const mine of recorded) {
    if (seen.has(mine.transactionNo) || mine.status === 'PENDING') continue;
    mismatches.push({
      kind: 'MISSING_AT_PLATFORM',
      transactionNo: mine.transactionNo,
      gateway: { status: mine.status, amount: mine.amount },
    });
  }
  return { matched, mismatches };
}

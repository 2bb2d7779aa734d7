import type { Queryable } from '@lienthong/storage';
import { counter } from '@lienthong/observability';
import type { PaymentPlatformClient, PlatformTransaction } from './payment-platform.client';
import { reconcilePayments, type ReconciliationResult, type RecordedPayment } from './reconciliation';
import { vietnamDayStart } from '@lienthong/domain';

const reconciliationMismatches = counter({
  name: 'lgsp_payment_reconciliation_mismatches_total',
  help: "Differences between the payment platform's daily list and the gateway's records, by kind",
  labelNames: ['kind'] as const,
});

/**
 * The payments created or settled on one Vietnam calendar day (`YYYY-MM-DD`), and those of `also` (the
 * transactions the platform lists for the day, whenever the gateway recorded them).
 */
export async function paymentsRecordedOn(
  database: Queryable,
  date: string,
  also: readonly string[] = [],
): Promise<RecordedPayment[]> {
  const start = vietnamDayStart(date);
  const end = new Date(start.getTime() + 24 * 3600_000);
  const rows = await database.query<{ transaction_no: string; amount: string | number; status: string }>(
    `SELECT transaction_no, amount, status FROM payment
      WHERE (settled_at >= $1 AND settled_at < $2)
         OR (settled_at IS NULL AND created_at >= $1 AND created_at < $2)
         OR transaction_no IN (SELECT jsonb_array_elements_text($3::jsonb))`,
    [start, end, JSON.stringify(also)],
  );
  return rows.map((row) => ({
    transactionNo: row.transaction_no,
    amount: Number(row.amount),
    status: row.status as RecordedPayment['status'],
  }));
}

/**
 * The daily reconciliation: the platform's list of one Vietnam calendar day against the gateway's records;
 * each mismatch counted on lgsp_payment_reconciliation_mismatches_total by kind.
 */
export async function reconcileDay(
  database: Queryable,
  platform: PaymentPlatformClient,
  date: string,
  requestId: string,
): Promise<ReconciliationResult> {
  const theirs: PlatformTransaction[] = await platform.reconciliation(date, { requestId });
  const recorded = await paymentsRecordedOn(
    database,
    date,
    theirs.map((t) => t.transactionNo),
  );
  const result = reconcilePayments(theirs, recorded);
  for (const mismatch of result.mismatches) reconciliationMismatches.inc({ kind: mismatch.kind });
  return result;
}

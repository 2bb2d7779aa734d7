import { counter } from '@lienthong/observability';
import type { PaymentRepository } from '@lienthong/payments';
import type { PaymentPlatformClient, PlatformTransaction } from './payment-platform.client';
import { reconcilePayments, type ReconciliationResult } from './reconciliation';

const reconciliationMismatches = counter({
  name: 'lgsp_payment_reconciliation_mismatches_total',
  help: "Differences between the payment platform's daily list and the gateway's records, by kind",
  labelNames: ['kind'] as const,
});

/** Where the gateway's records of a day's payments are read (PaymentRepository of @lienthong/payments). */
export type RecordedPayments = Pick<PaymentRepository, 'recordedOn'>;

/**
 * The daily reconciliation: the platform's list of one Vietnam calendar day against the gateway's records (the
 * payments created or settled that day, and those of the transactions the platform lists); each mismatch
 * counted on lgsp_payment_reconciliation_mismatches_total by kind.
 */
export async function reconcileDay(
  payments: RecordedPayments,
  platform: PaymentPlatformClient,
  date: string,
  requestId: string,
): Promise<ReconciliationResult> {
  const theirs: PlatformTransaction[] = await platform.reconciliation(date, { requestId });
  const recorded = await payments.recordedOn(
    date,
    theirs.map((t) => t.transactionNo),
  );
  const result = reconcilePayments(theirs, recorded);
  for (const mismatch of result.mismatches) reconciliationMismatches.inc({ kind: mismatch.kind });
  return result;
}

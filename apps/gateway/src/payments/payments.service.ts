import { randomBytes, randomUUID } from 'node:crypto';
import {
  notificationValues,
  paygovChecksumValid,
  reconcileDay,
  type PaymentNotification,
  type PaymentPlatformClient,
  type ReconciliationResult,
} from '@lienthong/adapters/payment-platform';
import type { PaymentStatus } from '@lienthong/contracts';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import { counter } from '@lienthong/observability';
import { PaymentRepository, type PaymentRow } from '@lienthong/payments';
import type { Database } from '@lienthong/storage';
import { fromVietnamCompact } from '@lienthong/domain';

/** The CloudEvents type of lgsp.payment.status.v1. */
export const PAYMENT_STATUS_EVENT_TYPE = 'vn.lienthong.payment.status.v1';

export type { PaymentRow };

const notifications = counter({
  name: 'lgsp_payment_notifications_total',
  help: 'Result notifications of the payment platform, by what the gateway did with them',
  labelNames: ['outcome'] as const,
});

/** What the gateway did with a result notification. */
export type NotificationOutcome =
  | { kind: 'INVALID'; reason: string }
  | { kind: 'FORGED' }
  | { kind: 'STALE' }
  | { kind: 'UNKNOWN_PAYMENT' }
  | { kind: 'MISMATCH'; payment: PaymentRow }
  /** The same (transaction, nonce) was processed before: nothing changed. */
  | { kind: 'REPLAYED'; payment: PaymentRow }
  /** A new notification of a payment already settled: nothing changed. */
  | { kind: 'ALREADY_SETTLED'; payment: PaymentRow }
  | { kind: 'SETTLED'; payment: PaymentRow };

const TRANSACTION = /^[A-Za-z0-9._:-]{1,64}$/;

/** Parses a notification body; a string says what is wrong. */
export function parseNotification(body: unknown): PaymentNotification | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  const b = body as Record<string, unknown>;
  for (const field of ['merchantCode', 'transactionNo', 'orderId', 'payDate', 'nonce', 'checksum']) {
    if (typeof b[field] !== 'string' || b[field] === '' || (b[field] as string).length > 128)
      return `${field} missing`;
  }
  if (!TRANSACTION.test(b.transactionNo as string)) return 'transactionNo malformed';
  if (!Number.isSafeInteger(b.amount) || (b.amount as number) <= 0) return 'amount malformed';
  if (!Number.isSafeInteger(b.timestamp)) return 'timestamp malformed';
  if (b.status !== 'SUCCESS' && b.status !== 'FAILED') return 'status unknown';
  if (!fromVietnamCompact(b.payDate)) return 'payDate malformed';
  return b as unknown as PaymentNotification;
}

/** `yyyyMMddHHmmss` Vietnam time as an instant. */
function instantOf(payDate: string): string {
  // parseNotification refused a payDate that is not a real local time
  return new Date(fromVietnamCompact(payDate) as string).toISOString();
}

/**
 * Online payment of dossier fees (contracts/upstream/payment-platform): the payment requests the one-stop
 * system opens, the platform's signed result notifications, and the daily reconciliation. State in tables
 * payment and payment_notification (migration 0013); a settled payment is published on
 * lgsp.payment.status.v1 through the outbox in the same transaction.
 */
export class PaymentsService {
  private readonly payments: PaymentRepository;

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly settings: {
      merchantCode: string;
      secretKey: string;
      notificationMaxAgeMs: number;
    },
  ) {
    this.payments = new PaymentRepository(database);
  }

  /** Opens a payment at the platform and records it PENDING; an identical pending one is answered again. */
  async create(
    platform: PaymentPlatformClient,
    input: {
      dossierCode: string;
      agencyCode: string;
      clientId: string;
      amount: number;
      feeDescription: string;
      returnUrl: string;
      notifyUrl: string;
    },
    requestId: string,
  ): Promise<{ payment: PaymentRow; created: boolean }> {
    const pending = await this.payments.findPending(input);
    if (pending) return { payment: pending, created: false };
    const orderId = `LT${randomBytes(10).toString('hex').toUpperCase()}`;
    const opened = await platform.create(
      {
        orderId,
        dossierCode: input.dossierCode,
        amount: input.amount,
        feeDescription: input.feeDescription,
        returnUrl: input.returnUrl,
        notifyUrl: input.notifyUrl,
      },
      { requestId },
    );
    const payment = await this.payments.insertPending({
      transactionNo: opened.transactionNo,
      orderId,
      dossierCode: input.dossierCode,
      agencyCode: input.agencyCode,
      clientId: input.clientId,
      amount: input.amount,
      feeDescription: input.feeDescription,
      paymentUrl: opened.paymentUrl,
    });
    return { payment, created: true };
  }

  /**
   * Verifies and applies one result notification. Forged (merchant code or checksum wrong) and stale ones
   * change nothing; the same (transaction, nonce) again is a replay and changes nothing; the first
   * notification of a pending payment settles it and publishes its outcome in the same transaction.
   */
  async notify(body: unknown, requestId: string, now = Date.now()): Promise<NotificationOutcome> {
    const parsed = parseNotification(body);
    if (typeof parsed === 'string') {
      notifications.inc({ outcome: 'INVALID' });
      return { kind: 'INVALID', reason: parsed };
    }
    const n = parsed;
    if (
      n.merchantCode !== this.settings.merchantCode ||
      !paygovChecksumValid(this.settings.secretKey, notificationValues(n), n.checksum)
    ) {
      notifications.inc({ outcome: 'FORGED' });
      return { kind: 'FORGED' };
    }
    if (n.timestamp < now - this.settings.notificationMaxAgeMs || n.timestamp > now + 5 * 60_000) {
      notifications.inc({ outcome: 'STALE' });
      return { kind: 'STALE' };
    }
    const outcome = await this.database.transaction(async (tx): Promise<NotificationOutcome> => {
      const payment = await this.payments.lock(tx, n.transactionNo);
      if (!payment) return { kind: 'UNKNOWN_PAYMENT' };
      if (payment.orderId !== n.orderId || payment.amount !== n.amount) return { kind: 'MISMATCH', payment };
      const fresh = await this.payments.recordNotification(tx, n);
      if (!fresh) return { kind: 'REPLAYED', payment };
      if (payment.status !== 'PENDING') return { kind: 'ALREADY_SETTLED', payment };
      const status = n.status === 'SUCCESS' ? 'CONFIRMED' : 'FAILED';
      const settled = await this.payments.settle(tx, n.transactionNo, status);
      const data: PaymentStatus = {
        paymentId: randomUUID(),
        transactionNo: settled.transactionNo,
        orderId: settled.orderId,
        dossierCode: settled.dossierCode,
        agencyCode: settled.agencyCode,
        amount: settled.amount,
        currency: 'VND',
        feeDescription: settled.feeDescription,
        status,
        occurredAt: settled.settledAt as string,
        paidAt: instantOf(n.payDate),
      };
      await this.outbox.enqueue(tx, Topic.PaymentStatus, [
        toKafkaMessage(
          createEvent({
            id: data.paymentId,
            type: PAYMENT_STATUS_EVENT_TYPE,
            source: '/lienthong/gateway',
            subject: data.dossierCode,
            time: data.occurredAt,
            data,
            requestId,
          }),
          data.dossierCode,
        ),
      ]);
      return { kind: 'SETTLED', payment: settled };
    });
    if (outcome.kind === 'SETTLED') Outbox.committed();
    notifications.inc({ outcome: outcome.kind });
    return outcome;
  }

  /** Compares the platform's list of one day with the gateway's records; counts each mismatch. */
  reconcile(platform: PaymentPlatformClient, date: string, requestId: string): Promise<ReconciliationResult> {
    return reconcileDay(this.payments, platform, date, requestId);
  }
}

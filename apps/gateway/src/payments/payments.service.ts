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
import type { Database } from '@lienthong/storage';
import { fromVietnamCompact } from '@lienthong/domain';

/** The CloudEvents type of lgsp.payment.status.v1. */
export const PAYMENT_STATUS_EVENT_TYPE = 'vn.lienthong.payment.status.v1';

const notifications = counter({
  name: 'lgsp_payment_notifications_total',
  help: 'Result notifications of the payment platform, by what the gateway did with them',
  labelNames: ['outcome'] as const,
});

export interface PaymentRow {
  transactionNo: string;
  orderId: string;
  dossierCode: string;
  agencyCode: string;
  amount: number;
  feeDescription: string;
  paymentUrl: string;
  status: 'PENDING' | 'CONFIRMED' | 'FAILED';
  createdAt: string;
  settledAt: string | null;
}

interface DbRow {
  transaction_no: string;
  order_id: string;
  dossier_code: string;
  agency_code: string;
  amount: string | number;
  fee_description: string;
  payment_url: string;
  status: PaymentRow['status'];
  created_at: Date | string;
  settled_at: Date | string | null;
}

function toRow(row: DbRow): PaymentRow {
  return {
    transactionNo: row.transaction_no,
    orderId: row.order_id,
    dossierCode: row.dossier_code,
    agencyCode: row.agency_code,
    amount: Number(row.amount),
    feeDescription: row.fee_description,
    paymentUrl: row.payment_url,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    settledAt: row.settled_at === null ? null : new Date(row.settled_at).toISOString(),
  };
}

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
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly settings: {
      merchantCode: string;
      secretKey: string;
      notificationMaxAgeMs: number;
    },
  ) {}

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
    const [pending] = await this.database.query<DbRow>(
      `SELECT * FROM payment WHERE dossier_code = $1 AND amount = $2 AND fee_description = $3
          AND status = 'PENDING' AND client_id = $4 ORDER BY created_at DESC LIMIT 1`,
      [input.dossierCode, input.amount, input.feeDescription, input.clientId],
    );
    if (pending) return { payment: toRow(pending), created: false };
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
    const [row] = await this.database.query<DbRow>(
      `INSERT INTO payment (transaction_no, order_id, dossier_code, agency_code, client_id, amount,
         fee_description, payment_url, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING') RETURNING *`,
      [
        opened.transactionNo,
        orderId,
        input.dossierCode,
        input.agencyCode,
        input.clientId,
        input.amount,
        input.feeDescription,
        opened.paymentUrl,
      ],
    );
    return { payment: toRow(row), created: true };
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
      const [locked] = await tx.query<DbRow>('SELECT * FROM payment WHERE transaction_no = $1 FOR UPDATE', [
        n.transactionNo,
      ]);
      if (!locked) return { kind: 'UNKNOWN_PAYMENT' };
      const payment = toRow(locked);
      if (payment.orderId !== n.orderId || payment.amount !== n.amount) return { kind: 'MISMATCH', payment };
      const fresh = await tx.query(
        `INSERT INTO payment_notification (transaction_no, nonce, status) VALUES ($1, $2, $3)
         ON CONFLICT (transaction_no, nonce) DO NOTHING RETURNING nonce`,
        [n.transactionNo, n.nonce, n.status],
      );
      if (fresh.length === 0) return { kind: 'REPLAYED', payment };
      if (payment.status !== 'PENDING') return { kind: 'ALREADY_SETTLED', payment };
      const status = n.status === 'SUCCESS' ? 'CONFIRMED' : 'FAILED';
      const [updated] = await tx.query<DbRow>(
        `UPDATE payment SET status = $2, settled_at = now() WHERE transaction_no = $1 RETURNING *`,
        [n.transactionNo, status],
      );
      const settled = toRow(updated);
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
    return reconcileDay(this.database, platform, date, requestId);
  }
}

import { vietnamDayStart } from '@lienthong/domain';
import { Database, type Queryable } from '@lienthong/storage';

/** A payment request as the gateway keeps it. */
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

/** A payment as the daily reconciliation compares it with the platform's list. */
export type RecordedPaymentRow = Pick<PaymentRow, 'transactionNo' | 'amount' | 'status'>;

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

/**
 * Payments of dossier fees (`payment`) and the platform's result notifications applied to them
 * (`payment_notification`, migration 0013). Methods taking `tx` run inside the caller's transaction; each
 * is one statement.
 */
export class PaymentRepository {
  constructor(private readonly database: Database) {}

  /** The client's latest payment still pending for the same dossier, amount and fee, if any. */
  async findPending(request: {
    dossierCode: string;
    amount: number;
    feeDescription: string;
    clientId: string;
  }): Promise<PaymentRow | undefined> {
    const [row] = await this.database.query<DbRow>(
      `SELECT * FROM payment WHERE dossier_code = $1 AND amount = $2 AND fee_description = $3
          AND status = 'PENDING' AND client_id = $4 ORDER BY created_at DESC LIMIT 1`,
      [request.dossierCode, request.amount, request.feeDescription, request.clientId],
    );
    return row ? toRow(row) : undefined;
  }

  /** Records a payment the platform opened, PENDING. */
  async insertPending(payment: {
    transactionNo: string;
    orderId: string;
    dossierCode: string;
    agencyCode: string;
    clientId: string;
    amount: number;
    feeDescription: string;
    paymentUrl: string;
  }): Promise<PaymentRow> {
    const [row] = await this.database.query<DbRow>(
      `INSERT INTO payment (transaction_no, order_id, dossier_code, agency_code, client_id, amount,
         fee_description, payment_url, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING') RETURNING *`,
      [
        payment.transactionNo,
        payment.orderId,
        payment.dossierCode,
        payment.agencyCode,
        payment.clientId,
        payment.amount,
        payment.feeDescription,
        payment.paymentUrl,
      ],
    );
    return toRow(row);
  }

  /** The payment of a platform transaction, locked until the transaction ends. */
  async lock(tx: Queryable, transactionNo: string): Promise<PaymentRow | undefined> {
    const [row] = await tx.query<DbRow>('SELECT * FROM payment WHERE transaction_no = $1 FOR UPDATE', [
      transactionNo,
    ]);
    return row ? toRow(row) : undefined;
  }

  /**
   * The payments created or settled on one Vietnam calendar day (`YYYY-MM-DD`), and those of `also` (the
   * transactions the platform lists for the day, whenever the gateway recorded them).
   */
  async recordedOn(date: string, also: readonly string[] = []): Promise<RecordedPaymentRow[]> {
    const start = vietnamDayStart(date);
    const end = new Date(start.getTime() + 24 * 3600_000);
    const rows = await this.database.query<Pick<DbRow, 'transaction_no' | 'amount' | 'status'>>(
      `SELECT transaction_no, amount, status FROM payment
        WHERE (settled_at >= $1 AND settled_at < $2)
           OR (settled_at IS NULL AND created_at >= $1 AND created_at < $2)
           OR transaction_no IN (SELECT jsonb_array_elements_text($3::jsonb))`,
      [start, end, JSON.stringify(also)],
    );
    return rows.map((row) => ({
      transactionNo: row.transaction_no,
      amount: Number(row.amount),
      status: row.status,
    }));
  }

  /** Records a notification; false when the same (transaction, nonce) was recorded before. */
  async recordNotification(
    tx: Queryable,
    notification: { transactionNo: string; nonce: string; status: string },
  ): Promise<boolean> {
    const fresh = await tx.query(
      `INSERT INTO payment_notification (transaction_no, nonce, status) VALUES ($1, $2, $3)
       ON CONFLICT (transaction_no, nonce) DO NOTHING RETURNING nonce`,
      [notification.transactionNo, notification.nonce, notification.status],
    );
    return fresh.length > 0;
  }

  /** Settles a payment as CONFIRMED or FAILED, now. */
  async settle(tx: Queryable, transactionNo: string, status: 'CONFIRMED' | 'FAILED'): Promise<PaymentRow> {
    const [row] = await tx.query<DbRow>(
      `UPDATE payment SET status = $2, settled_at = now() WHERE transaction_no = $1 RETURNING *`,
      [transactionNo, status],
    );
    return toRow(row);
  }
}

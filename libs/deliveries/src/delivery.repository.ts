import type { DeliveryStatus } from '@lienthong/contracts';
import type { Database, Queryable } from '@lienthong/storage';

/** A delivery order as `delivery_order` keeps it. */
export interface DeliveryOrderRow {
  dossier_code: string;
  agency_code: string;
  order_number: string;
  documents: number;
  status: DeliveryStatus;
  fingerprint: string;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
}

/** One tracking state applied to an order. */
export interface DeliveryEventRow {
  status: DeliveryStatus;
  occurred_at: Date | string;
}

/**
 * Results sent by post (migration 0014): one order per dossier (`delivery_order`) and the tracking states
 * applied to it (`delivery_event`). Methods taking `tx` run inside the caller's transaction; each is one
 * statement.
 */
export class DeliveryRepository {
  constructor(private readonly database: Database) {}

  find(dossierCode: string): Promise<DeliveryOrderRow | null> {
    return this.database.queryOne<DeliveryOrderRow>('SELECT * FROM delivery_order WHERE dossier_code = $1', [
      dossierCode,
    ]);
  }

  findByOrderNumber(orderNumber: string): Promise<DeliveryOrderRow | null> {
    return this.database.queryOne<DeliveryOrderRow>('SELECT * FROM delivery_order WHERE order_number = $1', [
      orderNumber,
    ]);
  }

  /** The states applied to the dossier's order, oldest first. */
  history(dossierCode: string): Promise<DeliveryEventRow[]> {
    return this.database.query<DeliveryEventRow>(
      'SELECT status, occurred_at FROM delivery_event WHERE dossier_code = $1 ORDER BY id',
      [dossierCode],
    );
  }

  /** Records a CREATED order; false when the dossier has one already. */
  async insertOrder(
    tx: Queryable,
    order: {
      dossierCode: string;
      agencyCode: string;
      clientId: string;
      orderNumber: string;
      documents: number;
      fingerprint: string;
      at: Date;
    },
  ): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO delivery_order (dossier_code, agency_code, client_id, order_number, documents, status,
         fingerprint, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'CREATED', $6, $7, $7)
       ON CONFLICT (dossier_code) DO NOTHING RETURNING dossier_code`,
      [
        order.dossierCode,
        order.agencyCode,
        order.clientId,
        order.orderNumber,
        order.documents,
        order.fingerprint,
        order.at,
      ],
    );
    return rows.length > 0;
  }

  /** The order of an operator's order number, locked until the transaction ends. */
  async lockByOrderNumber(tx: Queryable, orderNumber: string): Promise<DeliveryOrderRow | undefined> {
    const [row] = await tx.query<DeliveryOrderRow>(
      'SELECT * FROM delivery_order WHERE order_number = $1 FOR UPDATE',
      [orderNumber],
    );
    return row;
  }

  /** True when the operator's event was applied before. */
  async seen(tx: Queryable, operatorEvent: string): Promise<boolean> {
    const rows = await tx.query('SELECT 1 FROM delivery_event WHERE operator_event = $1', [operatorEvent]);
    return rows.length > 0;
  }

  /** Moves an order to `status`; `finishedAt` for a final one. */
  async updateStatus(
    tx: Queryable,
    dossierCode: string,
    change: { status: DeliveryStatus; updatedAt: Date; finishedAt: Date | null },
  ): Promise<void> {
    await tx.query(
      `UPDATE delivery_order SET status = $2, updated_at = $3, finished_at = $4 WHERE dossier_code = $1`,
      [dossierCode, change.status, change.updatedAt, change.finishedAt],
    );
  }

  /** Records a tracking state applied to the dossier's order. */
  async insertEvent(
    tx: Queryable,
    event: {
      dossierCode: string;
      operatorEvent: string;
      status: DeliveryStatus;
      occurredAt: Date;
      recordedAt: Date;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO delivery_event (dossier_code, operator_event, status, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [event.dossierCode, event.operatorEvent, event.status, event.occurredAt, event.recordedAt],
    );
  }

  /** Results sent by post per agency in [start, end): ordered, delivered and returned in it. */
  async counts(
    agencyCode: string,
    start: Date,
    end: Date,
  ): Promise<{ ordered: number; delivered: number; returned: number }> {
    const [row] = await this.database.query<{ ordered: string; delivered: string; returned: string }>(
      `SELECT
         count(*) FILTER (WHERE created_at >= $2 AND created_at < $3) AS ordered,
         count(*) FILTER (WHERE status = 'DELIVERED' AND finished_at >= $2 AND finished_at < $3) AS delivered,
         count(*) FILTER (WHERE status = 'RETURNED' AND finished_at >= $2 AND finished_at < $3) AS returned
       FROM delivery_order WHERE agency_code = $1`,
      [agencyCode, start, end],
    );
    return {
      ordered: Number(row?.ordered ?? 0),
      delivered: Number(row?.delivered ?? 0),
      returned: Number(row?.returned ?? 0),
    };
  }
}

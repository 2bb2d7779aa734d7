import { createHash, randomUUID } from 'node:crypto';
import type { DeliveryStatus, DeliveryStatusEvent } from '@lienthong/contracts';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import type { Database, Queryable } from '@lienthong/storage';

export const DELIVERY_STATUS_EVENT_TYPE = 'vn.lienthong.delivery.status.v1';

/** How far along a parcel is: a state is applied only past the current one (IN_TRANSIT may repeat). */
const RANK: Record<DeliveryStatus, number> = {
  CREATED: 0,
  PICKED_UP: 1,
  IN_TRANSIT: 2,
  DELIVERED: 3,
  RETURNED: 3,
};
const FINAL: ReadonlySet<DeliveryStatus> = new Set(['DELIVERED', 'RETURNED']);

export interface DeliveryView {
  dossierCode: string;
  agencyCode: string;
  orderNumber: string;
  status: DeliveryStatus;
  documents: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Every state applied, oldest first. */
  history: { status: DeliveryStatus; occurredAt: string }[];
}

interface OrderRow {
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

const iso = (value: Date | string) => new Date(value).toISOString();

/** A fingerprint of what was ordered (receiver and count), so a different order for one dossier is refused. */
export function orderFingerprint(input: { receiver: unknown; documents: number }): string {
  return createHash('sha256')
    .update(JSON.stringify([input.receiver, input.documents]))
    .digest('hex');
}

export type ApplyOutcome = 'APPLIED' | 'DUPLICATE' | 'OUTDATED';

/** Delivery orders and their tracking states (migration 0014), each change announced through the outbox. */
export class DeliveryStore {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
  ) {}

  async find(dossierCode: string): Promise<(OrderRow & { fingerprint: string }) | null> {
    return this.database.queryOne<OrderRow>('SELECT * FROM delivery_order WHERE dossier_code = $1', [
      dossierCode,
    ]);
  }

  async findByOrderNumber(orderNumber: string): Promise<OrderRow | null> {
    return this.database.queryOne<OrderRow>('SELECT * FROM delivery_order WHERE order_number = $1', [
      orderNumber,
    ]);
  }

  async view(dossierCode: string): Promise<DeliveryView | null> {
    const row = await this.find(dossierCode);
    if (!row) return null;
    const events = await this.database.query<{ status: DeliveryStatus; occurred_at: Date | string }>(
      'SELECT status, occurred_at FROM delivery_event WHERE dossier_code = $1 ORDER BY id',
      [dossierCode],
    );
    return {
      dossierCode: row.dossier_code,
      agencyCode: row.agency_code,
      orderNumber: row.order_number,
      status: row.status,
      documents: Number(row.documents),
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      ...(row.finished_at ? { finishedAt: iso(row.finished_at) } : {}),
      history: events.map((event) => ({ status: event.status, occurredAt: iso(event.occurred_at) })),
    };
  }

  /** Records an order the operator accepted, with its CREATED event; false when the dossier has one already. */
  async created(order: {
    dossierCode: string;
    agencyCode: string;
    clientId: string;
    orderNumber: string;
    documents: number;
    fingerprint: string;
    occurredAt: string;
    requestId: string;
  }): Promise<boolean> {
    const now = new Date();
    const inserted = await this.database.transaction(async (tx) => {
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
          now,
        ],
      );
      if (rows.length === 0) return false;
      await this.transition(tx, {
        dossierCode: order.dossierCode,
        agencyCode: order.agencyCode,
        orderNumber: order.orderNumber,
        operatorEvent: `${order.orderNumber}:CREATED`,
        status: 'CREATED',
        occurredAt: order.occurredAt,
        recordedAt: now,
        requestId: order.requestId,
      });
      return true;
    });
    if (inserted) Outbox.committed();
    return inserted;
  }

  /**
   * Applies a tracking state from the operator: once per operator event, and only forward (a state older
   * than the current one, or anything after DELIVERED/RETURNED, is acknowledged and left out).
   */
  async apply(update: {
    orderNumber: string;
    operatorEvent: string;
    status: DeliveryStatus;
    occurredAt: string;
    requestId: string;
  }): Promise<{ outcome: ApplyOutcome; dossierCode: string } | null> {
    const result = await this.database.transaction(async (tx) => {
      const [row] = await tx.query<OrderRow>(
        'SELECT * FROM delivery_order WHERE order_number = $1 FOR UPDATE',
        [update.orderNumber],
      );
      if (!row) return null;
      const seen = await tx.query('SELECT 1 FROM delivery_event WHERE operator_event = $1', [
        update.operatorEvent,
      ]);
      if (seen.length > 0) return { outcome: 'DUPLICATE' as const, dossierCode: row.dossier_code };
      const forward =
        !FINAL.has(row.status) &&
        (RANK[update.status] > RANK[row.status] ||
          (update.status === 'IN_TRANSIT' && row.status === 'IN_TRANSIT'));
      if (!forward) return { outcome: 'OUTDATED' as const, dossierCode: row.dossier_code };
      const now = new Date();
      await tx.query(
        `UPDATE delivery_order SET status = $2, updated_at = $3, finished_at = $4 WHERE dossier_code = $1`,
        [row.dossier_code, update.status, now, FINAL.has(update.status) ? new Date(update.occurredAt) : null],
      );
      await this.transition(tx, {
        dossierCode: row.dossier_code,
        agencyCode: row.agency_code,
        orderNumber: row.order_number,
        operatorEvent: update.operatorEvent,
        status: update.status,
        previousStatus: row.status,
        occurredAt: update.occurredAt,
        recordedAt: now,
        requestId: update.requestId,
      });
      return { outcome: 'APPLIED' as const, dossierCode: row.dossier_code };
    });
    if (result?.outcome === 'APPLIED') Outbox.committed();
    return result;
  }

  /** Results sent by post per agency in a period: ordered, delivered and returned in it. */
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

  private async transition(
    tx: Queryable,
    change: {
      dossierCode: string;
      agencyCode: string;
      orderNumber: string;
      operatorEvent: string;
      status: DeliveryStatus;
      previousStatus?: DeliveryStatus;
      occurredAt: string;
      recordedAt: Date;
      requestId: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO delivery_event (dossier_code, operator_event, status, occurred_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        change.dossierCode,
        change.operatorEvent,
        change.status,
        new Date(change.occurredAt),
        change.recordedAt,
      ],
    );
    const data: DeliveryStatusEvent = {
      eventId: randomUUID(),
      dossierCode: change.dossierCode,
      agencyCode: change.agencyCode,
      orderNumber: change.orderNumber,
      status: change.status,
      ...(change.previousStatus
        ? { previousStatus: change.previousStatus as DeliveryStatusEvent['previousStatus'] }
        : {}),
      occurredAt: change.occurredAt,
      recordedAt: change.recordedAt.toISOString(),
    };
    await this.outbox.enqueue(tx, Topic.DeliveryStatus, [
      toKafkaMessage(
        createEvent({
          id: data.eventId,
          type: DELIVERY_STATUS_EVENT_TYPE,
          source: '/lienthong/gateway',
          subject: change.dossierCode,
          time: data.recordedAt,
          data,
          requestId: change.requestId,
        }),
        change.dossierCode,
      ),
    ]);
  }
}

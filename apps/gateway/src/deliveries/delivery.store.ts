import { createHash, randomUUID } from 'node:crypto';
import type { DeliveryStatus, DeliveryStatusEvent } from '@lienthong/contracts';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import { DeliveryRepository, type DeliveryOrderRow } from '@lienthong/deliveries';
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
  private readonly orders: DeliveryRepository;

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
  ) {
    this.orders = new DeliveryRepository(database);
  }

  find(dossierCode: string): Promise<DeliveryOrderRow | null> {
    return this.orders.find(dossierCode);
  }

  findByOrderNumber(orderNumber: string): Promise<DeliveryOrderRow | null> {
    return this.orders.findByOrderNumber(orderNumber);
  }

  async view(dossierCode: string): Promise<DeliveryView | null> {
    const row = await this.find(dossierCode);
    if (!row) return null;
    const events = await this.orders.history(dossierCode);
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
      const fresh = await this.orders.insertOrder(tx, { ...order, at: now });
      if (!fresh) return false;
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
      const row = await this.orders.lockByOrderNumber(tx, update.orderNumber);
      if (!row) return null;
      if (await this.orders.seen(tx, update.operatorEvent))
        return { outcome: 'DUPLICATE' as const, dossierCode: row.dossier_code };
      const forward =
        !FINAL.has(row.status) &&
        (RANK[update.status] > RANK[row.status] ||
          (update.status === 'IN_TRANSIT' && row.status === 'IN_TRANSIT'));
      if (!forward) return { outcome: 'OUTDATED' as const, dossierCode: row.dossier_code };
      const now = new Date();
      await this.orders.updateStatus(tx, row.dossier_code, {
        status: update.status,
        updatedAt: now,
        finishedAt: FINAL.has(update.status) ? new Date(update.occurredAt) : null,
      });
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
  counts(
    agencyCode: string,
    start: Date,
    end: Date,
  ): Promise<{ ordered: number; delivered: number; returned: number }> {
    return this.orders.counts(agencyCode, start, end);
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
    await this.orders.insertEvent(tx, {
      dossierCode: change.dossierCode,
      operatorEvent: change.operatorEvent,
      status: change.status,
      occurredAt: new Date(change.occurredAt),
      recordedAt: change.recordedAt,
    });
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

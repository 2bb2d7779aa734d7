import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { isTransientUpstreamError, upstreamRetryAfterMs } from '@lienthong/adapters/common';
import { PublicServicePortal } from '@lienthong/adapters/public-service-portal';
import {
  ConsumedEvent,
  deliverParked,
  EventProducer,
  parkHeaders,
  PermanentError,
  RecentIds,
  ReliableConsumer,
  type RetrySchedule,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import { counter, histogram } from '@lienthong/observability';
import type { AppLogger } from '@lienthong/observability';
import { ProcedureCatalogue } from '@lienthong/domain';
import { PortalSyncParking } from '@lienthong/dossiers';
import { RelayAudit } from '../relay-audit';
import {
  PORTAL_GROUP_ID,
  PORTAL_RETRY_GROUP_ID,
  PORTAL_RETRY_TRANSPORT,
  PORTAL_TRANSPORT,
} from '../relay.transports';

export const PORTAL_CLIENT = Symbol('PORTAL_CLIENT');
export const PORTAL_SYNC_OPTIONS = Symbol('PORTAL_SYNC_OPTIONS');

/** The retry schedule of parked events on the retry topic, and the logger. */
export type PortalSyncOptions = RetrySchedule & { logger: AppLogger };

const synced = counter({
  name: 'lgsp_portal_sync_total',
  help: 'Dossier events delivered to the public service portal, by outcome',
  labelNames: ['outcome'] as const,
});
const syncDelay = histogram({
  name: 'lgsp_portal_sync_delay_seconds',
  help: 'Delay from the event time to the portal acknowledging it',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
});

/** Event ids the portal took lately, kept to skip redeliveries without a call (about 1 MB). */
const RECENT_EVENT_IDS = 16_384;

/**
 * Synchronises the public service portal from the canonical dossier stream.
 *
 * The main stream is consumed a fetched batch at a time, one chain per dossier (KeyedBatchServerKafka,
 * at most PORTAL_SYNC_CONCURRENCY calls at once): a dossier's events go one after another, in order,
 * while other dossiers' calls run beside them.
 *
 * A transient failure (portal down, 5xx, 429, timeout) parks the event: it is recorded in
 * portal_sync_parked and sent to the retry topic, and every later event of that dossier follows it
 * there until the portal has them all, so the portal receives each dossier's events in order while
 * other dossiers keep flowing. The retry handler works through the retry topic in order, retrying each
 * event with growing delays; after the configured attempts, or on a permanent rejection, the event goes
 * to the dead-letter topic, from where `lienthong dlq replay` brings it back to the retry topic.
 * Redeliveries are harmless: an event id the portal took lately is skipped without a call (a bounded
 * memory of this process), and the portal itself applies each event id once.
 */
@Controller()
export class PortalSyncConsumer {
  private readonly logger: AppLogger;
  private readonly recent = new RecentIds(RECENT_EVENT_IDS);

  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly producer: EventProducer,
    private readonly parking: PortalSyncParking,
    private readonly catalogue: ProcedureCatalogue,
    @Inject(PORTAL_CLIENT) private readonly portal: PublicServicePortal,
    @Inject(PORTAL_SYNC_OPTIONS) private readonly options: PortalSyncOptions,
    private readonly audit: RelayAudit,
  ) {
    this.logger = options.logger.child({ component: 'portal-sync' });
  }

  @EventPattern(Topic.DossierStatus, PORTAL_TRANSPORT)
  handleStatus(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<DossierStatusEvent>(
      context,
      {
        group: PORTAL_GROUP_ID,
        dataSchema: 'dossier-status-event',
        replayTopic: Topic.DossierStatusRetry,
        replayGroup: PORTAL_RETRY_GROUP_ID,
      },
      async (consumed) => {
        const { event } = consumed;
        if (this.recent.has(event.data.eventId)) {
          synced.inc({ outcome: 'duplicate' });
          return;
        }
        if (await this.parking.isParked(event.data.dossierCode)) {
          await this.park(consumed, 'an earlier event of this dossier is waiting');
          return;
        }
        try {
          await this.sync(consumed);
        } catch (error) {
          if (!isTransientUpstreamError(error)) throw this.permanent(error);
          await this.park(consumed, (error as Error).message);
        }
      },
    );
  }

  @EventPattern(Topic.DossierStatusRetry, PORTAL_RETRY_TRANSPORT)
  handleRetry(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<DossierStatusEvent>(
      context,
      { group: PORTAL_RETRY_GROUP_ID, dataSchema: 'dossier-status-event' },
      async (consumed) => {
        const { event, headers, partition, offset } = consumed;
        const { dossierCode, eventId } = event.data;
        await deliverParked(headers, context.getHeartbeat(), this.options, {
          attempt: async () => {
            if (this.recent.has(eventId)) synced.inc({ outcome: 'duplicate' });
            else await this.sync(consumed);
            await this.parking.unpark(dossierCode, eventId);
          },
          isTransient: isTransientUpstreamError,
          retryAfterMs: upstreamRetryAfterMs,
          permanent: async (error) => {
            await this.parking.unpark(dossierCode, eventId);
            return this.permanent(error);
          },
          exhausted: async (attempts, error) => {
            await this.parking.unpark(dossierCode, eventId);
            synced.inc({ outcome: 'exhausted' });
            return new PermanentError(
              'RETRIES_EXHAUSTED',
              `the portal did not take the event after ${attempts} attempts: ${(error as Error).message}`,
            );
          },
          retrying: async (attempt, delayMs, error) => {
            synced.inc({ outcome: 'retried' });
            this.logger.warn(
              { partition, offset, attempt, delayMs, err: error },
              'portal sync failed; retrying',
            );
          },
        });
      },
    );
  }

  /** One portal call, audited whatever its outcome. */
  private async sync(consumed: ConsumedEvent<DossierStatusEvent>): Promise<void> {
    const { event } = consumed;
    const { dossierCode } = event.data;
    const route = this.catalogue.route(event.data);
    await this.audit.call(
      consumed,
      {
        service: 'portal.sync',
        upstream: 'public-service-portal',
        subject: { kind: 'DOSSIER', identifier: dossierCode },
        dossierCode,
        errorCode: 'PORTAL_ERROR',
      },
      () =>
        this.portal.syncDossier(event.data, {
          procedureName: route?.procedureName,
          sectorCode: route?.sectorCode,
          sectorName: route?.sectorName,
          agencyName: this.catalogue.agencyName(event.data.agencyCode),
        }),
    );
    this.recent.remember(event.data.eventId);
    synced.inc({ outcome: 'delivered' });
    syncDelay.observe(Math.max(0, Date.now() - Date.parse(event.data.occurredAt)) / 1000);
  }

  private permanent(error: unknown): PermanentError {
    synced.inc({ outcome: 'rejected' });
    const code = (error as { code?: string }).code ?? 'PORTAL_REJECTED';
    return new PermanentError(code, (error as Error).message);
  }

  /** Recorded before it is sent, so a crash in between leaves the dossier parked, never overtaken. */
  private async park(consumed: ConsumedEvent<DossierStatusEvent>, reason: string): Promise<void> {
    const { event, key } = consumed;
    await this.parking.park(event.data.dossierCode, event.data.eventId);
    await this.producer.send(Topic.DossierStatusRetry, [
      toKafkaMessage(event, key, parkHeaders(this.options, reason)),
    ]);
    synced.inc({ outcome: 'parked' });
  }
}

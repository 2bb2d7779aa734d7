import type { Provider, Type } from '@nestjs/common';
import { OperationsCenterClient } from '@lienthong/adapters/operations-center';
import { EventProducer, MESSAGING_OPTIONS, MessagingOptions, Outbox, Topic } from '@lienthong/messaging';
import type { AppLogger } from '@lienthong/observability';
import { Database } from '@lienthong/storage';
import type { RelayConfig } from '../relay.config';
import { IndicatorDeliveryRepository, IndicatorReporter, IndicatorStore } from '@lienthong/indicators';
import {
  INDICATOR_REPORT_SCHEDULE_OPTIONS,
  INDICATOR_REPORTER,
  IndicatorReportScheduler,
} from './indicator-report.scheduler';
import {
  OPERATIONS_CENTER_CLIENT,
  OPERATIONS_CENTER_DELIVERY_OPTIONS,
  OperationsCenterDeliveryConsumer,
} from './operations-center-delivery.consumer';
import { OPERATIONS_CENTER_GROUP_ID, OPERATIONS_CENTER_RETRY_GROUP_ID } from './operations-center.transports';

/** What operations-center reporting adds to the relay module; nothing when OPERATIONS_CENTER_URL is unset. */
export interface OperationsCenterRelayParts {
  controllers: Type[];
  providers: Provider[];
  /** Consumer groups for the lag metrics. */
  lagGroups: { groupId: string; topics: string[] }[];
}

export function operationsCenterRelayParts(
  config: RelayConfig,
  logger: AppLogger,
): OperationsCenterRelayParts {
  if (!config.OPERATIONS_CENTER_URL) return { controllers: [], providers: [], lagGroups: [] };
  return {
    controllers: [OperationsCenterDeliveryConsumer],
    providers: [
      IndicatorDeliveryRepository,
      {
        provide: OPERATIONS_CENTER_CLIENT,
        useFactory: () =>
          new OperationsCenterClient({
            baseUrl: config.OPERATIONS_CENTER_URL as string,
            clientId: config.OPERATIONS_CENTER_CLIENT_ID,
            clientSecret: config.OPERATIONS_CENTER_CLIENT_SECRET,
            resilience: { timeoutMs: config.OPERATIONS_CENTER_TIMEOUT_MS },
            ca: config.operationsCenterCa,
            logger,
          }),
      },
      {
        provide: OPERATIONS_CENTER_DELIVERY_OPTIONS,
        useValue: {
          maxAttempts: config.OPERATIONS_CENTER_MAX_ATTEMPTS,
          baseDelayMs: config.OPERATIONS_CENTER_RETRY_BASE_MS,
          maxDelayMs: config.OPERATIONS_CENTER_RETRY_MAX_MS,
          logger,
        },
      },
      {
        provide: INDICATOR_REPORTER,
        inject: [Database, EventProducer, MESSAGING_OPTIONS, IndicatorStore],
        useFactory: (
          database: Database,
          producer: EventProducer,
          options: MessagingOptions,
          indicators: IndicatorStore,
        ) =>
          new IndicatorReporter({
            database,
            outbox: new Outbox(database, producer, options),
            source: indicators,
            logger,
            eventSource: '/lienthong/relay',
          }),
      },
      {
        provide: INDICATOR_REPORT_SCHEDULE_OPTIONS,
        useValue: { intervalMs: config.INDICATOR_REPORT_SCHEDULE, logger },
      },
      IndicatorReportScheduler,
    ],
    lagGroups: [
      { groupId: OPERATIONS_CENTER_GROUP_ID, topics: [Topic.IndicatorReport] },
      { groupId: OPERATIONS_CENTER_RETRY_GROUP_ID, topics: [Topic.IndicatorReportRetry] },
    ],
  };
}

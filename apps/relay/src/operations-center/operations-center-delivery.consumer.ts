import { Controller, Inject, OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { isTransientUpstreamError, upstreamRetryAfterMs } from '@lienthong/adapters/common';
import { type OperationsCenter, type ReportSubmission } from '@lienthong/adapters/operations-center';
import type { IndicatorReport } from '@lienthong/contracts';
import {
  ConsumedEvent,
  deliverParked,
  EventProducer,
  parkHeaders,
  PermanentError,
  ReliableConsumer,
  type RetrySchedule,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import { counter, histogram, redactText, type AppLogger } from '@lienthong/observability';
import { IndicatorDeliveryRepository, type IndicatorDeliveryStatus } from '@lienthong/indicators';
import { RelayAudit } from '../relay-audit';
import {
  OPERATIONS_CENTER_GROUP_ID,
  OPERATIONS_CENTER_RETRY_GROUP_ID,
  OPERATIONS_CENTER_RETRY_TRANSPORT,
  OPERATIONS_CENTER_TRANSPORT,
} from './operations-center.transports';

export const OPERATIONS_CENTER_CLIENT = Symbol('OPERATIONS_CENTER_CLIENT');
export const OPERATIONS_CENTER_DELIVERY_OPTIONS = Symbol('OPERATIONS_CENTER_DELIVERY_OPTIONS');

/** The retry schedule of parked reports on the retry topic, and the logger. */
export type OperationsCenterDeliveryOptions = RetrySchedule & { logger: AppLogger };

const delivered = counter({
  name: 'lgsp_indicator_delivery_total',
  help: 'Indicator reports delivered to the Government operations center, by outcome',
  labelNames: ['outcome'] as const,
});
const deliveryDelay = histogram({
  name: 'lgsp_indicator_delivery_delay_seconds',
  help: 'Delay from a report revision being generated to the operations center acknowledging it',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600],
});

/**
 * Delivers indicator report revisions (lgsp.indicator.report.v1) to the Government operations center, the way
 * PortalSyncConsumer synchronises the portal.
 *
 * A transient failure (operations center down, 5xx, 429, timeout, cut-off answer, open circuit) parks the
 * report: its indicator_delivery row becomes PARKED and the event goes to lgsp.indicator.report-retry.v1;
 * later revisions of the same agency and period follow it there, so the operations center receives them in
 * order while other agencies keep flowing. The retry handler works through the retry topic in order with
 * growing delays; after the configured attempts (FAILED), or on a permanent refusal — a version conflict,
 * an invalid report, an unknown unit, refused credentials (REJECTED) — the event goes to the dead-letter
 * topic with the reason, from where `lienthong dlq replay` brings it back to the retry topic. Accepted and
 * already-accepted answers mark the row DELIVERED; a version the operations center already holds a newer
 * one of is SUPERSEDED. Redeliveries are harmless: the operations center acknowledges a repeated version.
 */
@Controller()
export class OperationsCenterDeliveryConsumer implements OnApplicationShutdown {
  private readonly logger: AppLogger;

  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly producer: EventProducer,
    private readonly deliveries: IndicatorDeliveryRepository,
    @Inject(OPERATIONS_CENTER_CLIENT) private readonly center: OperationsCenter,
    @Inject(OPERATIONS_CENTER_DELIVERY_OPTIONS) private readonly options: OperationsCenterDeliveryOptions,
    private readonly audit: RelayAudit,
  ) {
    this.logger = options.logger.child({ component: 'operations-center-delivery' });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.center.close().catch(() => undefined);
  }

  @EventPattern(Topic.IndicatorReport, OPERATIONS_CENTER_TRANSPORT)
  handleReport(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<IndicatorReport>(
      context,
      {
        group: OPERATIONS_CENTER_GROUP_ID,
        dataSchema: 'indicator-report',
        replayTopic: Topic.IndicatorReportRetry,
        replayGroup: OPERATIONS_CENTER_RETRY_GROUP_ID,
      },
      async (consumed) => {
        const report = consumed.event.data;
        if (await this.isParkedBehind(report)) {
          await this.park(consumed, 'an earlier version of this report is waiting');
          return;
        }
        try {
          await this.deliver(consumed);
        } catch (error) {
          if (!isTransientUpstreamError(error)) throw await this.permanent(report, error);
          await this.park(consumed, (error as Error).message);
        }
      },
    );
  }

  @EventPattern(Topic.IndicatorReportRetry, OPERATIONS_CENTER_RETRY_TRANSPORT)
  handleRetry(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<IndicatorReport>(
      context,
      { group: OPERATIONS_CENTER_RETRY_GROUP_ID, dataSchema: 'indicator-report' },
      async (consumed) => {
        const { headers, partition, offset } = consumed;
        const report = consumed.event.data;
        await deliverParked(headers, context.getHeartbeat(), this.options, {
          attempt: async () => {
            await this.deliver(consumed);
          },
          isTransient: isTransientUpstreamError,
          retryAfterMs: upstreamRetryAfterMs,
          permanent: (error) => this.permanent(report, error),
          exhausted: async (attempts, error) => {
            delivered.inc({ outcome: 'exhausted' });
            const reason = `the operations center did not take the report after ${attempts} attempts: ${(error as Error).message}`;
            await this.mark(report, 'FAILED', { error: reason });
            return new PermanentError('RETRIES_EXHAUSTED', reason);
          },
          retrying: async (attempt, delayMs, error) => {
            delivered.inc({ outcome: 'retried' });
            this.logger.warn(
              { partition, offset, attempt, delayMs, err: error },
              'operations-center delivery failed; retrying',
            );
            await this.mark(report, 'PARKED', { error: (error as Error).message });
          },
        });
      },
    );
  }

  private async deliver(consumed: ConsumedEvent<IndicatorReport>): Promise<ReportSubmission> {
    const report = consumed.event.data;
    const submission = await this.audit.call(
      consumed,
      {
        service: 'operations-center.report',
        upstream: 'operations-center',
        subject: { kind: 'NONE' },
        errorCode: 'OPERATIONS_CENTER_ERROR',
      },
      () => this.center.submitReport(report, { requestId: consumed.requestId ?? consumed.event.id }),
      // accepted, already-accepted or superseded
      (answer) => answer.outcome.toUpperCase().replace(/-/g, '_'),
    );
    const superseded = submission.outcome === 'superseded';
    await this.mark(report, superseded ? 'SUPERSEDED' : 'DELIVERED', {
      receiptId: submission.receiptId,
      error: superseded
        ? `the operations center holds version ${submission.currentVersion ?? '?'}`
        : undefined,
    });
    delivered.inc({ outcome: submission.outcome.replace('-', '_') });
    if (!superseded) {
      deliveryDelay.observe(Math.max(0, Date.now() - Date.parse(report.generatedAt)) / 1000);
    }
    this.logger.debug(
      {
        agencyCode: report.agencyCode,
        period: report.period.key,
        version: report.version,
        outcome: submission.outcome,
      },
      'indicator report delivered',
    );
    return submission;
  }

  private async permanent(report: IndicatorReport, error: unknown): Promise<PermanentError> {
    delivered.inc({ outcome: 'rejected' });
    const code = (error as { code?: string }).code ?? 'OPERATIONS_CENTER_REJECTED';
    const message = (error as Error).message;
    await this.mark(report, 'REJECTED', { error: `${code}: ${message}` });
    return new PermanentError(code, message);
  }

  /** True when an earlier version of the same agency and period waits on the retry topic. */
  private async isParkedBehind(report: IndicatorReport): Promise<boolean> {
    return this.deliveries.isParkedBehind(deliveryKey(report));
  }

  /** Marked before it is sent, so a crash in between leaves the report parked, never overtaken. */
  private async park(consumed: ConsumedEvent<IndicatorReport>, reason: string): Promise<void> {
    const { event, key } = consumed;
    await this.mark(event.data, 'PARKED', { error: reason });
    await this.producer.send(Topic.IndicatorReportRetry, [
      toKafkaMessage(event, key, parkHeaders(this.options, reason)),
    ]);
    delivered.inc({ outcome: 'parked' });
  }

  /** Records where the delivery of this version stands; every call counts as one attempt. */
  private async mark(
    report: IndicatorReport,
    status: IndicatorDeliveryStatus,
    details: { receiptId?: string; error?: string },
  ): Promise<void> {
    await this.deliveries.mark(deliveryKey(report), status, {
      receiptId: details.receiptId,
      error: details.error === undefined ? undefined : redactText(details.error).slice(0, 1000),
    });
  }
}

function deliveryKey(report: IndicatorReport) {
  return { agencyCode: report.agencyCode, periodKey: report.period.key, version: report.version };
}

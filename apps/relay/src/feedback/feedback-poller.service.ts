import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { FeedbackClient, FeedbackInbox } from '@lienthong/adapters/feedback';
import { readConfiguredFile } from '@lienthong/config';
import { schemaIdOf, type FeedbackItemEvent } from '@lienthong/contracts';
import {
  createEvent,
  EventProducer,
  MESSAGING_OPTIONS,
  Outbox,
  toKafkaMessage,
  Topic,
  type MessagingOptions,
} from '@lienthong/messaging';
import type { AppLogger } from '@lienthong/observability';
import { Database } from '@lienthong/storage';
import { RELAY_AUDIT_CLIENT_ID } from '../relay-audit';
import type { RelayConfig } from '../relay.config';

export const FEEDBACK_POLLER_CONFIG = Symbol('FEEDBACK_POLLER_CONFIG');
export const FEEDBACK_POLLER_LOGGER = Symbol('FEEDBACK_POLLER_LOGGER');
export const FEEDBACK_ITEM_EVENT_TYPE = 'vn.lienthong.feedback.item.v1';

/**
 * The relay's feedback role: every FEEDBACK_POLL_INTERVAL_MS, fetches the new citizen feedback items from the
 * national feedback system page by page after the stored cursor, stores each with its competent agency and
 * answer deadline (page, cursor and one lgsp.feedback.item.v1 record per routed item through the outbox, in
 * one transaction), then acknowledges the items stored. An item whose
 * acknowledgement failed is acknowledged again on a later pass (acknowledging is idempotent). Every call is
 * audited; the citizen's contact is never logged.
 */
@Injectable()
export class FeedbackPollerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly client: FeedbackClient;
  private readonly inbox: FeedbackInbox;
  private readonly outbox: Outbox;
  private readonly unacknowledged = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    database: Database,
    private readonly audit: AuditLog,
    producer: EventProducer,
    @Inject(MESSAGING_OPTIONS) messaging: MessagingOptions,
    @Inject(FEEDBACK_POLLER_CONFIG) private readonly config: RelayConfig,
    @Inject(FEEDBACK_POLLER_LOGGER) private readonly logger: AppLogger,
  ) {
    this.client = new FeedbackClient({
      url: config.FEEDBACK_URL!,
      apiKey: config.FEEDBACK_API_KEY,
      ca: readConfiguredFile('FEEDBACK_CA_PATH', config.FEEDBACK_CA_PATH),
      logger,
    });
    this.inbox = new FeedbackInbox(database, { answerWorkingDays: config.FEEDBACK_ANSWER_WORKING_DAYS });
    this.outbox = new Outbox(database, producer, messaging);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.client.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    let more = false;
    try {
      more = await this.pass();
    } catch (error) {
      this.logger.warn(
        { err: { message: (error as Error).message, code: (error as { code?: unknown }).code } },
        'feedback pass failed; trying again',
      );
    }
    this.schedule(more ? 0 : this.config.FEEDBACK_POLL_INTERVAL_MS);
  }

  /** One page: true when more follow. */
  private async pass(): Promise<boolean> {
    const requestId = `feedback-${randomUUID()}`;
    const cursor = await this.inbox.cursor();
    const page = await this.audited({ requestId, service: 'feedback.fetch', subject: { kind: 'NONE' } }, () =>
      this.client.fetchNew(cursor, { requestId }),
    );
    const stored = await this.inbox.store(page.items, page.cursor, new Date(), async (tx, fresh) => {
      const routed = fresh.filter((item) => item.agencyCode);
      if (routed.length === 0) return;
      await this.outbox.enqueue(
        tx,
        Topic.FeedbackItem,
        routed.map((item) => {
          // no contact, no content: the competent agency reads them through the gateway
          const data: FeedbackItemEvent = {
            id: item.id,
            agencyCode: item.agencyCode!,
            ...(item.procedureCode ? { procedureCode: item.procedureCode } : {}),
            receivedAt: item.receivedAt.toISOString(),
            dueAt: this.inbox.deadline(item.receivedAt).toISOString(),
            status: 'OPEN',
          };
          return toKafkaMessage(
            createEvent({
              type: FEEDBACK_ITEM_EVENT_TYPE,
              source: '/lienthong/relay',
              subject: item.id,
              dataschema: schemaIdOf('feedback-item'),
              data,
              requestId,
            }),
            item.agencyCode!,
          );
        }),
      );
    });
    // published now; what a failed pass leaves waiting goes out with the next one
    await this.outbox.drain().catch(() => 0);
    for (const item of stored) this.unacknowledged.add(item.id);
    for (const id of [...this.unacknowledged]) {
      if (this.stopped) break;
      try {
        await this.audited({ requestId, service: 'feedback.acknowledge', subject: { kind: 'NONE' } }, () =>
          this.client.acknowledge(id, { requestId }),
        );
        this.unacknowledged.delete(id);
      } catch {
        // acknowledged again on the next pass
      }
    }
    if (stored.length > 0) this.logger.info({ stored: stored.length }, 'feedback items received');
    return page.more;
  }

  private async audited<T>(
    entry: Pick<AuditEntry, 'requestId' | 'service' | 'subject'>,
    run: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const base = { ...entry, clientId: RELAY_AUDIT_CLIENT_ID, upstream: 'feedback-system' as const };
    try {
      const result = await run();
      this.record({ ...base, outcome: 'OK', upstreamLatencyMs: Math.round(performance.now() - started) });
      return result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.record({
        ...base,
        outcome: 'UPSTREAM_ERROR',
        outcomeCode: typeof code === 'string' ? code : 'FEEDBACK_ERROR',
        upstreamLatencyMs: Math.round(performance.now() - started),
      });
      throw error;
    }
  }

  private record(entry: AuditEntry): void {
    void this.audit
      .record(entry)
      .catch((error: unknown) =>
        this.logger.error(
          { service: entry.service, err: { message: (error as Error)?.message } },
          'feedback audit entry not recorded',
        ),
      );
  }
}

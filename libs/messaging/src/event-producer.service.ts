import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createKafkaClient, kafkaErrorCode } from './client';
import type { DeliveredRecords, KafkaClient, OutgoingMessage, ProducerOptions, ProducerPort } from './client';
import type { KafkaSecurity } from './kafka-security';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { produceDuration, produceErrors, producedMessages } from './metrics';

/**
 * Broker answers that are about the records themselves or the topic's setup: sending the same records
 * again cannot succeed until someone changes them or the cluster's configuration.
 */
const RECORD_FAULTS = new Set([
  'CLOSED',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

export class ProduceError extends Error {
  override readonly name = 'ProduceError';
  constructor(
    readonly topic: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /**
   * True when Kafka could not take the records for a reason of its own (unreachable, restarting,
   * no leader, no acknowledgement in time): the same records will go through once it is back.
   */
  get kafkaUnavailable(): boolean {
    return !RECORD_FAULTS.has(this.code);
  }
}

/** The producer settings every producer of the project uses; benchmarks reuse them for a fair baseline. */
export const PRODUCER_SETTINGS = {
  idempotent: true,
  maxInFlightRequests: 1,
  retry: { initialRetryTimeMs: 100, retries: 5, maxRetryTimeMs: 2000 },
} as const satisfies ProducerOptions;

/**
 * Idempotent producer with acks=all. `send` resolves only when every in-sync replica has the records
 * and rejects (never hangs) when the broker cannot take them within the send timeout, so callers can
 * fall back (the outbox) instead of losing what they accepted.
 */
@Injectable()
export class EventProducer implements OnModuleInit, OnApplicationShutdown {
  /** The client this producer is made from, for other clients of the same process (same settings). */
  readonly client: KafkaClient;
  private readonly producer: ProducerPort;
  private closed = false;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    this.client = createKafkaClient(options);
    this.producer = this.client.producer(PRODUCER_SETTINGS);
  }

  get brokers(): string[] {
    return this.options.brokers;
  }

  /** The connection settings this producer uses, for other clients of the same process. */
  get security(): KafkaSecurity | undefined {
    return this.options.security;
  }

  onModuleInit(): void {
    // Connect in the background: the app must start (and report not-ready) while Kafka is down.
    void this.producer.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Sends records to one topic; resolves when every in-sync replica has them. Concurrent calls for a
   * topic are coalesced: while one request is in flight, later calls wait and go together in the next
   * one, so many small sends (one event per HTTP request) share round trips without adding latency
   * when the producer is idle. Each call keeps its own timeout.
   */
  async send(topic: string, messages: OutgoingMessage[]): Promise<DeliveredRecords[]> {
    if (this.closed) throw new ProduceError(topic, 'CLOSED', 'the producer is shut down');
    const stop = produceDuration.startTimer({ topic });
    let timer: NodeJS.Timeout | undefined;
    const { sent, entry } = this.enqueue(topic, messages);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // not sent yet: withdraw it, so a caller that falls back (the outbox) does not publish it twice
        const queue = this.pending.get(topic);
        const index = queue?.indexOf(entry) ?? -1;
        if (index >= 0) queue?.splice(index, 1);
        reject(
          new ProduceError(topic, 'TIMEOUT', `no acknowledgement within ${this.options.sendTimeoutMs} ms`),
        );
      }, this.options.sendTimeoutMs);
    });
    try {
      const metadata = await Promise.race([sent, deadline]);
      stop({ outcome: 'ok' });
      producedMessages.inc({ topic }, messages.length);
      return metadata;
    } catch (error) {
      stop({ outcome: 'error' });
      const code = error instanceof ProduceError ? error.code : kafkaErrorCode(error);
      produceErrors.inc({ topic, code });
      if (error instanceof ProduceError) throw error;
      throw new ProduceError(topic, code, (error as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  private readonly pending = new Map<string, PendingSend[]>();
  private readonly flushing = new Set<string>();

  private enqueue(
    topic: string,
    messages: OutgoingMessage[],
  ): { sent: Promise<DeliveredRecords[]>; entry: PendingSend } {
    let entry!: PendingSend;
    const sent = new Promise<DeliveredRecords[]>((resolve, reject) => {
      entry = { messages, resolve, reject };
    });
    const queue = this.pending.get(topic) ?? [];
    queue.push(entry);
    this.pending.set(topic, queue);
    sent.catch(() => undefined); // observed by send(); a late failure after its timeout is not unhandled
    void this.flush(topic);
    return { sent, entry };
  }

  private async flush(topic: string): Promise<void> {
    if (this.flushing.has(topic)) return;
    this.flushing.add(topic);
    try {
      for (;;) {
        const queue = this.pending.get(topic) ?? [];
        if (!queue.length) return;
        // take whole calls, up to MAX_COALESCED messages (a single larger call goes alone)
        let count = 0;
        let take = 0;
        while (take < queue.length && (take === 0 || count + queue[take].messages.length <= MAX_COALESCED)) {
          count += queue[take].messages.length;
          take += 1;
        }
        const batch = queue.splice(0, take);
        try {
          // a producer the broker stopped accepting is replaced by the client (kafkajs workaround 1)
          const delivered = await this.producer.send({
            topic,
            messages: batch.flatMap((entry) => entry.messages),
            acks: 'all',
          });
          for (const entry of batch) entry.resolve(delivered);
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.flushing.delete(topic);
    }
  }
}

interface PendingSend {
  messages: OutgoingMessage[];
  resolve: (delivered: DeliveredRecords[]) => void;
  reject: (error: unknown) => void;
}

/** Most records one coalesced request carries. */
const MAX_COALESCED = 1000;

import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Kafka, Message, Partitioners, Producer, RecordMetadata } from 'kafkajs';
import { createKafka } from './kafka-client';
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

/**
 * Broker answers after which kafkajs's idempotent producer stays out of step with the broker for good
 * (its sequence numbers or producer id no longer match, as when a broker restart lost a reply):
 * only a new producer, with a new producer id, gets sends going again.
 */
const IDEMPOTENCE_LOST = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/** The protocol error type kafkajs reports, else the name of the innermost error behind its retry wrappers. */
function kafkaErrorCode(error: unknown): string {
  let current = error as { type?: string; name?: string; cause?: unknown };
  for (let depth = 0; depth < 10; depth++) {
    if (current.type) return current.type;
    const cause = current.cause as typeof current | undefined;
    if (!cause || cause === current || typeof cause !== 'object') break;
    current = cause;
  }
  return String(current.name ?? 'Error');
}

/** The kafkajs settings every producer of the project uses; benchmarks reuse them for a fair baseline. */
export const PRODUCER_SETTINGS = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  // murmur2 partitioning, as the Java client does, so other producers place the same key alike
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2000 },
} as const;

/**
 * Idempotent producer with acks=all. `send` resolves only when every in-sync replica has the records
 * and rejects (never hangs) when the broker cannot take them within the send timeout, so callers can
 * fall back (the outbox) instead of losing what they accepted.
 */
@Injectable()
export class EventProducer implements OnModuleInit, OnApplicationShutdown {
  readonly kafka: Kafka;
  private producer: Producer;
  private connected?: Promise<void>;
  private closed = false;

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    this.kafka = createKafka(options);
    this.producer = this.createProducer();
  }

  private createProducer(): Producer {
    const producer = this.kafka.producer(PRODUCER_SETTINGS);
    producer.on(producer.events.DISCONNECT, () => {
      if (this.producer === producer) this.connected = undefined;
    });
    return producer;
  }

  /** Replaces a producer the broker no longer accepts; what it had in flight fails and is sent again by its caller. */
  private renewProducer(code: string): void {
    const stale = this.producer;
    this.producer = this.createProducer();
    this.connected = undefined;
    this.options.logger.warn(
      { component: 'producer', code },
      'the broker no longer accepts the idempotent producer; starting a new one',
    );
    void stale.disconnect().catch(() => undefined);
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
    void this.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  /**
   * Sends records to one topic; resolves when every in-sync replica has them. Concurrent calls for a
   * topic are coalesced: while one request is in flight, later calls wait and go together in the next
   * one, so many small sends (one event per HTTP request) share round trips without adding latency
   * when the producer is idle. Each call keeps its own timeout.
   */
  async send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
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
    messages: Message[],
  ): { sent: Promise<RecordMetadata[]>; entry: PendingSend } {
    let entry!: PendingSend;
    const sent = new Promise<RecordMetadata[]>((resolve, reject) => {
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
          await this.connect();
          const metadata = await this.producer.send({
            topic,
            messages: batch.flatMap((entry) => entry.messages),
            acks: -1,
          });
          for (const entry of batch) entry.resolve(metadata);
        } catch (error) {
          const code = kafkaErrorCode(error);
          if (IDEMPOTENCE_LOST.has(code) && !this.closed) this.renewProducer(code);
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.flushing.delete(topic);
    }
  }
}

interface PendingSend {
  messages: Message[];
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

/** Most records one coalesced request carries. */
const MAX_COALESCED = 1000;

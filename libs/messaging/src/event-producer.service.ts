import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createKafkaClient, kafkaErrorCode, RECORD_FAULT_CODES } from './client';
import type { DeliveredRecords, KafkaClient, OutgoingMessage, ProducerOptions, ProducerPort } from './client';
import type { KafkaSecurity } from './kafka-security';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { produceDuration, produceErrors, producedMessages } from './metrics';

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
    return !RECORD_FAULT_CODES.has(this.code);
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
   * Sends records to one topic; resolves when every in-sync replica has them. Concurrent calls are
   * coalesced, across topics too: while one request is in flight, later calls wait and go together in the
   * next one, so many small sends (one event per HTTP request, a ministry copy per record of a fetched
   * batch) share round trips without adding latency when the producer is idle. Each call keeps its own
   * timeout.
   */
  async send(topic: string, messages: OutgoingMessage[]): Promise<DeliveredRecords[]> {
    if (this.closed) throw new ProduceError(topic, 'CLOSED', 'the producer is shut down');
    const stop = produceDuration.startTimer({ topic });
    let timer: NodeJS.Timeout | undefined;
    const { sent, entry } = this.enqueue(topic, messages);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // not sent yet: withdraw it, so a caller that falls back (the outbox) does not publish it twice
        const index = this.pending.indexOf(entry);
        if (index >= 0) this.pending.splice(index, 1);
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

  private readonly pending: PendingSend[] = [];
  private flushing = false;

  private enqueue(
    topic: string,
    messages: OutgoingMessage[],
  ): { sent: Promise<DeliveredRecords[]>; entry: PendingSend } {
    let entry!: PendingSend;
    const sent = new Promise<DeliveredRecords[]>((resolve, reject) => {
      entry = { topic, messages, resolve, reject };
    });
    this.pending.push(entry);
    sent.catch(() => undefined); // observed by send(); a late failure after its timeout is not unhandled
    void this.flush();
    return { sent, entry };
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        // take whole calls in arrival order, up to MAX_COALESCED messages (a single larger call goes alone)
        let count = 0;
        let take = 0;
        while (
          take < this.pending.length &&
          (take === 0 || count + this.pending[take].messages.length <= MAX_COALESCED)
        ) {
          count += this.pending[take].messages.length;
          take += 1;
        }
        await this.deliver(this.pending.splice(0, take));
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * One produce request for calls of any number of topics, each topic's records in call order. When the
   * broker refuses it for a reason of the records or a topic (a topic this principal may not write, say)
   * and it spans several topics, each topic is tried once more on its own, so one refused topic does not
   * hold up the others; when Kafka is unavailable, every call fails at once.
   */
  private async deliver(batch: PendingSend[]): Promise<void> {
    const byTopic = new Map<string, PendingSend[]>();
    for (const entry of batch) {
      const calls = byTopic.get(entry.topic);
      if (calls) calls.push(entry);
      else byTopic.set(entry.topic, [entry]);
    }
    const groups = [...byTopic];
    try {
      this.settle(groups, await this.request(groups));
    } catch (error) {
      if (groups.length === 1 || !RECORD_FAULT_CODES.has(kafkaErrorCode(error))) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      for (const group of groups) {
        try {
          this.settle([group], await this.request([group]));
        } catch (alone) {
          for (const entry of group[1]) entry.reject(alone);
        }
      }
    }
  }

  private request(groups: [string, PendingSend[]][]): Promise<DeliveredRecords[]> {
    const topicMessages = groups.map(([topic, calls]) => ({
      topic,
      messages: calls.flatMap((entry) => entry.messages),
    }));
    // a producer the broker stopped accepting is replaced by the client (kafkajs workaround 1)
    return topicMessages.length === 1
      ? this.producer.send({ ...topicMessages[0], acks: 'all' })
      : this.producer.sendBatch({ topicMessages, acks: 'all' });
  }

  /** Resolves each call with what was delivered of its topic. */
  private settle(groups: [string, PendingSend[]][], delivered: DeliveredRecords[]): void {
    for (const [topic, calls] of groups) {
      const ofTopic = groups.length === 1 ? delivered : delivered.filter((d) => d.topic === topic);
      for (const entry of calls) entry.resolve(ofTopic);
    }
  }
}

interface PendingSend {
  topic: string;
  messages: OutgoingMessage[];
  resolve: (delivered: DeliveredRecords[]) => void;
  reject: (error: unknown) => void;
}

/** Most records one coalesced request carries. */
const MAX_COALESCED = 1000;

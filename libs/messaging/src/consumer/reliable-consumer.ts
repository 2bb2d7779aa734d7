import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
import { KafkaRetriableException } from '@nestjs/microservices';
import type { MessageHeaders } from '../client/ports';
import { validate, type SchemaName } from '@lienthong/contracts';
import { isDatabaseUnavailable } from '@lienthong/storage';
import { redactText } from '@lienthong/observability';
import type { AppLogger } from '@lienthong/observability';
import { CloudEvent, decodeEvent, Header, headerString, headersToStrings } from '../envelope';
import { CONSUMER_POLICY, ConsumerPolicy, MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { ProduceError } from '../event-producer.service';
import { consumedMessages, consumerRetries, handlerDuration } from '../metrics';
import { DeadLetterHeader, DeadLetterPublisher, FailedRecord } from './dead-letter.publisher';

/**
 * A failure that retrying cannot fix (invalid content, a rule the event breaks, an upstream's
 * definitive rejection). The message goes to the dead-letter topic at once.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface IncomingRecord extends FailedRecord {
  heartbeat: () => Promise<void>;
}

export interface ConsumedEvent<T> {
  event: CloudEvent<T>;
  key: string | null;
  topic: string;
  partition: number;
  offset: string;
  headers: Record<string, string>;
  requestId?: string;
  /** 1 on the first attempt. */
  attempt: number;
}

export interface HandlerOptions {
  /** The consumer group the handler runs in (recorded on dead letters; replays are addressed to it). */
  group: string;
  /** Contract of the event's `data`; a mismatch is a permanent failure (INVALID_PAYLOAD). */
  dataSchema?: SchemaName;
  /** Where `lienthong dlq replay` sends this handler's dead letters back to (default: the source topic). */
  replayTopic?: string;
  /** The consumer group that handles a replay (default: `group`). */
  replayGroup?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The consumer base every Kafka handler of the project goes through.
 *
 * - Invalid payloads (not JSON, not a CloudEvents envelope, data not matching its contract) and
 *   PermanentError go to the dead-letter topic at once.
 * - Other errors are retried in place with exponential backoff and jitter (heartbeating so the group
 *   keeps the member), which keeps per-key order; after maxAttempts the message is dead-lettered.
 * - A handler that fails because Kafka itself cannot take what it produces (a ProduceError of an
 *   unavailable broker) is retried in place for as long as that lasts, never dead-lettered: the
 *   message is not at fault, the dead-letter topic lives on the same cluster, and giving up just as
 *   the broker returns would divert a good event from its ordered stream. The same holds for a
 *   handler that fails because the database cannot be reached (refused or dropped connections,
 *   `isDatabaseUnavailable`): it waits in place without using up attempts.
 * - Either way the handler returns normally, so the offset is committed and a bad message never
 *   blocks its partition. Only when the dead-letter topic itself cannot be written, or the process
 *   shuts down mid-retry, does it throw a retriable error, leaving the offset uncommitted so nothing
 *   is lost.
 */
@Injectable()
export class ReliableConsumer implements BeforeApplicationShutdown {
  private readonly logger: AppLogger;
  private stopping = false;

  constructor(
    @Inject(CONSUMER_POLICY) private readonly policy: ConsumerPolicy,
    @Inject(MESSAGING_OPTIONS) options: MessagingOptions,
    private readonly deadLetters: DeadLetterPublisher,
  ) {
    this.logger = options.logger.child({ component: 'consumer' });
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  /** Adapts a Nest microservice KafkaContext (parser configured with keepBinary). */
  static recordOf(context: KafkaContext): IncomingRecord {
    const message = context.getMessage() as unknown as {
      key: string | Buffer | null;
      value: Buffer | string | null;
      offset: string;
      headers?: MessageHeaders;
    };
    return {
      topic: context.getTopic(),
      partition: context.getPartition(),
      offset: message.offset,
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
      heartbeat: context.getHeartbeat(),
    };
  }

  process<T>(
    source: KafkaContext | IncomingRecord,
    options: HandlerOptions,
    handler: (consumed: ConsumedEvent<T>) => Promise<void>,
  ): Promise<void> {
    const record = 'getMessage' in source ? ReliableConsumer.recordOf(source) : source;
    return this.run(record, options, handler);
  }

  private async run<T>(
    record: IncomingRecord,
    options: HandlerOptions,
    handler: (consumed: ConsumedEvent<T>) => Promise<void>,
  ): Promise<void> {
    const replayFor = headerString(record.headers as Record<string, unknown>, DeadLetterHeader.ReplayFor);
    if (replayFor && replayFor !== options.group) {
      // a dead letter replayed for another consumer group of the same topic
      consumedMessages.inc({ topic: record.topic, outcome: 'skipped' });
      return;
    }
    const stop = handlerDuration.startTimer({ topic: record.topic });
    try {
      const decoded = decodeEvent<T>(record.value);
      if (!decoded.ok) return await this.deadLetter(record, options, 'INVALID_PAYLOAD', decoded.reason, 0);
      if (options.dataSchema) {
        const result = validate(options.dataSchema, decoded.event.data);
        if (!result.ok) {
          const details = result.errors.map((error) => `${error.path || '/'} ${error.code}`).join('; ');
          return await this.deadLetter(
            record,
            options,
            'INVALID_PAYLOAD',
            `data does not match ${options.dataSchema}: ${details}`,
            0,
          );
        }
      }
      const headers = headersToStrings(record.headers);
      const key =
        record.key === null ? null : Buffer.isBuffer(record.key) ? record.key.toString('utf8') : record.key;
      // attempts that count towards maxAttempts; waits for an unavailable Kafka do not
      let counted = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          await handler({
            event: decoded.event,
            key,
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
            headers,
            requestId: headers[Header.RequestId] ?? decoded.event.requestid,
            attempt,
          });
          consumedMessages.inc({ topic: record.topic, outcome: 'processed' });
          return;
        } catch (error) {
          if (error instanceof PermanentError) {
            return await this.deadLetter(record, options, error.code, error.message, attempt);
          }
          const kafkaDown = error instanceof ProduceError && error.kafkaUnavailable;
          // the message is not at fault when the database is out of reach either
          const databaseDown = !kafkaDown && isDatabaseUnavailable(error);
          const waiting = kafkaDown || databaseDown;
          if (!waiting) counted++;
          if (this.stopping) {
            // shutting down: leave the offset uncommitted, the next start handles the message again
            throw new KafkaRetriableException('shutting down before the message was handled');
          }
          if (counted >= this.policy.maxAttempts) {
            return await this.deadLetter(
              record,
              options,
              'RETRIES_EXHAUSTED',
              (error as Error).message,
              attempt,
            );
          }
          consumerRetries.inc({ topic: record.topic });
          // while Kafka or the database is down, poll at most every 5 s so the stream resumes soon after
          const delay = waiting ? Math.min(5_000, this.delay(attempt)) : this.delay(counted);
          this.logger.warn(
            {
              topic: record.topic,
              partition: record.partition,
              offset: record.offset,
              attempt,
              delayMs: delay,
              err: error,
            },
            kafkaDown
              ? 'Kafka cannot take the handler output; retrying until it can'
              : databaseDown
                ? 'the database cannot be reached; retrying until it can'
                : 'handler failed; retrying',
          );
          await this.sleepWithHeartbeat(record, delay);
        }
      }
    } finally {
      stop();
    }
  }

  private delay(attempt: number): number {
    const exponential = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exponential / 2 + Math.random() * (exponential / 2));
  }

  private async sleepWithHeartbeat(record: IncomingRecord, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until && !this.stopping) {
      await sleep(Math.min(1000, until - Date.now()));
      await record.heartbeat().catch(() => undefined);
    }
  }

  private async deadLetter(
    record: IncomingRecord,
    options: HandlerOptions,
    code: string,
    reason: string,
    attempts: number,
  ): Promise<void> {
    const safeReason = redactText(reason);
    try {
      await this.deadLetters.publish(record, {
        code,
        reason: safeReason,
        attempts,
        groupId: options.group,
        replayTopic: options.replayTopic ?? record.topic,
        replayGroup: options.replayGroup ?? options.group,
      });
    } catch (error) {
      this.logger.error(
        { topic: record.topic, partition: record.partition, offset: record.offset, err: error },
        'dead-letter topic unavailable; the message will be redelivered',
      );
      throw new KafkaRetriableException('dead-letter topic unavailable');
    }
    consumedMessages.inc({ topic: record.topic, outcome: 'dead_lettered' });
    this.logger.warn(
      {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        code,
        reason: safeReason,
        attempts,
      },
      'message sent to the dead-letter topic',
    );
  }
}

import { Injectable } from '@nestjs/common';
import type { MessageHeaders } from '../client/ports';
import { EventProducer } from '../event-producer.service';
import { deadLetters } from '../metrics';
import { Topic } from '../topics';

/** Headers a dead letter carries besides the original ones. */
export const DeadLetterHeader = {
  Reason: 'lgsp-dlq-reason',
  Code: 'lgsp-dlq-code',
  SourceTopic: 'lgsp-source-topic',
  SourcePartition: 'lgsp-source-partition',
  SourceOffset: 'lgsp-source-offset',
  FailedAt: 'lgsp-failed-at',
  Attempts: 'lgsp-attempts',
  ConsumerGroup: 'lgsp-consumer-group',
  /** Where a replay sends the record (the source topic, or e.g. a retry topic). */
  ReplayTopic: 'lgsp-replay-topic',
  /** The consumer group that handles a replay (it may differ from the one that gave up). */
  ReplayGroup: 'lgsp-replay-group',
  /** Set on a replayed record: only this consumer group handles it; other groups of the topic skip it. */
  ReplayFor: 'lgsp-replay-for',
  ReplayedFrom: 'lgsp-replayed-from',
} as const;

export interface FailedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers: MessageHeaders;
}

/**
 * Writes a record a consumer gave up on to the dead-letter topic: original key, value and headers
 * untouched (so a replay is byte-for-byte the original), the reason and provenance in extra headers.
 */
@Injectable()
export class DeadLetterPublisher {
  constructor(private readonly producer: EventProducer) {}

  async publish(
    record: FailedRecord,
    failure: {
      code: string;
      reason: string;
      attempts: number;
      groupId: string;
      replayTopic: string;
      replayGroup: string;
    },
  ): Promise<void> {
    const headers: MessageHeaders = {};
    for (const [name, value] of Object.entries(record.headers ?? {})) {
      if (value !== undefined && !name.startsWith('lgsp-')) headers[name] = value;
    }
    await this.producer.send(Topic.DeadLetter, [
      {
        key: record.key,
        value: record.value,
        headers: {
          ...headers,
          [DeadLetterHeader.Reason]: failure.reason.slice(0, 1000),
          [DeadLetterHeader.Code]: failure.code,
          [DeadLetterHeader.SourceTopic]: record.topic,
          [DeadLetterHeader.SourcePartition]: String(record.partition),
          [DeadLetterHeader.SourceOffset]: record.offset,
          [DeadLetterHeader.FailedAt]: new Date().toISOString(),
          [DeadLetterHeader.Attempts]: String(failure.attempts),
          [DeadLetterHeader.ConsumerGroup]: failure.groupId,
          [DeadLetterHeader.ReplayTopic]: failure.replayTopic,
          [DeadLetterHeader.ReplayGroup]: failure.replayGroup,
        },
      },
    ]);
    deadLetters.inc({ source_topic: record.topic, code: failure.code });
  }
}

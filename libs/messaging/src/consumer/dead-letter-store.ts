import { randomUUID } from 'node:crypto';
import { createKafkaClient, KafkaClient } from '../client';
import { EventProducer } from '../event-producer.service';
import { headersToStrings } from '../envelope';
import { Topic } from '../topics';
import { DeadLetterHeader } from './dead-letter.publisher';

export interface DeadLetter {
  /** `<partition>-<offset>` in the dead-letter topic. */
  id: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  code: string;
  reason: string;
  sourceTopic: string;
  group: string;
  failedAt: string;
  attempts: number;
  replayTopic: string;
  replayGroup: string;
}

export interface DeadLetterFilter {
  ids?: string[];
  since?: Date;
  until?: Date;
  code?: string;
  sourceTopic?: string;
  limit?: number;
}

function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.ids?.length && !filter.ids.includes(letter.id)) return false;
  const failed = Date.parse(letter.failedAt);
  if (filter.since && failed < filter.since.getTime()) return false;
  if (filter.until && failed > filter.until.getTime()) return false;
  if (filter.code && letter.code !== filter.code) return false;
  if (filter.sourceTopic && letter.sourceTopic !== filter.sourceTopic) return false;
  return true;
}

/** How far a read of the dead-letter topic is: records read, of the records it holds. */
export type DeadLetterProgress = (read: number, total: number) => void;

/**
 * Reads the dead-letter topic and puts letters back through the pipeline. Reading uses a throw-away
 * consumer group that commits nothing, so listing never changes what the next list shows.
 */
export class DeadLetterStore {
  constructor(
    private readonly kafka: KafkaClient,
    private readonly producer: EventProducer,
  ) {}

  static forBrokers(brokers: string[], producer: EventProducer): DeadLetterStore {
    return new DeadLetterStore(
      createKafkaClient({ clientId: 'lienthong-dlq', brokers, security: producer.security }),
      producer,
    );
  }

  /**
   * The letters matching `filter`, read up to the end of each partition as it was when the call began:
   * it returns as soon as every partition is read (batches of control records only count too), and
   * `onProgress` hears how many of the records to read have been read.
   */
  async list(filter: DeadLetterFilter = {}, onProgress?: DeadLetterProgress): Promise<DeadLetter[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topic.DeadLetter).finally(() => admin.disconnect());
    const pending = new Map(
      ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
    );
    const total = ends.reduce((sum, p) => sum + Math.max(0, Number(p.high) - Number(p.low)), 0);
    let read = 0;
    const letters: DeadLetter[] = [];
    if (pending.size === 0) return letters;
    onProgress?.(0, total);
    const consumer = this.kafka.consumer({ groupId: `lienthong-dlq-reader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [Topic.DeadLetter], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('reading the dead-letter topic timed out')), 60_000);
        const reached = (partition: number, lastOffset: number) => {
          if (lastOffset + 1 >= (pending.get(partition) ?? 0)) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        // also fired for a batch holding only control records, which eachMessage never sees
        consumer.onBatchEnd((batch) => {
          if (batch.topic === Topic.DeadLetter) reached(batch.partition, Number(batch.lastOffset));
        });
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const headers = headersToStrings(message.headers);
              const letter: DeadLetter = {
                id: `${partition}-${message.offset}`,
                key: message.key?.toString('utf8') ?? null,
                value: message.value,
                headers,
                code: headers[DeadLetterHeader.Code] ?? '',
                reason: headers[DeadLetterHeader.Reason] ?? '',
                sourceTopic: headers[DeadLetterHeader.SourceTopic] ?? '',
                group: headers[DeadLetterHeader.ConsumerGroup] ?? '',
                failedAt: headers[DeadLetterHeader.FailedAt] ?? '',
                attempts: Number(headers[DeadLetterHeader.Attempts] ?? 0),
                replayTopic:
                  headers[DeadLetterHeader.ReplayTopic] ?? headers[DeadLetterHeader.SourceTopic] ?? '',
                replayGroup:
                  headers[DeadLetterHeader.ReplayGroup] ?? headers[DeadLetterHeader.ConsumerGroup] ?? '',
              };
              if (matches(letter, filter)) letters.push(letter);
              read += 1;
              onProgress?.(Math.min(read, total), total);
              reached(partition, Number(message.offset));
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    const offset = (letter: DeadLetter) => letter.id.split('-').map(Number) as [number, number];
    letters.sort((a, b) => {
      const [pa, oa] = offset(a);
      const [pb, ob] = offset(b);
      // within a partition (one key lives in one) offsets are the order of failure
      return pa === pb ? oa - ob : a.failedAt.localeCompare(b.failedAt) || pa - pb;
    });
    return filter.limit ? letters.slice(0, filter.limit) : letters;
  }

  /**
   * Sends each letter's original key, value and headers to its replay topic, addressed to the consumer
   * group that gave up on it (other groups of the topic skip it). Returns what was replayed.
   */
  async replay(
    filter: DeadLetterFilter,
    onProgress?: (replayed: number, total: number, letter: DeadLetter) => void,
  ): Promise<DeadLetter[]> {
    const letters = await this.list(filter);
    for (const [index, letter] of letters.entries()) {
      const original = Object.fromEntries(
        Object.entries(letter.headers).filter(([name]) => !name.startsWith('lgsp-')),
      );
      await this.producer.send(letter.replayTopic, [
        {
          key: letter.key,
          value: letter.value,
          headers: {
            ...original,
            [DeadLetterHeader.ReplayFor]: letter.replayGroup,
            [DeadLetterHeader.ReplayedFrom]: `${Topic.DeadLetter}/${letter.id}`,
          },
        },
      ]);
      onProgress?.(index + 1, letters.length, letter);
    }
    return letters;
  }
}

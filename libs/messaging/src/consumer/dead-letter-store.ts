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

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topic.DeadLetter).finally(() => admin.disconnect());
    const pending = new Map(
      ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
    );
    const letters: DeadLetter[] = [];
    if (pending.size === 0) return letters;
    const consumer = this.kafka.consumer({ groupId: `lienthong-dlq-reader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [Topic.DeadLetter], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('reading the dead-letter topic timed out')), 60_000);
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
              if (Number(message.offset) + 1 >= (pending.get(partition) ?? 0)) pending.delete(partition);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
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
  async replay(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const letters = await this.list(filter);
    for (const letter of letters) {
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
    }
    return letters;
  }
}

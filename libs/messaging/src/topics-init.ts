import { ProcedureCatalogue } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { EventProducer } from './event-producer.service';
import { KafkaAdmin } from './kafka-admin.service';
import { ministryTopic, TOPICS } from './topics';

/**
 * Creates every registry topic and one topic per ministry of the procedure catalogue that does not
 * exist yet (idempotent). Used by `lienthong topics init`, `npm start` and the test and bench stacks.
 */
export async function initTopics(input: {
  brokers: string[];
  partitions: number;
  replicationFactor: number;
  proceduresFile: string;
  extra?: string[];
}): Promise<{ created: string[]; all: string[] }> {
  const ministries = ProcedureCatalogue.load(input.proceduresFile).ministries().map(ministryTopic);
  const extra = [...ministries, ...(input.extra ?? [])];
  const options = {
    brokers: input.brokers,
    clientId: 'lienthong-topics-init',
    sendTimeoutMs: 10_000,
    healthTimeoutMs: 30_000,
    logger: createLogger({ name: 'topics', level: 'warn', destination: process.stderr }),
  };
  const producer = new EventProducer(options);
  const admin = new KafkaAdmin(producer, options);
  try {
    const created = await admin.ensureTopics(
      { partitions: input.partitions, replicationFactor: input.replicationFactor },
      TOPICS,
      extra,
    );
    return { created, all: [...TOPICS.map((topic) => topic.name), ...extra] };
  } finally {
    await admin.onApplicationShutdown();
    await producer.onApplicationShutdown();
  }
}

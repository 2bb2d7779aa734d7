import { createKafkajsClient } from './kafkajs-client';
import type { KafkaClient, KafkaClientOptions } from './ports';

export * from './ports';
export * from './errors';

/** A Kafka client of the project (producers, consumers, admin) for one cluster. */
export function createKafkaClient(options: KafkaClientOptions): KafkaClient {
  return createKafkajsClient(options);
}

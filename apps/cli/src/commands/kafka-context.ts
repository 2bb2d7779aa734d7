import { ConfigError, loadEnv } from '@lienthong/config';
import { EventProducer, KafkaAdmin, kafkaSecurityFromEnv, MessagingOptions } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';

/** A producer and admin client outside Nest, for one-shot operator commands. */
export async function withKafka<T>(
  fn: (kafka: { admin: KafkaAdmin; producer: EventProducer }) => Promise<T>,
  source: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const env = loadEnv(
    ['KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_SEND_TIMEOUT_MS', 'KAFKA_HEALTH_TIMEOUT_MS'],
    { source },
  );
  if (!env.KAFKA_BROKERS) {
    throw new ConfigError(
      'KAFKA_BROKERS is required: run the command beside `npm start` (it finds that stack by itself), or set KAFKA_BROKERS.',
    );
  }
  const options: MessagingOptions = {
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-cli`,
    security: kafkaSecurityFromEnv('cli'),
    sendTimeoutMs: env.KAFKA_SEND_TIMEOUT_MS,
    healthTimeoutMs: Math.max(env.KAFKA_HEALTH_TIMEOUT_MS, 10_000),
    logger: createLogger({ name: 'cli', level: 'warn', destination: process.stderr }),
  };
  const producer = new EventProducer(options);
  const admin = new KafkaAdmin(producer, options);
  try {
    return await fn({ admin, producer });
  } finally {
    await admin.onApplicationShutdown();
    await producer.onApplicationShutdown();
  }
}

import type { INestApplication } from '@nestjs/common';
import { CustomStrategy, KafkaOptions, ServerKafka, Transport } from '@nestjs/microservices';
import { ConsumerStatusRegistry } from './consumer/consumer-status.registry';
import { KeyedBatchServerKafka, RoutedServerKafka } from './consumer/keyed-batch.server';
import { Partitioners } from 'kafkajs';
import type { Consumer, ConsumerCrashEvent } from 'kafkajs';
import { loadEnv } from '@lienthong/config';
import type { AppLogger } from '@lienthong/observability';
import { kafkaConnectionConfig, kafkaLogCreator } from './client/kafkajs-client';
import type { KafkaSecurity } from './kafka-security';

/**
 * Options for a @nestjs/microservices Kafka server that consumes through ReliableConsumer:
 * raw record values (the consumer base parses and validates them itself), the group id exactly as
 * given, a new group starting from the earliest offset so nothing produced before its first start is
 * skipped, and several partitions handled concurrently (order is kept within each partition).
 */
export function kafkaMicroserviceOptions(input: {
  brokers: string[];
  clientId: string;
  groupId: string;
  logger: AppLogger;
  security?: KafkaSecurity;
  partitionsConsumedConcurrently?: number;
  /** KAFKA_SESSION_TIMEOUT_MS; heartbeats go every third of it, at most every 3 s. */
  sessionTimeoutMs?: number;
}): KafkaOptions {
  // unset (a test, say): the settings table's default, which the apps get from their configuration
  const sessionTimeout =
    input.sessionTimeoutMs ?? loadEnv(['KAFKA_SESSION_TIMEOUT_MS'], { source: {} }).KAFKA_SESSION_TIMEOUT_MS;
  return {
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: {
        clientId: input.clientId,
        brokers: input.brokers,
        ...kafkaConnectionConfig(input.security),
        logCreator: kafkaLogCreator(input.logger),
        connectionTimeout: 3000,
        retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
      },
      consumer: {
        groupId: input.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout,
        heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
      },
      producer: { createPartitioner: Partitioners.DefaultPartitioner },
      subscribe: { fromBeginning: true },
      run: { autoCommit: true, partitionsConsumedConcurrently: input.partitionsConsumedConcurrently ?? 6 },
      parser: { keepBinary: true },
    },
  };
}

/**
 * The same server bound to a transport id: a process with several consumer groups runs one server per
 * group, and a handler declared with `@EventPattern(topic, transportId)` runs only in its group.
 * `order: 'key'` hands each fetched batch to the handlers one chain per record key (KeyedBatchServerKafka)
 * instead of one record at a time per partition; `keyed.concurrency` bounds the records it handles at once.
 */
export function kafkaConsumerServer(
  options: KafkaOptions,
  transportId: symbol,
  order: 'partition' | 'key' = 'partition',
  keyed: { concurrency?: number } = {},
): CustomStrategy {
  const server =
    order === 'key'
      ? new KeyedBatchServerKafka(options.options ?? {}, keyed)
      : new RoutedServerKafka(options.options ?? {});
  server.setTransportId(transportId);
  return { strategy: server };
}

/**
 * Connects a Kafka consumer server to a hybrid app (call before `app.listen`); `start()` (after it)
 * starts the consumers in the background: the HTTP side answers (not ready) while Kafka is
 * unreachable, and the first connection is retried until it succeeds or `stop()` is called. The
 * server's status stream feeds readiness under `name`. A consumer kafkajs stopped for good after a
 * crash is started again the same way.
 */
export function connectKafkaConsumers(
  app: INestApplication,
  options: KafkaOptions | CustomStrategy,
  input: { name: string; logger: AppLogger },
): { start(): void; stop(): void } {
  // hold the server itself, so a consumer kafkajs gave up on can be started again
  const strategy: CustomStrategy =
    'strategy' in options ? options : { strategy: new RoutedServerKafka(options.options ?? {}) };
  const server = strategy.strategy as ServerKafka;
  const microservice = app.connectMicroservice(strategy, { inheritAppConfig: true });
  app.get(ConsumerStatusRegistry).track(input.name, microservice.status);
  let stopped = false;
  const listen = async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await microservice.listen();
        restartConsumerKafkajsGaveUpOn();
        return;
      } catch (error) {
        input.logger.warn(
          { err: error, consumer: input.name, attempt },
          'Kafka consumers could not start; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * attempt)));
      }
    }
  };
  // kafkajs workaround 2 (see ./client/kafkajs-client.ts): kafkajs restarts a consumer after retriable
  // errors only; after any other it stays stopped for good and its partitions go unread. Start it
  // again: uncommitted messages are delivered anew.
  const restartConsumerKafkajsGaveUpOn = () => {
    const [, consumer] = server.unwrap<[unknown, Consumer]>();
    consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
      if (event.payload.restart || stopped) return;
      input.logger.error(
        { err: event.payload.error, consumer: input.name },
        'Kafka consumer stopped after an error kafkajs does not retry; starting it again',
      );
      void (async () => {
        await server.close().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await listen();
      })();
    });
  };
  return {
    start: () => void listen(),
    stop: () => {
      stopped = true;
    },
  };
}

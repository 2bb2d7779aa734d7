import { INestMicroservice, Module, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  KafkaAdmin,
  kafkaMicroserviceOptions,
  KeyedBatchServerKafka,
  MessagingModule,
} from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';

/**
 * A microservice on the suite's broker whose `controller` handles a one-partition `topic` (created here)
 * through KeyedBatchServerKafka, as the relay's keyed consumers do; resolves once it listens. Its
 * `EventProducer` sends the suite's records. Close it when done.
 */
export async function startKeyedConsumer(input: {
  controller: Type<unknown>;
  topic: string;
  clientId: string;
  groupId: string;
  concurrency?: number;
  sessionTimeoutMs?: number;
}): Promise<INestMicroservice> {
  const brokers = (process.env.KAFKA_BROKERS as string).split(',');
  const logger = createLogger({ name: 'test', level: 'silent' });
  @Module({
    imports: [
      MessagingModule.forRoot({
        brokers,
        clientId: 'test',
        sendTimeoutMs: 10_000,
        healthTimeoutMs: 10_000,
        logger,
      }),
    ],
    controllers: [input.controller],
  })
  class KeyedConsumerModule {}
  const moduleRef = await Test.createTestingModule({ imports: [KeyedConsumerModule] }).compile();
  const options = kafkaMicroserviceOptions({
    brokers,
    clientId: input.clientId,
    groupId: input.groupId,
    logger,
    sessionTimeoutMs: input.sessionTimeoutMs,
  });
  const microservice = moduleRef.createNestMicroservice({
    strategy: new KeyedBatchServerKafka(options.options ?? {}, { concurrency: input.concurrency }),
  });
  microservice.useLogger(false);
  await microservice
    .get(KafkaAdmin)
    .ensureTopics({ partitions: 1, replicationFactor: 1 }, undefined, [input.topic]);
  await microservice.init();
  await microservice.listen();
  return microservice;
}

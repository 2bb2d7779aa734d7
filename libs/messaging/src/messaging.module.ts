import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConsumerStatusRegistry } from './consumer/consumer-status.registry';
import { DeadLetterPublisher } from './consumer/dead-letter.publisher';
import { ReliableConsumer } from './consumer/reliable-consumer';
import { EventProducer } from './event-producer.service';
import { KafkaAdmin } from './kafka-admin.service';
import { KafkaHealthIndicator } from './kafka.health';
import { Outbox } from './outbox/outbox';
import { CONSUMER_POLICY, ConsumerPolicy, MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';

/** kafkajs behind the project's own module: producer, admin, health, and (with a policy) the consumer base. */
@Global()
@Module({})
export class MessagingModule {
  /**
   * `consumerPolicy` enables the consumer base (ReliableConsumer); `outbox` the transactional outbox,
   * which needs the storage module's Database.
   */
  static forRoot(
    options: MessagingOptions,
    consumerPolicy?: ConsumerPolicy,
    features: { outbox?: boolean } = {},
  ): DynamicModule {
    const consumerProviders = [
      ...(consumerPolicy ? [{ provide: CONSUMER_POLICY, useValue: consumerPolicy }, ReliableConsumer] : []),
      ...(features.outbox ? [Outbox] : []),
    ];
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        EventProducer,
        KafkaAdmin,
        KafkaHealthIndicator,
        ConsumerStatusRegistry,
        DeadLetterPublisher,
        ...consumerProviders,
      ],
      exports: [
        MESSAGING_OPTIONS,
        EventProducer,
        KafkaAdmin,
        KafkaHealthIndicator,
        ConsumerStatusRegistry,
        DeadLetterPublisher,
        ...consumerProviders,
      ],
    };
  }
}

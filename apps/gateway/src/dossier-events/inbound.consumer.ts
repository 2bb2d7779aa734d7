import { Injectable } from '@nestjs/common';
import type { KafkaContext, ServerKafka } from '@nestjs/microservices';
import { inboundTopic, PermanentError, ReliableConsumer } from '@lienthong/messaging';
import { ClientRegistry } from '@lienthong/security';
import { DossierEventsService } from './dossier-events.service';

/** The inbound consumer group: `<KAFKA_CLIENT_ID>-gateway-inbound` (`lienthong-gateway-inbound` by default). */
export function inboundGroupId(kafkaClientId: string): string {
  return `${kafkaClientId}-gateway-inbound`;
}

/** One producing client's inbound topic. */
export interface InboundSubscription {
  topic: string;
  clientId: string;
}

/**
 * Dossier status events a one-stop system produces to its own inbound topic
 * (`lgsp.dossier.inbound.v1.<client id>`, CloudEvents whose data is the event) take the same validation,
 * agency scope and publication as the HTTP path. Kafka does not say who produced a record, so the topic
 * names the client: only that client's principal may write it (broker ACLs), and its events must be of
 * that client's agencies. A refused event goes to the dead-letter topic with its reason, and is audited.
 *
 * The topics come from the client registry, so handlers are added to the Kafka server at start rather
 * than declared with `@EventPattern` (which takes fixed names).
 */
@Injectable()
export class InboundDossierEventsConsumer {
  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly service: DossierEventsService,
    private readonly registry: ClientRegistry,
  ) {}

  /** Every enabled client with a Kafka principal and the dossier.events grant, with its topic. */
  subscriptions(): InboundSubscription[] {
    return this.registry
      .eventProducers()
      .map((client) => ({ topic: inboundTopic(client.id), clientId: client.id }));
  }

  /** Adds a handler per producing client's topic to `server` (of consumer group `group`). */
  bind(server: ServerKafka, group: string): InboundSubscription[] {
    const subscriptions = this.subscriptions();
    for (const { topic, clientId } of subscriptions) {
      server.addHandler(
        topic,
        (_data: unknown, context: KafkaContext) => this.handle(context, clientId, group),
        true,
      );
    }
    return subscriptions;
  }

  handle(context: KafkaContext, clientId: string, group: string): Promise<void> {
    return this.consumer.process(context, { group }, async ({ event, requestId, offset, partition }) => {
      const result = await this.service.ingest([event.data], {
        requestId: requestId ?? `kafka-${partition}-${offset}`,
        path: 'kafka',
        clientId,
      });
      const [outcome] = result.results;
      if (outcome.outcome === 'REJECTED') {
        throw new PermanentError(
          outcome.code,
          outcome.errors.map((error) => `${error.path} ${error.code}: ${error.message}`).join('; '),
        );
      }
    });
  }
}

import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import type { DossierStatusEvent } from '@lienthong/contracts';
import {
  EventProducer,
  ministryTopic,
  PermanentError,
  ReliableConsumer,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import { counter } from '@lienthong/observability';
import { ProcedureCatalogue } from '@lienthong/domain';
import { ROUTING_GROUP_ID, ROUTING_TRANSPORT } from '../relay.transports';

const routed = counter({
  name: 'lgsp_relay_routed_total',
  help: 'Dossier events copied to a ministry topic, by ministry and status',
  labelNames: ['ministry', 'status'] as const,
});

/**
 * Copies each canonical dossier event to its governing ministry's topic, same key (dossier code) and
 * envelope. A partition is handled in order and each copy is acknowledged before the next message, so
 * a ministry sees each dossier's events in order. A procedure the catalogue does not know goes to the
 * dead-letter topic (UNKNOWN_PROCEDURE) and can be replayed once the catalogue has it.
 */
@Controller()
export class MinistryRouterConsumer {
  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly producer: EventProducer,
    private readonly catalogue: ProcedureCatalogue,
  ) {}

  @EventPattern(Topic.DossierStatus, ROUTING_TRANSPORT)
  handle(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<DossierStatusEvent>(
      context,
      { group: ROUTING_GROUP_ID, dataSchema: 'dossier-status-event' },
      async ({ event, key, headers }) => {
        const route = this.catalogue.route(event.data);
        if (!route) {
          throw new PermanentError(
            'UNKNOWN_PROCEDURE',
            `procedure ${event.data.procedureCode} is not in the procedure catalogue`,
          );
        }
        const kept = Object.fromEntries(
          Object.entries(headers).filter(([name]) => name !== 'content-type' && !name.startsWith('lgsp-')),
        );
        await this.producer.send(ministryTopic(route.ministry), [toKafkaMessage(event, key, kept)]);
        routed.inc({ ministry: route.ministry, status: event.data.status });
      },
    );
  }
}

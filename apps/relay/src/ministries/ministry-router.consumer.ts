import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { EVENT_TYPES, schemaIdOf, validate, type DossierStatusEvent } from '@lienthong/contracts';
import {
  createEvent,
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
import { ministryCopy, MinistryPseudonyms } from './ministry-copy';
import { observeMinistryDelivery } from './ministry-delivery.metrics';
import { UnroutedEvents } from './unrouted-events';

const unrouted = counter({
  name: 'lgsp_relay_unrouted_total',
  help: 'Dossier events set aside on lgsp.dossier.unrouted.v1: no ministry routes their procedure (UNKNOWN_PROCEDURE_POLICY=unrouted)',
  labelNames: ['agency'] as const,
});

const routed = counter({
  name: 'lgsp_relay_routed_total',
  help: 'Dossier events copied to a ministry topic, by ministry and status',
  labelNames: ['ministry', 'status'] as const,
});

/**
 * Copies each canonical dossier event to its governing ministry's topic, same key (dossier code) and
 * envelope id (the eventId), with only what that ministry is granted in the procedure catalogue: the
 * applicant by a per-ministry pseudonym unless its identifier is granted (see ministry-copy.ts). A partition is handled in order and each copy is acknowledged before the next message, so
 * a ministry sees each dossier's events in order. A procedure the catalogue does not know is set aside on
 * the unrouted topic when UNKNOWN_PROCEDURE_POLICY=unrouted, and otherwise goes to the dead-letter topic
 * (UNKNOWN_PROCEDURE); either way it can be replayed once the catalogue has it.
 */
@Controller()
export class MinistryRouterConsumer {
  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly producer: EventProducer,
    private readonly catalogue: ProcedureCatalogue,
    private readonly pseudonyms: MinistryPseudonyms,
    private readonly unroutedEvents: UnroutedEvents,
  ) {}

  @EventPattern(Topic.DossierStatus, ROUTING_TRANSPORT)
  handle(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<DossierStatusEvent>(
      context,
      { group: ROUTING_GROUP_ID, dataSchema: 'dossier-status-event' },
      async ({ event, key }) => {
        const route = this.catalogue.route(event.data);
        if (!route && this.unroutedEvents.setAside) {
          // the canonical event unchanged, same key and envelope, for the operator who adds the procedure
          await this.producer.send(Topic.DossierUnrouted, [toKafkaMessage(event, key)]);
          unrouted.inc({ agency: event.data.agencyCode });
          return;
        }
        if (!route) {
          throw new PermanentError(
            'UNKNOWN_PROCEDURE',
            `procedure ${event.data.procedureCode} is not in the procedure catalogue`,
          );
        }
        const data = ministryCopy(event.data, route, this.pseudonyms);
        // built from a valid event, so a mismatch is a defect here: nothing is sent rather than a wrong copy
        const checked = validate('ministry-dossier-status-event', data);
        if (!checked.ok) {
          throw new PermanentError(
            'INVALID_MINISTRY_COPY',
            `the copy for ${route.ministry} breaks its contract: ${checked.errors
              .map((error) => `${error.path || '/'} ${error.code}`)
              .join('; ')}`,
          );
        }
        const copy = createEvent({
          id: event.id,
          type: EVENT_TYPES.ministryDossierStatus,
          source: '/lienthong/relay',
          subject: event.data.dossierCode,
          time: event.time,
          dataschema: schemaIdOf('ministry-dossier-status-event'),
          requestId: event.requestid,
          traceparent: event.traceparent,
          data,
        });
        // only the tracing headers travel on: the ministry gets no more than its contract names
        await this.producer.send(ministryTopic(route.ministry), [toKafkaMessage(copy, key)]);
        routed.inc({ ministry: route.ministry, status: event.data.status });
        observeMinistryDelivery(route.ministry, event.time);
      },
    );
  }
}

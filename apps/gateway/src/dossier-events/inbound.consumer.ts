import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { PermanentError, ReliableConsumer, Topic } from '@lienthong/messaging';
import { DossierEventsService } from './dossier-events.service';

export const INBOUND_GROUP_ID = 'lienthong-gateway-inbound';

/**
 * Dossier status events the one-stop system produces to `lgsp.dossier.inbound.v1` (CloudEvents whose
 * data is the event) take the same validation and publication as the HTTP path. A refused event goes to
 * the dead-letter topic with its reason.
 */
@Controller()
export class InboundDossierEventsConsumer {
  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly service: DossierEventsService,
  ) {}

  @EventPattern(Topic.DossierInbound)
  handle(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process(
      context,
      { group: INBOUND_GROUP_ID },
      async ({ event, requestId, offset, partition }) => {
        const result = await this.service.ingest([event.data], {
          requestId: requestId ?? `kafka-${partition}-${offset}`,
          path: 'kafka',
        });
        const [outcome] = result.results;
        if (outcome.outcome === 'REJECTED') {
          throw new PermanentError(
            outcome.code,
            outcome.errors.map((error) => `${error.path} ${error.code}: ${error.message}`).join('; '),
          );
        }
      },
    );
  }
}

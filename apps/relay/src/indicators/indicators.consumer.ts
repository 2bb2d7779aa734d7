import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { ReliableConsumer, Topic } from '@lienthong/messaging';
import { counter } from '@lienthong/observability';
import { IndicatorStore } from '@lienthong/indicators';
import { INDICATORS_GROUP_ID, INDICATORS_TRANSPORT } from './indicators.transport';

const applied = counter({
  name: 'lgsp_indicator_events_total',
  help: 'Dossier status events seen by the indicator aggregation, by outcome (applied, duplicate)',
  labelNames: ['outcome'] as const,
});

/**
 * Feeds the Decision 766 indicators from the canonical dossier stream: each event is applied to
 * IndicatorStore once (a redelivered event id changes nothing), which re-derives its dossier's facts, so a
 * late event corrects the period its dossier belongs to. A fetched batch is handled one chain per dossier
 * (the relay binds this group with `order: 'key'`), so the store commits many events together. A database
 * failure is retried in place by ReliableConsumer, keeping each dossier's order.
 */
@Controller()
export class IndicatorsConsumer {
  constructor(
    private readonly consumer: ReliableConsumer,
    private readonly store: IndicatorStore,
  ) {}

  @EventPattern(Topic.DossierStatus, INDICATORS_TRANSPORT)
  handle(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<DossierStatusEvent>(
      context,
      { group: INDICATORS_GROUP_ID, dataSchema: 'dossier-status-event' },
      async ({ event }) => {
        const outcome = await this.store.record(event.data);
        applied.inc({ outcome: outcome.applied ? 'applied' : 'duplicate' });
      },
    );
  }
}

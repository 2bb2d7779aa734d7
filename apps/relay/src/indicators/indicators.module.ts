import { Module } from '@nestjs/common';
import { IndicatorMetrics } from './indicator.metrics';
import { IndicatorStore } from './indicator.store';
import { IndicatorsConsumer } from './indicators.consumer';

/**
 * Decision 766 indicators in the relay: the consumer (group lienthong-relay-indicators, connected in
 * bootstrap.ts), the store it feeds and the /metrics gauges. Needs the global StorageModule and
 * MessagingModule of the relay.
 */
@Module({
  controllers: [IndicatorsConsumer],
  providers: [IndicatorStore, IndicatorMetrics],
  exports: [IndicatorStore],
})
export class IndicatorsModule {}

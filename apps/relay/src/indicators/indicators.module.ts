import { DynamicModule, Module } from '@nestjs/common';
import { IndicatorMetrics } from './indicator.metrics';
import { IndicatorStore } from '@lienthong/indicators';
import { IndicatorsConsumer } from './indicators.consumer';

/**
 * Decision 766 indicators in the relay: the store, its /metrics gauges and, with the `indicators` role,
 * the consumer that feeds it (group lienthong-relay-indicators, connected in bootstrap.ts); the
 * `ops-center` role reads the store to build its reports. Needs the global StorageModule and
 * MessagingModule of the relay.
 */
@Module({})
export class IndicatorsModule {
  static forRoot(options: { consume: boolean }): DynamicModule {
    return {
      module: IndicatorsModule,
      controllers: options.consume ? [IndicatorsConsumer] : [],
      providers: [IndicatorStore, IndicatorMetrics],
      exports: [IndicatorStore],
    };
  }
}

import { Module } from '@nestjs/common';
import { IndicatorStore } from '../../../relay/src/indicators/indicator.store';
import { IndicatorsController } from './indicators.controller';

/**
 * GET /v1/indicators: the Decision 766 indicators the relay aggregates, read from the same database
 * (IndicatorStore). Needs the global StorageModule and SecurityModule of the gateway (client authentication
 * and the `indicators.read` grant).
 */
@Module({
  controllers: [IndicatorsController],
  providers: [IndicatorStore],
})
export class IndicatorsModule {}

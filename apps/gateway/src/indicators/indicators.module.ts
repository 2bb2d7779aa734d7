import { Module } from '@nestjs/common';
import { IndicatorStore } from '../../../relay/src/indicators/indicator.store';
import { IndicatorsController } from './indicators.controller';
import { PortalScoreRepository } from './portal-score.repository';

/**
 * GET /v1/indicators: the Decision 766 scores computed from what the relay applied (the portal's formulas by
 * default, the 2022 ones on request), read from the same database. Needs the global StorageModule and
 * SecurityModule of the gateway (client authentication and the `indicators.read` grant).
 */
@Module({
  controllers: [IndicatorsController],
  providers: [IndicatorStore, PortalScoreRepository],
})
export class IndicatorsModule {}

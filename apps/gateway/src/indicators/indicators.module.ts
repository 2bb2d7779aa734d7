import { DynamicModule, Module } from '@nestjs/common';
import type { PublicServicePortal } from '@lienthong/adapters/public-service-portal';
import { IndicatorStore, PortalScoreRepository } from '@lienthong/indicators';
import { IndicatorsController } from './indicators.controller';
import { PORTAL_EVALUATION_CLIENT, PortalEvaluations } from './portal-evaluations';

/**
 * GET /v1/indicators (Decision 766 scores computed from what the relay applied: the portal's formulas by
 * default, the 2022 ones on request) and GET /v1/indicators/reconcile (those scores beside the portal's own
 * evaluation). Needs the global StorageModule and SecurityModule of the gateway.
 */
@Module({
  controllers: [IndicatorsController],
  providers: [IndicatorStore, PortalScoreRepository, PortalEvaluations],
})
export class IndicatorsModule {
  /** With the portal client that reads the portal's own evaluation (null: reconciliation answers 503). */
  static forRoot(portal: () => PublicServicePortal | null): DynamicModule {
    return {
      module: IndicatorsModule,
      providers: [{ provide: PORTAL_EVALUATION_CLIENT, useFactory: portal }],
    };
  }
}

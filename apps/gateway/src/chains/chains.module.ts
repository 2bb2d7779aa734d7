import { DynamicModule, Module } from '@nestjs/common';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import { ChainIndicatorRepository, loadChainDefinitions } from '@lienthong/chains';
import { ChainIndicatorsController } from './chain-indicators.controller';
import { ChainsController } from './chains.controller';
import { CHAIN_DEFINITIONS } from './chains.tokens';

/** Procedure chains: the one-stop system starts and follows them here; the relay runs their steps. */
@Module({})
export class ChainsModule {
  static forRoot(options: { chainsFile: string; proceduresFile: string }): DynamicModule {
    return {
      module: ChainsModule,
      controllers: [ChainsController, ChainIndicatorsController],
      providers: [
        ChainIndicatorRepository,
        {
          provide: CHAIN_DEFINITIONS,
          useFactory: () =>
            loadChainDefinitions(options.chainsFile, loadProcedureCatalogue(options.proceduresFile)),
        },
      ],
    };
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import { readChainDefinitions, ProcedureCatalogue } from '@lienthong/domain';
import { ChainsController } from './chains.controller';
import { CHAIN_DEFINITIONS } from './chains.tokens';

/** Procedure chains: the one-stop system starts and follows them here; the relay runs their steps. */
@Module({})
export class ChainsModule {
  static forRoot(options: { chainsFile: string; proceduresFile: string }): DynamicModule {
    return {
      module: ChainsModule,
      controllers: [ChainsController],
      providers: [
        {
          provide: CHAIN_DEFINITIONS,
          useFactory: () =>
            readChainDefinitions(options.chainsFile, ProcedureCatalogue.load(options.proceduresFile)),
        },
      ],
    };
  }
}

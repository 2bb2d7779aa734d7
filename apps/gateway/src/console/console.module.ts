import { DynamicModule, Module } from '@nestjs/common';
import { IndicatorStore, PortalScoreRepository } from '@lienthong/indicators';
import { ConsoleApiController } from './console-api.controller';
import { ConsoleAssetsController } from './console-assets.controller';
import { ConsoleDataProtection } from './console-data-protection';
import { CONSOLE_SETTINGS, type ConsoleSettings } from './console-settings';
import { ConsoleCertificates } from './console-certificates';
import { ConsoleDeadLetters } from './console-dead-letters';
import { ConsoleDiagnostics } from './console-diagnostics';
import { ConsoleOverview } from './console-overview';
import { ConsolePortalSync } from './console-portal-sync';
import { ConsoleScorecard } from './console-scorecard';
import { ConsoleSessionController } from './console-session.controller';

/**
 * The operations console, served by the gateway on its own port: the page and its bundled assets, sign-in
 * sessions (ConsoleSessions, which SecurityModule installs as the guard's session authenticator), and the
 * read models and actions of its pages. Needs the gateway's global storage, messaging, audit and security
 * modules and the lookup upstreams.
 */
@Module({})
export class ConsoleModule {
  static forRoot(settings: ConsoleSettings): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ConsoleAssetsController, ConsoleSessionController, ConsoleApiController],
      providers: [
        { provide: CONSOLE_SETTINGS, useValue: settings },
        ConsoleOverview,
        ConsoleDeadLetters,
        ConsoleScorecard,
        ConsoleDiagnostics,
        ConsolePortalSync,
        ConsoleDataProtection,
        ConsoleCertificates,
        IndicatorStore,
        PortalScoreRepository,
      ],
    };
  }
}

import { DynamicModule, Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { PaymentPlatformClient } from '@lienthong/adapters/payment-platform';
import { Outbox } from '@lienthong/messaging';
import type { AppLogger } from '@lienthong/observability';
import { Database } from '@lienthong/storage';
import type { GatewayConfig } from '../gateway.config';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';
import { PAYMENT_PLATFORM, PAYMENT_SETTINGS, type PaymentSettings } from './payments.tokens';

class PaymentPlatformCloser implements OnApplicationShutdown {
  constructor(@Inject(PAYMENT_PLATFORM) private readonly platform: PaymentPlatformClient | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.platform?.close();
  }
}

/** Online payment of dossier fees through the national payment platform (PAYMENT_* settings). */
@Module({})
export class PaymentsModule {
  static forRoot(
    config: Pick<
      GatewayConfig,
      | 'PAYMENT_PLATFORM_URL'
      | 'PAYMENT_MERCHANT_CODE'
      | 'PAYMENT_SECRET_KEY'
      | 'PAYMENT_NOTIFY_URL'
      | 'PAYMENT_NOTIFICATION_MAX_AGE_MS'
    >,
    logger: AppLogger,
  ): DynamicModule {
    const settings: PaymentSettings = {
      merchantCode: config.PAYMENT_MERCHANT_CODE,
      secretKey: config.PAYMENT_SECRET_KEY,
      notificationMaxAgeMs: config.PAYMENT_NOTIFICATION_MAX_AGE_MS,
      ...(config.PAYMENT_NOTIFY_URL ? { notifyUrl: config.PAYMENT_NOTIFY_URL } : {}),
    };
    return {
      module: PaymentsModule,
      controllers: [PaymentsController],
      providers: [
        { provide: PAYMENT_SETTINGS, useValue: settings },
        {
          provide: PAYMENT_PLATFORM,
          useFactory: () =>
            config.PAYMENT_PLATFORM_URL
              ? new PaymentPlatformClient({
                  url: config.PAYMENT_PLATFORM_URL,
                  merchantCode: settings.merchantCode,
                  secretKey: settings.secretKey,
                  logger,
                })
              : null,
        },
        {
          provide: PaymentsService,
          inject: [Database, Outbox],
          useFactory: (database: Database, outbox: Outbox) => new PaymentsService(database, outbox, settings),
        },
        PaymentPlatformCloser,
      ],
    };
  }
}

import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import type { PostalClient } from '@lienthong/adapters/postal';
import { Outbox } from '@lienthong/messaging';
import { Database } from '@lienthong/storage';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryStore } from './delivery.store';
import { POSTAL_CLIENT, POSTAL_WEBHOOK_SECRET } from './deliveries.tokens';

/** Postal delivery of dossier results: orders, the operator's tracking callbacks, their counts. */
@Module({})
export class DeliveriesModule implements OnModuleDestroy {
  constructor(@Inject(POSTAL_CLIENT) private readonly postal: PostalClient | null) {}

  async onModuleDestroy(): Promise<void> {
    await this.postal?.close();
  }

  static forRoot(options: { client: () => PostalClient | null; webhookSecret: string }): DynamicModule {
    return {
      module: DeliveriesModule,
      controllers: [DeliveriesController],
      providers: [
        { provide: POSTAL_CLIENT, useFactory: options.client },
        { provide: POSTAL_WEBHOOK_SECRET, useValue: options.webhookSecret },
        {
          provide: DeliveryStore,
          inject: [Database, Outbox],
          useFactory: (db: Database, outbox: Outbox) => new DeliveryStore(db, outbox),
        },
      ],
    };
  }
}

import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditModule } from '@lienthong/audit';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import { ContractsModule } from '@lienthong/contracts';
import { DossierHandoverRepository, DossierStateRepository } from '@lienthong/dossiers';
import { EventProducer, MESSAGING_OPTIONS, Outbox, type OutgoingMessage } from '@lienthong/messaging';
import { createHttpApp, createLogger } from '@lienthong/observability';
import { SecurityModule } from '@lienthong/security';
import { PGLITE_MEMORY, StorageModule } from '@lienthong/storage';
import { EXAMPLE_SUBJECT_KEY } from '../../../../../libs/audit/src/testing/audit-fixtures';
import { NOW } from '../../../../../libs/security/src/testing/security.fixtures';
import { DossierEventsController } from '../dossier-events.controller';
import { DossierEventsService } from '../dossier-events.service';
import { HandoverService } from '../handover.service';
import { IngestRouting } from '../ingest-routing';

/**
 * The dossier-event routes over the project's HTTP app conventions, for specs: the real client registry
 * (`clientsFile`), access policy, audit log, group commit and outbox, on PGlite in memory or on `databaseUrl`,
 * and a producer that keeps what would have gone to Kafka in `published`.
 */
export async function createIngestTestApp(options: {
  clientsFile: string;
  databaseUrl?: string;
  published?: { topic: string; message: OutgoingMessage }[];
}): Promise<NestFastifyApplication> {
  const logger = createLogger({ name: 'dossier-events-spec', level: 'silent' });
  const published = options.published ?? [];

  @Global()
  @Module({
    providers: [
      {
        provide: EventProducer,
        useValue: {
          async send(topic: string, messages: OutgoingMessage[]) {
            for (const message of messages) published.push({ topic, message });
            return [];
          },
        },
      },
      { provide: MESSAGING_OPTIONS, useValue: { brokers: [], clientId: 'spec', logger } },
      // the real outbox and dispatcher, publishing to the producer above
      Outbox,
    ],
    exports: [EventProducer, Outbox],
  })
  class KafkaInMemoryModule {}

  @Module({
    imports: [
      ContractsModule,
      StorageModule.forRoot(
        options.databaseUrl
          ? { url: options.databaseUrl, migrate: true }
          : { pgliteDir: PGLITE_MEMORY, migrate: true },
      ),
      SecurityModule.forRoot({ clientsFile: options.clientsFile, now: () => NOW }),
      KafkaInMemoryModule,
      AuditModule.forRoot({ subjectKey: EXAMPLE_SUBJECT_KEY, publisher: false }),
    ],
    controllers: [DossierEventsController],
    providers: [
      DossierEventsService,
      HandoverService,
      DossierStateRepository,
      DossierHandoverRepository,
      // the shipped catalogue, refusing what it cannot route (the default policy)
      {
        provide: IngestRouting,
        useValue: new IngestRouting(loadProcedureCatalogue('deploy/config/procedures.yaml')),
      },
    ],
  })
  class TestModule {}

  const app = await createHttpApp(TestModule, { logger });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

import { readConfigDocument, readConfiguredFile } from '@lienthong/config';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createPortalClient } from '@lienthong/adapters/public-service-portal';
import { AuditModule } from '@lienthong/audit';
import { ContractsModule } from '@lienthong/contracts';
import { DossierHandoverRepository, DossierStateRepository } from '@lienthong/dossiers';
import { ProcedureCatalogue } from '@lienthong/domain';
import { KafkaHealthIndicator, MessagingModule } from '@lienthong/messaging';
import { AppLogger, HealthController, MetricsController, READINESS_CHECKS } from '@lienthong/observability';
import type { CertificateInUse } from '@lienthong/pki';
import { DossierDirectory, SecurityModule } from '@lienthong/security';
import { SharedRedis, SharedStateModule } from '@lienthong/shared-state';
import { Database, DatabaseHealthIndicator, StorageModule } from '@lienthong/storage';
import { CatalogueStore, LiveCatalogue } from '@lienthong/catalogue';
import { AuditSubjectsModule } from './audit-subjects/audit-subjects.module';
import { ConsoleModule } from './console/console.module';
import { ConsoleSessions } from './console/console-sessions';
import type { GatewayConfig } from './gateway.config';
import { DocsController, OpenApiDocument } from './docs/docs.controller';
import { DocumentsModule } from './documents/documents.module';
import { DossierEventsController } from './dossier-events/dossier-events.controller';
import { DossierEventsService } from './dossier-events/dossier-events.service';
import { HandoverController, HandoverIndicatorsController } from './dossier-events/handover.controller';
import { HandoverService } from './dossier-events/handover.service';
import { IngestRouting, type UnknownProcedurePolicy } from './dossier-events/ingest-routing';
import { InboundDossierEventsConsumer } from './dossier-events/inbound.consumer';
import { IndicatorsModule } from './indicators/indicators.module';
import { InfoController } from './info/info.controller';
import { LookupsModule } from './lookups/lookups.module';
import { ChainsModule } from './chains/chains.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { PostalClient } from '@lienthong/adapters/postal';
import { FeedbackModule } from './feedback/feedback.module';
import { GATEWAY_ROUTE_ACCESS } from './route-access';
import { PaymentsModule } from './payments/payments.module';
import { PaidOnlineSourceModule, type PaidOnlineSource } from '@lienthong/indicators';

@Module({})
export class GatewayModule {
  static forRoot(
    config: GatewayConfig,
    logger: AppLogger,
    certificates: readonly CertificateInUse[] = [],
  ): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        ContractsModule,
        StorageModule.forRoot({
          url: config.DATABASE_URL,
          pgliteDir: config.PGLITE_DIR,
          poolSize: config.DATABASE_POOL_SIZE,
          commitCheckMs: config.DATABASE_COMMIT_CHECK_MS,
          applicationName: 'lienthong-gateway',
          migrate: true,
        }),
        MessagingModule.forRoot(
          {
            brokers: config.KAFKA_BROKERS,
            clientId: `${config.KAFKA_CLIENT_ID}-gateway`,
            security: config.kafkaSecurity,
            sendTimeoutMs: config.KAFKA_SEND_TIMEOUT_MS,
            healthTimeoutMs: config.KAFKA_HEALTH_TIMEOUT_MS,
            logger,
            outbox: { shards: config.OUTBOX_SHARDS },
          },
          {
            maxAttempts: config.CONSUMER_MAX_ATTEMPTS,
            baseDelayMs: config.CONSUMER_RETRY_BASE_MS,
            maxDelayMs: 30_000,
          },
          { outbox: true },
        ),
        // Rate limits and the lookup cache of every instance, when REDIS_URL names a Redis.
        SharedStateModule.forRoot(
          config.REDIS_URL
            ? { url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, logger }
            : undefined,
        ),
        // After StorageModule (and MessagingModule): its shutdown hook writes the queue before they close.
        AuditModule.forRoot({ ...config.audit, logger }),
        SecurityModule.forRoot({
          clientsFile: config.CLIENTS_FILE,
          demoApiKey: config.LGSP_DEMO_API_KEY,
          demoCertificateDer: config.demoCertificateDer,
          forwardedCertificates: config.forwardedCertificates,
          logger,
          routes: GATEWAY_ROUTE_ACCESS,
          dossierDirectory: DossierStateRepository,
          sessions: ConsoleSessions,
        }),
        LookupsModule.forRoot(config, logger),
        AuditSubjectsModule,
        PaidOnlineSourceModule.forRoot(config.PAID_ONLINE_SOURCE as PaidOnlineSource),
        PaymentsModule.forRoot(config, logger),
        ChainsModule.forRoot({ chainsFile: config.CHAINS_FILE, proceduresFile: config.PROCEDURES_FILE }),
        DeliveriesModule.forRoot({
          client: () =>
            config.POSTAL_URL
              ? new PostalClient({
                  url: config.POSTAL_URL,
                  token: config.POSTAL_TOKEN,
                  ca: config.postalCa,
                  logger,
                })
              : null,
          webhookSecret: config.POSTAL_WEBHOOK_SECRET,
        }),
        FeedbackModule.forRoot({
          url: config.FEEDBACK_URL,
          apiKey: config.FEEDBACK_API_KEY,
          ca: readConfiguredFile('FEEDBACK_CA_PATH', config.FEEDBACK_CA_PATH),
          answerWorkingDays: config.FEEDBACK_ANSWER_WORKING_DAYS,
        }),
        DocumentsModule.forRoot({ ...config.audit, pkiDir: config.PKI_DIR, logger }),
        IndicatorsModule.forRoot(() =>
          config.PORTAL_URL ? createPortalClient(config, { ca: config.portalCa, logger }) : null,
        ),
        ConsoleModule.forRoot({
          auditSigningKeyPath: config.audit.signingKeyPath,
          auditSigningKeyPassphrase: config.audit.signingKeyPassphrase,
          certificates,
        }),
      ],
      controllers: [
        InfoController,
        ...(config.docs ? [DocsController] : []),
        HealthController,
        MetricsController,
        DossierEventsController,
        HandoverController,
        HandoverIndicatorsController,
      ],
      providers: [
        DossierEventsService,
        HandoverService,
        // one instance: the access guard's, so a dossier ingest forgets is forgotten where the guard reads it
        { provide: DossierStateRepository, useExisting: DossierDirectory },
        DossierHandoverRepository,
        {
          // the effective catalogue: the synced national catalogue overlaid by PROCEDURES_FILE, reloaded
          provide: LiveCatalogue,
          inject: [Database],
          useFactory: (db: Database) => {
            const local = readConfigDocument(config.PROCEDURES_FILE);
            return new LiveCatalogue(
              ProcedureCatalogue.fromDocument(local.document, local.path),
              local.document,
              new CatalogueStore(db),
              logger,
              config.CATALOGUE_RELOAD_MS,
            );
          },
        },
        {
          provide: IngestRouting,
          inject: [LiveCatalogue],
          useFactory: (live: LiveCatalogue) =>
            new IngestRouting(live.catalogue, config.UNKNOWN_PROCEDURE_POLICY as UnknownProcedurePolicy),
        },
        InboundDossierEventsConsumer,
        OpenApiDocument,
        {
          provide: READINESS_CHECKS,
          inject: [KafkaHealthIndicator, DatabaseHealthIndicator, { token: SharedRedis, optional: true }],
          useFactory: (
            kafka: KafkaHealthIndicator,
            database: DatabaseHealthIndicator,
            redis?: SharedRedis,
          ) => [
            () => kafka.kafka(),
            () => database.isHealthy('database'),
            () => kafka.consumerStatus(),
            // Up even when degraded: without Redis the instance still answers, with per-instance state.
            ...(redis ? [async () => ({ sharedState: { status: 'up' as const, ...redis.status() } })] : []),
          ],
        },
      ],
    };
  }
}

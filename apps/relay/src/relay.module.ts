import { randomUUID } from 'node:crypto';
import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { HealthIndicatorResult, TerminusModule } from '@nestjs/terminus';
import { AuditLog, AuditModule } from '@lienthong/audit';
import { createPortalClient } from '@lienthong/adapters/public-service-portal';
import { ContractsModule } from '@lienthong/contracts';
import { readConfigDocument } from '@lienthong/config';
import { PortalDossierCodesRepository, PortalSyncParking } from '@lienthong/dossiers';
import { KafkaAdmin, KafkaHealthIndicator, MessagingModule, Topic } from '@lienthong/messaging';
import { AppLogger, HealthController, MetricsController, READINESS_CHECKS } from '@lienthong/observability';
import { Database, DatabaseHealthIndicator, StorageModule } from '@lienthong/storage';
import { ProcedureCatalogue } from '@lienthong/domain';
import { UnroutedEvents } from './ministries/unrouted-events';
import {
  CatalogueStore,
  LiveCatalogue,
  loadProcedureCatalogue,
  portalCatalogueReader,
} from '@lienthong/catalogue';
import { CatalogueSyncService } from './catalogue/catalogue-sync.service';
import { ConsumerLagMetrics } from './consumer-lag.metrics';
import { IndicatorsModule } from './indicators/indicators.module';
import { INDICATORS_GROUP_ID } from './indicators/indicators.transport';
import { MinistryPseudonyms } from './ministries/ministry-copy';
import { MinistryRouterConsumer } from './ministries/ministry-router.consumer';
import { operationsCenterRelayParts } from './operations-center/operations-center.relay';
import { PORTAL_CLIENT, PORTAL_SYNC_OPTIONS, PortalSyncConsumer } from './portal/portal-sync.consumer';
import { RELAY_AUDIT_CLIENT_ID, RelayAudit } from './relay-audit';
import { CHAIN_RUNNER_CONFIG, CHAIN_RUNNER_LOGGER, ChainRunnerService } from './chains/chain-runner.service';
import {
  FEEDBACK_POLLER_CONFIG,
  FEEDBACK_POLLER_LOGGER,
  FeedbackPollerService,
} from './feedback/feedback-poller.service';
import { RelayConfig } from './relay.config';
import { PaidOnlineSourceModule, type PaidOnlineSource } from '@lienthong/indicators';
import { PORTAL_GROUP_ID, PORTAL_RETRY_GROUP_ID, ROUTING_GROUP_ID } from './relay.transports';

/**
 * With a database, the relay's catalogue is the effective one (the synced national catalogue overlaid by
 * PROCEDURES_FILE), reloaded every CATALOGUE_RELOAD_MS; with PORTAL_URL (OpenCPS-era dialect) and
 * CATALOGUE_SYNC_INTERVAL_MS above 0 it also syncs the national catalogue. Ministry routing alone reads the
 * synced catalogue on PostgreSQL (DATABASE_URL) and syncs nothing; on embedded PGlite it has no database and
 * routes by PROCEDURES_FILE.
 */
function catalogueProviders(config: RelayConfig, logger: AppLogger, readOnly: boolean): Provider[] {
  const sync =
    !readOnly && config.CATALOGUE_SYNC_INTERVAL_MS > 0
      ? portalCatalogueReader(config, {
          ca: config.portalCa,
          logger,
          concurrency: config.CATALOGUE_SYNC_CONCURRENCY,
        })
      : undefined;
  return [
    {
      provide: LiveCatalogue,
      inject: [ProcedureCatalogue, Database],
      useFactory: (catalogue: ProcedureCatalogue, db: Database) =>
        new LiveCatalogue(
          catalogue,
          readConfigDocument(config.PROCEDURES_FILE).document,
          new CatalogueStore(db),
          logger,
          config.CATALOGUE_RELOAD_MS,
        ),
    },
    ...(sync
      ? [
          {
            provide: CatalogueSyncService,
            inject: [LiveCatalogue, Database, AuditLog],
            useFactory: (live: LiveCatalogue, db: Database, auditLog: AuditLog) =>
              new CatalogueSyncService(
                sync.reader,
                new CatalogueStore(db),
                live,
                config.CATALOGUE_SYNC_INTERVAL_MS,
                logger,
                sync.close,
                // one record per sync, as every other upstream call of the relay
                async (entry) => {
                  await auditLog.record({
                    ...entry,
                    requestId: `catalogue-sync-${randomUUID()}`,
                    clientId: RELAY_AUDIT_CLIENT_ID,
                    subject: { kind: 'NONE' },
                  });
                },
              ),
          },
        ]
      : []),
  ];
}

@Module({})
export class RelayModule {
  static forRoot(config: RelayConfig, logger: AppLogger): DynamicModule {
    const { roles } = config;
    const routing = roles.has('ministry-routing');
    const portalSync = roles.has('portal-sync');
    const operationsCenter = roles.has('ops-center')
      ? operationsCenterRelayParts(config, logger)
      : { controllers: [], providers: [], lagGroups: [] };
    // ministry routing alone keeps no state and audits nothing: such a process opens no database
    const withDatabase = roles.needsDatabase;
    const audit = config.audit;
    // ...except on PostgreSQL, where it reads the synced procedure catalogue (and nothing else) from it
    const catalogueOnly = !(withDatabase && audit) && routing && Boolean(config.DATABASE_URL);
    const stateful: DynamicModule[] =
      (withDatabase && audit) || catalogueOnly
        ? [
            StorageModule.forRoot({
              url: config.DATABASE_URL,
              pgliteDir: config.PGLITE_DIR,
              poolSize: catalogueOnly ? 2 : config.DATABASE_POOL_SIZE,
              commitCheckMs: config.DATABASE_COMMIT_CHECK_MS,
              applicationName: 'lienthong-relay',
              // the catalogue reader migrates nothing: until the tables exist it routes by PROCEDURES_FILE
              migrate: !catalogueOnly,
            }),
          ]
        : [];
    const lagGroups = [
      ...(routing ? [{ groupId: ROUTING_GROUP_ID, topics: [Topic.DossierStatus] }] : []),
      ...(roles.has('indicators') ? [{ groupId: INDICATORS_GROUP_ID, topics: [Topic.DossierStatus] }] : []),
      ...(portalSync
        ? [
            { groupId: PORTAL_GROUP_ID, topics: [Topic.DossierStatus] },
            { groupId: PORTAL_RETRY_GROUP_ID, topics: [Topic.DossierStatusRetry] },
          ]
        : []),
      ...operationsCenter.lagGroups,
    ];
    const roleCheck = async (): Promise<HealthIndicatorResult> => ({
      relay: { status: 'up', roles: [...roles.list] },
    });
    return {
      module: RelayModule,
      imports: [
        PaidOnlineSourceModule.forRoot(config.PAID_ONLINE_SOURCE as PaidOnlineSource | undefined),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        ContractsModule,
        ...stateful,
        MessagingModule.forRoot(
          {
            brokers: config.KAFKA_BROKERS,
            clientId: `${config.KAFKA_CLIENT_ID}-relay`,
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
          // the chains role publishes chain events through the outbox, beside the gateway's dispatchers
          { outbox: roles.has('chains') },
        ),
        // After StorageModule and MessagingModule: its shutdown hook writes the queue before they close.
        ...(withDatabase && audit
          ? [
              AuditModule.forRoot({ ...audit, eventSource: '/lienthong/relay', logger }),
              ...(roles.has('indicators') || roles.has('ops-center')
                ? [IndicatorsModule.forRoot({ consume: roles.has('indicators') })]
                : []),
            ]
          : []),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ...(routing ? [MinistryRouterConsumer] : []),
        ...(portalSync ? [PortalSyncConsumer] : []),
        ...(operationsCenter.controllers as Type[]),
      ],
      providers: [
        { provide: ProcedureCatalogue, useValue: loadProcedureCatalogue(config.PROCEDURES_FILE) },
        ...((withDatabase && audit) || catalogueOnly
          ? catalogueProviders(config, logger, catalogueOnly)
          : []),
        ...(withDatabase
          ? [
              {
                provide: RelayAudit,
                inject: [AuditLog],
                useFactory: (auditLog: AuditLog) => new RelayAudit(auditLog, logger),
              },
            ]
          : []),
        ...(routing
          ? [
              {
                provide: MinistryPseudonyms,
                useValue: new MinistryPseudonyms(config.MINISTRY_PSEUDONYM_KEY),
              },
              {
                provide: UnroutedEvents,
                useValue: new UnroutedEvents(config.UNKNOWN_PROCEDURE_POLICY as 'refuse' | 'unrouted'),
              },
            ]
          : []),
        ...(operationsCenter.providers as Provider[]),
        ...(roles.has('chains')
          ? [
              { provide: CHAIN_RUNNER_CONFIG, useValue: config },
              { provide: CHAIN_RUNNER_LOGGER, useValue: logger },
              ChainRunnerService,
            ]
          : []),
        ...(roles.has('feedback')
          ? [
              { provide: FEEDBACK_POLLER_CONFIG, useValue: config },
              { provide: FEEDBACK_POLLER_LOGGER, useValue: logger },
              FeedbackPollerService,
            ]
          : []),
        ...(portalSync
          ? [
              PortalSyncParking,
              {
                provide: PORTAL_CLIENT,
                inject: [Database],
                // PORTAL_DIALECT picks the client; the token dialect keeps the portal's codes in the database
                useFactory: (database: Database) =>
                  createPortalClient(config, {
                    ca: config.portalCa,
                    logger,
                    dossierCodes: new PortalDossierCodesRepository(database),
                  }),
              },
              {
                provide: PORTAL_SYNC_OPTIONS,
                useValue: {
                  maxAttempts: config.PORTAL_SYNC_MAX_ATTEMPTS,
                  baseDelayMs: config.PORTAL_RETRY_BASE_MS,
                  maxDelayMs: config.PORTAL_RETRY_MAX_MS,
                  logger,
                },
              },
            ]
          : []),
        {
          provide: ConsumerLagMetrics,
          inject: [KafkaAdmin],
          useFactory: (admin: KafkaAdmin) => new ConsumerLagMetrics(admin, lagGroups),
        },
        withDatabase
          ? {
              provide: READINESS_CHECKS,
              inject: [KafkaHealthIndicator, DatabaseHealthIndicator],
              useFactory: (kafka: KafkaHealthIndicator, database: DatabaseHealthIndicator) => [
                roleCheck,
                () => kafka.kafka(),
                () => database.isHealthy('database'),
                () => kafka.consumerStatus(),
              ],
            }
          : {
              provide: READINESS_CHECKS,
              inject: [KafkaHealthIndicator],
              useFactory: (kafka: KafkaHealthIndicator) => [
                roleCheck,
                () => kafka.kafka(),
                () => kafka.consumerStatus(),
              ],
            },
      ],
    };
  }
}

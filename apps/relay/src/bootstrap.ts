import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectKafkaConsumers, kafkaConsumerServer, kafkaMicroserviceOptions } from '@lienthong/messaging';
import { AppLogger, collectProcessMetrics, createHttpApp, createLogger } from '@lienthong/observability';
import { certificatesInUse, registerCertificateExpiryMetrics } from '@lienthong/pki';
import { loadRelayConfig, RelayConfig } from './relay.config';
import {
  PORTAL_GROUP_ID,
  PORTAL_RETRY_GROUP_ID,
  PORTAL_RETRY_TRANSPORT,
  PORTAL_TRANSPORT,
  ROUTING_GROUP_ID,
  ROUTING_TRANSPORT,
} from './relay.transports';
import { RelayModule } from './relay.module';
import { INDICATORS_GROUP_ID, INDICATORS_TRANSPORT } from './indicators/indicators.transport';
import {
  OPERATIONS_CENTER_GROUP_ID,
  OPERATIONS_CENTER_RETRY_GROUP_ID,
  OPERATIONS_CENTER_RETRY_TRANSPORT,
  OPERATIONS_CENTER_TRANSPORT,
} from './operations-center/operations-center.transports';

export interface RunningRelay {
  app: NestFastifyApplication;
  url: string;
  config: RelayConfig;
  close(): Promise<void>;
}

/**
 * The relay: Kafka consumers (@nestjs/microservices) plus a small HTTP server for /health and /metrics,
 * in one hybrid Nest application. RELAY_ROLES chooses which consumer roles this process runs.
 */
export async function startRelay(
  options: { env?: NodeJS.ProcessEnv; logger?: AppLogger } = {},
): Promise<RunningRelay> {
  const config = loadRelayConfig(options.env);
  const logger = options.logger ?? createLogger({ name: 'relay', level: config.LOG_LEVEL });
  collectProcessMetrics('relay');
  registerCertificateExpiryMetrics(certificatesInUse(options.env ?? process.env));
  const app = await createHttpApp(RelayModule.forRoot(config, logger), { logger });
  const { roles } = config;
  const server = (
    name: string,
    groupId: string,
    transportId: symbol,
    order: 'partition' | 'key' = 'partition',
    keyed: { concurrency?: number } = {},
  ) =>
    kafkaConsumerServer(
      kafkaMicroserviceOptions({
        brokers: config.KAFKA_BROKERS,
        clientId: `${config.KAFKA_CLIENT_ID}-relay-${name}`,
        groupId,
        logger,
        security: config.kafkaSecurity,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
      }),
      transportId,
      order,
      keyed,
    );
  const consumers: { start(): void; stop(): void }[] = [];
  const connect = (name: string, strategy: ReturnType<typeof server>) =>
    consumers.push(connectKafkaConsumers(app, strategy, { name, logger }));
  if (roles.has('ministry-routing')) {
    // copying to a ministry topic needs per-dossier order only: a batch's copies travel together
    connect('ministries', server('ministries', ROUTING_GROUP_ID, ROUTING_TRANSPORT, 'key'));
  }
  if (roles.has('indicators')) {
    // the store derives a dossier's facts from all its events, so a batch is applied together, one chain per
    // dossier, its events committed in a few transactions (IndicatorStore's group commit)
    connect('indicators', server('indicators', INDICATORS_GROUP_ID, INDICATORS_TRANSPORT, 'key'));
  }
  if (roles.has('portal-sync')) {
    // a batch at a time too, one chain per dossier, a bounded number of portal calls at once
    connect(
      'portal-sync',
      server('portal', PORTAL_GROUP_ID, PORTAL_TRANSPORT, 'key', {
        concurrency: config.PORTAL_SYNC_CONCURRENCY,
      }),
    );
    connect('portal-retry', server('portal-retry', PORTAL_RETRY_GROUP_ID, PORTAL_RETRY_TRANSPORT));
  }
  if (roles.has('ops-center')) {
    connect(
      'operations-center',
      server('operations-center', OPERATIONS_CENTER_GROUP_ID, OPERATIONS_CENTER_TRANSPORT),
    );
    connect(
      'operations-center-retry',
      server('operations-center-retry', OPERATIONS_CENTER_RETRY_GROUP_ID, OPERATIONS_CENTER_RETRY_TRANSPORT),
    );
  }
  for (const role of config.rolesOff) {
    logger.warn(
      role === 'portal-sync'
        ? 'PORTAL_URL is not set: portal sync is off'
        : 'OPERATIONS_CENTER_URL is not set: operations-center reporting is off',
    );
  }
  await app.listen(config.RELAY_PORT, config.HOST);
  for (const consumer of consumers) consumer.start();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.RELAY_PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, roles: roles.list }, 'relay listening');
  return {
    app,
    url,
    config,
    close: async () => {
      for (const consumer of consumers) consumer.stop();
      await app.close();
    },
  };
}

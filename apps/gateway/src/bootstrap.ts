import { captureCallbackBodies } from './deliveries/raw-callback-body';
import helmet from 'helmet';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppLogger, collectProcessMetrics, createHttpApp, createLogger } from '@lienthong/observability';
import { certificatesInUse, registerCertificateExpiryMetrics } from '@lienthong/pki';
import { connectKafkaConsumers, kafkaMicroserviceOptions, RoutedServerKafka } from '@lienthong/messaging';
import { OpenApiDocument } from './docs/docs.controller';
import { GatewayConfig, loadGatewayConfig } from './gateway.config';
import { inboundGroupId, InboundDossierEventsConsumer } from './dossier-events/inbound.consumer';
import { GatewayModule } from './gateway.module';

export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Liên Thông gateway API')
    .setDescription(
      'Provincial integration gateway (LGSP): lookups in the national databases, dossier status events, ' +
        'reuse store and operations endpoints. Errors are RFC 9457 problem+json with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config);
}

export interface RunningGateway {
  app: NestFastifyApplication;
  /** The gateway's main listener: `https://` when PORT serves HTTPS, `http://` otherwise. */
  url: string;
  /** The HTTPS listener's base URL, when HTTPS is configured (equal to `url` when PORT serves HTTPS). */
  httpsUrl?: string;
  config: GatewayConfig;
  logger: AppLogger;
  close(): Promise<void>;
}

/**
 * The headers helmet sets, with its defaults. They depend on its options only, so helmet runs once here and every
 * answer gets the recorded set: running its middleware chain for each request cost about 3% of a cached lookup.
 */
function helmetHeaders(): Map<string, string> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

/** Builds and starts the gateway; used by main.ts, the all-in-one local host and the tests. */
export async function startGateway(
  options: { env?: NodeJS.ProcessEnv; logger?: AppLogger } = {},
): Promise<RunningGateway> {
  const config = loadGatewayConfig(options.env);
  const logger = options.logger ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  collectProcessMetrics('gateway');
  // one list for the expiry metric and the console's certificates page
  const certificates = certificatesInUse(options.env ?? process.env);
  registerCertificateExpiryMetrics(certificates);
  const app = await createHttpApp(GatewayModule.forRoot(config, logger, certificates), {
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
    // Without a port of its own, HTTPS replaces plain HTTP on PORT.
    https: config.tls && config.tls.port === undefined ? config.tls.server : undefined,
  });
  captureCallbackBodies(app.getHttpAdapter().getInstance(), config.HTTP_BODY_LIMIT_BYTES);
  // Security headers on every answer, errors and 404s included. The docs page loads only its own scripts.
  const securityHeaders = helmetHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      reply.raw.setHeaders(securityHeaders);
      done();
    });
  if (config.docs) app.get(OpenApiDocument).document = buildOpenApi(app);
  // One handler per producing client's inbound topic; without any, no inbound consumer runs.
  const group = inboundGroupId(config.KAFKA_CLIENT_ID);
  const server = new RoutedServerKafka(
    kafkaMicroserviceOptions({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-gateway-consumer`,
      groupId: group,
      logger,
      security: config.kafkaSecurity,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    }).options ?? {},
  );
  const inbound = app.get(InboundDossierEventsConsumer).bind(server, group);
  const consumers =
    inbound.length > 0
      ? connectKafkaConsumers(app, { strategy: server }, { name: 'gateway-inbound', logger })
      : undefined;
  logger.info({ topics: inbound.map((subscription) => subscription.topic) }, 'inbound dossier topics');
  await app.listen(config.PORT, config.HOST);
  const secondary = config.tls?.port !== undefined ? await listenHttps(app, config) : undefined;
  consumers?.start();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const scheme = config.tls && config.tls.port === undefined ? 'https' : 'http';
  const url = `${scheme}://${config.HOST}:${port}`;
  const httpsUrl = secondary
    ? `https://${config.HOST}:${(secondary.address() as AddressInfo).port}`
    : scheme === 'https'
      ? url
      : undefined;
  logger.info({ url, httpsUrl, clientCertificates: config.tls?.clientCertificates }, 'gateway listening');
  return {
    app,
    url,
    httpsUrl,
    config,
    logger,
    close: async () => {
      consumers?.stop();
      if (secondary) {
        secondary.closeAllConnections();
        await new Promise<void>((resolve) => secondary.close(() => resolve()));
      }
      await app.close();
    },
  };
}

/**
 * The HTTPS listener beside the plain one (GATEWAY_TLS_PORT): a second server handing its requests to
 * the same Fastify router, so both ports serve the same routes, hooks and guards.
 */
async function listenHttps(app: NestFastifyApplication, config: GatewayConfig): Promise<HttpsServer> {
  const tls = config.tls!;
  const fastify = app.getHttpAdapter().getInstance();
  const server = createHttpsServer(tls.server, (request, response) => fastify.routing(request, response));
  server.keepAliveTimeout = fastify.initialConfig.keepAliveTimeout ?? 72_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(tls.port, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

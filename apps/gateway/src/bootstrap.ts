import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppLogger, collectProcessMetrics, createHttpApp, createLogger } from '@lienthong/observability';
import { GatewayConfig, loadGatewayConfig } from './gateway.config';
import { INBOUND_GROUP_ID } from './dossier-events/inbound.consumer';
import { GatewayModule } from './gateway.module';
import { connectKafkaConsumers, kafkaMicroserviceOptions } from '@lienthong/messaging';

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
  url: string;
  config: GatewayConfig;
  logger: AppLogger;
  close(): Promise<void>;
}

/** Builds and starts the gateway; used by main.ts, the all-in-one local host and the tests. */
export async function startGateway(
  options: { env?: NodeJS.ProcessEnv; logger?: AppLogger } = {},
): Promise<RunningGateway> {
  const config = loadGatewayConfig(options.env);
  const logger = options.logger ?? createLogger({ name: 'gateway', level: config.LOG_LEVEL });
  collectProcessMetrics('gateway');
  const app = await createHttpApp(GatewayModule.forRoot(config, logger), {
    logger,
    bodyLimit: config.HTTP_BODY_LIMIT_BYTES,
  });
  SwaggerModule.setup('docs', app, buildOpenApi(app), {
    jsonDocumentUrl: 'docs/json',
    ui: false,
    raw: ['json'],
  });
  const consumers = connectKafkaConsumers(
    app,
    kafkaMicroserviceOptions({
      brokers: config.KAFKA_BROKERS,
      clientId: `${config.KAFKA_CLIENT_ID}-gateway-consumer`,
      groupId: INBOUND_GROUP_ID,
      logger,
      security: config.kafkaSecurity,
    }),
    { name: 'gateway-inbound', logger },
  );
  await app.listen(config.PORT, config.HOST);
  consumers.start();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url }, 'gateway listening');
  return {
    app,
    url,
    config,
    logger,
    close: async () => {
      consumers.stop();
      await app.close();
    },
  };
}

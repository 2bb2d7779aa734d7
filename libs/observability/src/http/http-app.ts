import { randomUUID } from 'node:crypto';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { AppLogger, NestPinoLogger } from '../logger';
import { histogram, LATENCY_BUCKETS } from '../metrics';
import { ProblemFilter } from './problem';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const httpDuration = histogram({
  name: 'lgsp_http_request_duration_seconds',
  help: 'HTTP request duration by route template and status',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: LATENCY_BUCKETS,
});

/** The request id: the caller's X-Request-Id when it is well-formed, otherwise a new UUID. */
export function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export interface HttpAppOptions {
  logger: AppLogger;
  bodyLimit?: number;
  /** Serve HTTPS with these options instead of plain HTTP. */
  https?: HttpsServerOptions;
}

/**
 * A NestJS application on Fastify with the conventions every Liên Thông HTTP server shares:
 * X-Request-Id accepted or generated and echoed, one log line per failed request, a duration
 * histogram per route, and problem+json for every error.
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (request: IncomingMessage) => requestIdOf(request),
    requestIdHeader: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    ...(options.https ? { https: options.https } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new NestPinoLogger(options.logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // callback hooks rather than async ones: no promise per request on every route
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    try {
      const route = request.routeOptions?.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
      if (reply.statusCode >= 400) {
        options.logger.info(
          {
            requestId: request.id,
            method: request.method,
            route,
            status: reply.statusCode,
            ms: Math.round(reply.elapsedTime),
          },
          'request completed with an error status',
        );
      } else if (options.logger.isLevelEnabled('debug')) {
        options.logger.debug(
          {
            requestId: request.id,
            method: request.method,
            route,
            status: reply.statusCode,
            ms: Math.round(reply.elapsedTime),
          },
          'request completed',
        );
      }
    } finally {
      done();
    }
  });
  app.useGlobalFilters(new ProblemFilter(options.logger));
  return app;
}

export type { INestApplication };

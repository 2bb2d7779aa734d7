import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';

/** The checks readiness runs, provided by each app (Kafka, database, consumers, …). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(READINESS_CHECKS) private readonly checks: HealthIndicatorFunction[],
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers. Checks nothing else.' })
  live() {
    return { status: 'ok' };
  }

  @Get('probe')
  @ApiOperation({
    summary: 'Readiness for orchestrators: 200 or 503, with no detail (the same checks as /health/ready).',
  })
  async probe(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      await this.health.check(this.checks);
      return { status: 'ok' };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return { status: 'error' };
    }
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      "Readiness: Kafka (describeCluster within a timeout), the database and this process's consumers.",
    description: '200 when every component is up; 503 naming the failing component in `error` otherwise.',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return await this.health.check(this.checks);
    } catch (error) {
      // Readiness keeps the health-check body (status, info, error, details) that probes and
      // dashboards read, rather than the problem+json used for API errors.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse();
    }
  }
}

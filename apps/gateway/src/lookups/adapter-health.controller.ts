import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { LookupUpstreams } from './lookup-upstreams';
import { ADAPTER_HEALTH_RESPONSE } from './lookups.openapi';

/**
 * The upstream adapters' state, on its own path: readiness (/health/ready) does not depend on them, so an
 * upstream outage never takes the gateway out of its load balancer (lookups of that upstream answer 503, or
 * stale, meanwhile).
 */
@ApiTags('operations')
@Controller('health')
export class AdapterHealthController {
  constructor(@Inject(LookupUpstreams) private readonly upstreams: LookupUpstreams) {}

  @Get('adapters')
  @ApiOperation({
    summary: 'Each upstream adapter: circuit state, recent latency (p50/p99) and error rate',
    description:
      'Always 200. `configured: false` for an upstream whose URL is not set. The window is the last minute ' +
      '(at most 512 calls); calls refused by an open circuit are not upstream calls and do not count.',
  })
  @ApiResponse({ status: 200, schema: ADAPTER_HEALTH_RESPONSE })
  adapters() {
    return { adapters: this.upstreams.health() };
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';

/** The root of the API points newcomers at what they can look at. */
@Controller()
export class InfoController {
  @Get()
  @ApiExcludeEndpoint()
  index() {
    return {
      name: 'Liên Thông provincial integration gateway',
      docs: '/docs',
      openapi: '/docs/json',
      health: { live: '/health/live', ready: '/health/ready' },
      metrics: '/metrics',
    };
  }
}

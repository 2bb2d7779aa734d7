import { DynamicModule, Module } from '@nestjs/common';
import type { AppLogger } from '@lienthong/observability';
import { SharedRedis } from '@lienthong/shared-state';
import type { GatewayConfig } from '../gateway.config';
import { AdapterHealthController } from './adapter-health.controller';
import { GATEWAY_LOGGER, LookupAuditor, LookupDenialFilter } from './lookup-audit';
import { LookupCache } from './lookup-cache';
import { LookupUpstreams } from './lookup-upstreams';
import { LOOKUP_SETTINGS, LookupService, type LookupSettings } from './lookup.service';
import { LookupsController } from './lookups.controller';

/**
 * The lookup API over the upstream adapters, with its cache (in Redis when the app provides a
 * {@link SharedRedis}), audit and adapter health. Needs the security
 * module (callers, policy, rate limit) and the audit module. Global: the auditor and the denial filter serve
 * the audit-subjects endpoint too.
 */
@Module({})
export class LookupsModule {
  static forRoot(config: GatewayConfig, logger: AppLogger): DynamicModule {
    const settings: LookupSettings = {
      validityMs: {
        population: config.POPULATION_VALIDITY_MS,
        'business-registry': config.BUSINESS_REGISTRY_VALIDITY_MS,
        land: config.LAND_VALIDITY_MS,
      },
    };
    return {
      module: LookupsModule,
      global: true,
      controllers: [LookupsController, AdapterHealthController],
      providers: [
        { provide: GATEWAY_LOGGER, useValue: logger },
        { provide: LOOKUP_SETTINGS, useValue: settings },
        { provide: LookupUpstreams, useFactory: () => LookupUpstreams.fromConfig(config, logger) },
        {
          provide: LookupCache,
          inject: [{ token: SharedRedis, optional: true }],
          useFactory: (redis?: SharedRedis) =>
            new LookupCache({
              maxEntries: config.LOOKUP_CACHE_MAX_ENTRIES,
              staleMaxAgeMs: config.LOOKUP_STALE_MAX_AGE_MS,
              ...(redis && config.lookupCacheKey ? { shared: { redis, secret: config.lookupCacheKey } } : {}),
            }),
        },
        LookupAuditor,
        LookupDenialFilter,
        LookupService,
      ],
      exports: [GATEWAY_LOGGER, LookupAuditor, LookupDenialFilter, LookupUpstreams, LookupService],
    };
  }
}

import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppLogger } from '@lienthong/observability';
import { AccessPolicy } from './access-policy';
import { ClientRegistry, withDemoClient } from './client-registry';
import type { RateLimit } from './clients.types';
import type { ForwardedCertificates } from './forwarded-certificate';
import { LookupGuard } from './lookup.guard';
import { RateLimiter, type Clock } from './rate-limiter';

export interface SecurityModuleOptions {
  /** clients.yaml: absolute, or relative to the repository root (default deploy/config/clients.yaml). */
  clientsFile?: string;
  /** When set, the demo client (every service, purpose and field) is added with this API key. */
  demoApiKey?: string;
  /** The demo client's client certificate (DER), pinned by fingerprint; only with demoApiKey. */
  demoCertificateDer?: Buffer;
  /** Rate limit of the demo client; unlimited when absent (benchmarks run through it). */
  demoRateLimit?: RateLimit;
  logger?: AppLogger;
  /** Wall clock for API key expiry (ms since the epoch). */
  now?: () => number;
  /** Monotonic clock for the rate limiter (ms). */
  clock?: Clock;
  /** Client certificates forwarded by trusted TLS-terminating proxies (GATEWAY_TRUSTED_PROXIES). */
  forwardedCertificates?: ForwardedCertificates;
}

export const SECURITY_OPTIONS = 'lienthong:security-options';

/**
 * Callers and policy for the HTTP apps: loads clients.yaml at start (an invalid file stops the start with
 * every problem listed) and provides ClientRegistry, AccessPolicy, RateLimiter and LookupGuard everywhere.
 */
@Global()
@Module({})
export class SecurityModule {
  static forRoot(options: SecurityModuleOptions = {}): DynamicModule {
    return {
      module: SecurityModule,
      providers: [
        { provide: SECURITY_OPTIONS, useValue: options },
        { provide: ClientRegistry, useFactory: () => createClientRegistry(options) },
        {
          provide: AccessPolicy,
          inject: [ClientRegistry],
          useFactory: (registry: ClientRegistry) => new AccessPolicy(registry),
        },
        {
          provide: RateLimiter,
          inject: [ClientRegistry],
          useFactory: (registry: ClientRegistry) => new RateLimiter(registry, options.clock),
        },
        LookupGuard,
      ],
      exports: [SECURITY_OPTIONS, ClientRegistry, AccessPolicy, RateLimiter, LookupGuard],
    };
  }
}

/** The registry as SecurityModule builds it: the file, plus the demo client when a demo key is given. */
export function createClientRegistry(options: SecurityModuleOptions): ClientRegistry {
  const registry = ClientRegistry.load(options.clientsFile, {
    logger: options.logger,
    now: options.now,
    forwardedCertificates: options.forwardedCertificates,
  });
  if (options.demoApiKey === undefined) return registry;
  options.logger?.warn(
    { clientId: 'demo' },
    'demo client registered: it may use every service, purpose and field (local runs only)',
  );
  return withDemoClient(registry, options.demoApiKey, {
    rateLimit: options.demoRateLimit,
    certificateDer: options.demoCertificateDer,
  });
}

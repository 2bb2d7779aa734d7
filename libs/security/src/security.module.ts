import { DynamicModule, Global, Module, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppLogger } from '@lienthong/observability';
import { AccessGuard, DossierDirectory, ROUTE_ACCESS, type RouteAccess } from './access.guard';
import { AccessPolicy } from './access-policy';
import { ClientRegistry, withDemoClient } from './client-registry';
import type { RateLimit } from './clients.types';
import type { ForwardedCertificates } from './forwarded-certificate';
import { SharedRedis } from '@lienthong/shared-state';
import { RateLimiter, type Clock } from './rate-limiter';
import { SessionAuthenticator } from './session-authenticator';
import { SharedRateLimits } from './shared-rate-limits';

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
  /** The public routes and the role routes; every other route needs its service. Default: none of either. */
  routes?: RouteAccess;
  /** Where the guard looks up a dossier a lookup or search declares (the app's dossier store). */
  dossierDirectory?: Type<DossierDirectory>;
  /** Client certificates forwarded by trusted TLS-terminating proxies (GATEWAY_TRUSTED_PROXIES). */
  forwardedCertificates?: ForwardedCertificates;
  /** Browser sessions (the operations console) the guard accepts besides API keys and certificates. */
  sessions?: Type<SessionAuthenticator>;
}

export const SECURITY_OPTIONS = 'lienthong:security-options';

/**
 * Callers and policy for the HTTP apps: loads clients.yaml at start (an invalid file stops the start with
 * every problem listed), provides ClientRegistry, AccessPolicy and RateLimiter everywhere (its buckets
 * shared through Redis when the app provides a {@link SharedRedis}), and installs
 * AccessGuard as the app's global guard: every HTTP route is denied unless public, a role route or a
 * granted service.
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
          inject: [ClientRegistry, { token: SharedRedis, optional: true }],
          useFactory: (registry: ClientRegistry, redis?: SharedRedis) =>
            new RateLimiter(
              registry,
              options.clock,
              redis ? { store: new SharedRateLimits(redis), redis } : undefined,
            ),
        },
        { provide: ROUTE_ACCESS, useValue: options.routes ?? { public: [], roles: {} } },
        ...(options.dossierDirectory
          ? [{ provide: DossierDirectory, useClass: options.dossierDirectory } satisfies Provider]
          : []),
        ...(options.sessions ? [{ provide: SessionAuthenticator, useClass: options.sessions }] : []),
        AccessGuard,
        { provide: APP_GUARD, useExisting: AccessGuard },
      ],
      exports: [
        SECURITY_OPTIONS,
        ClientRegistry,
        AccessPolicy,
        RateLimiter,
        AccessGuard,
        ...(options.dossierDirectory ? [DossierDirectory] : []),
        ...(options.sessions ? [SessionAuthenticator] : []),
      ],
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

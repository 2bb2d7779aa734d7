import { isAbsolute, resolve } from 'node:path';
import type { OnApplicationShutdown } from '@nestjs/common';
import {
  EXCHANGE_SERVICE_CODES,
  exchangeDispatcher,
  type AdapterHealth,
  type ExchangePlatform,
  type ResilienceOptions,
  type UpstreamRoute,
} from '@lienthong/adapters/common';
import type { Dispatcher } from 'undici';
import {
  BUSINESS_REGISTRY_PATHS,
  BusinessRegistryAdapter,
  BusinessRegistryClient,
} from '@lienthong/adapters/business-registry';
import { LandAdapter, LandClient } from '@lienthong/adapters/land';
import {
  PopulationAdapter,
  PopulationClient,
  populationClientOptionsFromDevPki,
} from '@lienthong/adapters/population';
import { ConfigError, readConfiguredFile, repoRoot } from '@lienthong/config';
import type { AppLogger } from '@lienthong/observability';
import type { GatewayConfig } from '../gateway.config';

/** The upstreams behind the lookup API, by the name the audit record and the metrics use. */
export type UpstreamName = 'population' | 'business-registry' | 'land';

export const UPSTREAM_NAMES: readonly UpstreamName[] = ['population', 'business-registry', 'land'];

interface UpstreamAdapters {
  population?: PopulationAdapter;
  'business-registry'?: BusinessRegistryAdapter;
  land?: LandAdapter;
}

/** What `GET /health/adapters` lists for one upstream. */
export type AdapterHealthEntry =
  ({ configured: true } & AdapterHealth) | { adapter: UpstreamName; configured: false };

/**
 * Where an upstream is and what the gateway shows it: its URL, the CAs it trusts for it, the client
 * certificate it presents (mutual TLS), and how it authenticates. The console's connection check uses it.
 */
export interface UpstreamTarget {
  name: UpstreamName;
  url: string;
  /** CA certificates trusted for the upstream's TLS certificate (PEM); undefined: the system's. */
  ca?: string | string[];
  /** The gateway's client certificate and key for mutual TLS (PEM). */
  clientCertificate?: { cert: string; key: string };
  /** Certificates trusted to have signed the upstream's answers (PEM; population). */
  signers?: string | string[];
  /** How the gateway authenticates to it. */
  authentication: 'mtls-signature' | 'oauth2' | 'api-key' | 'none';
  /** OAuth2 client credentials (business registry). */
  oauth2?: { tokenUrl: string; clientId: string; clientSecret: string };
}

/** The upstream settings of the gateway configuration. */
export type UpstreamConfig = Pick<
  GatewayConfig,
  | 'PKI_DIR'
  | 'POPULATION_URL'
  | 'POPULATION_CLIENT_KEY_PATH'
  | 'POPULATION_CLIENT_CERT_PATH'
  | 'POPULATION_CA_PATH'
  | 'POPULATION_SIGNING_CERT_PATH'
  | 'POPULATION_TIMEOUT_MS'
  | 'POPULATION_VALIDITY_MS'
  | 'BUSINESS_REGISTRY_URL'
  | 'BUSINESS_REGISTRY_CLIENT_ID'
  | 'BUSINESS_REGISTRY_CLIENT_SECRET'
  | 'BUSINESS_REGISTRY_TIMEOUT_MS'
  | 'BUSINESS_REGISTRY_VALIDITY_MS'
  | 'BUSINESS_REGISTRY_CA_PATH'
  | 'LAND_URL'
  | 'LAND_API_KEY'
  | 'LAND_TIMEOUT_MS'
  | 'LAND_VALIDITY_MS'
  | 'LAND_CA_PATH'
  | 'POPULATION_ROUTE'
  | 'BUSINESS_REGISTRY_ROUTE'
  | 'LAND_ROUTE'
  | 'NDXP_URL'
  | 'NDXP_CLIENT_ID'
  | 'NDXP_API_KEY'
  | 'NDXP_CA_PATH'
  | 'NDOP_URL'
  | 'NDOP_CLIENT_ID'
  | 'NDOP_API_KEY'
  | 'NDOP_CA_PATH'
  | 'UPSTREAM_RETRIES'
  | 'UPSTREAM_CIRCUIT_FAILURES'
  | 'UPSTREAM_CIRCUIT_HALF_OPEN_MS'
>;

/**
 * The lookup clients of the configured upstreams, built once at start from the environment (an upstream
 * whose URL is unset is simply absent: its lookups answer 503 UPSTREAM_NOT_CONFIGURED). Nothing is sent at
 * start, so the gateway starts while an upstream is down. Connection pools are closed at shutdown.
 */
export class LookupUpstreams implements OnApplicationShutdown {
  constructor(
    private readonly adapters: UpstreamAdapters,
    /** Suggested wait after an upstream failure (the circuit's half-open delay), in ms. */
    readonly retryAfterMs: number,
    private readonly closers: (() => Promise<void>)[] = [],
    private readonly targetList: readonly UpstreamTarget[] = [],
  ) {}

  /** Builds the clients from the configuration; unreadable key material stops the start (ConfigError). */
  static fromConfig(config: UpstreamConfig, logger?: AppLogger): LookupUpstreams {
    const adapters: UpstreamAdapters = {};
    const closers: (() => Promise<void>)[] = [];
    const targets: UpstreamTarget[] = [];
    const resilience = (timeoutMs: number): Partial<ResilienceOptions> => ({
      timeoutMs,
      retries: config.UPSTREAM_RETRIES,
      breaker: { kind: 'consecutive', failures: config.UPSTREAM_CIRCUIT_FAILURES },
      halfOpenAfterMs: config.UPSTREAM_CIRCUIT_HALF_OPEN_MS,
    });
    /** The dispatcher of an upstream routed through an exchange platform (closed at shutdown), else none. */
    const routed = (name: UpstreamName, timeoutMs: number): { dispatcher?: Dispatcher } => {
      const platform = exchangePlatform(config, routeOf(config, name));
      if (!platform) return {};
      const dispatcher = exchangeDispatcher(platform, EXCHANGE_SERVICE_CODES[name], {
        connections: 64,
        connectTimeoutMs: timeoutMs,
        maxResponseBytes: 4 * 1024 * 1024,
      });
      closers.push(() => dispatcher.close());
      return { dispatcher };
    };
    if (config.POPULATION_URL) {
      const options = populationClientOptions(config, {
        resilience: resilience(config.POPULATION_TIMEOUT_MS),
        validityTtlMs: config.POPULATION_VALIDITY_MS,
        logger,
      });
      const client = new PopulationClient({
        ...options,
        ...routed('population', config.POPULATION_TIMEOUT_MS),
      });
      adapters.population = client;
      targets.push({
        name: 'population',
        url: config.POPULATION_URL,
        ca: options.tls.ca,
        clientCertificate: { cert: options.tls.cert, key: options.tls.key },
        signers: options.upstreamSigningCertificates,
        authentication: 'mtls-signature',
      });
      closers.push(() => client.close());
    }
    if (config.BUSINESS_REGISTRY_URL) {
      const ca = pem(config.BUSINESS_REGISTRY_CA_PATH, 'BUSINESS_REGISTRY_CA_PATH');
      const client = new BusinessRegistryClient({
        baseUrl: config.BUSINESS_REGISTRY_URL,
        clientId: config.BUSINESS_REGISTRY_CLIENT_ID,
        clientSecret: config.BUSINESS_REGISTRY_CLIENT_SECRET,
        resilience: resilience(config.BUSINESS_REGISTRY_TIMEOUT_MS),
        validityTtlMs: config.BUSINESS_REGISTRY_VALIDITY_MS,
        ca,
        logger,
        ...routed('business-registry', config.BUSINESS_REGISTRY_TIMEOUT_MS),
      });
      adapters['business-registry'] = client;
      targets.push({
        name: 'business-registry',
        url: config.BUSINESS_REGISTRY_URL,
        ca,
        authentication: 'oauth2',
        oauth2: {
          tokenUrl: `${config.BUSINESS_REGISTRY_URL.replace(/\/+$/, '')}${BUSINESS_REGISTRY_PATHS.token}`,
          clientId: config.BUSINESS_REGISTRY_CLIENT_ID,
          clientSecret: config.BUSINESS_REGISTRY_CLIENT_SECRET,
        },
      });
      closers.push(() => client.close());
    }
    if (config.LAND_URL) {
      const ca = pem(config.LAND_CA_PATH, 'LAND_CA_PATH');
      const client = new LandClient({
        baseUrl: config.LAND_URL,
        apiKey: config.LAND_API_KEY,
        resilience: resilience(config.LAND_TIMEOUT_MS),
        validityTtlMs: config.LAND_VALIDITY_MS,
        ca,
        logger,
        ...routed('land', config.LAND_TIMEOUT_MS),
      });
      adapters.land = client;
      targets.push({
        name: 'land',
        url: config.LAND_URL,
        ca,
        authentication: config.LAND_API_KEY ? 'api-key' : 'none',
      });
      closers.push(() => client.close());
    }
    return new LookupUpstreams(adapters, config.UPSTREAM_CIRCUIT_HALF_OPEN_MS, closers, targets);
  }

  /** The configured upstreams: where they are and how the gateway connects and authenticates to them. */
  targets(): readonly UpstreamTarget[] {
    return this.targetList;
  }

  population(): PopulationAdapter | undefined {
    return this.adapters.population;
  }

  businessRegistry(): BusinessRegistryAdapter | undefined {
    return this.adapters['business-registry'];
  }

  land(): LandAdapter | undefined {
    return this.adapters.land;
  }

  /** Circuit state, recent latency and error rate of every upstream, unconfigured ones included. */
  health(): AdapterHealthEntry[] {
    return UPSTREAM_NAMES.map((name): AdapterHealthEntry => {
      const adapter = this.adapters[name];
      return adapter
        ? { ...adapter.health(), adapter: name, configured: true }
        : { adapter: name, configured: false };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.closers.map((close) => close()));
  }
}

/**
 * Population client options: each PEM path that is set is read, each one left unset falls back to the
 * development PKI in PKI_DIR (the gateway certificate for mutual TLS and request signing, the dev CA, the
 * pinned `population-signer`).
 */
function populationClientOptions(
  config: UpstreamConfig,
  overrides: Parameters<typeof populationClientOptionsFromDevPki>[2],
): ReturnType<typeof populationClientOptionsFromDevPki> {
  const endpoint = config.POPULATION_URL as string;
  const explicit = {
    key: pem(config.POPULATION_CLIENT_KEY_PATH, 'POPULATION_CLIENT_KEY_PATH'),
    cert: pem(config.POPULATION_CLIENT_CERT_PATH, 'POPULATION_CLIENT_CERT_PATH'),
    ca: pem(config.POPULATION_CA_PATH, 'POPULATION_CA_PATH'),
    signer: pem(config.POPULATION_SIGNING_CERT_PATH, 'POPULATION_SIGNING_CERT_PATH'),
  };
  const complete = Object.values(explicit).every((value) => value !== undefined);
  let base: ReturnType<typeof populationClientOptionsFromDevPki>;
  if (complete) {
    base = {
      endpoint,
      tls: { key: explicit.key!, cert: explicit.cert!, ca: explicit.ca! },
      requestSigning: { privateKey: explicit.key!, certificatePem: explicit.cert! },
      upstreamSigningCertificates: explicit.signer!,
    };
  } else {
    try {
      base = populationClientOptionsFromDevPki(fromRepoRoot(config.PKI_DIR), endpoint);
    } catch (error) {
      throw new ConfigError(
        `invalid configuration:\n  - POPULATION_URL is set but the population client's key material is incomplete: set POPULATION_CLIENT_KEY_PATH, POPULATION_CLIENT_CERT_PATH, POPULATION_CA_PATH and POPULATION_SIGNING_CERT_PATH, or create the development PKI in PKI_DIR (${(error as Error).message})`,
      );
    }
  }
  const key = explicit.key ?? base.tls.key;
  const cert = explicit.cert ?? base.tls.cert;
  return {
    ...base,
    tls: { key, cert, ca: explicit.ca ?? base.tls.ca },
    requestSigning: { privateKey: key, certificatePem: cert },
    upstreamSigningCertificates: explicit.signer ?? base.upstreamSigningCertificates,
    ...overrides,
  };
}

function pem(path: string | undefined, name: string): string | undefined {
  return readConfiguredFile(name, path);
}

function fromRepoRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(repoRoot(), path);
}

function routeOf(config: UpstreamConfig, name: UpstreamName): UpstreamRoute {
  const route =
    name === 'population'
      ? config.POPULATION_ROUTE
      : name === 'business-registry'
        ? config.BUSINESS_REGISTRY_ROUTE
        : config.LAND_ROUTE;
  return (route ?? 'direct') as UpstreamRoute;
}

/**
 * The exchange platform of a route from its NDXP_* or NDOP_* settings, or undefined for `direct`. A route
 * naming a platform whose URL or credential is unset stops the start (ConfigError).
 */
export function exchangePlatform(config: UpstreamConfig, route: UpstreamRoute): ExchangePlatform | undefined {
  if (route === 'direct') return undefined;
  const settings =
    route === 'ndxp'
      ? {
          url: config.NDXP_URL,
          clientId: config.NDXP_CLIENT_ID,
          apiKey: config.NDXP_API_KEY,
          ca: config.NDXP_CA_PATH,
        }
      : {
          url: config.NDOP_URL,
          clientId: config.NDOP_CLIENT_ID,
          apiKey: config.NDOP_API_KEY,
          ca: config.NDOP_CA_PATH,
        };
  const prefix = route.toUpperCase();
  const missing = [
    ...(settings.url ? [] : [`${prefix}_URL`]),
    ...(settings.apiKey ? [] : [`${prefix}_API_KEY`]),
  ];
  if (missing.length) {
    throw new ConfigError(`an upstream is routed through ${prefix}, which needs ${missing.join(' and ')}`);
  }
  return {
    name: route,
    url: settings.url as string,
    clientId: settings.clientId ?? 'lienthong',
    apiKey: settings.apiKey as string,
    ca: pem(settings.ca, `${prefix}_CA_PATH`),
  };
}

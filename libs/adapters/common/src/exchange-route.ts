import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { upstreamPool } from './upstream-http';

/**
 * The national platforms an upstream can be reached through instead of directly: the national data exchange
 * platform (NDXP) and, for mandatory sharing under Decree 278/2025/NĐ-CP, the national data orchestration
 * platform run by the Ministry of Public Security (NDOP). Neither publishes its interface; what is modelled
 * here is the common shape of such platforms (X-Road style): one endpoint per platform, the upstream named by
 * a service code in the path, the calling member identified and authenticated by headers of its own, and a
 * transaction id per exchange for the platform's tracing. Header names, path layout and credential kind are
 * assumptions kept in this one place.
 */
export type ExchangePlatformName = 'ndxp' | 'ndop';
export type UpstreamRoute = 'direct' | ExchangePlatformName;

export interface ExchangePlatform {
  name: ExchangePlatformName;
  /** Base URL of the platform's service endpoint; the service code and the upstream's path follow it. */
  url: string;
  /** Liên Thông's member (client) id on the platform. */
  clientId: string;
  /** The credential the platform issued to that member. */
  apiKey: string;
  /** PEM CA certificate(s) the platform's TLS server certificate must chain to. */
  ca?: string | string[];
}

/** The platform service code of each upstream (assumed: the databases' usual short names). */
export const EXCHANGE_SERVICE_CODES = {
  population: 'CSDLQG_DAN_CU',
  'business-registry': 'CSDLQG_DKDN',
  land: 'CSDLQG_DAT_DAI',
} as const;

/** The headers a platform reads, by platform: `x-ndxp-client`, `x-ndxp-key`, ... */
export function exchangeHeaderNames(platform: ExchangePlatformName) {
  return {
    client: `x-${platform}-client`,
    key: `x-${platform}-key`,
    service: `x-${platform}-service`,
    transaction: `x-${platform}-transaction`,
  };
}

type Headers = Dispatcher.DispatchOptions['headers'];

/** `headers` (an object or undici's flat [name, value, ...] array) with `extra` added. */
function withHeaders(headers: Headers, extra: Record<string, string>): Headers {
  if (Array.isArray(headers)) return [...(headers as string[]), ...Object.entries(extra).flat()];
  return { ...(headers as Record<string, string> | undefined), ...extra };
}

/**
 * A dispatcher that sends an upstream client's requests through an exchange platform: to the platform's
 * origin, the path prefixed with the platform's path and the upstream's service code, with the member's
 * identification, credential, the service code and a fresh transaction id added. The upstream's own
 * authentication (bearer token, API key, signed XML) travels unchanged inside, end to end. Closing it closes
 * its connection pool.
 */
export function exchangeDispatcher(
  platform: ExchangePlatform,
  serviceCode: string,
  pool: { connections: number; connectTimeoutMs: number; maxResponseBytes: number },
): Dispatcher {
  const base = new URL(platform.url);
  const prefix = `${base.pathname.replace(/\/+$/, '')}/${encodeURIComponent(serviceCode)}`;
  const names = exchangeHeaderNames(platform.name);
  return upstreamPool(base.origin, {
    ...pool,
    connect: platform.ca ? { ca: platform.ca } : undefined,
  }).compose(
    (dispatch) => (options, handler) =>
      dispatch(
        {
          ...options,
          origin: base.origin,
          path: `${prefix}${options.path}`,
          headers: withHeaders(options.headers, {
            [names.client]: platform.clientId,
            [names.key]: platform.apiKey,
            [names.service]: serviceCode,
            [names.transaction]: randomUUID(),
          }),
        },
        handler,
      ),
  );
}

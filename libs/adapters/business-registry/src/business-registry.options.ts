import type { Dispatcher } from 'undici';
import type { UpstreamClientOptions } from '@lienthong/adapters/common';

/** Besides these: resilience, connections, logger, clock (UpstreamClientOptions). */
export interface BusinessRegistryClientOptions extends UpstreamClientOptions {
  /** Base URL of the registry's API, e.g. `http://127.0.0.1:9301` (a path prefix is kept). */
  baseUrl: string;
  /** Token endpoint; default `<baseUrl>/oauth2/token`. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** OAuth 2.0 scope to ask for; none by default. */
  scope?: string;
  /** How long an answer may be relied upon: provenance.validUntil = retrievedAt + this (default 7 days). */
  validityTtlMs?: number;
  /** A token is renewed this long before it expires (default 30 s, at most a tenth of its lifetime). */
  tokenRefreshMarginMs?: number;
  /** Used instead of the client's own connection pool for the data calls (tests: an undici MockAgent). */
  dispatcher?: Dispatcher;
}

export const BUSINESS_REGISTRY_CLIENT_DEFAULTS = Object.freeze({
  validityTtlMs: 7 * 24 * 3_600_000,
  tokenRefreshMarginMs: 30_000,
  connections: 64,
  maxResponseBytes: 1024 * 1024,
});

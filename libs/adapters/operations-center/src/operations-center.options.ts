import type { UpstreamClientOptions } from '@lienthong/adapters/common';

/** Besides these: resilience, connections, logger, clock, dispatcher (UpstreamClientOptions). */
export interface OperationsCenterClientOptions extends UpstreamClientOptions {
  /** Base URL of the operations center's API, e.g. `http://127.0.0.1:4005` (a path prefix is kept). */
  baseUrl: string;
  /** Token endpoint; default `<baseUrl>/oauth2/token`. */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** OAuth 2.0 scope to ask for; none by default. */
  scope?: string;
  /** A token is renewed this long before it expires (default 30 s, at most a tenth of its lifetime). */
  tokenRefreshMarginMs?: number;
}

export const OPERATIONS_CENTER_CLIENT_DEFAULTS = Object.freeze({
  tokenRefreshMarginMs: 30_000,
  /** Reports are rare: a few connections are plenty. */
  connections: 4,
  maxResponseBytes: 256 * 1024,
  /** Lifetime assumed when the token endpoint omits `expires_in`. */
  defaultTokenLifetimeMs: 300_000,
});

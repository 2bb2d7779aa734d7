import type { UpstreamClientOptions } from '@lienthong/adapters/common';

/** Besides these: resilience, connections, logger, clock, dispatcher (UpstreamClientOptions). */
export interface LandClientOptions extends UpstreamClientOptions {
  /** Base URL of the land database's lookup service, e.g. `http://127.0.0.1:9302` (a path prefix is kept). */
  baseUrl: string;
  /** Sent as `X-Api-Key` when the service requires one. */
  apiKey?: string;
  /** How long an answer may be relied upon: provenance.validUntil = retrievedAt + this (default 24 h). */
  validityTtlMs?: number;
}

export const LAND_CLIENT_DEFAULTS = Object.freeze({
  validityTtlMs: 24 * 3_600_000,
  connections: 64,
  maxResponseBytes: 2 * 1024 * 1024,
});

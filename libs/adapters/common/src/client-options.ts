import type { Dispatcher } from 'undici';
import type { AppLogger } from '@lienthong/observability';
import type { ResilienceOptions } from './resilience';

/** Options every upstream lookup client takes, besides its own. */
export interface UpstreamClientOptions {
  /** Overrides of DEFAULT_RESILIENCE. */
  resilience?: Partial<ResilienceOptions>;
  /**
   * PEM CA certificate(s) the upstream's TLS server certificate must chain to, instead of the system's
   * trust store (a pinned CA).
   */
  ca?: string | string[];
  /** Keep-alive connections to the upstream (default 64). */
  connections?: number;
  logger?: AppLogger;
  clock?: () => Date;
  /** Used instead of the client's own connection pool (tests: an undici MockAgent). */
  dispatcher?: Dispatcher;
}

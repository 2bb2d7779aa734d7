import { counter, histogram, LATENCY_BUCKETS } from '@lienthong/observability';

/** Outcome label of one HTTP exchange with the portal. */
export type PortalOutcome =
  'ok' | 'refused' | 'session_expired' | 'rate_limited' | 'unavailable' | 'rejected' | 'auth_failed';

export const portalRequestDuration = histogram({
  name: 'lgsp_portal_request_duration_seconds',
  help: 'Duration of HTTP exchanges with the National Public Service Portal, by service (or login) and outcome',
  labelNames: ['service', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const portalExchangeErrors = counter({
  name: 'lgsp_portal_errors_total',
  help:
    'Failed or refused exchanges with the National Public Service Portal, by service and code: a non-zero ' +
    'error_code, HTTP_<status>, TIMEOUT, NETWORK or MALFORMED',
  labelNames: ['service', 'code'] as const,
});

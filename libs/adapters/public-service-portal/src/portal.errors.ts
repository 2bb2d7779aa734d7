import { UpstreamError, UpstreamErrorDetails, UpstreamErrors } from '@lienthong/adapters/common';
import { redactText } from '@lienthong/observability';
import type { PortalOperation } from './portal.wire';

/** The portal's verdict on one item of a call. */
export interface PortalItemRejection {
  dossierCode: string | null;
  portalErrorCode: number | undefined;
  message: string;
}

/** What a portal error may say beyond the shared details. */
export interface PortalErrorDetails extends UpstreamErrorDetails {
  /** The call that failed; unset when the failure came before any call (the policy refused it). */
  operation?: PortalOperation;
  /** The portal's non-zero error_code, when it gave one. */
  portalErrorCode?: number;
  /** PORTAL_REJECTED: the portal's message, redacted. */
  portalMessage?: string;
  /** PORTAL_REJECTED: the portal's verdict on each item of the call. */
  items?: readonly PortalItemRejection[];
}

export type PortalErrorCode =
  'PORTAL_UNAVAILABLE' | 'PORTAL_RATE_LIMITED' | 'PORTAL_REJECTED' | 'INVALID_EVENT' | 'PORTAL_AUTH_FAILED';

/**
 * The public service portal adapter's codes in the shared upstream error family. The relay parks a transient
 * one (`isTransientUpstreamError`) for as long as `upstreamRetryAfterMs` says, and dead-letters any other.
 * Messages carry codes and the portal's own message with ID-shaped numbers redacted, never request data.
 *
 * UNAVAILABLE reasons: NETWORK, TIMEOUT, HTTP_STATUS (5xx, 408), MALFORMED (not the portal's JSON, or too
 * large), SESSION_REJECTED (a fresh session refused at once), PORTAL_ERROR (an error_code listed in
 * PORTAL_RETRYABLE_CODES), CODE_STORE (token dialect: the store of the portal's dossier codes failed); and,
 * with code PORTAL_RATE_LIMITED and `retryAfterMs`, HTTP_429, CIRCUIT_OPEN, BULKHEAD_FULL (slow down).
 */
export const portalErrors = new UpstreamErrors<PortalErrorCode, PortalErrorDetails>({
  adapter: 'public-service-portal',
  upstream: 'portal',
  codes: {
    PORTAL_UNAVAILABLE: 'UNAVAILABLE',
    /** Slow down: the portal answered 429, or the circuit is open or the bulkhead full (not attempted). */
    PORTAL_RATE_LIMITED: 'UNAVAILABLE',
    /** The portal refused the data or the request (a non-zero error_code, a 4xx other than 401/403/408/429). */
    PORTAL_REJECTED: 'INVALID_REQUEST',
    /** The event cannot be expressed in the portal's format, or would carry the applicant's personal ID. */
    INVALID_EVENT: 'INVALID_REQUEST',
    /** Login refused: wrong credentials or destination code. */
    PORTAL_AUTH_FAILED: 'AUTHENTICATION',
  },
  message: redactText,
});

/** An error of the portal adapter. */
export type PortalError = UpstreamError<PortalErrorCode, UpstreamError['kind'], PortalErrorDetails>;

/** The portal could not be reached or did not answer usably. */
export function portalUnavailable(
  operation: PortalOperation | undefined,
  reason: string,
  message: string,
  details: { status?: number; portalErrorCode?: number } = {},
  options?: { cause?: unknown },
): PortalError {
  return portalErrors.error('PORTAL_UNAVAILABLE', message, { ...details, reason, operation }, options);
}

/** Slow down for `retryAfterMs`: the portal asked (HTTP_429), or the call was not attempted. */
export function portalSlowDown(
  operation: PortalOperation | undefined,
  retryAfterMs: number,
  reason: 'HTTP_429' | 'CIRCUIT_OPEN' | 'BULKHEAD_FULL' = 'HTTP_429',
): PortalError {
  return portalErrors.error(
    'PORTAL_RATE_LIMITED',
    reason === 'HTTP_429'
      ? `portal rate limited ${operation ?? 'the call'}; retry after ${retryAfterMs} ms`
      : `portal ${reason === 'CIRCUIT_OPEN' ? 'circuit open' : 'bulkhead full'}; the call was not attempted; retry after ${retryAfterMs} ms`,
    { reason, retryAfterMs, operation },
  );
}

/** True for a slow-down the portal itself asked for (HTTP 429). */
export function isAnsweredSlowDown(error: unknown): error is PortalError {
  return (
    portalErrors.owns(error) && error.code === 'PORTAL_RATE_LIMITED' && error.details.reason === 'HTTP_429'
  );
}

/** The portal refused the data or the request, or the event cannot be sent (code INVALID_EVENT). */
export function portalRejected(
  operation: PortalOperation | undefined,
  portalErrorCode: number | undefined,
  portalMessage: string,
  items: readonly PortalItemRejection[] = [],
  code: 'PORTAL_REJECTED' | 'INVALID_EVENT' = 'PORTAL_REJECTED',
): PortalError {
  return portalErrors.error(
    code,
    `portal rejected ${operation ?? 'the call'}` +
      (portalErrorCode !== undefined ? ` (error_code ${portalErrorCode})` : '') +
      `: ${portalMessage}` +
      items
        .filter((item) => item.portalErrorCode !== 0)
        .map((item) => `; ${item.dossierCode ?? '?'}: ${item.message}`)
        .join(''),
    {
      operation,
      ...(code === 'INVALID_EVENT' ? { source: 'adapter' as const } : { source: 'upstream' as const }),
      ...(portalErrorCode !== undefined ? { portalErrorCode } : {}),
      portalMessage: redactText(portalMessage),
      items,
    },
  );
}

/** Login refused (a non-zero error_code, HTTP 401/403 at the login): a configuration problem. */
export function portalAuthFailed(
  operation: PortalOperation | undefined,
  portalErrorCode: number | undefined,
  message: string,
): PortalError {
  return portalErrors.error('PORTAL_AUTH_FAILED', message, {
    operation,
    ...(portalErrorCode !== undefined ? { portalErrorCode } : {}),
  });
}

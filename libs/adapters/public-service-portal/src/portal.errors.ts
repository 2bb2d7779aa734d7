import { redactText } from '@lienthong/observability';
import type { PortalOperation } from './portal.wire';

/**
 * Errors of the public service portal adapter. Never HTTP exceptions: the relay decides what a failure
 * means for the event (retry topic for a transient one, dead-letter topic for a permanent one).
 * Messages carry codes and the portal's own message (with ID-shaped numbers redacted), never request data.
 */
export abstract class PortalError extends Error {
  /** True when the same call may succeed later unchanged. */
  abstract readonly transient: boolean;

  constructor(
    /** Stable code for metrics, logs and dead-letter reasons, e.g. `PORTAL_UNAVAILABLE`. */
    readonly code: string,
    /** The call that failed. */
    readonly operation: PortalOperation,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(redactText(message), options);
    this.name = new.target.name;
  }
}

export type PortalUnavailableReason =
  'network' | 'timeout' | 'http-status' | 'malformed-response' | 'portal-error' | 'session-rejected';

/**
 * The portal could not be reached or did not answer usably: connection refused or reset, timeout, HTTP 5xx,
 * a body that is not the portal's JSON (a proxy's error page, a truncated answer), error_code -1, an
 * error_code the contract does not list, or a fresh session refused at once. Transient.
 */
export class PortalUnavailableError extends PortalError {
  readonly transient = true;

  constructor(
    operation: PortalOperation,
    readonly reason: PortalUnavailableReason,
    message: string,
    readonly details: { status?: number; portalErrorCode?: number } = {},
    options?: { cause?: unknown },
  ) {
    super('PORTAL_UNAVAILABLE', operation, message, options);
  }
}

/** HTTP 429 (or error_code -9): slow down. `retryAfterMs` comes from Retry-After when the portal sends it. */
export class PortalRateLimitedError extends PortalError {
  readonly transient = true;

  constructor(
    operation: PortalOperation,
    readonly retryAfterMs: number,
    message = `portal rate limited ${operation}; retry after ${retryAfterMs} ms`,
  ) {
    super('PORTAL_RATE_LIMITED', operation, message);
  }
}

/** The portal's verdict on one item of a call. */
export interface PortalItemRejection {
  dossierCode: string | null;
  portalErrorCode: number | undefined;
  message: string;
}

/**
 * The portal refused the data or the request (error_code -3 invalid data, -4 invalid request, an HTTP
 * 4xx other than 401/403/408/429), or the event cannot be expressed in the portal's format. Sending it
 * again unchanged will fail again: permanent.
 */
export class PortalRejectedError extends PortalError {
  readonly transient = false;

  constructor(
    operation: PortalOperation,
    readonly portalErrorCode: number | undefined,
    /** The portal's message, redacted. */
    readonly portalMessage: string,
    readonly items: readonly PortalItemRejection[] = [],
    code = 'PORTAL_REJECTED',
  ) {
    super(
      code,
      operation,
      `portal rejected ${operation}` +
        (portalErrorCode !== undefined ? ` (error_code ${portalErrorCode})` : '') +
        `: ${portalMessage}` +
        items
          .filter((item) => item.portalErrorCode !== 0)
          .map((item) => `; ${item.dossierCode ?? '?'}: ${item.message}`)
          .join(''),
    );
  }
}

/**
 * Login refused (error_code -5 wrong credentials, -6 unit code not allowed, HTTP 401/403): a configuration
 * problem that retrying will not fix. Permanent.
 */
export class PortalAuthError extends PortalError {
  readonly transient = false;

  constructor(
    operation: PortalOperation,
    readonly portalErrorCode: number | undefined,
    message: string,
  ) {
    super('PORTAL_AUTH_FAILED', operation, message);
  }
}

export function isPortalError(error: unknown): error is PortalError {
  return error instanceof PortalError;
}

/** True for a failure worth retrying later (unavailable, rate limited); false for anything else. */
export function isTransientPortalError(error: unknown): boolean {
  return error instanceof PortalError && error.transient;
}

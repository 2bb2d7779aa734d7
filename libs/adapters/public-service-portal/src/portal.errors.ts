import { AdapterError } from '@lienthong/adapters/common';
import { redactText } from '@lienthong/observability';
import type { PortalOperation } from './portal.wire';

/**
 * Errors of the public service portal adapter. Never HTTP exceptions: the relay decides what a failure
 * means for the event (retry topic for a transient one, dead-letter topic for a permanent one), branching on
 * `transient` and, for a slow-down, on `retryAfterMs`. Messages carry codes and the portal's own message
 * (with ID-shaped numbers redacted), never request data.
 */
export type PortalErrorCode =
  'PORTAL_UNAVAILABLE' | 'PORTAL_RATE_LIMITED' | 'PORTAL_REJECTED' | 'PORTAL_AUTH_FAILED' | 'INVALID_EVENT';

export abstract class PortalError extends AdapterError<PortalErrorCode> {
  readonly adapter = 'public-service-portal';

  constructor(
    /** The call that failed; unset when the failure came before any call (the policy refused it). */
    public operation: PortalOperation | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(redactText(message), options);
  }
}

export type PortalUnavailableReason =
  /** Connection refused, reset or closed early. */
  | 'NETWORK'
  /** No complete answer within the per-attempt timeout. */
  | 'TIMEOUT'
  /** HTTP 5xx or 408. */
  | 'HTTP_STATUS'
  /** A body that is not the portal's JSON (a proxy's error page, a cut-off answer), or larger than allowed. */
  | 'MALFORMED'
  /** A fresh session refused at once. */
  | 'SESSION_REJECTED'
  /** A non-zero error_code the deployment lists as retryable (PORTAL_RETRYABLE_CODES). */
  | 'PORTAL_ERROR'
  /** Token dialect: the store of the portal's dossier codes (the relay's database) failed. */
  | 'CODE_STORE';

/** The portal could not be reached or did not answer usably. Transient. */
export class PortalUnavailableError extends PortalError {
  readonly code = 'PORTAL_UNAVAILABLE';
  readonly kind = 'UNAVAILABLE';
  readonly transient = true;

  constructor(
    operation: PortalOperation | undefined,
    readonly reason: PortalUnavailableReason,
    message: string,
    readonly details: { status?: number; portalErrorCode?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(operation, message, options);
  }
}

export type PortalSlowDownReason =
  /** The portal answered HTTP 429. */
  | 'HTTP_429'
  /** The adapter's circuit breaker is open after repeated failures: the call was not attempted. */
  | 'CIRCUIT_OPEN'
  /** Too many calls in flight and queued: the call was not attempted. */
  | 'BULKHEAD_FULL';

/**
 * Slow down: the portal asked for it (HTTP 429), or the adapter's circuit is open or its bulkhead full, so the
 * call was not even attempted. Transient; `retryAfterMs` is how long to wait (Retry-After, or what remains of
 * the circuit's open time), which the relay honours before the next attempt.
 */
export class PortalRateLimitedError extends PortalError {
  readonly code = 'PORTAL_RATE_LIMITED';
  readonly kind = 'UNAVAILABLE';
  readonly transient = true;

  constructor(
    operation: PortalOperation | undefined,
    readonly retryAfterMs: number,
    readonly reason: PortalSlowDownReason = 'HTTP_429',
    message = reason === 'HTTP_429'
      ? `portal rate limited ${operation ?? 'the call'}; retry after ${retryAfterMs} ms`
      : `portal ${reason === 'CIRCUIT_OPEN' ? 'circuit open' : 'bulkhead full'}; the call was not attempted; retry after ${retryAfterMs} ms`,
  ) {
    super(operation, message);
  }
}

/** The portal's verdict on one item of a call. */
export interface PortalItemRejection {
  dossierCode: string | null;
  portalErrorCode: number | undefined;
  message: string;
}

/**
 * The portal refused the data or the request (a non-zero error_code that a fresh session did not change, an
 * HTTP 4xx other than 401/403/408/429), or the event cannot be expressed in the portal's format
 * (code INVALID_EVENT). Sending it again unchanged will fail again: permanent.
 */
export class PortalRejectedError extends PortalError {
  readonly kind = 'INVALID_REQUEST';
  readonly transient = false;

  constructor(
    operation: PortalOperation | undefined,
    readonly portalErrorCode: number | undefined,
    /** The portal's message, redacted. */
    readonly portalMessage: string,
    readonly items: readonly PortalItemRejection[] = [],
    readonly code: 'PORTAL_REJECTED' | 'INVALID_EVENT' = 'PORTAL_REJECTED',
  ) {
    super(
      operation,
      `portal rejected ${operation ?? 'the call'}` +
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
 * Login refused (a non-zero error_code, HTTP 401/403 at the login): wrong credentials or destination code, a
 * configuration problem that retrying will not fix. Permanent.
 */
export class PortalAuthError extends PortalError {
  readonly code = 'PORTAL_AUTH_FAILED';
  readonly kind = 'AUTHENTICATION';
  readonly transient = false;

  constructor(
    operation: PortalOperation | undefined,
    readonly portalErrorCode: number | undefined,
    message: string,
  ) {
    super(operation, message);
  }
}

export function isPortalError(error: unknown): error is PortalError {
  return error instanceof PortalError;
}

/** True for a failure worth retrying later (unavailable, slow down); false for anything else. */
export function isTransientPortalError(error: unknown): boolean {
  return error instanceof PortalError && error.transient;
}

import { AdapterError, AdapterUnavailableReason, invalidRequestMessage } from '@lienthong/adapters/common';

/**
 * Errors of the business registry adapter. Never HTTP exceptions: the transport's exception filter decides
 * what each means for its caller (problem+json status, stale answer from the cache, ...), branching on
 * `code`. Messages name fields and upstream codes, never a request value.
 */

export type BusinessRegistryErrorCode =
  | 'ENTERPRISE_NOT_FOUND'
  | 'BUSINESS_REGISTRY_INVALID_REQUEST'
  | 'BUSINESS_REGISTRY_AUTH_FAILED'
  | 'BUSINESS_REGISTRY_UNAVAILABLE'
  | 'BUSINESS_REGISTRY_TIMEOUT'
  | 'BUSINESS_REGISTRY_MALFORMED_RESPONSE';

export abstract class BusinessRegistryError extends AdapterError<BusinessRegistryErrorCode> {
  readonly adapter = 'business-registry';
}

/** The registry holds no enterprise or dependent unit with this code (upstream KHONG_TIM_THAY). */
export class EnterpriseNotFoundError extends BusinessRegistryError {
  readonly code = 'ENTERPRISE_NOT_FOUND';
  readonly kind = 'NOT_FOUND';
  readonly transient = false;

  constructor(readonly subject: 'ENTERPRISE' | 'DEPENDENT_UNIT') {
    super(
      subject === 'ENTERPRISE'
        ? 'no enterprise with this code in the National Business Registration Database'
        : 'no dependent unit with this code in the National Business Registration Database',
    );
  }
}

/**
 * The request is invalid: refused by the adapter before sending (`source: 'adapter'`) or by the upstream
 * (HTTP 400, `source: 'upstream'`). `field` names the offending input when known.
 */
export class BusinessRegistryInvalidRequestError extends BusinessRegistryError {
  readonly code = 'BUSINESS_REGISTRY_INVALID_REQUEST';
  readonly kind = 'INVALID_REQUEST';
  readonly transient = false;

  constructor(
    readonly field: string | undefined,
    readonly source: 'adapter' | 'upstream',
    message?: string,
  ) {
    super(message ?? invalidRequestMessage(field, source));
  }
}

export type AuthFailureReason =
  /** The token endpoint refused the gateway's client credentials (invalid_client, unauthorized_client). */
  | 'CLIENT_REJECTED'
  /** The token endpoint refused the grant or scope (invalid_grant, unsupported_grant_type, invalid_scope). */
  | 'GRANT_REJECTED'
  /** A freshly issued token was refused by the API as well. */
  | 'TOKEN_REJECTED'
  /** The API answered 403: the token is valid but not allowed this resource. */
  | 'FORBIDDEN';

/**
 * The gateway's own credentials were refused: a configuration problem, not the caller's, and not transient.
 * The token endpoint being unreachable is UNAVAILABLE, not this.
 */
export class BusinessRegistryAuthError extends BusinessRegistryError {
  readonly code = 'BUSINESS_REGISTRY_AUTH_FAILED';
  readonly kind = 'AUTHENTICATION';
  readonly transient = false;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    readonly details: { status?: number; oauthError?: string } = {},
  ) {
    super(message);
  }
}

/** NETWORK, HTTP_STATUS (5xx, 429 or a status the contract does not define), CIRCUIT_OPEN, BULKHEAD_FULL. */
export type UnavailableReason = AdapterUnavailableReason;

/** The upstream (its API or its token endpoint) could not be used right now. Transient. */
export class BusinessRegistryUnavailableError extends BusinessRegistryError {
  readonly code = 'BUSINESS_REGISTRY_UNAVAILABLE';
  readonly kind = 'UNAVAILABLE';
  readonly transient = true;

  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; endpoint?: 'api' | 'token' } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No complete answer within the per-call timeout (connect, headers or a slow body). Transient. */
export class BusinessRegistryTimeoutError extends BusinessRegistryError {
  readonly code = 'BUSINESS_REGISTRY_TIMEOUT';
  readonly kind = 'TIMEOUT';
  readonly transient = true;

  constructor(
    readonly timeoutMs: number,
    readonly endpoint: 'api' | 'token' = 'api',
  ) {
    super(
      `the business registry ${endpoint === 'token' ? 'token endpoint ' : ''}did not answer within ${timeoutMs} ms`,
    );
  }
}

/**
 * An answer that is not the contract's JSON (truncated or unparseable, a field missing or of the wrong type,
 * a code the contract does not list, a record for another code) or that maps to a canonical record the
 * enterprise schema refuses. Transient: a cut-off body is usually a network accident.
 */
export class BusinessRegistryMalformedResponseError extends BusinessRegistryError {
  readonly code = 'BUSINESS_REGISTRY_MALFORMED_RESPONSE';
  readonly kind = 'MALFORMED_RESPONSE';
  readonly transient = true;

  constructor(
    message: string,
    readonly details: { status?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

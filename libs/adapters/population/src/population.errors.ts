import { AdapterError, AdapterUnavailableReason, invalidRequestMessage } from '@lienthong/adapters/common';

/**
 * Errors of the population adapter. Never HTTP exceptions: the transport's exception filter decides what
 * each means for its caller (problem+json status, stale answer from the cache, ...), branching on `code`.
 * Messages name fields and upstream codes, never a personal ID or any other request value.
 */

export type PopulationErrorCode =
  | 'CITIZEN_NOT_FOUND'
  | 'POPULATION_INVALID_REQUEST'
  | 'POPULATION_REQUEST_REJECTED'
  | 'POPULATION_UNAVAILABLE'
  | 'POPULATION_TIMEOUT'
  | 'POPULATION_BAD_SIGNATURE'
  | 'POPULATION_MALFORMED_RESPONSE';

export abstract class PopulationAdapterError extends AdapterError<PopulationErrorCode> {
  readonly adapter = 'population';
}

/** The register holds no citizen with this personal ID (upstream fault KHONG_TIM_THAY). */
export class CitizenNotFoundError extends PopulationAdapterError {
  readonly code = 'CITIZEN_NOT_FOUND';
  readonly kind = 'NOT_FOUND';
  readonly transient = false;

  constructor() {
    super('no citizen with this personal ID in the National Population Database');
  }
}

/**
 * The request is invalid: refused by the adapter before sending (`source: 'adapter'`) or by the upstream
 * (fault DU_LIEU_KHONG_HOP_LE, `source: 'upstream'`). `field` names the offending input when known.
 */
export class InvalidRequestError extends PopulationAdapterError {
  readonly code = 'POPULATION_INVALID_REQUEST';
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

/**
 * The upstream refused the gateway's own credentials (fault CHU_KY_KHONG_HOP_LE: request signature missing,
 * wrong, or made with a certificate it does not trust). A configuration problem, not the caller's.
 */
export class RequestRejectedError extends PopulationAdapterError {
  readonly code = 'POPULATION_REQUEST_REJECTED';
  readonly kind = 'AUTHENTICATION';
  readonly transient = false;

  constructor(readonly upstreamCode: string) {
    super(`the population database refused the gateway's request signature (${upstreamCode})`);
  }
}

/**
 * NETWORK (connection refused, reset or closed early, TLS failure), HTTP_STATUS (a non-SOAP answer with a
 * 5xx/429 status: a proxy's error page), CIRCUIT_OPEN, BULKHEAD_FULL, and:
 */
export type UnavailableReason =
  | AdapterUnavailableReason
  /** The upstream answered the fault HE_THONG_BAN (or a soap:Server fault without detail). */
  | 'BUSY';

/** The upstream could not be used right now. Transient. */
export class UpstreamUnavailableError extends PopulationAdapterError {
  readonly code = 'POPULATION_UNAVAILABLE';
  readonly kind = 'UNAVAILABLE';
  readonly transient = true;

  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No complete answer within the per-call timeout (connect, headers or a slow body). Transient. */
export class UpstreamTimeoutError extends PopulationAdapterError {
  readonly code = 'POPULATION_TIMEOUT';
  readonly kind = 'TIMEOUT';
  readonly transient = true;

  constructor(readonly timeoutMs: number) {
    super(`the population database did not answer within ${timeoutMs} ms`);
  }
}

/**
 * An answer whose signature does not verify against the configured upstream signing certificate (changed
 * after signing, signed by another key, unsigned, outside the signature profile) or that is bound to another
 * request. Never passed on. Not transient: retrying would only fetch the same untrustworthy answer.
 */
export class BadSignatureError extends PopulationAdapterError {
  readonly code = 'POPULATION_BAD_SIGNATURE';
  readonly kind = 'BAD_SIGNATURE';
  readonly transient = false;

  constructor(
    /** XmlSignatureFailure from @lienthong/pki, or REQUEST_BINDING. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** An answer that is not the contract's SOAP (truncated or unparseable XML, unexpected element). Transient. */
export class MalformedResponseError extends PopulationAdapterError {
  readonly code = 'POPULATION_MALFORMED_RESPONSE';
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

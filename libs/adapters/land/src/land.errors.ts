import { AdapterError, AdapterUnavailableReason, invalidRequestMessage } from '@lienthong/adapters/common';

/**
 * Errors of the land adapter. Never HTTP exceptions: the transport's exception filter decides what each
 * means for its caller (problem+json status, stale answer from the cache, ...), branching on `code`.
 * Messages name fields and upstream codes, never a request value.
 */

export type LandErrorCode =
  | 'LAND_PARCEL_NOT_FOUND'
  | 'LAND_INVALID_REQUEST'
  | 'LAND_AUTH_FAILED'
  | 'LAND_UNAVAILABLE'
  | 'LAND_TIMEOUT'
  | 'LAND_MALFORMED_RESPONSE';

export abstract class LandAdapterError extends AdapterError<LandErrorCode> {
  readonly adapter = 'land';
}

/** The land database holds no such parcel, or no parcel with this certificate (upstream KHONG_TIM_THAY). */
export class LandParcelNotFoundError extends LandAdapterError {
  readonly code = 'LAND_PARCEL_NOT_FOUND';
  readonly kind = 'NOT_FOUND';
  readonly transient = false;

  constructor(readonly lookup: 'PARCEL' | 'CERTIFICATE') {
    super(
      lookup === 'PARCEL'
        ? 'no parcel with this commune, map sheet and parcel number in the National Land Database'
        : 'no parcel with this certificate number in the National Land Database',
    );
  }
}

/**
 * The request is invalid: refused by the adapter before sending (`source: 'adapter'`) or by the upstream
 * (HTTP 400 DU_LIEU_KHONG_HOP_LE, `source: 'upstream'`). `field` names the offending input when known.
 */
export class LandInvalidRequestError extends LandAdapterError {
  readonly code = 'LAND_INVALID_REQUEST';
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

/** The land database refused the gateway's API key (HTTP 401 CHUA_XAC_THUC, or 403). Not transient. */
export class LandAuthError extends LandAdapterError {
  readonly code = 'LAND_AUTH_FAILED';
  readonly kind = 'AUTHENTICATION';
  readonly transient = false;

  constructor(readonly status: number) {
    super(`the land database refused the gateway's credentials (HTTP ${status})`);
  }
}

/** NETWORK, HTTP_STATUS (5xx, 429 or a status the contract does not define), CIRCUIT_OPEN, BULKHEAD_FULL. */
export type UnavailableReason = AdapterUnavailableReason;

/** The land database could not be used right now. Transient. */
export class LandUnavailableError extends LandAdapterError {
  readonly code = 'LAND_UNAVAILABLE';
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
export class LandTimeoutError extends LandAdapterError {
  readonly code = 'LAND_TIMEOUT';
  readonly kind = 'TIMEOUT';
  readonly transient = true;

  constructor(readonly timeoutMs: number) {
    super(`the land database did not answer within ${timeoutMs} ms`);
  }
}

/**
 * An answer that is not the contract's XML (truncated or unparseable, wrong root or namespace, a field
 * missing or malformed, a code the contract does not list, another parcel than asked for) or that maps to a
 * canonical record the land-parcel schema refuses. Transient: a cut-off body is usually a network accident.
 */
export class LandMalformedResponseError extends LandAdapterError {
  readonly code = 'LAND_MALFORMED_RESPONSE';
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

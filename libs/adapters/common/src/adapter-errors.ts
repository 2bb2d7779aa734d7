import type { ShortCircuitReason } from './resilience';

/**
 * What went wrong with an upstream call, the same for every adapter: what a caller switches on (the gateway's
 * problem+json, the relay's retry or dead letter, a chain step's retry or refusal).
 */
export type UpstreamErrorKind =
  /** The subject asked about is unknown upstream (a citizen, an enterprise, a parcel, a unit, a reference). */
  | 'NOT_FOUND'
  /** The request cannot be sent as it is, or the upstream refused its form or content. */
  | 'INVALID_REQUEST'
  /** The upstream refused the gateway's own credentials or signature: a configuration problem. */
  | 'AUTHENTICATION'
  /** The same transaction id or key was used before with other content. */
  | 'CONFLICT'
  /** Down, overloaded, slowing us down, circuit open, bulkhead full: try again later. */
  | 'UNAVAILABLE'
  /** No complete answer within the per-call timeout. */
  | 'TIMEOUT'
  /** The answer's signature does not verify: never passed on. */
  | 'BAD_SIGNATURE'
  /** The answer does not match the upstream's contract: never passed on. */
  | 'MALFORMED_RESPONSE';

/**
 * Base of every upstream adapter's errors. Never HTTP exceptions: the caller decides what each means for its
 * own caller (problem+json status, stale answer from the cache, retry, dead letter ...), switching on `kind`;
 * `code` names the adapter and the kind for metrics and logs.
 */
export abstract class AdapterError<Code extends string = string> extends Error {
  /** The adapter that raised it: the `adapter` label of the metrics (population, land, ...). */
  abstract readonly adapter: string;
  /** Stable code for callers, metrics (`lgsp_adapter_errors_total{code}`) and logs. */
  abstract readonly code: Code;
  /** What went wrong, the same vocabulary for every adapter. */
  abstract readonly kind: UpstreamErrorKind;
  /** True when the same call may succeed later unchanged (the adapter retries these; a cache may serve stale). */
  abstract readonly transient: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Why an upstream could not be used; adapters may add reasons of their own. */
export type AdapterUnavailableReason =
  /** Connection refused, reset or closed early. */
  | 'NETWORK'
  /** HTTP 5xx or 429, or a status the contract does not define. */
  | 'HTTP_STATUS'
  /** CIRCUIT_OPEN: the circuit breaker is open; BULKHEAD_FULL: too many calls in flight and queued. */
  | ShortCircuitReason;

/** Where an invalid request was refused: by the adapter before sending, or by the upstream. */
export type InvalidRequestSource = 'adapter' | 'upstream';

/** Default message of an adapter's invalid request error. */
export function invalidRequestMessage(field: string | undefined, source: InvalidRequestSource): string {
  return `invalid request${field ? `: ${field}` : ''} (${source === 'adapter' ? 'checked before sending' : 'refused by the upstream'})`;
}

/** What an upstream error may say beyond its kind, for the caller's answer and logs (never request values). */
export interface UpstreamErrorDetails {
  status?: number;
  upstreamCode?: string;
  field?: string;
  retryAfterMs?: number;
  reason?: AdapterUnavailableReason;
}

const TRANSIENT_KINDS: ReadonlySet<UpstreamErrorKind> = new Set([
  'UNAVAILABLE',
  'TIMEOUT',
  'MALFORMED_RESPONSE',
]);

/**
 * The one error family of the clients built on the shared JSON transport (the agency systems of the
 * procedure chains, the payment platform, the postal operator, the feedback system): `code` is
 * `<prefix>_<kind>`; transient for UNAVAILABLE, TIMEOUT and MALFORMED_RESPONSE.
 */
export class UpstreamError<
  Prefix extends string = string,
  Kind extends UpstreamErrorKind = UpstreamErrorKind,
> extends AdapterError<`${Prefix}_${Kind}`> {
  readonly code: `${Prefix}_${Kind}`;
  readonly transient: boolean;

  constructor(
    /** The `adapter` label of the metrics. */
    readonly adapter: string,
    prefix: Prefix,
    readonly kind: Kind,
    message: string,
    readonly details: UpstreamErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = `${prefix}_${kind}`;
    this.transient = TRANSIENT_KINDS.has(kind);
  }
}

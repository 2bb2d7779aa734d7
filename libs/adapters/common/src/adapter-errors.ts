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

/** How one adapter expresses, with its own error classes, the failures every adapter handles alike. */
export interface AdapterErrorKit<E extends AdapterError> {
  /** True for the adapter's own errors: they pass through unchanged. */
  owns(error: unknown): error is E;
  /** A request refused before sending, `field` naming the offending input. */
  invalidRequest(field: string): E;
  /** Refused by the resilience policy (CIRCUIT_OPEN, BULKHEAD_FULL), or a failure nothing else explains. */
  unavailable(
    reason: ShortCircuitReason | 'NETWORK',
    message: string,
    details: { retryAfterMs?: number },
    options?: { cause?: unknown },
  ): E;
  /** The connection failed: refused, reset, closed early. */
  network(message: string, options: { cause?: unknown }): E;
  /** No complete answer within the per-attempt timeout. */
  timeout(timeoutMs: number): E;
  /** An answer that cannot be what the contract says (here: larger than the size limit). */
  malformed(message: string, options: { cause?: unknown }): E;
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

/**
 * What an upstream error may say beyond its kind, for the caller's answer and logs (never request values).
 * An adapter adds fields of its own by extending this (see `UpstreamErrors`).
 */
export interface UpstreamErrorDetails {
  /** The HTTP status the upstream answered, when it answered one. */
  status?: number;
  /** The upstream's own error code (a SOAP fault code, an RFC 6749 error, ...). */
  upstreamCode?: string;
  /** INVALID_REQUEST: the offending input, when known. */
  field?: string;
  /** INVALID_REQUEST: refused by the adapter before sending, or by the upstream. Absent: by the adapter. */
  source?: InvalidRequestSource;
  /** How long to wait before the next try (Retry-After, what remains of an open circuit). */
  retryAfterMs?: number;
  /**
   * Why, within the kind: for UNAVAILABLE an `AdapterUnavailableReason` or one of the adapter's own (BUSY,
   * HTTP_429, ...); for AUTHENTICATION which credential was refused (CLIENT_REJECTED, GRANT_REJECTED,
   * TOKEN_REJECTED, FORBIDDEN); for BAD_SIGNATURE what did not verify.
   */
  reason?: AdapterUnavailableReason | (string & {});
  /** TIMEOUT: the per-attempt timeout that ran out. */
  timeoutMs?: number;
  /** The endpoint that failed, when an adapter has more than one (an API and its OAuth2 token endpoint). */
  endpoint?: 'api' | 'token';
  /** The RFC 6749 error the token endpoint answered. */
  oauthError?: string;
}

const TRANSIENT_KINDS: ReadonlySet<UpstreamErrorKind> = new Set([
  'UNAVAILABLE',
  'TIMEOUT',
  'MALFORMED_RESPONSE',
]);

/** True for the kinds the same call may get past later unchanged: UNAVAILABLE, TIMEOUT, MALFORMED_RESPONSE. */
export function isTransientKind(kind: UpstreamErrorKind): boolean {
  return TRANSIENT_KINDS.has(kind);
}

/**
 * The one error class of every upstream adapter. `adapter` is the metrics label, `code` the stable code of
 * that adapter for this kind of failure (CITIZEN_NOT_FOUND, LAND_TIMEOUT, CHAIN_SYSTEM_UNAVAILABLE, ...),
 * `kind` what callers switch on; transient for UNAVAILABLE, TIMEOUT and MALFORMED_RESPONSE.
 */
export class UpstreamError<
  Code extends string = string,
  Kind extends UpstreamErrorKind = UpstreamErrorKind,
  Details extends UpstreamErrorDetails = UpstreamErrorDetails,
> extends AdapterError<Code> {
  readonly transient: boolean;

  constructor(
    /** The `adapter` label of the metrics. */
    readonly adapter: string,
    readonly code: Code,
    readonly kind: Kind,
    message: string,
    readonly details: Details = {} as Details,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.transient = isTransientKind(kind);
  }
}

/** True for an upstream error the same call may get past later (the relay parks it; a chain step retries). */
export function isTransientUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && error.transient;
}

/** How long the upstream asked to be left alone (429 Retry-After, an open circuit), when it said. */
export function upstreamRetryAfterMs(error: unknown): number | undefined {
  return error instanceof UpstreamError && error.kind === 'UNAVAILABLE'
    ? error.details.retryAfterMs
    : undefined;
}

export interface UpstreamErrorsSpec<Code extends string> {
  /** The `adapter` label of the metrics, e.g. `land`. */
  adapter: string;
  /** The upstream in messages, e.g. `land database` ("the land database did not answer within 5000 ms"). */
  upstream: string;
  /**
   * The adapter's stable codes and the kind of each. The first code of a kind is the one the shared
   * helpers (invalidRequest, unavailable, timeout, malformed) raise; an adapter may name more than one code
   * for a kind (the portal's PORTAL_RATE_LIMITED beside PORTAL_UNAVAILABLE) and raise it with `error`.
   */
  codes: Readonly<Record<Code, UpstreamErrorKind>>;
  /** Applied to every message, e.g. to redact ID-shaped numbers an upstream echoed. */
  message?: (text: string) => string;
}

/**
 * One adapter's errors: the shared `UpstreamError` with the adapter's label and codes, so that no adapter
 * defines an error class of its own. `owns` tells the adapter's errors from any other failure.
 */
export class UpstreamErrors<
  Code extends string,
  Details extends UpstreamErrorDetails = UpstreamErrorDetails,
> {
  readonly adapter: string;
  readonly upstream: string;
  private readonly byKind = new Map<UpstreamErrorKind, Code>();

  constructor(private readonly spec: UpstreamErrorsSpec<Code>) {
    this.adapter = spec.adapter;
    this.upstream = spec.upstream;
    for (const [code, kind] of Object.entries(spec.codes) as [Code, UpstreamErrorKind][]) {
      if (!this.byKind.has(kind)) this.byKind.set(kind, code);
    }
  }

  /** An error with this code (its kind is the one the spec gives it). */
  error(
    code: Code,
    message: string,
    details: Details = {} as Details,
    options?: { cause?: unknown },
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    const text = this.spec.message ? this.spec.message(message) : message;
    return new UpstreamError(this.adapter, code, this.spec.codes[code], text, details, options);
  }

  /** An error of this kind, with the adapter's first code for it. */
  ofKind(
    kind: UpstreamErrorKind,
    message: string,
    details: Details = {} as Details,
    options?: { cause?: unknown },
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    const code = this.byKind.get(kind);
    if (code === undefined) throw new TypeError(`${this.adapter} has no error code of kind ${kind}`);
    return this.error(code, message, details, options);
  }

  owns(error: unknown): error is UpstreamError<Code, UpstreamErrorKind, Details> {
    return error instanceof UpstreamError && error.adapter === this.adapter;
  }

  /** The subject asked about is unknown upstream. */
  notFound(message: string, details?: Details): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('NOT_FOUND', message, details);
  }

  /** The upstream refused the gateway's own credentials or signature; `reason` says which. */
  authentication(
    reason: string,
    message: string,
    details?: Omit<Details, 'reason'>,
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('AUTHENTICATION', message, { ...details, reason } as Details);
  }

  /** The same transaction or version was used before with other content. */
  conflict(message: string, details?: Details): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('CONFLICT', message, details);
  }

  /** An answer whose signature does not verify, or that is bound to another request; `reason` says which. */
  badSignature(reason: string, message: string): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('BAD_SIGNATURE', message, { reason } as Details);
  }

  /** Refused before sending (`source: 'adapter'`) or by the upstream; `field` names the input when known. */
  invalidRequest(
    field: string | undefined,
    source: InvalidRequestSource = 'adapter',
    message?: string,
    details?: Omit<Details, 'field' | 'source'>,
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('INVALID_REQUEST', message ?? invalidRequestMessage(field, source), {
      ...details,
      ...(field !== undefined ? { field } : {}),
      source,
    } as Details);
  }

  unavailable(
    reason: NonNullable<UpstreamErrorDetails['reason']>,
    message: string,
    details?: Omit<Details, 'reason'>,
    options?: { cause?: unknown },
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('UNAVAILABLE', message, { ...details, reason } as Details, options);
  }

  /** No complete answer within the per-attempt timeout (connect, headers or a slow body). */
  timeout(timeoutMs: number, endpoint?: 'api' | 'token'): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind(
      'TIMEOUT',
      `the ${this.upstream} ${endpoint === 'token' ? 'token endpoint ' : ''}did not answer within ${timeoutMs} ms`,
      { timeoutMs, ...(endpoint ? { endpoint } : {}) } as Details,
    );
  }

  /** An answer that is not what the upstream's contract says. */
  malformed(
    message: string,
    details?: Details,
    options?: { cause?: unknown },
  ): UpstreamError<Code, UpstreamErrorKind, Details> {
    return this.ofKind('MALFORMED_RESPONSE', message, details, options);
  }

  /** What `AdapterCalls` raises for the failures every adapter handles alike. */
  kit(): AdapterErrorKit<UpstreamError<Code, UpstreamErrorKind, Details>> {
    return {
      owns: (error): error is UpstreamError<Code, UpstreamErrorKind, Details> => this.owns(error),
      invalidRequest: (field) => this.invalidRequest(field, 'adapter'),
      unavailable: (reason, message, details, options) =>
        this.unavailable(reason, message, details as Omit<Details, 'reason'>, options),
      network: (message, options) => this.unavailable('NETWORK', message, undefined, options),
      timeout: (timeoutMs) => this.timeout(timeoutMs),
      malformed: (message, options) => this.malformed(message, undefined, options),
    };
  }
}

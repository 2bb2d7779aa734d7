import type { ShortCircuitReason } from './resilience';

/**
 * Base of every upstream adapter's errors. Never HTTP exceptions: the transport's exception filter decides
 * what each means for its caller (problem+json status, stale answer from the cache, ...), branching on
 * `code`. Each adapter derives one abstract class from it that fixes `adapter` and the union of its codes.
 */
export abstract class AdapterError<Code extends string = string> extends Error {
  /** The adapter that raised it: the `adapter` label of the metrics (population, land, ...). */
  abstract readonly adapter: string;
  /** Stable code for callers, metrics (`lgsp_adapter_errors_total{code}`) and logs. */
  abstract readonly code: Code;
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

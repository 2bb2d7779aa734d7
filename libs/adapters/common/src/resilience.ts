import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IsolatedCircuitError,
  IPolicy,
  retry,
  SamplingBreaker,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { CircuitStateName } from './adapter-metrics';

/**
 * Resilience of one upstream adapter, with cockatiel, outermost first:
 *   bulkhead -> retry (transient errors only, exponential backoff with decorrelated jitter)
 *            -> circuit breaker (counts transient errors) -> timeout per attempt (cooperative: aborts the
 *            request's signal, the call rejects at once).
 * The wrapped function receives the attempt's AbortSignal and must throw errors whose `transient` flag says
 * whether repeating may help; the adapter's reads are idempotent, so they are the only calls wrapped.
 * Errors that are not transient (not found, invalid, bad signature) are neither retried nor counted against
 * the upstream, and in the half-open state they count as proof the upstream answers.
 */
export interface ResilienceOptions {
  /** Per attempt, connect to last body byte. */
  timeoutMs: number;
  /** Attempts after the first, for transient errors. */
  retries: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** When the breaker opens: after N consecutive failures, or above a failure ratio over a sliding window. */
  breaker:
    | { kind: 'consecutive'; failures: number }
    | { kind: 'sampling'; threshold: number; durationMs: number; minimumRps: number };
  /** Time the circuit stays open before one trial call (half-open). */
  halfOpenAfterMs: number;
  /** Concurrent calls, and calls waiting for a slot; beyond that calls are refused at once. */
  bulkhead: { limit: number; queue: number };
}

export const DEFAULT_RESILIENCE: Readonly<ResilienceOptions> = Object.freeze<ResilienceOptions>({
  timeoutMs: 2_000,
  retries: 2,
  retryInitialDelayMs: 50,
  retryMaxDelayMs: 500,
  breaker: { kind: 'consecutive', failures: 5 },
  halfOpenAfterMs: 5_000,
  bulkhead: { limit: 256, queue: 1_024 },
});

/** Why the policy refused to run a call at all. */
export type ShortCircuitReason = 'CIRCUIT_OPEN' | 'BULKHEAD_FULL';

export class ShortCircuitError extends Error {
  constructor(
    readonly reason: ShortCircuitReason,
    readonly retryAfterMs?: number,
  ) {
    super(reason === 'CIRCUIT_OPEN' ? 'circuit open' : 'bulkhead full');
    this.name = 'ShortCircuitError';
  }
}

interface TransientAware {
  transient?: unknown;
}

const isTransient = (error: Error): boolean => (error as TransientAware).transient === true;

export class ResiliencePolicy {
  private readonly breaker;
  private readonly policy: IPolicy;
  private openedAt = 0;

  constructor(
    readonly options: ResilienceOptions,
    onStateChange: (state: CircuitStateName) => void = () => undefined,
  ) {
    const breaker =
      options.breaker.kind === 'consecutive'
        ? new ConsecutiveBreaker(options.breaker.failures)
        : new SamplingBreaker({
            threshold: options.breaker.threshold,
            duration: options.breaker.durationMs,
            minimumRps: options.breaker.minimumRps,
          });
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker,
    });
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
      onStateChange(stateName(state));
    });
    this.policy = wrap(
      bulkhead(options.bulkhead.limit, options.bulkhead.queue),
      retry(handleWhen(isTransient), {
        maxAttempts: options.retries,
        backoff: new ExponentialBackoff({
          initialDelay: options.retryInitialDelayMs,
          maxDelay: options.retryMaxDelayMs,
        }),
      }),
      this.breaker,
      timeout(options.timeoutMs, { strategy: TimeoutStrategy.Cooperative, abortOnReturn: false }),
    );
  }

  /** Runs `fn` under the policy; a call refused up front rejects with ShortCircuitError. */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      // A signal per call: cockatiel derives each attempt's signal from it (with its shared default signal,
      // thousands of concurrent calls would pile listeners onto one object).
      return await this.policy.execute(({ signal }) => fn(signal), new AbortController().signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        const retryAfterMs = Math.max(0, this.openedAt + this.options.halfOpenAfterMs - Date.now());
        throw new ShortCircuitError('CIRCUIT_OPEN', retryAfterMs);
      }
      if (error instanceof BulkheadRejectedError) throw new ShortCircuitError('BULKHEAD_FULL');
      throw error;
    }
  }

  get circuit(): CircuitStateName {
    return stateName(this.breaker.state);
  }
}

function stateName(state: CircuitState): CircuitStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}

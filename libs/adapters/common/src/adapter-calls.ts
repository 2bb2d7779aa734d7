import { performance } from 'node:perf_hooks';
import type { AppLogger } from '@lienthong/observability';
import type { AdapterError, AdapterErrorKit } from './adapter-errors';
import { AdapterHealth, RecentCalls } from './adapter-health';
import {
  adapterCircuitStateGauge,
  adapterDurationHistogram,
  adapterErrorsCounter,
  AdapterOutcome,
  CIRCUIT_STATE_VALUES,
  CircuitStateName,
} from './adapter-metrics';
import { ResilienceOptions, ResiliencePolicy, ShortCircuitError } from './resilience';
import { untilAborted } from './upstream-http';

/** The X-Request-Id every call must carry; it is sent to the upstream as is. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AdapterCallsOptions<E extends AdapterError> {
  /** The `adapter` label of the metrics and of the health output, e.g. `land`. */
  adapter: string;
  /** The upstream in error messages, e.g. `land database` ("the land database circuit is open"). */
  upstream: string;
  /** The adapter in log messages, e.g. `land` ("land adapter circuit open"). */
  title: string;
  resilience: ResilienceOptions;
  errors: AdapterErrorKit<E>;
  logger?: AppLogger;
}

/** Runs one attempt function under the resilience policy, inside `AdapterCalls.call`. */
export type RunAttempts = <R>(attempt: (signal: AbortSignal) => Promise<R>) => Promise<R>;

/**
 * What every upstream adapter does around its calls: the resilience policy, the shared metrics
 * (`lgsp_adapter_*`), the recent-call window behind `health()`, and the mapping of any failure to one of
 * the adapter's own errors. The client keeps what is specific to its upstream (wire format, transport).
 */
export class AdapterCalls<E extends AdapterError, M extends string = string> {
  readonly policy: ResiliencePolicy;
  private readonly recent = new RecentCalls();
  private readonly duration = adapterDurationHistogram();
  private readonly errorsTotal = adapterErrorsCounter();
  private readonly circuitGauge = adapterCircuitStateGauge();

  constructor(private readonly options: AdapterCallsOptions<E>) {
    this.policy = new ResiliencePolicy(options.resilience, (state) => this.onCircuitChange(state));
    this.circuitGauge.set({ adapter: options.adapter }, CIRCUIT_STATE_VALUES.closed);
  }

  /**
   * One adapter call: checks the request ID, runs `body` (which validates its input, then sends through
   * `attempts` and maps the answer), records duration, errors and the recent window, and rejects with the
   * adapter's own error whatever went wrong.
   */
  async call<T>(
    method: M,
    ctx: { requestId?: unknown } | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    let attempted = false;
    try {
      const requestId = ctx?.requestId;
      if (typeof requestId !== 'string' || !REQUEST_ID_PATTERN.test(requestId)) {
        throw this.options.errors.invalidRequest('requestId');
      }
      const value = await body(
        (attempt) =>
          this.policy.execute(async (signal) => {
            attempted = true;
            return attempt(signal);
          }),
        requestId,
      );
      this.observe(method, 'success', started, true);
      return value;
    } catch (error) {
      const failure = this.toAdapterError(error);
      this.observe(method, this.outcomeOf(failure), started, attempted, failure);
      throw failure;
    }
  }

  /**
   * One exchange with the upstream in an attempt: `exchange`'s answer, or the timeout error as soon as
   * `signal` aborts, or the adapter's error for a transport failure.
   */
  async exchange<T>(signal: AbortSignal, exchange: () => Promise<T>): Promise<T> {
    try {
      // The pool aborts on the signal; racing it as well bounds the wait whatever the dispatcher does.
      return await untilAborted(exchange(), signal);
    } catch (error) {
      if (signal.aborted) throw this.options.errors.timeout(this.options.resilience.timeoutMs);
      throw this.transportError(error);
    }
  }

  health(): AdapterHealth {
    const recent = this.recent.snapshot();
    return {
      adapter: this.options.adapter,
      circuit: this.policy.circuit,
      ...(recent.p50 !== undefined ? { recentLatencyMsP50: recent.p50, recentLatencyMsP99: recent.p99 } : {}),
      errorRate: recent.errorRate,
      recentCalls: recent.count,
    };
  }

  private toAdapterError(error: unknown): E {
    const { errors, upstream } = this.options;
    if (errors.owns(error)) return error;
    if (error instanceof ShortCircuitError) {
      return errors.unavailable(
        error.reason,
        error.reason === 'CIRCUIT_OPEN'
          ? `the ${upstream} circuit is open; the call was not attempted`
          : `too many ${upstream} calls in flight; the call was not attempted`,
        error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {},
      );
    }
    return errors.unavailable(
      'NETWORK',
      `unexpected failure: ${(error as Error)?.name ?? 'error'}`,
      {},
      { cause: error },
    );
  }

  private transportError(error: unknown): E {
    const { errors, upstream } = this.options;
    if (errors.owns(error)) return error;
    const code = (error as { code?: string })?.code ?? (error as Error)?.name ?? 'UNKNOWN';
    if (TIMEOUT_CODES.has(code)) return errors.timeout(this.options.resilience.timeoutMs);
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
      return errors.malformed('the answer exceeds the size limit', { cause: error });
    }
    return errors.network(`connection to the ${upstream} failed (${code})`, { cause: error });
  }

  private outcomeOf(error: E): AdapterOutcome {
    switch (error.kind) {
      case 'NOT_FOUND':
        return 'not_found';
      case 'INVALID_REQUEST':
        return 'invalid';
      case 'UNAVAILABLE': {
        const reason = (error as { details?: { reason?: unknown } }).details?.reason;
        return reason === 'CIRCUIT_OPEN' || reason === 'BULKHEAD_FULL' ? 'short_circuit' : 'error';
      }
      default:
        return 'error';
    }
  }

  private observe(method: M, outcome: AdapterOutcome, started: number, attempted: boolean, error?: E): void {
    const { adapter } = this.options;
    const elapsedMs = performance.now() - started;
    this.duration.observe({ adapter, method, outcome }, elapsedMs / 1000);
    if (error) this.errorsTotal.inc({ adapter, method, code: error.code });
    if (attempted && outcome !== 'short_circuit') this.recent.record(elapsedMs, outcome === 'error');
  }

  private onCircuitChange(state: CircuitStateName): void {
    const { adapter, title, logger } = this.options;
    this.circuitGauge.set({ adapter }, CIRCUIT_STATE_VALUES[state]);
    logger?.warn({ adapter, circuit: state }, `${title} adapter circuit ${state}`);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

import { UpstreamError } from './adapter-errors';
import type { RunAttempts } from './adapter-calls';
import type { AdapterHealth } from './adapter-health';

/** Per-call context every adapter takes: the exchange's X-Request-Id ([A-Za-z0-9._:-]{1,128}). */
export interface UpstreamCallContext {
  requestId?: string;
}

/** What a harmless call proved: the upstream answered, and how. */
export interface UpstreamDiagnosis {
  /** `answered`: a record or an acknowledgement; otherwise the NOT_FOUND code an identifier no one holds gets. */
  answer: 'answered' | (string & {});
  /** One sentence for an operator; names no request value. */
  detail: string;
}

/**
 * The contract every upstream adapter implements, whatever its wire (SOAP, REST JSON, XML, the portal's
 * dialects): its own calls each run through `call`, the shared transport and metrics of `AdapterCalls`
 * (resilience policy, `lgsp_adapter_*{adapter,method}`, the recent window behind `health`, failures as the
 * adapter's `UpstreamError`s); `diagnose` makes one harmless call for the console's connection check and
 * the readiness probes; `close` releases the connection pool it owns.
 */
export interface UpstreamAdapter<M extends string = string> {
  /** The `adapter` label of the metrics and of `GET /health/adapters`. */
  readonly adapter: string;
  /**
   * One call of the adapter's method `method`: the request id is checked, `body` sends through `attempts`
   * and maps the answer; whatever fails rejects with the adapter's `UpstreamError`.
   */
  call<T>(
    method: M,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T>;
  /** Circuit state, recent latency and error rate. */
  health(): AdapterHealth;
  /**
   * A call that reads nobody's data (an identifier no one holds, a token, a ping): resolves when the upstream
   * answered usably, NOT_FOUND included; rejects with the adapter's `UpstreamError` otherwise.
   */
  diagnose(ctx: UpstreamCallContext): Promise<UpstreamDiagnosis>;
  /** Closes the connection pool it created (not an injected dispatcher). */
  close(): Promise<void>;
}

/**
 * A diagnosis from one harmless call: `answered` when it resolves; the NOT_FOUND code, as expected for an
 * identifier no one holds, when it rejects with one; any other failure rejects.
 */
export async function diagnosis(call: () => Promise<unknown>): Promise<UpstreamDiagnosis> {
  try {
    await call();
    return { answer: 'answered', detail: 'Answered: the record exists.' };
  } catch (error) {
    if (error instanceof UpstreamError && error.kind === 'NOT_FOUND') {
      return {
        answer: error.code,
        detail: `Answered ${error.code}, as expected for an identifier no one holds.`,
      };
    }
    throw error;
  }
}

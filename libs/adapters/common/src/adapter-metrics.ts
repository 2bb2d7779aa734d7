import { Counter, Gauge, Histogram } from 'prom-client';
import { counter, gauge, histogram, LATENCY_BUCKETS } from '@lienthong/observability';

/**
 * Metrics every upstream adapter reports under the same names, so one dashboard and one set of alert rules
 * cover them all (label `adapter`: population, business-registry, land, ...). Every adapter imports these
 * getters from here; the get-or-create helpers make repeated registration harmless.
 *
 * - lgsp_adapter_duration_seconds{adapter,method,outcome}: one observation per call, retries included.
 *   outcome: success | not_found | invalid | error | short_circuit (refused by the breaker or the bulkhead).
 * - lgsp_adapter_errors_total{adapter,method,code}: failed calls by the error's stable code.
 * - lgsp_adapter_circuit_state{adapter}: 0 closed, 1 half-open, 2 open.
 */
export type AdapterOutcome = 'success' | 'not_found' | 'invalid' | 'error' | 'short_circuit';
export type CircuitStateName = 'closed' | 'half-open' | 'open';

export const CIRCUIT_STATE_VALUES: Readonly<Record<CircuitStateName, number>> = Object.freeze({
  closed: 0,
  'half-open': 1,
  open: 2,
});

export function adapterDurationHistogram(): Histogram<'adapter' | 'method' | 'outcome'> {
  return histogram({
    name: 'lgsp_adapter_duration_seconds',
    help: 'Duration of upstream adapter calls (retries included), by adapter, method and outcome',
    labelNames: ['adapter', 'method', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
  });
}

export function adapterErrorsCounter(): Counter<'adapter' | 'method' | 'code'> {
  return counter({
    name: 'lgsp_adapter_errors_total',
    help: 'Failed upstream adapter calls by adapter, method and stable error code',
    labelNames: ['adapter', 'method', 'code'] as const,
  });
}

export function adapterCircuitStateGauge(): Gauge<'adapter'> {
  return gauge({
    name: 'lgsp_adapter_circuit_state',
    help: 'Circuit breaker state of each upstream adapter: 0 closed, 1 half-open, 2 open',
    labelNames: ['adapter'] as const,
  });
}

import { counter } from '@lienthong/observability';

/**
 * Outcome of one report submission (after the adapter's own retries): accepted, already_accepted, superseded,
 * or failed with the error code. The shared `lgsp_adapter_*` metrics (label `adapter="operations-center"`)
 * give durations, errors and the circuit state.
 */
export const reportSubmissions = counter({
  name: 'lgsp_operations_center_reports_total',
  help: 'Indicator reports submitted to the Government operations center, by outcome and error code',
  labelNames: ['outcome', 'code'] as const,
});

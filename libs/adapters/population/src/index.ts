// Shared by the upstream adapters (@lienthong/adapters/common); part of this adapter's public API.
export {
  adapterCircuitStateGauge,
  adapterDurationHistogram,
  adapterErrorsCounter,
  CIRCUIT_STATE_VALUES,
  DEFAULT_RESILIENCE,
  RecentCalls,
  ResiliencePolicy,
  ShortCircuitError,
  type AdapterHealth,
  type AdapterOutcome,
  type CircuitStateName,
  type ResilienceOptions,
  type ShortCircuitReason,
} from '@lienthong/adapters/common';
export * from './population.adapter';
export * from './population.client';
export * from './population.errors';
export * from './population.mapping';
export * from './population.options';
export * from './population.wire';

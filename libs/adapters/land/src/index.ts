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
export * from './land.adapter';
export * from './land.client';
export * from './land.errors';
export * from './land.mapping';
export * from './land.options';
export * from './land.wire';

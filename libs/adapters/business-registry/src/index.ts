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
export * from './business-registry.adapter';
export * from './business-registry.client';
export * from './business-registry.errors';
export * from './business-registry.mapping';
export * from './business-registry.options';
export * from './business-registry.wire';
export * from './oauth2-token.provider';

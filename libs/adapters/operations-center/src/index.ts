// Shared by the upstream adapters (@lienthong/adapters/common); part of this adapter's public API.
export { DEFAULT_RESILIENCE, type AdapterHealth, type ResilienceOptions } from '@lienthong/adapters/common';
export * from './operations-center.client';
export * from './operations-center.errors';
export * from './operations-center.mapping';
export * from './operations-center.metrics';
export * from './operations-center.options';
export * from './operations-center.wire';

export * from './operations-center.failures';
export * from './operations-center.simulator';
export * from './operations-center.store';
export * from './operations-center.validation';
export * from './operations-center.wire';

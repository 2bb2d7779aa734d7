export * from './public-service-portal.client';
export * from './portal.errors';
export * from './portal.evaluation';
export * from './portal.mapping';
export * from './portal.metrics';
export * from './portal.options';
export * from './portal.wire';

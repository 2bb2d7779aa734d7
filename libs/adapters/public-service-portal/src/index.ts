export * from './public-service-portal.client';
export * from './portal.errors';
export * from './portal.mapping';
export * from './portal.metrics';
export * from './portal.wire';

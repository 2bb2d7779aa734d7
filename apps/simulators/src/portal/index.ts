export * from './portal-simulator';
export * from './portal.codes';
export * from './portal.faults';
export * from './portal.store';
export { isPortalDateTime } from './portal.validation';
export * from './portal.catalogue';

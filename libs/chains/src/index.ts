export * from './chain-runner';
export * from './working-time';
export * from './chain-events';
export * from './parent-dossier-status';
export * from './chain-indicators';

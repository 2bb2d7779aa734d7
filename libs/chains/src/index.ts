export * from './chain-runner';
export * from './chain-events';
export * from './parent-dossier-status';
export * from './chain-indicators';
export * from './chain-definitions-file';
export * from './chain-indicators.repository';

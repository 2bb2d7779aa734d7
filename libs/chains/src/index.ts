export * from './chain-runner';
export * from './working-time';
export * from './chain-events';

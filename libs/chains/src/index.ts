export * from './chain-runner';
export * from './chain-events';

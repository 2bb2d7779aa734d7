export * from './chain-runner';
export * from './working-time';

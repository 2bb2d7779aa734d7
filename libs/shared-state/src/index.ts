export * from './shared-redis';
export * from './shared-state.module';

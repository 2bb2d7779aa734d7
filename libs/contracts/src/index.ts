export * from './models';
export * from './schema-registry';
export * from './contracts.module';

export * from './models';
export * from './schema-registry';
export * from './contracts.module';
export * from './config-schemas';
export * from './openapi-schema';

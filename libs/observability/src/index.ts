export * from './redact';
export * from './logger';
export * from './metrics';
export * from './http/problem';
export * from './http/http-app';
export * from './health/metrics.controller';
export * from './health/health.controller';
export * from './shutdown';

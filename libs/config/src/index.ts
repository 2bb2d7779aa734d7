export * from './repo-root';
export * from './env';
export * from './production';
export * from './config-files';
export * from './local-stack';
export * from './node-options';

export * from './repo-root';
export * from './env';

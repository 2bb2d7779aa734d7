export * from './business-registry.wire';
export * from './business-registry.dataset';
export * from './business-registry.samples';
export * from './business-registry.simulator';
export { OAuth2TokenStore } from '../shared/oauth2-token.store';

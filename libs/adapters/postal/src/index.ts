export * from './postal.client';
export * from './postal-signature';
export * from './postal.errors';

export * from './postal.client';
export * from './postal-signature';

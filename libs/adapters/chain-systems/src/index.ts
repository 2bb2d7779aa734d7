export * from './chain-system';
export * from './civil-status.client';
export * from './residence.client';
export * from './social-security.client';

export * from './social-security.simulator';

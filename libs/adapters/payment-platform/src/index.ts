export * from './paygov-signature';
export * from './payment-platform.client';
export * from './reconciliation';
export * from './reconcile-day';

export * from './payment-platform.simulator';

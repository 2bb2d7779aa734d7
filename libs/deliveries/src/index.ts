export * from './delivery.repository';

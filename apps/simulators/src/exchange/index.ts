export * from './exchange.simulator';

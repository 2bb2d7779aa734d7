export * from './postal.simulator';

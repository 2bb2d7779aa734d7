export * from './residence.simulator';

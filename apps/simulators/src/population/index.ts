export * from './population.dataset';
export * from './population.faults';
export * from './population.simulator';
export * from './population.soap-service';
export * from './population.wire';

export * from './feedback.simulator';

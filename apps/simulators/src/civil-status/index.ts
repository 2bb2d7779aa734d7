export * from './civil-status.simulator';

export * from './calendar-date';
export * from './vietnam-time';

export * from './feedback.client';
export * from './feedback-inbox';
export * from './feedback.errors';

export * from './feedback.client';
export * from './feedback-inbox';

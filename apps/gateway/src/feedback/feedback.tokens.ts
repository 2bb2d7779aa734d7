export const FEEDBACK_INBOX = Symbol('FEEDBACK_INBOX');
export const FEEDBACK_CLIENT = Symbol('FEEDBACK_CLIENT');
/** The time answers are judged on (a test may move it past a deadline). */
export const FEEDBACK_CLOCK = Symbol('FEEDBACK_CLOCK');

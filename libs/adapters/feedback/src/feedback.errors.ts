import { UpstreamError, UpstreamErrors } from '@lienthong/adapters/common';

/**
 * The feedback client's codes in the shared upstream error family. Messages name fields and the upstream's
 * codes, never the content of an item or who sent it.
 */
export const feedbackErrors = new UpstreamErrors({
  adapter: 'feedback',
  upstream: 'national feedback system',
  codes: {
    /** Refused before sending, or by the upstream (400). */
    FEEDBACK_INVALID_REQUEST: 'INVALID_REQUEST',
    /** The upstream refused the gateway's API key (401, 403). */
    FEEDBACK_AUTHENTICATION: 'AUTHENTICATION',
    /** No such item (404). */
    FEEDBACK_NOT_FOUND: 'NOT_FOUND',
    /** The item was answered before with another answer (409). */
    FEEDBACK_CONFLICT: 'CONFLICT',
    FEEDBACK_UNAVAILABLE: 'UNAVAILABLE',
    FEEDBACK_TIMEOUT: 'TIMEOUT',
    FEEDBACK_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

export type FeedbackErrorCode = typeof feedbackErrors extends UpstreamErrors<infer Code> ? Code : never;

/** An error of the feedback client. */
export type FeedbackError = UpstreamError<FeedbackErrorCode>;

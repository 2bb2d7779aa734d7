import { UpstreamError, UpstreamErrors } from '@lienthong/adapters/common';

/**
 * The postal client's codes in the shared upstream error family. Messages name fields and the operator's
 * codes, never the receiver's address or phone.
 */
export const postalErrors = new UpstreamErrors({
  adapter: 'postal',
  upstream: 'postal operator',
  codes: {
    /** Refused before sending, or by the operator (400, 415, 422). */
    POSTAL_INVALID_REQUEST: 'INVALID_REQUEST',
    /** The operator refused the province's API token (401, 403). */
    POSTAL_AUTHENTICATION: 'AUTHENTICATION',
    /** The dossier code was ordered before with other content (409). */
    POSTAL_CONFLICT: 'CONFLICT',
    /** No such order (404). */
    POSTAL_NOT_FOUND: 'NOT_FOUND',
    POSTAL_UNAVAILABLE: 'UNAVAILABLE',
    POSTAL_TIMEOUT: 'TIMEOUT',
    POSTAL_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

export type PostalErrorCode = typeof postalErrors extends UpstreamErrors<infer Code> ? Code : never;

/** An error of the postal client. */
export type PostalError = UpstreamError<PostalErrorCode>;

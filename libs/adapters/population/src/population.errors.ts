import { UpstreamError, UpstreamErrors } from '@lienthong/adapters/common';

/**
 * The population adapter's codes in the shared upstream error family. Messages name fields and upstream
 * codes, never a personal ID or any other request value. Reasons beyond the shared ones: UNAVAILABLE `BUSY`
 * (fault HE_THONG_BAN, or a soap:Server fault without detail); BAD_SIGNATURE an XmlSignatureFailure of
 * @lienthong/pki, or REQUEST_BINDING (the answer belongs to another request).
 */
export const populationErrors = new UpstreamErrors({
  adapter: 'population',
  upstream: 'population database',
  codes: {
    /** The register holds no citizen with this personal ID (fault KHONG_TIM_THAY). */
    CITIZEN_NOT_FOUND: 'NOT_FOUND',
    /** Refused before sending, or by the upstream (fault DU_LIEU_KHONG_HOP_LE). */
    POPULATION_INVALID_REQUEST: 'INVALID_REQUEST',
    /** The upstream refused the gateway's request signature (fault CHU_KY_KHONG_HOP_LE). */
    POPULATION_REQUEST_REJECTED: 'AUTHENTICATION',
    POPULATION_UNAVAILABLE: 'UNAVAILABLE',
    POPULATION_TIMEOUT: 'TIMEOUT',
    /** The answer's signature does not verify, or the answer is bound to another request. */
    POPULATION_BAD_SIGNATURE: 'BAD_SIGNATURE',
    POPULATION_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

export type PopulationErrorCode = typeof populationErrors extends UpstreamErrors<infer Code> ? Code : never;

/** An error of the population adapter. */
export type PopulationError = UpstreamError<PopulationErrorCode>;

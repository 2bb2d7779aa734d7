import { UpstreamError, UpstreamErrorDetails, UpstreamErrors } from '@lienthong/adapters/common';

/** What a business registry error may say beyond the shared details. */
export interface BusinessRegistryErrorDetails extends UpstreamErrorDetails {
  /** NOT_FOUND: what was asked for, an enterprise (10 digits) or a dependent unit (13 characters). */
  subject?: 'ENTERPRISE' | 'DEPENDENT_UNIT';
}

/**
 * The business registry adapter's codes in the shared upstream error family. Messages name fields and
 * upstream codes, never a request value. AUTHENTICATION reasons: CLIENT_REJECTED, GRANT_REJECTED (the token
 * endpoint), TOKEN_REJECTED (a fresh token refused by the API), FORBIDDEN (403). The token endpoint being
 * unreachable is UNAVAILABLE with `endpoint: 'token'`.
 */
export const businessRegistryErrors = new UpstreamErrors<
  BusinessRegistryErrorCode,
  BusinessRegistryErrorDetails
>({
  adapter: 'business-registry',
  upstream: 'business registry',
  codes: {
    /** No enterprise or dependent unit with this code (KHONG_TIM_THAY). */
    ENTERPRISE_NOT_FOUND: 'NOT_FOUND',
    BUSINESS_REGISTRY_INVALID_REQUEST: 'INVALID_REQUEST',
    BUSINESS_REGISTRY_AUTH_FAILED: 'AUTHENTICATION',
    BUSINESS_REGISTRY_UNAVAILABLE: 'UNAVAILABLE',
    BUSINESS_REGISTRY_TIMEOUT: 'TIMEOUT',
    BUSINESS_REGISTRY_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

export type BusinessRegistryErrorCode =
  | 'ENTERPRISE_NOT_FOUND'
  | 'BUSINESS_REGISTRY_INVALID_REQUEST'
  | 'BUSINESS_REGISTRY_AUTH_FAILED'
  | 'BUSINESS_REGISTRY_UNAVAILABLE'
  | 'BUSINESS_REGISTRY_TIMEOUT'
  | 'BUSINESS_REGISTRY_MALFORMED_RESPONSE';

/** An error of the business registry adapter. */
export type BusinessRegistryError = UpstreamError<
  BusinessRegistryErrorCode,
  UpstreamError['kind'],
  BusinessRegistryErrorDetails
>;

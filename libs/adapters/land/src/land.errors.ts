import { UpstreamError, UpstreamErrorDetails, UpstreamErrors } from '@lienthong/adapters/common';

/** What a land error may say beyond the shared details. */
export interface LandErrorDetails extends UpstreamErrorDetails {
  /** NOT_FOUND: asked for by cadastral key (commune, map sheet, parcel number) or by certificate number. */
  lookup?: 'PARCEL' | 'CERTIFICATE';
}

export type LandErrorCode =
  | 'LAND_PARCEL_NOT_FOUND'
  | 'LAND_INVALID_REQUEST'
  | 'LAND_AUTH_FAILED'
  | 'LAND_UNAVAILABLE'
  | 'LAND_TIMEOUT'
  | 'LAND_MALFORMED_RESPONSE';

/**
 * The land adapter's codes in the shared upstream error family. Messages name fields and upstream codes,
 * never a request value.
 */
export const landErrors = new UpstreamErrors<LandErrorCode, LandErrorDetails>({
  adapter: 'land',
  upstream: 'land database',
  codes: {
    /** No such parcel, or no parcel with this certificate (KHONG_TIM_THAY). */
    LAND_PARCEL_NOT_FOUND: 'NOT_FOUND',
    /** Refused before sending, or by the upstream (400 DU_LIEU_KHONG_HOP_LE). */
    LAND_INVALID_REQUEST: 'INVALID_REQUEST',
    /** The gateway's API key refused (401 CHUA_XAC_THUC, or 403). */
    LAND_AUTH_FAILED: 'AUTHENTICATION',
    LAND_UNAVAILABLE: 'UNAVAILABLE',
    LAND_TIMEOUT: 'TIMEOUT',
    LAND_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

/** An error of the land adapter. */
export type LandError = UpstreamError<LandErrorCode, UpstreamError['kind'], LandErrorDetails>;

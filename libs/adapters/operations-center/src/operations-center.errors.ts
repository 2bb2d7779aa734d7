import { UpstreamError, UpstreamErrorDetails, UpstreamErrors } from '@lienthong/adapters/common';

/** One problem the operations center named in a refused report. */
export interface ReportProblem {
  field: string;
  message: string;
}

/** What an operations-center error may say beyond the shared details. */
export interface OperationsCenterErrorDetails extends UpstreamErrorDetails {
  /** INVALID_REQUEST: the problems named (by the contract check, or by the operations center). */
  problems?: readonly ReportProblem[];
  /** CONFLICT: the version submitted. */
  version?: number;
  /** CONFLICT: the highest version the operations center accepted for the unit and period, when it said. */
  currentVersion?: number;
}

export type OperationsCenterErrorCode =
  | 'OPERATIONS_CENTER_UNIT_NOT_FOUND'
  | 'OPERATIONS_CENTER_INVALID_REPORT'
  | 'OPERATIONS_CENTER_CONFLICT'
  | 'OPERATIONS_CENTER_AUTH_FAILED'
  | 'OPERATIONS_CENTER_UNAVAILABLE'
  | 'OPERATIONS_CENTER_TIMEOUT'
  | 'OPERATIONS_CENTER_MALFORMED_RESPONSE';

/**
 * The operations-center adapter's codes in the shared upstream error family. The relay parks a transient
 * one (`isTransientUpstreamError`, honouring `upstreamRetryAfterMs`) and dead-letters any other. Messages
 * name fields, codes and versions, never report values.
 */
export const operationsCenterErrors = new UpstreamErrors<
  OperationsCenterErrorCode,
  OperationsCenterErrorDetails
>({
  adapter: 'operations-center',
  upstream: 'operations center',
  codes: {
    /** The operations center does not know the unit (404 KHONG_TIM_THAY_DON_VI). */
    OPERATIONS_CENTER_UNIT_NOT_FOUND: 'NOT_FOUND',
    /** Refused before sending (the indicator-report contract), or by the operations center (422, 400). */
    OPERATIONS_CENTER_INVALID_REPORT: 'INVALID_REQUEST',
    /** This version was accepted before with other numbers (409 XUNG_DOT_PHIEN_BAN): needs a higher one. */
    OPERATIONS_CENTER_CONFLICT: 'CONFLICT',
    /** The relay's credentials refused: CLIENT_REJECTED, GRANT_REJECTED, TOKEN_REJECTED, FORBIDDEN. */
    OPERATIONS_CENTER_AUTH_FAILED: 'AUTHENTICATION',
    OPERATIONS_CENTER_UNAVAILABLE: 'UNAVAILABLE',
    OPERATIONS_CENTER_TIMEOUT: 'TIMEOUT',
    /** Not the contract's JSON (cut off, a proxy's page with a success status, an unknown MaKetQua). */
    OPERATIONS_CENTER_MALFORMED_RESPONSE: 'MALFORMED_RESPONSE',
  },
});

/** An error of the operations-center adapter. */
export type OperationsCenterError = UpstreamError<
  OperationsCenterErrorCode,
  UpstreamError['kind'],
  OperationsCenterErrorDetails
>;

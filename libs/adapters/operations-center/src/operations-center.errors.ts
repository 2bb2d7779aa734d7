import { AdapterError, AdapterUnavailableReason, invalidRequestMessage } from '@lienthong/adapters/common';

/**
 * Errors of the operations-center adapter. Never HTTP exceptions: the relay decides what a failure means for
 * the report (retry topic for a transient one, dead-letter topic for a permanent one), branching on
 * `transient` and `code`. Messages name fields, codes and versions, never report values.
 */

export type OperationsCenterErrorCode =
  | 'OPERATIONS_CENTER_UNIT_NOT_FOUND'
  | 'OPERATIONS_CENTER_INVALID_REPORT'
  | 'OPERATIONS_CENTER_CONFLICT'
  | 'OPERATIONS_CENTER_AUTH_FAILED'
  | 'OPERATIONS_CENTER_UNAVAILABLE'
  | 'OPERATIONS_CENTER_TIMEOUT'
  | 'OPERATIONS_CENTER_MALFORMED_RESPONSE';

export abstract class OperationsCenterError extends AdapterError<OperationsCenterErrorCode> {
  readonly adapter = 'operations-center';
}

/** The operations center does not know the unit the report is about (404 KHONG_TIM_THAY_DON_VI). Permanent. */
export class OperationsCenterUnitNotFoundError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_UNIT_NOT_FOUND';
  readonly kind = 'NOT_FOUND';
  readonly transient = false;

  constructor() {
    super('the operations center does not know this unit (KHONG_TIM_THAY_DON_VI)');
  }
}

/** One problem the operations center named in a refused report. */
export interface ReportProblem {
  field: string;
  message: string;
}

/**
 * The report is invalid: refused by the adapter before sending (it does not match the indicator-report
 * contract, `source: 'adapter'`) or by the operations center (422 DU_LIEU_KHONG_HOP_LE, 400
 * YEU_CAU_KHONG_HOP_LE, `source: 'upstream'`). Permanent.
 */
export class OperationsCenterInvalidReportError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_INVALID_REPORT';
  readonly kind = 'INVALID_REQUEST';
  readonly transient = false;

  constructor(
    readonly source: 'adapter' | 'upstream',
    readonly problems: readonly ReportProblem[] = [],
    message?: string,
  ) {
    super(
      (message ?? invalidRequestMessage('report', source)) +
        problems.map((p) => `; ${p.field || '/'}: ${p.message}`).join(''),
    );
  }
}

/**
 * This version of the report was accepted before with other numbers (409 XUNG_DOT_PHIEN_BAN). Sending it again
 * fails again: a correction needs a higher version. Permanent.
 */
export class OperationsCenterConflictError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_CONFLICT';
  readonly kind = 'CONFLICT';
  readonly transient = false;

  constructor(
    readonly version: number,
    /** The highest version the operations center accepted for the unit and period, when it said. */
    readonly currentVersion: number | undefined,
  ) {
    super(
      `the operations center holds version ${version} of this report with other content (XUNG_DOT_PHIEN_BAN)` +
        (currentVersion !== undefined ? `; its latest version is ${currentVersion}` : ''),
    );
  }
}

export type AuthFailureReason =
  /** The token endpoint refused the relay's client credentials. */
  | 'CLIENT_REJECTED'
  /** The token endpoint refused the grant or scope. */
  | 'GRANT_REJECTED'
  /** A freshly issued token was refused by the API as well. */
  | 'TOKEN_REJECTED'
  /** The API answered 403. */
  | 'FORBIDDEN';

/** The relay's own credentials were refused: a configuration problem retrying will not fix. Permanent. */
export class OperationsCenterAuthError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_AUTH_FAILED';
  readonly kind = 'AUTHENTICATION';
  readonly transient = false;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    readonly details: { status?: number; oauthError?: string } = {},
  ) {
    super(message);
  }
}

/** NETWORK, HTTP_STATUS (5xx, 429 or a status the contract does not define), CIRCUIT_OPEN, BULKHEAD_FULL. */
export type OperationsCenterUnavailableReason = AdapterUnavailableReason;

/** The operations center (its API or its token endpoint) could not be used right now. Transient. */
export class OperationsCenterUnavailableError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_UNAVAILABLE';
  readonly kind = 'UNAVAILABLE';
  readonly transient = true;

  constructor(
    readonly reason: OperationsCenterUnavailableReason,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; endpoint?: 'api' | 'token' } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No complete answer within the per-attempt timeout. Transient. */
export class OperationsCenterTimeoutError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_TIMEOUT';
  readonly kind = 'TIMEOUT';
  readonly transient = true;

  constructor(
    readonly timeoutMs: number,
    readonly endpoint: 'api' | 'token' = 'api',
  ) {
    super(
      `the operations center ${endpoint === 'token' ? 'token endpoint ' : ''}did not answer within ${timeoutMs} ms`,
    );
  }
}

/**
 * An answer that is not the contract's JSON (truncated or unparseable, a proxy's page with a success status,
 * an unknown MaKetQua). Transient: a cut-off body is usually a network accident, and a repeated submission is
 * answered as already accepted.
 */
export class OperationsCenterMalformedResponseError extends OperationsCenterError {
  readonly code = 'OPERATIONS_CENTER_MALFORMED_RESPONSE';
  readonly kind = 'MALFORMED_RESPONSE';
  readonly transient = true;

  constructor(
    message: string,
    readonly details: { status?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isOperationsCenterError(error: unknown): error is OperationsCenterError {
  return error instanceof OperationsCenterError;
}

/** True for a failure worth retrying later (unavailable, timeout, malformed answer); false for anything else. */
export function isTransientOperationsCenterError(error: unknown): boolean {
  return error instanceof OperationsCenterError && error.transient;
}

/** How long the operations center asked to wait (429 Retry-After, an open circuit), when it said. */
export function retryAfterMsOf(error: unknown): number | undefined {
  return error instanceof OperationsCenterUnavailableError ? error.details.retryAfterMs : undefined;
}

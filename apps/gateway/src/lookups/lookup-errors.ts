import { UpstreamError } from '@lienthong/adapters/common';
import type { AuditOutcome } from '@lienthong/contracts';
import { ProblemException } from '@lienthong/observability';

/** The upstream of a lookup has no URL configured. */
export class UpstreamNotConfiguredError extends Error {
  constructor(readonly upstream: string) {
    super(`the ${upstream} upstream is not configured`);
    this.name = 'UpstreamNotConfiguredError';
  }
}

/** What a failed lookup means for the caller and for the audit record. */
export interface LookupFailure {
  /** The problem+json answer; absent for an unexpected failure (the global filter answers 500 and logs it). */
  problem?: ProblemException;
  outcome: AuditOutcome;
  /** Stable UPPER_SNAKE code for the audit record. */
  outcomeCode: string;
  /** The upstream could not be used right now: a stale cached answer may stand in where the client allows it. */
  staleEligible: boolean;
  /** The upstream was actually called (its latency belongs in the audit record). */
  upstreamCalled: boolean;
}

const NOT_FOUND_TITLES: Record<string, string> = {
  CITIZEN_NOT_FOUND: 'Citizen not found',
  ENTERPRISE_NOT_FOUND: 'Enterprise not found',
  LAND_PARCEL_NOT_FOUND: 'Land parcel not found',
};

/** Seconds for a Retry-After header: at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

function outcomeOfStatus(status: number): AuditOutcome {
  if (status === 401 || status === 403 || status === 429) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 502 || status === 503 || status === 504) return 'UPSTREAM_ERROR';
  if (status >= 400 && status < 500) return 'INVALID';
  return 'ERROR';
}

/**
 * Maps whatever a lookup failed with to its problem+json and audit outcome. Adapter errors are switched on
 * their `kind`, the same for every adapter:
 *
 * | adapter error kind                             | HTTP | code                                        |
 * | ---------------------------------------------- | ---- | ------------------------------------------- |
 * | NOT_FOUND                                      | 404  | the adapter's (CITIZEN_NOT_FOUND, ...)      |
 * | INVALID_REQUEST, checked before sending        | 400  | VALIDATION_FAILED                           |
 * | INVALID_REQUEST, refused by the upstream       | 422  | UPSTREAM_REJECTED_REQUEST                   |
 * | UNAVAILABLE (circuit open)                     | 503  | UPSTREAM_CIRCUIT_OPEN, Retry-After          |
 * | UNAVAILABLE (network, 5xx, busy, bulkhead)     | 503  | UPSTREAM_UNAVAILABLE, Retry-After           |
 * | TIMEOUT                                        | 503  | UPSTREAM_TIMEOUT, Retry-After               |
 * | BAD_SIGNATURE                                  | 502  | UPSTREAM_BAD_SIGNATURE (never the data)     |
 * | MALFORMED_RESPONSE                             | 502  | UPSTREAM_MALFORMED_RESPONSE                 |
 * | AUTHENTICATION                                 | 502  | UPSTREAM_AUTH_FAILED (the gateway's own)    |
 * | CONFLICT                                       | 502  | UPSTREAM_ERROR                              |
 * | upstream URL unset                             | 503  | UPSTREAM_NOT_CONFIGURED                     |
 *
 * Problems raised by the gateway itself keep their code; their status gives the outcome.
 */
export function mapLookupError(error: unknown, options: { retryAfterMs: number }): LookupFailure {
  if (error instanceof ProblemException) {
    return {
      problem: error,
      outcome: outcomeOfStatus(error.status),
      outcomeCode: error.code,
      staleEligible: false,
      upstreamCalled: false,
    };
  }
  if (error instanceof UpstreamNotConfiguredError) {
    return failure(
      new ProblemException(
        503,
        'UPSTREAM_NOT_CONFIGURED',
        'Upstream not configured',
        `This gateway has no connection to the ${error.upstream} database configured.`,
      ),
      'UPSTREAM_ERROR',
      false,
      false,
    );
  }
  if (!(error instanceof UpstreamError)) {
    return { outcome: 'ERROR', outcomeCode: 'INTERNAL', staleEligible: false, upstreamCalled: false };
  }
  const code = error.code;
  const unavailable = (problemCode: string, title: string, retryAfterMs: number, called: boolean) =>
    failure(
      new ProblemException(503, problemCode, title, error.message, undefined, {
        'Retry-After': retryAfterSeconds(retryAfterMs),
      }),
      'UPSTREAM_ERROR',
      true,
      called,
    );
  switch (error.kind) {
    case 'NOT_FOUND':
      return failure(
        new ProblemException(404, code, NOT_FOUND_TITLES[code] ?? 'Not found', error.message),
        'NOT_FOUND',
        false,
        true,
      );
    case 'INVALID_REQUEST': {
      const { field, source } = error.details;
      if (source === 'upstream') {
        return failure(
          new ProblemException(
            422,
            'UPSTREAM_REJECTED_REQUEST',
            'The upstream refused the request as invalid',
            error.message,
          ),
          'INVALID',
          false,
          true,
        );
      }
      const path = field && /^[A-Za-z]+$/.test(field) ? `/${field}` : '';
      return failure(
        new ProblemException(400, 'VALIDATION_FAILED', 'Invalid request', error.message, [
          { path, code: 'INVALID', message: 'is not valid' },
        ]),
        'INVALID',
        false,
        false,
      );
    }
    case 'UNAVAILABLE': {
      const why = error.details.reason;
      const retryAfterMs = error.details.retryAfterMs ?? options.retryAfterMs;
      if (why === 'CIRCUIT_OPEN') {
        return unavailable('UPSTREAM_CIRCUIT_OPEN', 'Upstream temporarily unavailable', retryAfterMs, false);
      }
      return unavailable(
        'UPSTREAM_UNAVAILABLE',
        'Upstream unavailable',
        retryAfterMs,
        why !== 'BULKHEAD_FULL',
      );
    }
    case 'TIMEOUT':
      return unavailable('UPSTREAM_TIMEOUT', 'Upstream did not answer in time', options.retryAfterMs, true);
    case 'BAD_SIGNATURE':
      return failure(
        new ProblemException(
          502,
          'UPSTREAM_BAD_SIGNATURE',
          'Upstream answer refused: its signature does not verify',
          'The answer was not passed on.',
        ),
        'UPSTREAM_ERROR',
        false,
        true,
      );
    case 'MALFORMED_RESPONSE':
      return failure(
        new ProblemException(
          502,
          'UPSTREAM_MALFORMED_RESPONSE',
          'Upstream answer refused: it does not match its contract',
          'The answer was not passed on.',
        ),
        'UPSTREAM_ERROR',
        false,
        true,
      );
    case 'AUTHENTICATION':
      return failure(
        new ProblemException(
          502,
          'UPSTREAM_AUTH_FAILED',
          "The upstream refused the gateway's credentials",
          'The gateway is misconfigured for this upstream; the operators have to act.',
        ),
        'UPSTREAM_ERROR',
        false,
        true,
      );
    case 'CONFLICT':
    default:
      return failure(
        new ProblemException(502, 'UPSTREAM_ERROR', 'Upstream error', 'The upstream call failed.'),
        'UPSTREAM_ERROR',
        false,
        true,
      );
  }
}

function failure(
  problem: ProblemException,
  outcome: AuditOutcome,
  staleEligible: boolean,
  upstreamCalled: boolean,
): LookupFailure {
  return { problem, outcome, outcomeCode: problem.code, staleEligible, upstreamCalled };
}

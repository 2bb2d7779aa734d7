import { randomUUID } from 'node:crypto';
import {
  AdapterCalls,
  DEFAULT_RESILIENCE,
  REQUEST_ID_PATTERN,
  type ResilienceOptions,
  type RunAttempts,
} from '@lienthong/adapters/common';
import { validate, type DossierStatusEvent } from '@lienthong/contracts';
import type { AppLogger } from '@lienthong/observability';
import {
  portalErrors,
  PortalError,
  portalUnavailable,
  portalSlowDown,
  portalRejected,
  isAnsweredSlowDown,
} from './portal.errors';
import { PORTAL_CLIENT_DEFAULTS } from './portal.options';
import type { PortalOperation } from './portal.wire';

/**
 * What both portal dialects share around their calls: the resilience policy and its errors, request ids, the
 * event's contract check and the last guard against the personal ID. One copy, so the dialects cannot disagree.
 */

export const PORTAL_ADAPTER = portalErrors.adapter;

export type PortalMethod = 'syncDossier' | 'getDossier' | 'getEvaluation' | 'readCatalogue' | 'ping';

/** The policy every portal client runs its calls under (timeout per attempt, quick retry, circuit, bulkhead). */
export function portalResilience(
  timeoutMs: number | undefined,
  overrides: Partial<ResilienceOptions> | undefined,
): ResilienceOptions {
  return {
    ...DEFAULT_RESILIENCE,
    retries: PORTAL_CLIENT_DEFAULTS.retries,
    halfOpenAfterMs: PORTAL_CLIENT_DEFAULTS.halfOpenAfterMs,
    timeoutMs: timeoutMs ?? PORTAL_CLIENT_DEFAULTS.timeoutMs,
    ...overrides,
  };
}

/** AdapterCalls raising the portal's upstream errors. */
export function portalAdapterCalls(
  resilience: ResilienceOptions,
  logger: AppLogger | undefined,
  defaultRetryAfterMs: number,
): AdapterCalls<PortalError, PortalMethod> {
  return new AdapterCalls({
    adapter: PORTAL_ADAPTER,
    upstream: 'public service portal',
    title: 'portal',
    resilience,
    logger,
    errors: {
      owns: (error) => portalErrors.owns(error),
      invalidRequest: (field) =>
        portalRejected(undefined, undefined, `invalid ${field}`, [], 'INVALID_EVENT'),
      unavailable: (reason, message, details, cause) =>
        reason === 'CIRCUIT_OPEN' || reason === 'BULKHEAD_FULL'
          ? portalSlowDown(undefined, details.retryAfterMs ?? defaultRetryAfterMs, reason)
          : portalUnavailable(undefined, 'NETWORK', message, {}, cause),
      network: (message, cause) => portalUnavailable(undefined, 'NETWORK', message, {}, cause),
      timeout: (timeoutMs) =>
        portalUnavailable(undefined, 'TIMEOUT', `the portal did not answer within ${timeoutMs} ms`),
      malformed: (message, cause) => portalUnavailable(undefined, 'MALFORMED', message, {}, cause),
    },
  });
}

/** A 429 on its way out of the policy (see slowDownPassesThrough): not transient, so neither retried nor counted. */
class AnsweredSlowDown extends Error {
  readonly transient = false;

  constructor(readonly slowDown: PortalError) {
    super(slowDown.message);
  }
}

/**
 * The policy's attempts, except that an HTTP 429 leaves them as the answer it is: no quick retry against its
 * Retry-After, and no count against the circuit (the portal answered; the relay waits as long as it asked).
 */
export function slowDownPassesThrough(attempts: RunAttempts): RunAttempts {
  return async <R>(attempt: (signal: AbortSignal) => Promise<R>): Promise<R> => {
    try {
      return await attempts(async (signal) => {
        try {
          return await attempt(signal);
        } catch (error) {
          if (isAnsweredSlowDown(error)) {
            throw new AnsweredSlowDown(error);
          }
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof AnsweredSlowDown) throw error.slowDown;
      throw error;
    }
  };
}

export function withRequestId(ctx: { requestId?: string }): { requestId: string } {
  const given = ctx.requestId;
  return { requestId: typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID() };
}

/** The event against its contract; a refusal names paths and codes only. */
export function checkEvent(event: DossierStatusEvent, operation: PortalOperation = 'DongBoHoSoMC'): void {
  const checked = validate('dossier-status-event', event);
  if (!checked.ok) {
    throw portalRejected(
      operation,
      undefined,
      `event does not match the dossier-status-event contract: ${checked.errors
        .map((e) => `${e.path || '/'} ${e.code}`)
        .join('; ')}`,
      [],
      'INVALID_EVENT',
    );
  }
}

/** A mapping's RangeError (dates that are not dates) as the permanent INVALID_EVENT it is. */
export function mapped<T>(map: () => T, operation: PortalOperation = 'DongBoHoSoMC'): T {
  try {
    return map();
  } catch (error) {
    throw portalRejected(operation, undefined, (error as Error).message, [], 'INVALID_EVENT');
  }
}

/**
 * The last guard before anything leaves: no item may carry the applicant's personal ID, wherever it slipped in
 * (a note, a handler field, a value carried from the portal's record). Permanent: the event needs fixing.
 */
export function refuseIdentifiers(
  event: DossierStatusEvent,
  items: readonly object[],
  operation: PortalOperation = 'DongBoHoSoMC',
): void {
  const personalId = event.applicant.personalId;
  if (!personalId) return;
  if (items.some((item) => JSON.stringify(item).includes(personalId))) {
    throw portalRejected(
      operation,
      undefined,
      "the request would carry the applicant's personal ID; not sent",
      [],
      'INVALID_EVENT',
    );
  }
}

import { ProblemException, registerProblemTranslator } from '@lienthong/observability';
import { CommitOutcomeUnknownError, isDatabaseUnavailable } from './errors';

/** Seconds a caller is told to wait (Retry-After) when the database cannot be reached. */
const RETRY_AFTER_SECONDS = '5';

/** What a route says of its own work in each case (the default says only what any route can know). */
export interface DatabaseProblemDetails {
  unavailable?: string;
  unknown?: string;
}

/**
 * The problem for a database failure, or undefined for any other error: a database out of reach is a 503
 * DATABASE_UNAVAILABLE with Retry-After, a COMMIT whose outcome could not be learnt a 503 OUTCOME_UNKNOWN;
 * never a 500. Registered as the translator every route falls back on; a route that knows what was recorded
 * (the ingest, hand-over) calls it with details that say so.
 */
export function databaseProblem(
  error: unknown,
  details: DatabaseProblemDetails = {},
): ProblemException | undefined {
  const headers = { 'retry-after': RETRY_AFTER_SECONDS };
  if (error instanceof CommitOutcomeUnknownError) {
    return new ProblemException(
      503,
      'OUTCOME_UNKNOWN',
      'Outcome unknown',
      details.unknown ??
        'The database stopped answering while this request was being committed, and whether it was recorded ' +
          'is not known. Check before sending it again.',
      undefined,
      headers,
    );
  }
  if (!isDatabaseUnavailable(error)) return undefined;
  return new ProblemException(
    503,
    'DATABASE_UNAVAILABLE',
    'Database unavailable',
    details.unavailable ?? 'The database cannot be reached right now. Try again later.',
    undefined,
    headers,
  );
}

registerProblemTranslator('database', (error) => databaseProblem(error));

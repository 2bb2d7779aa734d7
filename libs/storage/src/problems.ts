import { ProblemException, registerProblemTranslator } from '@lienthong/observability';
import { CommitOutcomeUnknownError, isDatabaseUnavailable } from './errors';

/** Seconds a caller is told to wait (Retry-After) when the database cannot be reached. */
const RETRY_AFTER_SECONDS = '5';

/**
 * What a route that does not answer its own database failures answers: a database out of reach is a 503
 * DATABASE_UNAVAILABLE with Retry-After, a COMMIT whose outcome could not be learnt a 503 OUTCOME_UNKNOWN;
 * never a 500. Neither says more than the route can know (the ingest, which knows what was recorded, says so
 * itself).
 */
export function databaseProblem(error: unknown): ProblemException | undefined {
  if (error instanceof CommitOutcomeUnknownError) {
    return new ProblemException(
      503,
      'OUTCOME_UNKNOWN',
      'Outcome unknown',
      'The database stopped answering while this request was being committed, and whether it was recorded is ' +
        'not known. Check before sending it again.',
      undefined,
      { 'retry-after': RETRY_AFTER_SECONDS },
    );
  }
  if (!isDatabaseUnavailable(error)) return undefined;
  return new ProblemException(
    503,
    'DATABASE_UNAVAILABLE',
    'Database unavailable',
    'The database cannot be reached right now. Try again later.',
    undefined,
    { 'retry-after': RETRY_AFTER_SECONDS },
  );
}

registerProblemTranslator('database', databaseProblem);

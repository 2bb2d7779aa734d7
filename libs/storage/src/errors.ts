/**
 * Errors raised by the storage library itself. Driver errors (SQLSTATE in `code`, e.g. '23505' for a
 * unique violation) are passed through unchanged, except that the query parameters PGlite attaches to
 * its errors are removed so they cannot end up in a log line.
 */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid storage configuration (database URL, pool size, PGlite directory already in use, ...). */
export class StorageConfigError extends StorageError {}

/** The database was used after `close()`. */
export class DatabaseClosedError extends StorageError {
  constructor(description: string) {
    super(`database ${description} is closed`);
  }
}

/** An operation (for example the health ping) did not finish in time. */
export class DatabaseTimeoutError extends StorageError {
  constructor(
    operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation} did not complete within ${timeoutMs} ms`);
  }
}

/**
 * COMMIT turned into a rollback because a statement inside the transaction failed and the callback
 * swallowed the error. Same SQLSTATE on both drivers.
 */
export class TransactionAbortedError extends StorageError {
  readonly code = '25P02';

  constructor() {
    super('transaction was rolled back instead of committed: a statement inside it failed');
  }
}

/**
 * The connection was lost while COMMIT was on its way, and whether the server committed could not be
 * found out before giving up (the server stayed out of reach). The work may or may not be recorded: a
 * caller must not answer that nothing was recorded, and repeating the same idempotent work is safe.
 * Counts as the database being unavailable (`isDatabaseUnavailable`) through its cause.
 */
export class CommitOutcomeUnknownError extends StorageError {
  constructor(cause: unknown) {
    super('the connection was lost during COMMIT and whether the transaction committed is unknown', {
      cause,
    });
  }
}

/** Network errors and SQLSTATEs that mean the server cannot be reached or is not taking work right now. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
]);
const UNAVAILABLE_MESSAGES =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|server closed the connection|Connection terminated unexpectedly|Client has encountered a connection error|not queryable/i;

/**
 * True when `error` says the database could not be reached (refused or lost connection, connect timeout,
 * server shutting down): the same work may succeed later, so callers answer 503 rather than 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseTimeoutError) return true;
  if (!isErrorLike(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (UNAVAILABLE_MESSAGES.test(error.message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}

/** A migration could not be loaded, verified or applied. */
export class MigrationError extends StorageError {}

/** An applied migration's file no longer matches what was applied. */
export class MigrationChecksumError extends MigrationError {}

const PARAMETER_FIELDS = ['params', 'queryOptions', 'values', 'parameters'];

interface ErrorLike {
  message: string;
  name?: string;
  stack?: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/**
 * Strips fields that may carry query parameters (personal ID numbers, names, ...) from a driver error.
 * PGlite attaches `params` and `queryOptions`; node-postgres attaches neither. An error from another
 * JavaScript realm (PGlite loaded outside a test sandbox) is copied into an Error of this realm so that
 * `instanceof Error` holds; its fields (code, detail, constraint, ...) are kept.
 */
export function scrubDriverError(error: unknown): unknown {
  if (!isErrorLike(error)) return error;
  let result: Error;
  if (error instanceof Error) {
    result = error;
  } else {
    result = Object.assign(new Error(error.message), error);
    if (typeof error.name === 'string') result.name = error.name;
    if (typeof error.stack === 'string') result.stack = error.stack;
  }
  for (const key of PARAMETER_FIELDS) {
    if (key in result) delete (result as unknown as Record<string, unknown>)[key];
  }
  return result;
}

/** A short message for health output and logs; never includes parameters. */
export function errorMessage(error: unknown): string {
  if (isErrorLike(error)) return error.message || error.name || 'error';
  return String(error);
}

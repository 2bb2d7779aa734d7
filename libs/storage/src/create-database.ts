import { resolve } from 'node:path';
import type { Database } from './database';
import { StorageConfigError } from './errors';
import { PGLITE_MEMORY, PgliteDatabase } from './pglite.database';
import { PostgresDatabase } from './postgres.database';

export const DEFAULT_PGLITE_DIR = 'var/pglite';

export interface CreateDatabaseOptions {
  /** PostgreSQL connection URL (postgres:// or postgresql://). When empty or unset, PGlite is used. */
  url?: string;
  /** PGlite data directory, relative to the process's working directory, or `memory://` (default var/pglite). */
  pgliteDir?: string;
  /** PostgreSQL pool size (default 10). Ignored by PGlite. */
  poolSize?: number;
  /** PostgreSQL application_name (default 'lienthong'). Ignored by PGlite. */
  applicationName?: string;
  /** PostgreSQL statement_timeout in milliseconds. PGlite cannot enforce one and ignores it. */
  statementTimeoutMs?: number;
  /** PostgreSQL search_path (plain identifiers, comma separated). Ignored by PGlite. */
  searchPath?: string;
  /**
   * How long a lost COMMIT's outcome is asked for (PostgresDatabaseOptions.commitCheckMs). PGlite, in the
   * process, never loses a COMMIT and ignores it.
   */
  commitCheckMs?: number;
}

const POSTGRES_SCHEMES = new Set(['postgres:', 'postgresql:']);

/** Checks a database URL without ever echoing it (it may carry a password). */
export function validateDatabaseUrl(url: string): void {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:)/.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !POSTGRES_SCHEMES.has(scheme)) {
    throw new StorageConfigError(
      `database URL must start with postgres:// or postgresql:// (got ${scheme ? `scheme '${scheme}'` : 'no scheme'})`,
    );
  }
  try {
    new URL(url);
  } catch {
    throw new StorageConfigError(
      'database URL is not a valid URL (percent-encode special characters in the user name and password)',
    );
  }
}

/**
 * PostgreSQL when `url` is set, otherwise embedded PGlite in `pgliteDir`. The PostgreSQL pool connects
 * on its first statement; PGlite is started (and its data directory created) before this resolves.
 */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<Database> {
  const url = options.url?.trim();
  if (url) {
    validateDatabaseUrl(url);
    return new PostgresDatabase({
      url,
      poolSize: options.poolSize,
      applicationName: options.applicationName,
      statementTimeoutMs: options.statementTimeoutMs,
      searchPath: options.searchPath,
      commitCheckMs: options.commitCheckMs,
    });
  }
  const dir = options.pgliteDir?.trim() || DEFAULT_PGLITE_DIR;
  return PgliteDatabase.open({ dataDir: dir === PGLITE_MEMORY ? dir : resolve(process.cwd(), dir) });
}

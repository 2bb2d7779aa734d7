import { repoRoot } from '@lienthong/config';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Database, Queryable } from './database';
import { MigrationChecksumError, MigrationError, StorageConfigError, errorMessage } from './errors';

/** One SQL migration file `NNNN_name.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** sha256 (hex) of the SQL with line endings normalised to \n. */
  readonly checksum: string;
}

export interface MigrateOptions {
  /** Folder of `NNNN_name.sql` files (default: libs/storage/migrations of the repository). */
  dir?: string;
  /** Migrations to apply instead of reading a folder. */
  migrations?: readonly Migration[];
  logger?: Pick<Logger, 'log' | 'warn'>;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

/**
 * Key of the advisory lock that serialises migration runs across processes (PostgreSQL) or callers
 * (PGlite, where advisory locks work too but there is only one process). Arbitrary and fixed forever.
 */
export const MIGRATION_LOCK_KEY = 7_461_626_173;

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  checksum   text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** `0001_foundation` */
export function migrationLabel(migration: Pick<Migration, 'version' | 'name'>): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}`;
}

/**
 * The SQL files are not compiled into dist/, so they are located from the repository root: the nearest
 * folder above `from` whose package.json is named "lienthong". This works from the TypeScript sources
 * (jest, ts-node) and from the swc output under dist/ alike; a deployment must ship libs/storage/migrations.
 */
export function defaultMigrationsDir(from: string = __dirname): string {
  try {
    return join(repoRoot(from), 'libs', 'storage', 'migrations');
  } catch (error) {
    throw new StorageConfigError(
      `cannot locate the migrations: ${(error as Error).message}; pass the migrations directory explicitly`,
    );
  }
}

/** Reads and validates `NNNN_name.sql` files, sorted by version. */
export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  if (!existsSync(dir)) throw new StorageConfigError(`migrations directory ${dir} does not exist`);
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file);
    if (!match) {
      throw new MigrationError(`migration file ${file} in ${dir} is not named NNNN_lower_snake_name.sql`);
    }
    const sql = readFileSync(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2], sql, checksum: migrationChecksum(sql) });
  }
  return validateMigrations(migrations);
}

function validateMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 0; i < sorted.length; i += 1) {
    const migration = sorted[i];
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new MigrationError(`migration ${migration.name} has an invalid version ${migration.version}`);
    }
    if (i > 0 && sorted[i - 1].version === migration.version) {
      throw new MigrationError(
        `two migrations share version ${migration.version}: ${migrationLabel(sorted[i - 1])} and ${migrationLabel(migration)}`,
      );
    }
  }
  return sorted;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function lock(tx: Queryable): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
}

function checkApplied(
  migrations: readonly Migration[],
  applied: readonly AppliedRow[],
  logger: MigrateOptions['logger'],
) {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const migration = known.get(row.version);
    if (!migration) {
      // A newer release applied it; an older one (rolling deploy) keeps working on the newer schema.
      logger?.warn(`database has migration ${migrationLabel(row)} that this build does not know`);
      continue;
    }
    if (migration.checksum !== row.checksum) {
      throw new MigrationChecksumError(
        `migration ${migrationLabel(migration)} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `in the database, ${migration.checksum.slice(0, 12)}… in the file); never edit an applied migration, ` +
          'add a new one instead',
      );
    }
  }
}

/**
 * Applies pending migrations in version order, each in its own transaction together with its row in
 * schema_migrations. Every transaction first takes a transaction-scoped advisory lock, so processes
 * migrating the same database at once apply each migration exactly once. Refuses to run when an
 * applied migration's file changed, and when a pending migration is older than the newest applied one.
 * Resolves with the labels (`0001_foundation`) of the migrations this call applied, in order; empty
 * when the database was up to date.
 */
export async function migrate(db: Database, options: MigrateOptions = {}): Promise<string[]> {
  const logger = options.logger ?? new Logger('Migrator');
  const migrations = options.migrations
    ? validateMigrations(options.migrations)
    : loadMigrations(options.dir);

  const applied = await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(CREATE_SCHEMA_MIGRATIONS);
    return tx.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  });
  checkApplied(migrations, applied, logger);

  const appliedVersions = new Set(applied.map((row) => row.version));
  const currentVersion = applied.reduce((max, row) => Math.max(max, row.version), 0);
  const pending = migrations.filter((m) => !appliedVersions.has(m.version));
  const outOfOrder = pending.find((m) => m.version < currentVersion);
  if (outOfOrder) {
    throw new MigrationError(
      `migration ${migrationLabel(outOfOrder)} is pending but the database is already at version ${currentVersion}; ` +
        'renumber it after the newest applied migration',
    );
  }

  const done: string[] = [];
  for (const migration of pending) {
    const started = performance.now();
    let appliedNow: boolean;
    try {
      appliedNow = await db.transaction(async (tx) => {
        await lock(tx);
        // Another process may have applied it while this one waited for the lock.
        const row = await tx.queryOne<AppliedRow>(
          'SELECT version, name, checksum FROM schema_migrations WHERE version = $1',
          [migration.version],
        );
        if (row) {
          checkApplied([migration], [row], logger);
          return false;
        }
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.checksum,
        ]);
        return true;
      });
    } catch (error) {
      if (error instanceof MigrationError) throw error;
      throw new MigrationError(
        `migration ${migrationLabel(migration)} failed and was rolled back: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
    if (appliedNow) {
      done.push(migrationLabel(migration));
      logger.log(
        `applied migration ${migrationLabel(migration)} in ${Math.round(performance.now() - started)} ms`,
      );
    }
  }
  return done;
}

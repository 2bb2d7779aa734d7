export {
  createDatabase,
  validateDatabaseUrl,
  DEFAULT_PGLITE_DIR,
  type CreateDatabaseOptions,
} from './create-database';
export {
  Database,
  DEFAULT_PING_TIMEOUT_MS,
  type DatabaseKind,
  type Queryable,
  type Row,
  type SqlParams,
  type TransactionOptions,
} from './database';
export {
  CommitOutcomeUnknownError,
  DatabaseClosedError,
  DatabaseTimeoutError,
  MigrationChecksumError,
  MigrationError,
  StorageConfigError,
  StorageError,
  TransactionAbortedError,
  isDatabaseUnavailable,
} from './errors';
export { GroupCommit, type GroupCommitOptions } from './group-commit';
export { databaseProblem, type DatabaseProblemDetails } from './problems';
export {
  MIGRATION_LOCK_KEY,
  defaultMigrationsDir,
  loadMigrations,
  migrate,
  migrationChecksum,
  migrationLabel,
  type MigrateOptions,
  type Migration,
} from './migrator';
export {
  PGLITE_LOCK_FILE,
  PGLITE_MEMORY,
  PgliteDatabase,
  type PgliteDatabaseOptions,
} from './pglite.database';
export { PostgresDatabase, describePostgresUrl, type PostgresDatabaseOptions } from './postgres.database';
export { DatabaseHealthIndicator, type DatabaseHealthOptions } from './storage.health';
export {
  STORAGE_MODULE_OPTIONS,
  StorageModule,
  openStorage,
  type StorageModuleAsyncOptions,
  type StorageModuleOptions,
} from './storage.module';

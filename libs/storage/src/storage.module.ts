import {
  Global,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationShutdown,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { createDatabase, type CreateDatabaseOptions } from './create-database';
import { Database } from './database';
import { migrate } from './migrator';
import { DatabaseHealthIndicator } from './storage.health';

export interface StorageModuleOptions extends CreateDatabaseOptions {
  /** Apply pending migrations before the application starts (default false). */
  migrate?: boolean;
  /** Folder of migration files (default: libs/storage/migrations of the repository). */
  migrationsDir?: string;
}

export interface StorageModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => StorageModuleOptions | Promise<StorageModuleOptions>;
}

export const STORAGE_MODULE_OPTIONS = Symbol('STORAGE_MODULE_OPTIONS');

const logger = new Logger('Storage');

/** Opens the database and, when asked, migrates it; a failed migration closes it again. */
export async function openStorage(options: StorageModuleOptions): Promise<Database> {
  const database = await createDatabase(options);
  logger.log(`using ${database.kind} database ${database.describe()}`);
  if (options.migrate) {
    try {
      await migrate(database, { dir: options.migrationsDir });
    } catch (error) {
      await database.close().catch(() => undefined);
      throw error;
    }
  }
  return database;
}

/**
 * Global module providing `Database` (PostgreSQL when `url` is set, PGlite otherwise) and
 * `DatabaseHealthIndicator`. The database is closed when the application shuts down.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  constructor(private readonly database: Database) {}

  static forRoot(options: StorageModuleOptions = {}): DynamicModule {
    return StorageModule.build([{ provide: STORAGE_MODULE_OPTIONS, useValue: options }]);
  }

  static forRootAsync(options: StorageModuleAsyncOptions): DynamicModule {
    return StorageModule.build(
      [{ provide: STORAGE_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
      options.imports,
    );
  }

  private static build(
    optionProviders: NonNullable<ModuleMetadata['providers']>,
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      imports,
      providers: [
        ...optionProviders,
        {
          provide: Database,
          useFactory: (options: StorageModuleOptions) => openStorage(options),
          inject: [STORAGE_MODULE_OPTIONS],
        },
        HealthIndicatorService,
        DatabaseHealthIndicator,
      ],
      exports: [Database, DatabaseHealthIndicator],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

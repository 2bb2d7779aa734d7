import { Command } from 'commander';
import { loadEnv } from '@lienthong/config';
import { createDatabase, migrate } from '@lienthong/storage';

export function dbCommand(): Command {
  const db = new Command('db').description('the database (PostgreSQL at DATABASE_URL, else embedded PGlite)');
  db.command('migrate')
    .description('apply pending migrations and print what was applied')
    .action(async () => {
      const env = loadEnv(['DATABASE_URL', 'PGLITE_DIR']);
      const database = await createDatabase({
        url: env.DATABASE_URL,
        pgliteDir: env.PGLITE_DIR,
        applicationName: 'lienthong-cli',
      });
      try {
        const applied = await migrate(database);
        console.log(
          applied.length ? applied.map((m) => `applied ${m}`).join('\n') : 'database is up to date',
        );
        console.log(`database: ${database.describe()}`);
      } finally {
        await database.close();
      }
    });
  return db;
}

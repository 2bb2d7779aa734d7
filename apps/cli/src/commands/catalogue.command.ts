import { Command } from 'commander';
import { ConfigError, loadEnv, readConfigDocument, readConfiguredFile } from '@lienthong/config';
import { ProcedureCatalogue } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { createDatabase, migrate, type Database } from '@lienthong/storage';
import {
  CatalogueStore,
  portalCatalogueReader,
  syncCatalogue,
  type CatalogueStatus,
  type CatalogueSyncRecord,
} from '@lienthong/catalogue';
import { operatorAudit } from './operator-audit';

const PORTAL_KEYS = [
  'PORTAL_URL',
  'PORTAL_CA_PATH',
  'PORTAL_USERNAME',
  'PORTAL_PASSWORD',
  'PORTAL_UNIT_CODE',
  'PORTAL_DSTCODE',
  'PORTAL_LOGIN_PATH',
  'PORTAL_INTEGRATION_PATH',
  'PORTAL_SHARE_PATH',
  'PORTAL_DIALECT',
  'PORTAL_EXTRA_HEADERS',
  'PORTAL_SESSION_MAX_AGE_MS',
  'PORTAL_TIMEOUT_MS',
  'PORTAL_RETRYABLE_CODES',
] as const;

/** One line for a sync attempt. */
export function describeSync(sync: CatalogueSyncRecord): string {
  return sync.outcome === 'SUCCEEDED'
    ? `sync ${sync.id} at ${sync.finishedAt.toISOString()}: ${sync.procedures} procedure(s), ${sync.sectors} ` +
        `sector(s), ${sync.agencies} agenc(ies), ${sync.skipped} skipped`
    : `sync ${sync.id} at ${sync.finishedAt.toISOString()}: FAILED (${sync.errorCode}); the previous catalogue stays`;
}

/** The status lines: what the store holds, the last attempts, and what the effective catalogue routes. */
export function describeStatus(status: CatalogueStatus, effective: ProcedureCatalogue): string[] {
  return [
    `held: ${status.held.procedures} procedure(s), ${status.held.sectors} sector(s), ${status.held.agencies} agenc(ies)`,
    `last success: ${status.lastSuccess ? describeSync(status.lastSuccess) : 'never'}`,
    ...(status.lastAttempt && status.lastAttempt.id !== status.lastSuccess?.id
      ? [`last attempt: ${describeSync(status.lastAttempt)}`]
      : []),
    `effective catalogue (synced overlaid by the procedures file): ${effective.procedureCount()} procedure(s)`,
  ];
}

async function withDatabase<T>(
  env: { DATABASE_URL?: string; PGLITE_DIR?: string },
  run: (db: Database) => Promise<T>,
): Promise<T> {
  const database = await createDatabase({
    url: env.DATABASE_URL,
    pgliteDir: env.PGLITE_DIR,
    applicationName: 'lienthong-cli',
  });
  try {
    await migrate(database);
    return await run(database);
  } finally {
    await database.close();
  }
}

export function catalogueCommand(): Command {
  const catalogue = new Command('catalogue').description(
    'the national procedure catalogue, synced from the portal and overlaid by the procedures file',
  );
  catalogue
    .command('sync')
    .description(
      "read the national procedure catalogue through the portal's sharing services and replace the synced " +
        'catalogue in the database; exits 1 when the sync fails (the previous catalogue stays)',
    )
    .addHelpText(
      'after',
      '\nNeeds PORTAL_URL and the portal account (PORTAL_USERNAME, PORTAL_PASSWORD, PORTAL_UNIT_CODE, OpenCPS-era\n' +
        'dialect), the database (DATABASE_URL, else PGLITE_DIR) and AUDIT_SUBJECT_KEY (the sync is audited,\n' +
        'service catalogue.sync). The gateway and the relay pick the new catalogue up within CATALOGUE_RELOAD_MS.',
    )
    .option('--operator <name>', 'who runs the sync, for the audit log (default: the OS user)')
    .action(async (options: { operator?: string }) => {
      const env = loadEnv([
        'DATABASE_URL',
        'PGLITE_DIR',
        'LOG_LEVEL',
        'CATALOGUE_SYNC_CONCURRENCY',
        ...PORTAL_KEYS,
      ]);
      // checked before anything is read: a sync that cannot be audited is not run
      const audit = operatorAudit(options.operator);
      if (!env.PORTAL_URL) throw new ConfigError('PORTAL_URL is not set');
      const logger = createLogger({ name: 'cli', level: 'warn', destination: process.stderr });
      const sync = portalCatalogueReader(env, {
        ca: readConfiguredFile('PORTAL_CA_PATH', env.PORTAL_CA_PATH),
        logger,
        concurrency: env.CATALOGUE_SYNC_CONCURRENCY,
      });
      if (!sync) throw new ConfigError('PORTAL_DIALECT token-2025 serves no procedure catalogue');
      const audited: Parameters<typeof audit.record>[0][number][] = [];
      try {
        const outcome = await withDatabase(env, (db) =>
          syncCatalogue(sync.reader, new CatalogueStore(db), logger, async (entry) => {
            audited.push(entry);
          }),
        );
        // written once the command's own connection is closed (embedded PGlite is single-process)
        await audit.record(audited);
        console.log(describeSync(outcome));
        if (outcome.outcome !== 'SUCCEEDED')
          throw new Error(`the catalogue sync failed: ${outcome.errorCode}`);
      } finally {
        await sync.close();
      }
    });
  catalogue
    .command('status')
    .description('show the synced catalogue held in the database, its last syncs and the effective catalogue')
    .action(async () => {
      const env = loadEnv(['DATABASE_URL', 'PGLITE_DIR', 'PROCEDURES_FILE']);
      await withDatabase(env, async (db) => {
        const store = new CatalogueStore(db);
        const local = readConfigDocument(env.PROCEDURES_FILE).document;
        const effective = ProcedureCatalogue.effective(local, await store.read(), env.PROCEDURES_FILE);
        for (const line of describeStatus(await store.status(), effective)) console.log(line);
      });
    });
  return catalogue;
}

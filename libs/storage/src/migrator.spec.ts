import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MigrationError, StorageConfigError } from './errors';
import { defaultMigrationsDir, loadMigrations, migrate, migrationChecksum } from './migrator';
import { createDatabase } from './create-database';

const repoRoot = resolve(__dirname, '..', '..', '..');
const shipped = join(repoRoot, 'libs', 'storage', 'migrations');

describe('migration files', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lt-migration-files-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('are found from the sources and from the compiled dist/ tree alike', () => {
    expect(defaultMigrationsDir()).toBe(shipped);
    expect(defaultMigrationsDir(join(repoRoot, 'dist', 'libs', 'storage', 'src'))).toBe(shipped);
    expect(loadMigrations().map((m) => `${m.version}:${m.name}`)).toEqual([
      '1:foundation',
      '2:audit',
      '3:dossier_status',
      '4:reuse_store',
      '5:indicators',
      '6:indicator_delivery',
      '7:audit_checkpoints',
      '8:outbox_dispatch',
      '9:audit_dossier_index',
      '10:portal_dossier_codes',
      '11:chains',
      '13:payments',
      '14:postal_deliveries',
      '15:feedback',
      '16:procedure_catalogue',
      '17:dossier_handover',
    ]);
  });

  it('are not guessed outside the repository', () => {
    expect(() => defaultMigrationsDir(tmpdir())).toThrow(StorageConfigError);
    expect(() => loadMigrations(join(dir, 'missing'))).toThrow(/does not exist/);
  });

  it('load in version order, skipping files that are not SQL', () => {
    writeFileSync(join(dir, '0010_later.sql'), 'SELECT 10;');
    writeFileSync(join(dir, '0002_earlier.sql'), 'SELECT 2;');
    writeFileSync(join(dir, 'README.md'), 'notes');
    expect(loadMigrations(dir).map((m) => m.version)).toEqual([2, 10]);
  });

  it.each(['1_short.sql', '0003-dash.sql', '0004_Upper.sql', '0005_.sql'])(
    'reject a badly named file %s',
    (file) => {
      writeFileSync(join(dir, file), 'SELECT 1;');
      expect(() => loadMigrations(dir)).toThrow(MigrationError);
    },
  );

  it('reject two files with one version', () => {
    writeFileSync(join(dir, '0001_one.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0001_other.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/two migrations share version 1/);
  });

  it('have checksums that ignore line-ending style only', () => {
    expect(migrationChecksum('SELECT 1;\r\nSELECT 2;\r\n')).toBe(migrationChecksum('SELECT 1;\nSELECT 2;\n'));
    expect(migrationChecksum('SELECT 1;')).not.toBe(migrationChecksum('SELECT 2;'));
  });

  it('newer than this build are tolerated with a warning', async () => {
    const db = await createDatabase({ pgliteDir: 'memory://' });
    const warnings: string[] = [];
    const logger = { log: () => undefined, warn: (line: string) => void warnings.push(line) };
    try {
      writeFileSync(join(dir, '0001_one.sql'), 'CREATE TABLE one (x integer);');
      writeFileSync(join(dir, '0002_two.sql'), 'CREATE TABLE two (x integer);');
      await migrate(db, { dir, logger });
      rmSync(join(dir, '0002_two.sql'));
      expect(await migrate(db, { dir, logger })).toEqual([]);
      expect(warnings).toEqual(['database has migration 0002_two that this build does not know']);
    } finally {
      await db.close();
    }
  });
});

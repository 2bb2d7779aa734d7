/** What only PGlite has: in-memory mode, its data directory, the process lock and in-process sharing. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createDatabase } from './create-database';
import { StorageConfigError } from './errors';
import { PGLITE_LOCK_FILE, PgliteDatabase } from './pglite.database';

describe('PgliteDatabase', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lt-pglite-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('gives every memory:// database its own instance', async () => {
    const first = await createDatabase({ pgliteDir: 'memory://' });
    const second = await createDatabase({ pgliteDir: 'memory://' });
    try {
      expect(first.describe()).toBe('pglite:memory');
      await first.exec('CREATE TABLE only_here (x integer)');
      await expect(second.query('SELECT * FROM only_here')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await second.close();
    }

    // A plain statement waits for the open transaction instead of joining it.
    try {
      const order: string[] = [];
      let started!: () => void;
      const inside = new Promise<void>((resolve) => (started = resolve));
      const tx = first.transaction(async (handle) => {
        await handle.query('INSERT INTO only_here VALUES (1)');
        started();
        await new Promise((resolve) => setTimeout(resolve, 30));
        order.push('transaction done');
      });
      await inside;
      const plain = first.query('SELECT count(*) AS n FROM only_here').then((rows) => {
        order.push('plain statement');
        return rows;
      });
      await tx;
      expect(await plain).toEqual([{ n: '1' }]);
      expect(order).toEqual(['transaction done', 'plain statement']);
    } finally {
      await first.close();
    }
  });

  it('creates a missing data directory, resolved from the working directory, and keeps data across restarts', async () => {
    const dir = join(root, 'nested', 'pglite');
    const first = await createDatabase({ pgliteDir: relative(process.cwd(), dir) });
    expect(first.describe()).toBe(`pglite:${dir}`);
    expect(readFileSync(join(dir, PGLITE_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    await first.exec("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    await first.close();
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);

    const second = await PgliteDatabase.open({ dataDir: dir });
    try {
      expect(await second.query('SELECT note FROM kept')).toEqual([{ note: 'still here' }]);
    } finally {
      await second.close();
    }
  });

  it('shares one instance per directory within a process until the last handle closes', async () => {
    const dir = join(root, 'shared');
    const gateway = await PgliteDatabase.open({ dataDir: dir });
    const relay = await PgliteDatabase.open({ dataDir: dir });
    await gateway.exec('CREATE TABLE seen_by_both (x integer)');
    await relay.query('INSERT INTO seen_by_both VALUES ($1)', [1]);
    await gateway.close();
    expect(await relay.query('SELECT x FROM seen_by_both')).toEqual([{ x: 1 }]);
    await relay.close();
    expect(existsSync(join(dir, PGLITE_LOCK_FILE))).toBe(false);
  });

  it('refuses a directory held by another running process, and takes over a stale lock', async () => {
    const dir = join(root, 'locked');
    mkdirSync(dir);

    writeFileSync(join(dir, PGLITE_LOCK_FILE), `${process.ppid}\n`); // the jest parent: alive
    const refused = PgliteDatabase.open({ dataDir: dir });
    await expect(refused).rejects.toThrow(StorageConfigError);
    await expect(refused).rejects.toThrow(`in use by process ${process.ppid}`);

    writeFileSync(join(dir, PGLITE_LOCK_FILE), '2147483646\n'); // no such process
    const db = await PgliteDatabase.open({ dataDir: dir });
    expect(await db.queryOne('SELECT 1 AS one')).toEqual({ one: 1 });
    await db.close();
  });
});

import { PortalCatalogueClient, PublicServicePortalClient } from '@lienthong/adapters/public-service-portal';
import { readConfigDocument } from '@lienthong/config';
import { ProcedureCatalogue } from '@lienthong/domain';
import { createLogger } from '@lienthong/observability';
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import { PORTAL_SIMULATOR_DEFAULTS, startPortalSimulator, type PortalSimulator } from '@lienthong/simulators';
import { CatalogueStore, LiveCatalogue, syncCatalogue } from '@lienthong/catalogue';
import { CatalogueSyncService } from './catalogue-sync.service';

// A sync against the real simulator over HTTP into an embedded database, and the reload that follows it.

/** Polls until `probe` holds, failing after `timeoutMs`. */
async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const quiet = createLogger({ name: 'catalogue-spec', level: 'silent' });
const LOCAL = readConfigDocument('deploy/config/procedures.yaml').document;

describe('national procedure catalogue sync', () => {
  let db: Database;
  let sim: PortalSimulator;
  let portal: PublicServicePortalClient;
  let store: CatalogueStore;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    sim = await startPortalSimulator({ logger: quiet });
    const { username, password, unitCode, dstcode } = PORTAL_SIMULATOR_DEFAULTS;
    portal = new PublicServicePortalClient({
      baseUrl: sim.url,
      username,
      password,
      unitCode,
      dstcode,
      logger: quiet,
      resilience: { timeoutMs: 2_000, retries: 0 },
    });
    store = new CatalogueStore(db);
  });
  afterAll(async () => {
    await portal?.close();
    await sim?.close();
    await db?.close();
  });

  it('stores the published catalogue, and a reload routes a procedure only the national catalogue knows', async () => {
    const live = new LiveCatalogue(ProcedureCatalogue.fromDocument(LOCAL), LOCAL, store, quiet);
    await live.start(0);
    expect(live.catalogue.route({ procedureCode: '2.001255' })).toBeUndefined();

    const synced = await syncCatalogue(new PortalCatalogueClient(portal, { pageSize: 5 }), store, quiet);
    expect(synced).toMatchObject({
      outcome: 'SUCCEEDED',
      procedures: 12,
      skipped: 1,
      sectors: 7,
      agencies: 4,
    });
    const held = await db.queryOne<Record<string, unknown>>(
      `SELECT levels, channels, competent_agencies, non_boundary, online_payment
         FROM catalogue_procedure WHERE code = '2.001255'`,
    );
    expect(held).toMatchObject({
      levels: ['2'],
      competent_agencies: ['000.00.14.H56'],
      non_boundary: false,
      online_payment: false,
    });
    expect((held?.channels as unknown[])[0]).toMatchObject({
      channel: '1',
      timeLimit: { value: 115, unit: 'Ngày làm việc' },
      fees: [{ amount: 3_000_000 }],
    });

    await live.reload();
    expect(live.catalogue.route({ procedureCode: '2.001255' })).toMatchObject({
      ministry: 'bo-tu-phap',
      sectorCode: 'QT',
      procedureName: 'Nhập quốc tịch Việt Nam',
    });
    expect(live.catalogue.procedure('2.001255')?.competentAgencies).toEqual(['000.00.14.H56']);
    // procedures.yaml wins where it names the code; a branch mapped to no ministry routes nothing
    expect(live.catalogue.route({ procedureCode: '1.001193' })?.sectorName).toBe('Hộ tịch');
    expect(live.catalogue.route({ procedureCode: '2.002170' })).toBeUndefined();
    expect(live.catalogue.route({ procedureCode: '1.009000' })).toBeUndefined();
  });

  it('keeps the previous catalogue when a sync fails part-way, and says why', async () => {
    const before = await store.read();
    sim.catalogue.put({ MaTTHC: '3.000001', TenTTHC: 'Thủ tục mới', MaLinhVuc: 'NC' });
    sim.faults.set({ failProcedures: ['2.001211'] });
    try {
      const failed = await syncCatalogue(new PortalCatalogueClient(portal), store, quiet);
      expect(failed).toMatchObject({ outcome: 'FAILED', procedures: null });
      expect(failed.errorCode).toMatch(/^[A-Z0-9_]+$/);
    } finally {
      sim.faults.clear();
    }
    expect(await store.read()).toEqual(before);
    const status = await store.status();
    expect(status.lastAttempt?.outcome).toBe('FAILED');
    expect(status.lastSuccess?.procedures).toBe(12);
    expect(status.held.procedures).toBe(12);

    expect((await syncCatalogue(new PortalCatalogueClient(portal), store, quiet)).procedures).toBe(13);
  });

  it('syncs at relay start, reloads the relay at once and audits each sync', async () => {
    sim.catalogue.put({ MaTTHC: '3.000002', TenTTHC: 'Thủ tục định kỳ', MaLinhVuc: 'NGCC' });
    const live = new LiveCatalogue(ProcedureCatalogue.fromDocument(LOCAL), LOCAL, store, quiet);
    const audited: { service: string; outcome: string; outcomeCode?: string }[] = [];
    const service = new CatalogueSyncService(
      new PortalCatalogueClient(portal),
      store,
      live,
      3_600_000,
      quiet,
      async () => undefined,
      async (entry) => {
        audited.push(entry);
      },
    );
    service.onApplicationBootstrap();
    try {
      await waitFor(
        () => live.catalogue.route({ procedureCode: '3.000002' }),
        10_000,
        'the relay to route the procedure its own sync added',
      );
      expect(live.catalogue.route({ procedureCode: '3.000002' })?.ministry).toBe('bo-noi-vu');
      expect(audited).toEqual([expect.objectContaining({ service: 'catalogue.sync', outcome: 'OK' })]);

      sim.faults.set({ down: true });
      await service.syncNow();
      expect(audited[1]).toMatchObject({ outcome: 'UPSTREAM_ERROR', outcomeCode: expect.any(String) });
      expect(live.catalogue.route({ procedureCode: '3.000002' })?.ministry).toBe('bo-noi-vu');
    } finally {
      sim.faults.clear();
      await service.onModuleDestroy();
    }
  });
});

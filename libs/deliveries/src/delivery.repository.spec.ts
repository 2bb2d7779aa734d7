/** DeliveryRepository on embedded PostgreSQL (PGlite, in memory, the project's migrations). */
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import { DeliveryRepository } from './delivery.repository';

const AGENCY = '000.17.22.H56';
const CODE = `${AGENCY}-261005-0001`;

describe('DeliveryRepository', () => {
  let db: Database;
  let orders: DeliveryRepository;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    orders = new DeliveryRepository(db);
  });
  afterAll(() => db?.close());

  it('keeps one order per dossier with its states, and counts it when it is delivered', async () => {
    const start = new Date(Date.now() - 60_000);
    const order = {
      dossierCode: CODE,
      agencyCode: AGENCY,
      clientId: 'one-stop',
      orderNumber: 'VN-1',
      documents: 2,
      fingerprint: 'f',
      at: new Date(),
    };
    expect(await db.transaction((tx) => orders.insertOrder(tx, order))).toBe(true);
    expect(await db.transaction((tx) => orders.insertOrder(tx, { ...order, orderNumber: 'VN-2' }))).toBe(
      false,
    );

    await db.transaction(async (tx) => {
      const locked = await orders.lockByOrderNumber(tx, 'VN-1');
      expect(locked?.dossier_code).toBe(CODE);
      expect(await orders.seen(tx, 'VN-1:DELIVERED')).toBe(false);
      const now = new Date();
      await orders.updateStatus(tx, CODE, { status: 'DELIVERED', updatedAt: now, finishedAt: now });
      await orders.insertEvent(tx, {
        dossierCode: CODE,
        operatorEvent: 'VN-1:DELIVERED',
        status: 'DELIVERED',
        occurredAt: now,
        recordedAt: now,
      });
      expect(await orders.seen(tx, 'VN-1:DELIVERED')).toBe(true);
    });

    expect((await orders.find(CODE))?.status).toBe('DELIVERED');
    expect((await orders.findByOrderNumber('VN-1'))?.dossier_code).toBe(CODE);
    expect((await orders.history(CODE)).map((row) => row.status)).toEqual(['DELIVERED']);
    expect(await orders.counts(AGENCY, start, new Date(Date.now() + 60_000))).toEqual({
      ordered: 1,
      delivered: 1,
      returned: 0,
    });
  });
});

/** PaymentRepository on embedded PostgreSQL (PGlite, in memory, the project's migrations). */
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import { PaymentRepository } from './payment.repository';

const REQUEST = {
  dossierCode: '000.17.22.H56-261005-0001',
  amount: 50_000,
  feeDescription: 'Lệ phí cấp giấy phép',
  clientId: 'one-stop',
};

describe('PaymentRepository', () => {
  let db: Database;
  let payments: PaymentRepository;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    payments = new PaymentRepository(db);
  });
  afterAll(() => db?.close());

  it('finds a pending payment until it is settled, and applies a notification nonce once', async () => {
    expect(await payments.findPending(REQUEST)).toBeUndefined();
    const opened = await payments.insertPending({
      ...REQUEST,
      transactionNo: 'T-1',
      orderId: 'LT1',
      agencyCode: '000.17.22.H56',
      paymentUrl: 'https://pay.example/T-1',
    });
    expect(opened).toMatchObject({
      transactionNo: 'T-1',
      amount: 50_000,
      status: 'PENDING',
      settledAt: null,
    });
    expect(await payments.findPending(REQUEST)).toEqual(opened);
    expect(await payments.findPending({ ...REQUEST, clientId: 'another' })).toBeUndefined();

    const settled = await db.transaction(async (tx) => {
      expect(await payments.lock(tx, 'T-0')).toBeUndefined();
      expect((await payments.lock(tx, 'T-1'))?.orderId).toBe('LT1');
      const notice = { transactionNo: 'T-1', nonce: 'n1', status: 'SUCCESS' };
      expect(await payments.recordNotification(tx, notice)).toBe(true);
      expect(await payments.recordNotification(tx, notice)).toBe(false);
      return payments.settle(tx, 'T-1', 'CONFIRMED');
    });
    expect(settled.status).toBe('CONFIRMED');
    expect(settled.settledAt).not.toBeNull();
    expect(await payments.findPending(REQUEST)).toBeUndefined();
  });
});

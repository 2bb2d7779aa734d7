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

  it("reads a Vietnam day's payments: created that day and unsettled, settled that day, and those asked for", async () => {
    const record = async (transactionNo: string, createdAt: string, settledAt: string | null) => {
      await payments.insertPending({
        ...REQUEST,
        transactionNo,
        orderId: `LT-${transactionNo}`,
        agencyCode: '000.17.22.H56',
        amount: 70_000,
        paymentUrl: `https://pay.example/${transactionNo}`,
      });
      await db.query(
        `UPDATE payment SET created_at = $2, settled_at = $3, status = $4 WHERE transaction_no = $1`,
        [transactionNo, createdAt, settledAt, settledAt === null ? 'PENDING' : 'CONFIRMED'],
      );
    };
    // 2026-10-05 in Vietnam (UTC+7) is [2026-10-04T17:00Z, 2026-10-05T17:00Z)
    await record('D-PENDING', '2026-10-04T17:00:00Z', null);
    await record('D-SETTLED', '2026-10-03T09:00:00Z', '2026-10-05T16:59:59Z');
    await record('EVE-SETTLED', '2026-10-04T09:00:00Z', '2026-10-04T16:59:59Z');
    await record('NEXT-PENDING', '2026-10-05T17:00:00Z', null);
    await record('D-CREATED-NEXT-SETTLED', '2026-10-05T01:00:00Z', '2026-10-05T17:00:00Z');

    const day = async (also?: string[]) =>
      (await payments.recordedOn('2026-10-05', also)).sort((a, b) =>
        a.transactionNo.localeCompare(b.transactionNo),
      );
    expect(await day()).toEqual([
      { transactionNo: 'D-PENDING', amount: 70_000, status: 'PENDING' },
      { transactionNo: 'D-SETTLED', amount: 70_000, status: 'CONFIRMED' },
    ]);
    expect((await day(['EVE-SETTLED', 'UNKNOWN'])).map((p) => p.transactionNo)).toEqual([
      'D-PENDING',
      'D-SETTLED',
      'EVE-SETTLED',
    ]);
  });
});

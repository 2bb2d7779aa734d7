/** IndicatorDeliveryRepository on embedded PostgreSQL (PGlite, in memory, the project's migrations). */
import { randomUUID } from 'node:crypto';
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import { IndicatorDeliveryRepository } from './indicator-delivery.repository';

const AGENCY = '000.17.22.H56';
const PERIOD = '2026-10';

describe('IndicatorDeliveryRepository', () => {
  let db: Database;
  let deliveries: IndicatorDeliveryRepository;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    deliveries = new IndicatorDeliveryRepository(db);
    // the reporter writes each version; the delivery consumer only marks them
    for (const version of [1, 2]) {
      await db.query(
        `INSERT INTO indicator_delivery (agency_code, period_kind, period_key, version, content_hash, event_id, report)
         VALUES ($1, 'MONTH', $2, $3, 'h', $4::uuid, '{}'::jsonb)`,
        [AGENCY, PERIOD, version, randomUUID()],
      );
    }
  });
  afterAll(() => db?.close());

  const row = (version: number) =>
    db.queryOne<{ status: string; attempts: number; receipt_id: string | null; last_error: string | null }>(
      'SELECT status, attempts, receipt_id, last_error FROM indicator_delivery WHERE period_key = $1 AND version = $2',
      [PERIOD, version],
    );

  it('holds a later version behind a parked one until that one is delivered, counting each attempt', async () => {
    const first = { agencyCode: AGENCY, periodKey: PERIOD, version: 1 };
    const second = { ...first, version: 2 };
    expect(await deliveries.isParkedBehind(second)).toBe(false);

    await deliveries.mark(first, 'PARKED', { error: 'portal down' });
    expect(await deliveries.isParkedBehind(second)).toBe(true);
    expect(await deliveries.isParkedBehind(first)).toBe(false);

    await deliveries.mark(first, 'DELIVERED', { receiptId: 'R-1' });
    expect(await deliveries.isParkedBehind(second)).toBe(false);
    expect(await row(1)).toEqual({ status: 'DELIVERED', attempts: 2, receipt_id: 'R-1', last_error: null });

    await deliveries.mark(first, 'SUPERSEDED', {});
    expect((await row(1))?.receipt_id).toBe('R-1');
  });
});

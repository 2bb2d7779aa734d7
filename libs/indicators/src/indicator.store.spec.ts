/**
 * IndicatorStore on embedded PostgreSQL (PGlite, in memory, the project's migrations): idempotency by
 * event id, late events correcting their own period, and the SQL counting rules held to the pure
 * aggregator of libs/domain over every day, month and quarter of a synthetic month; then concurrent
 * events (group commits) on PGlite and on PostgreSQL.
 */
import type { ReportingPeriod } from '@lienthong/contracts';
import { aggregateIndicators, type IndicatorEvent } from '@lienthong/domain';
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import {
  duplicatesOf,
  expectedOctober,
  expectedScores,
  MONTH,
  planMonth,
} from '../../../test/indicators/synthetic-month';
import { createIsolatedDatabase } from '../../../test/support/database';
import { DOSSIER_LOCK_CLASS, IndicatorStore } from './indicator.store';

const NOW = new Date('2026-11-22T12:00:00+07:00');
const A = '000.17.22.H56';
const B = '000.00.14.H56';

describe('IndicatorStore', () => {
  let db: Database;
  let store: IndicatorStore;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    store = new IndicatorStore(db, () => NOW.getTime());
  });
  afterAll(() => db?.close());

  const event = (id: number, partial: Partial<IndicatorEvent>): IndicatorEvent => ({
    eventId: `20000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    dossierCode: `${A}-261005-0001`,
    agencyCode: A,
    status: 'RECEIVED',
    occurredAt: '2026-10-05T09:00:00+07:00',
    channel: 'COUNTER',
    ...partial,
  });

  it('applies an event id once: a redelivery changes nothing', async () => {
    const received = event(1, { dueAt: '2026-10-08T17:00:00+07:00' });
    expect((await store.record(received)).applied).toBe(true);
    expect(await store.record(received)).toEqual({ applied: false });
    expect(await store.record({ ...received, status: 'RESOLVED' })).toEqual({ applied: false });
    const row = await db.queryOne<{ event_count: number; received_at: Date }>(
      'SELECT event_count, received_at FROM indicator_dossier WHERE dossier_code = $1',
      [received.dossierCode],
    );
    expect(row).toEqual({ event_count: 1, received_at: new Date('2026-10-05T09:00:00+07:00') });
    const report = await store.report(A, MONTH);
    expect(report?.counts).toEqual(
      expect.objectContaining({ received: 1, pendingOverdue: 1, resolvedOnTime: 0 }),
    );
  });

  it('corrects the period of the dossier when its resolution arrives later, not the period it arrives in', async () => {
    await store.record(event(2, { status: 'RESOLVED', occurredAt: '2026-10-07T10:00:00+07:00' }));
    expect((await store.report(A, MONTH))?.counts).toEqual(
      expect.objectContaining({ received: 1, resolvedOnTime: 1, pendingOverdue: 0, pendingInTime: 0 }),
    );
    expect(await store.report(A, { kind: 'MONTH', key: '2026-11' })).toBeUndefined();
    expect((await store.report(A, { kind: 'DAY', key: '2026-10-06' }))?.counts).toEqual(
      expect.objectContaining({ received: 0, pendingInTime: 1 }),
    );
  });

  it('moves a dossier to the agency its latest event names', async () => {
    await store.record(
      event(3, { status: 'RESULT_RETURNED', occurredAt: '2026-10-07T11:00:00+07:00', agencyCode: B }),
    );
    expect(await store.agencies(MONTH)).toEqual([B]);
    expect(await store.report(A, MONTH)).toBeUndefined();
    expect((await store.report(B, MONTH))?.counts.received).toBe(1);
  });

  it('counts reuse-store components as the larger of the events’ figure and the reuse store’s own records', async () => {
    const agency = '000.20.01.H56';
    const dossierCode = `${agency}-261009-0001`;
    const received = event(10, {
      dossierCode,
      agencyCode: agency,
      occurredAt: '2026-10-09T09:00:00+07:00',
      documents: { componentsSubmitted: 4, componentsDigitised: 3, componentsReused: 1 },
    });
    await store.record(received);
    const reused = async () => (await store.report(agency, MONTH))?.counts.componentsReusedFromStore;
    expect(await reused()).toBe(1);
    for (let i = 1; i <= 3; i++) {
      const id = `40000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      await db.query(
        `INSERT INTO reuse_document (id, owner_kind, owner_key_id, owner_hash, document_type, issuing_agency_name,
           issued_on, content_sha256, storage_ref, signature_status, registered_by)
         VALUES ($1, 'ORGANISATION', 'k1', $2, 'GIAY_PHEP', 'UBND', '2026-01-01', $3, 'store://x', 'ABSENT', 'test')`,
        [id, 'a'.repeat(64), String(i).repeat(64)],
      );
      await db.query(
        'INSERT INTO document_reuse (document_id, dossier_code, client_id) VALUES ($1, $2, $3)',
        [id, dossierCode, 'motcua'],
      );
    }
    expect(await reused()).toBe(3);
    expect(aggregateIndicators([received], MONTH, NOW, new Map([[dossierCode, 3]]))[0].counts).toEqual(
      (await store.report(agency, MONTH))?.counts,
    );
  });

  describe('over a synthetic month', () => {
    const agencies = ['000.40.01.H56', '000.40.02.H56'];
    const month = planMonth({ seed: 424242, agencies });
    const shuffled = [...month.onTime].reverse(); // arrival order must not matter

    beforeAll(async () => {
      for (const e of [...shuffled, ...duplicatesOf(month.onTime, 3)]) await store.record(e);
    }, 60_000);

    it('counts October exactly before and after the late resolutions, duplicates included', async () => {
      const before = expectedOctober(month.plans, false);
      for (const agency of agencies) {
        const report = await store.report(agency, MONTH);
        expect(report?.counts).toEqual(before.get(agency));
        expect(report?.scores).toEqual(expectedScores(before.get(agency)!));
      }
      let applied = 0;
      for (const e of [...month.late, ...month.late, ...duplicatesOf(month.onTime, 4)]) {
        if ((await store.record(e)).applied) applied += 1;
      }
      expect(applied).toBe(month.late.length);
      const after = expectedOctober(month.plans, true);
      for (const agency of agencies) {
        const report = await store.report(agency, MONTH);
        expect(report?.counts).toEqual(after.get(agency));
        expect(report?.scores).toEqual(expectedScores(after.get(agency)!));
      }
      expect((await store.agencies(MONTH)).filter((a) => agencies.includes(a))).toEqual(agencies);
    });

    it('computes in SQL what the pure aggregator computes, for every day, month and quarter', async () => {
      const all = [...month.onTime, ...month.late];
      const periods: ReportingPeriod[] = [
        { kind: 'QUARTER', key: '2026-Q3' },
        { kind: 'QUARTER', key: '2026-Q4' },
        { kind: 'MONTH', key: '2026-09' },
        { kind: 'MONTH', key: '2026-10' },
        { kind: 'MONTH', key: '2026-11' },
        { kind: 'MONTH', key: '2026-12' },
      ];
      for (let day = 1; day <= 61; day++) {
        const date = new Date(Date.UTC(2026, 9, day));
        periods.push({ kind: 'DAY', key: date.toISOString().slice(0, 10) });
      }
      for (const period of periods) {
        const fromSql = (await store.reports(period)).filter((r) => agencies.includes(r.agencyCode));
        expect([period, fromSql]).toEqual([period, aggregateIndicators(all, period, NOW)]);
      }
    }, 60_000);
  });
});

/**
 * Concurrent events are applied in group commits: the same counts as one at a time, every event id applied
 * once even when its redeliveries arrive in the same group, on PGlite and on PostgreSQL.
 */
describe.each(['pglite', 'postgres'] as const)(
  'IndicatorStore applying concurrent events together (%s)',
  (kind) => {
    let db: Database;
    let store: IndicatorStore;
    let drop: (() => Promise<void>) | undefined;
    let url: string | undefined;
    const agencies = ['000.41.01.H56', '000.41.02.H56'];
    const month = planMonth({ seed: 7766, agencies });

    beforeAll(async () => {
      if (kind === 'postgres') {
        const isolated = await createIsolatedDatabase('indicator_groups');
        drop = isolated.drop;
        url = isolated.url;
        db = await createDatabase({ url });
      } else {
        db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
      }
      await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
      store = new IndicatorStore(db, () => NOW.getTime());
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      await drop?.();
    });

    it('counts what the pure aggregator counts, and applies each event id once', async () => {
      const all = [...month.onTime, ...month.late];
      // redeliveries interleaved with the originals, so some land in the same group as their first copy
      const arrivals = all.flatMap((e, i) => (i % 3 === 0 ? [e, e] : [e]));
      const outcomes = await Promise.all(arrivals.map((e) => store.record(e)));
      expect(outcomes.filter((o) => o.applied)).toHaveLength(all.length);
      const again = await Promise.all(duplicatesOf(month.onTime, 5).map((e) => store.record(e)));
      expect(again.every((o) => !o.applied)).toBe(true);
      const stored = await db.queryOne<{ events: number }>(
        'SELECT count(*)::int AS events FROM indicator_event',
      );
      expect(stored?.events).toBe(all.length);
      for (const period of [MONTH, { kind: 'QUARTER', key: '2026-Q4' } as ReportingPeriod]) {
        const fromSql = (await store.reports(period)).filter((r) => agencies.includes(r.agencyCode));
        expect([period, fromSql]).toEqual([period, aggregateIndicators(all, period, NOW)]);
      }
    }, 60_000);

    // PGlite has one connection: nothing else can hold a lock while a group runs
    if (kind === 'postgres') {
      it("derives a dossier's facts from what committed while its group waited for the dossier", async () => {
        const dossierCode = '000.41.03.H56-261006-0001';
        const received: IndicatorEvent = {
          eventId: '50000000-0000-4000-8000-000000000001',
          dossierCode,
          agencyCode: '000.41.03.H56',
          status: 'RECEIVED',
          occurredAt: '2026-10-06T09:00:00+07:00',
          channel: 'COUNTER',
        };
        const resolved = { ...received, eventId: '50000000-0000-4000-8000-000000000002', status: 'RESOLVED' };
        // another instance's group, holding the dossier: it records the resolution and commits only once
        // this instance's group for the same dossier is waiting
        const other = await createDatabase({ url });
        try {
          let recording: Promise<unknown> | undefined;
          await other.transaction(async (tx) => {
            await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [
              DOSSIER_LOCK_CLASS,
              dossierCode,
            ]);
            recording = store.record(received);
            for (const deadline = Date.now() + 10_000; ;) {
              const waiting = await db.queryOne<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
              );
              if (waiting?.n) break;
              if (Date.now() > deadline) throw new Error('the group never waited for the dossier');
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            await tx.query(
              `INSERT INTO indicator_event (event_id, dossier_code, occurred_at, payload)
               VALUES ($1, $2, $3, $4::jsonb)`,
              [resolved.eventId, dossierCode, resolved.occurredAt, JSON.stringify(resolved)],
            );
          });
          expect(await recording).toMatchObject({ applied: true });
          const row = await db.queryOne<{ event_count: number; resolved_at: Date | null }>(
            'SELECT event_count, resolved_at FROM indicator_dossier WHERE dossier_code = $1',
            [dossierCode],
          );
          expect(row).toEqual({ event_count: 2, resolved_at: new Date(resolved.occurredAt) });
        } finally {
          await other.close();
        }
      }, 30_000);
    }
  },
);

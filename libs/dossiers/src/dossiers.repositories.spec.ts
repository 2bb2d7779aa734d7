/**
 * The dossiers' repositories on embedded PostgreSQL (PGlite, in memory, the project's migrations): what a
 * service reads back after writing through them.
 */
import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import { DossierHandoverRepository } from './dossier-handover.repository';
import { DossierStateRepository } from './dossier-state.repository';
import {
  PortalDossierCodesRepository,
  PortalSyncGapsRepository,
  PortalSyncParking,
} from './portal-sync.repository';

const AGENCY = '000.17.22.H56';
const OTHER = '000.00.14.H56';
const CODE = `${AGENCY}-261005-0001`;
const eventId = (n: number) => `30000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('dossiers repositories', () => {
  let db: Database;
  let states: DossierStateRepository;
  let handovers: DossierHandoverRepository;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    states = new DossierStateRepository(db);
    handovers = new DossierHandoverRepository(db);
  });
  afterAll(() => db?.close());

  const accept = (seq: number, status: string, occurredAt: string) =>
    db.transaction((tx) =>
      states.writeAccepted(
        tx,
        [
          {
            dossierCode: CODE,
            agencyCode: AGENCY,
            procedureCode: '1.000001',
            status,
            lastEventId: eventId(seq),
            lastOccurredAt: new Date(occurredAt),
            eventCount: seq,
          },
        ],
        [
          {
            eventId: eventId(seq),
            dossierCode: CODE,
            seq,
            status,
            occurredAt: new Date(occurredAt),
            requestId: `req-${seq}`,
            payload: { eventId: eventId(seq), status },
          },
        ],
      ),
    );

  it('keeps a dossier state and its history as accepted events leave them', async () => {
    await accept(1, 'RECEIVED', '2026-10-05T09:00:00+07:00');
    await accept(2, 'IN_PROCESS', '2026-10-06T09:00:00+07:00');

    expect(await states.find(CODE)).toEqual({ agencyCode: AGENCY, closed: false });
    expect(await states.find(`${AGENCY}-261005-0002`)).toBeUndefined();
    expect(await states.summary(CODE)).toMatchObject({
      agency_code: AGENCY,
      procedure_code: '1.000001',
      status: 'IN_PROCESS',
      event_count: 2,
    });
    expect((await states.history(CODE)).map((row) => [row.seq, row.status])).toEqual([
      [1, 'RECEIVED'],
      [2, 'IN_PROCESS'],
    ]);
    const { locked, known } = await db.transaction(async (tx) => ({
      locked: await states.lockForUpdate(tx, [CODE, `${AGENCY}-261005-0009`]),
      known: await states.knownEvents(tx, [eventId(1), eventId(7)]),
    }));
    expect([...locked.keys()]).toEqual([CODE]);
    expect(locked.get(CODE)).toMatchObject({ status: 'IN_PROCESS', event_count: 2 });
    expect([...known.values()]).toEqual([{ event_id: eventId(1), dossier_code: CODE, seq: 1 }]);

    const withLast = await db.transaction(async (tx) => ({
      known: await states.lockWithLastEvent(tx, CODE),
      unknown: await states.lockWithLastEvent(tx, `${AGENCY}-261005-0009`),
    }));
    expect(withLast.known).toMatchObject({
      agency_code: AGENCY,
      procedure_code: '1.000001',
      status: 'IN_PROCESS',
      event_count: 2,
      payload: { eventId: eventId(2), status: 'IN_PROCESS' },
    });
    expect(new Date(withLast.known!.last_occurred_at).toISOString()).toBe('2026-10-06T02:00:00.000Z');
    expect(withLast.unknown).toBeNull();
  });

  it('finds the latest event of a dossier the portal has no successful sync of', async () => {
    expect(await states.latestEvent(CODE)).toMatchObject({
      payload: { eventId: eventId(2), status: 'IN_PROCESS' },
      request_id: 'req-2',
    });
    expect(await states.latestEvent(`${AGENCY}-261005-0002`)).toBeNull();
    const sync = new PortalSyncGapsRepository(db);
    expect((await sync.gaps(0, 10)).map((gap) => [gap.dossier_code, gap.last_ok, gap.parked])).toEqual([
      [CODE, null, false],
    ]);
    expect(await sync.gaps(3600, 10)).toEqual([]);
    const synced = await sync.syncedSince([CODE, `${AGENCY}-261005-0002`]);
    expect(synced.get(CODE)).toEqual({ lastOk: null, gap: true });
    expect(synced.get(`${AGENCY}-261005-0002`)).toEqual({ lastOk: null, gap: true });
  });

  it('records each step of a hand-over and counts it for both agencies', async () => {
    const start = new Date(Date.now() - 60_000);
    const end = new Date(Date.now() + 60_000);
    await db.transaction(async (tx) => {
      expect(await handovers.lock(tx, CODE)).toBeNull();
      await handovers.handOver(tx, {
        dossierCode: CODE,
        procedureCode: '1.000001',
        receivingAgency: AGENCY,
        competentAgency: OTHER,
        by: 'one-stop',
      });
    });
    const refused = await db.transaction((tx) =>
      handovers.decide(tx, CODE, { state: 'REFUSED', by: 'other', reason: 'not ours' }),
    );
    expect(refused).toMatchObject({ state: 'REFUSED', reason: 'not ours' });
    // handed over again: the earlier decision is gone
    const again = await db.transaction((tx) =>
      handovers.handOver(tx, {
        dossierCode: CODE,
        procedureCode: '1.000001',
        receivingAgency: AGENCY,
        competentAgency: OTHER,
        by: 'one-stop',
      }),
    );
    expect(again).toMatchObject({ state: 'HANDED_OVER', decided_at: null, reason: null });
    await db.transaction((tx) =>
      handovers.decide(tx, CODE, { state: 'ACCEPTED', by: 'other', reason: null }),
    );
    const returned = await db.transaction((tx) => handovers.resultReturned(tx, CODE, 'other'));
    expect(returned.state).toBe('RESULT_RETURNED');
    expect(await handovers.find(CODE)).toMatchObject({ state: 'RESULT_RETURNED', competent_agency: OTHER });

    expect(await handovers.counts(AGENCY, start, end)).toEqual({
      handedOver: 1,
      received: 0,
      accepted: 0,
      refused: 0,
      resultsReturned: 0,
    });
    expect(await handovers.counts(OTHER, start, end)).toEqual({
      handedOver: 0,
      received: 1,
      accepted: 1,
      refused: 0,
      resultsReturned: 1,
    });
  });

  it('parks a dossier until each of its parked events is taken off', async () => {
    const parking = new PortalSyncParking(db);
    await parking.park(CODE, eventId(1));
    await parking.park(CODE, eventId(1));
    await parking.park(CODE, eventId(2));
    expect(await parking.isParked(CODE)).toBe(true);
    await parking.unpark(CODE, eventId(1));
    expect(await parking.isParked(CODE)).toBe(true);
    await parking.unpark(CODE, eventId(2));
    expect(await parking.isParked(CODE)).toBe(false);
  });

  it("keeps the portal's latest code for a dossier until it is deleted", async () => {
    const codes = new PortalDossierCodesRepository(db);
    expect(await codes.get(CODE)).toBeUndefined();
    await codes.set(CODE, 'P-1');
    await codes.set(CODE, 'P-2');
    expect(await codes.get(CODE)).toBe('P-2');
    await codes.delete(CODE);
    expect(await codes.get(CODE)).toBeUndefined();
  });
});

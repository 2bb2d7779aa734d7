import { randomUUID } from 'node:crypto';
import { validate } from '@lienthong/contracts';
import { DossierStatus } from '@lienthong/domain';
import { DossierStateRepository } from '@lienthong/dossiers';
import { Outbox, Topic } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { createDatabase, Database, loadMigrations, migrate, PGLITE_MEMORY } from '@lienthong/storage';
import {
  CHAIN_RUNNER_SOURCE,
  ParentDossierStatusRepository,
  parentStatusEventId,
  parentStatusFor,
} from './parent-dossier-status';

const S = DossierStatus;

describe('parentStatusFor', () => {
  it.each([
    ['chain.started', S.RECEIVED, S.IN_PROCESS],
    ['chain.started', S.SUBMITTED, undefined],
    ['chain.started', S.IN_PROCESS, undefined],
    ['chain.started', null, undefined],
    ['chain.completed', S.RECEIVED, S.RESOLVED],
    ['chain.completed', S.IN_PROCESS, S.RESOLVED],
    ['chain.completed', S.PAYMENT_REQUESTED, S.RESOLVED],
    ['chain.completed', S.SUPPLEMENT_REQUESTED, undefined],
    ['chain.completed', S.RESOLVED, undefined],
    ['chain.completed', S.WITHDRAWN, undefined],
    ['chain.stopped', S.IN_PROCESS, S.STOPPED],
    ['chain.stopped', S.SUPPLEMENT_REQUESTED, S.STOPPED],
    ['chain.stopped', S.SUBMITTED, undefined],
    ['chain.stopped', S.RESULT_RETURNED, undefined],
  ] as const)('%s from %s gives %s', (kind, current, expected) => {
    expect(parentStatusFor(kind, current)).toBe(expected);
  });
});

describe('parentStatusEventId', () => {
  it('is the same uuid for the same transition and differs between transitions and dossiers', () => {
    const a = parentStatusEventId('000.00.31.H56-261206-0001', 'chain.started');
    expect(a).toBe(parentStatusEventId('000.00.31.H56-261206-0001', 'chain.started'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(parentStatusEventId('000.00.31.H56-261206-0001', 'chain.completed'));
    expect(a).not.toBe(parentStatusEventId('000.00.31.H56-261206-0002', 'chain.started'));
  });
});

describe('ParentDossierStatusRepository on PGlite', () => {
  let db: Database;
  let states: DossierStateRepository;
  let repository: ParentDossierStatusRepository;
  let n = 0;

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, {
      migrations: loadMigrations(),
      logger: { log: () => undefined, warn: () => undefined },
    });
    const logger = createLogger({ name: 'parent-status-spec', level: 'silent' });
    states = new DossierStateRepository(db);
    repository = new ParentDossierStatusRepository(
      new Outbox(db, {} as never, { logger } as never, { pollMs: 60_000 }),
      states,
    );
  });

  afterAll(() => db.close());

  /** A parent dossier the one-stop system reported with `status` at `at`. */
  async function dossier(status: DossierStatus, at = new Date(Date.now() - 60_000)): Promise<string> {
    const code = `000.00.31.H56-261206-${String(++n).padStart(4, '0')}`;
    const eventId = randomUUID();
    const payload = {
      eventId,
      dossierCode: code,
      agencyCode: '000.00.31.H56',
      procedureCode: '1.001193',
      sectorCode: 'HT',
      status,
      occurredAt: at.toISOString(),
      dueAt: '2026-12-20T17:00:00+07:00',
      channel: 'COUNTER',
      applicant: { kind: 'CITIZEN', personalId: '001195012345' },
      handler: { name: 'Đỗ Minh Quang', position: 'Chuyên viên', department: 'Bộ phận một cửa' },
    };
    await db.transaction((tx) =>
      states.writeAccepted(
        tx,
        [
          {
            dossierCode: code,
            agencyCode: '000.00.31.H56',
            procedureCode: '1.001193',
            status,
            lastEventId: eventId,
            lastOccurredAt: at,
            eventCount: 1,
          },
        ],
        [{ eventId, dossierCode: code, seq: 1, status, occurredAt: at, requestId: 'one-stop-1', payload }],
      ),
    );
    return code;
  }

  const write = (
    code: string,
    kind: 'chain.started' | 'chain.completed' | 'chain.stopped',
    reason?: string,
  ) =>
    db.transaction((tx) =>
      repository.write(tx, { parentDossierCode: code, kind, at: new Date(), ...(reason ? { reason } : {}) }),
    );

  const history = (code: string) =>
    db.query<{ seq: number; status: string }>(
      'SELECT seq, status FROM dossier_event WHERE dossier_code = $1 ORDER BY seq',
      [code],
    );

  const published = async (code: string) =>
    (
      await db.query<{ topic: string; value: Buffer | Uint8Array }>(
        'SELECT topic, value FROM outbox WHERE message_key = $1 ORDER BY id',
        [code],
      )
    ).map((row) => ({ topic: row.topic, event: JSON.parse(Buffer.from(row.value).toString()) }));

  it('moves a received dossier to IN_PROCESS, then RESOLVED, each once, as the one-stop system’s events are written', async () => {
    const code = await dossier(S.RECEIVED);
    expect(await write(code, 'chain.started')).toMatchObject({
      outcome: 'ACCEPTED',
      status: 'IN_PROCESS',
      seq: 2,
    });
    // a replay of the same transition changes nothing
    expect(await write(code, 'chain.started')).toEqual({ outcome: 'SKIPPED', why: 'DUPLICATE' });
    expect(await write(code, 'chain.completed')).toMatchObject({
      outcome: 'ACCEPTED',
      status: 'RESOLVED',
      seq: 3,
    });
    expect(await history(code)).toEqual([
      { seq: 1, status: 'RECEIVED' },
      { seq: 2, status: 'IN_PROCESS' },
      { seq: 3, status: 'RESOLVED' },
    ]);
    const state = await db.queryOne(
      `SELECT agency_code, procedure_code, status, last_event_id, event_count FROM dossier_state
        WHERE dossier_code = $1`,
      [code],
    );
    expect(state).toEqual({
      agency_code: '000.00.31.H56',
      procedure_code: '1.001193',
      status: 'RESOLVED',
      last_event_id: parentStatusEventId(code, 'chain.completed'),
      event_count: 3,
    });
    const requests = await db.query<{ request_id: string }>(
      'SELECT request_id FROM dossier_event WHERE dossier_code = $1 ORDER BY seq',
      [code],
    );
    expect(requests.map((row) => row.request_id)).toEqual([
      'one-stop-1',
      `chain.${code}.started`,
      `chain.${code}.completed`,
    ]);

    const messages = await published(code);
    expect(messages.map((m) => [m.topic, m.event.data.status])).toEqual([
      [Topic.DossierStatus, 'IN_PROCESS'],
      [Topic.DossierStatus, 'RESOLVED'],
    ]);
    for (const { event } of messages) {
      expect(event).toMatchObject({
        source: CHAIN_RUNNER_SOURCE,
        subject: code,
        type: 'vn.lienthong.dossier.status.v1',
      });
      expect(validate('dossier-status-event', event.data).ok).toBe(true);
      // the procedure, channel, applicant and appointment come from the one-stop system's own event; no handler
      expect(event.data).toMatchObject({
        procedureCode: '1.001193',
        sectorCode: 'HT',
        channel: 'COUNTER',
        applicant: { kind: 'CITIZEN', personalId: '001195012345' },
        dueAt: '2026-12-20T17:00:00+07:00',
      });
      expect(event.data.handler).toBeUndefined();
    }
    expect(messages[0].event.id).toBe(parentStatusEventId(code, 'chain.started'));
  });

  it('stops the dossier with the reason written for the citizen as its note', async () => {
    const code = await dossier(S.IN_PROCESS);
    const reason = 'Hồ sơ đăng ký khai sinh không hợp lệ: thiếu giấy chứng sinh.';
    expect(await write(code, 'chain.stopped', reason)).toMatchObject({
      outcome: 'ACCEPTED',
      status: 'STOPPED',
    });
    const [message] = await published(code);
    expect(message.event.data).toMatchObject({ status: 'STOPPED', portalStatusCode: 8, note: reason });
  });

  it('leaves alone a dossier the one-stop system has not reported, has moved on, or reported later', async () => {
    expect(await write('000.00.31.H56-261206-9999', 'chain.started')).toEqual({
      outcome: 'SKIPPED',
      why: 'NO_DOSSIER',
    });
    const submitted = await dossier(S.SUBMITTED);
    expect(await write(submitted, 'chain.started')).toEqual({ outcome: 'SKIPPED', why: 'NO_STATUS_CHANGE' });
    const returned = await dossier(S.RESULT_RETURNED);
    expect(await write(returned, 'chain.completed')).toEqual({ outcome: 'SKIPPED', why: 'NO_STATUS_CHANGE' });
    const later = await dossier(S.RECEIVED, new Date(Date.now() + 60_000));
    expect(await write(later, 'chain.started')).toEqual({ outcome: 'SKIPPED', why: 'STALE' });
    for (const code of [submitted, returned, later]) {
      expect(await history(code)).toHaveLength(1);
      expect(await published(code)).toEqual([]);
    }
  });
});

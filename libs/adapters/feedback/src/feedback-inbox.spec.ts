import { createDatabase, migrate, PGLITE_MEMORY, type Database } from '@lienthong/storage';
import type { FeedbackItem } from './feedback.client';
import { FeedbackInbox } from './feedback-inbox';

/** The feedback tables on embedded PGlite: routing, the deadline rule, answers on time and late. */
describe('FeedbackInbox', () => {
  let db: Database;
  let inbox: FeedbackInbox;
  const item = (id: string, receivedAt: string, agencyCode?: string): FeedbackItem => ({
    id,
    receivedAt: new Date(receivedAt),
    procedureCode: '1.001612',
    ...(agencyCode ? { agencyCode } : {}),
    content: `Phản ánh ${id}`,
    contact: { fullName: 'Nguyễn Văn A', phone: '0912345678' },
  });

  beforeAll(async () => {
    db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    await migrate(db, { logger: { log: () => undefined, warn: () => undefined } });
    inbox = new FeedbackInbox(db, { answerWorkingDays: 10 });
  });
  afterAll(() => db.close());

  it('counts 10 working days from the day after receipt, Vietnam time, weekends off', () => {
    // Friday 2026-12-04 23:30 in Vietnam (16:30 UTC): day 1 is Monday 7, day 10 is Friday 18
    expect(inbox.deadline(new Date('2026-12-04T16:30:00Z')).toISOString()).toBe('2026-12-18T16:59:59.999Z');
    // Friday 2026-12-04 17:30 UTC is already Saturday 5 in Vietnam: day 10 is still Friday 18
    expect(inbox.deadline(new Date('2026-12-04T17:30:00Z')).toISOString()).toBe('2026-12-18T16:59:59.999Z');
  });

  it('stores a page and its cursor once, routes by agency code and keeps an item without one UNROUTED', async () => {
    const now = new Date('2026-12-07T02:00:00Z');
    const page = [item('F-1', '2026-12-04T03:00:00Z', '000.00.31.H56'), item('F-2', '2026-12-04T03:00:00Z')];
    expect((await inbox.store(page, '2', now)).map((i) => i.id)).toEqual(['F-1', 'F-2']);
    expect(await inbox.store(page, '2', now)).toEqual([]);
    expect(await inbox.cursor()).toBe('2');
    const listed = await inbox.list({ agencyCode: '000.00.31.H56' }, now);
    expect(listed.map((i) => [i.id, i.status, i.overdue])).toEqual([['F-1', 'OPEN', false]]);
    expect((await inbox.get('F-2', now))?.status).toBe('UNROUTED');
    expect(await inbox.answered('F-2', 'x', now, 'c')).toBeUndefined();
  });

  it('records an answer by the deadline as on time, after it as late, and only once', async () => {
    await inbox.store(
      [
        item('F-3', '2026-12-04T03:00:00Z', '000.00.31.H29'),
        item('F-4', '2026-12-04T03:00:00Z', '000.00.31.H29'),
      ],
      '4',
      new Date('2026-12-04T04:00:00Z'),
    );
    const due = (await inbox.get('F-3', new Date()))!.dueAt;
    expect((await inbox.answered('F-3', 'Đã xử lý.', new Date(due), 'c'))?.status).toBe('ANSWERED_ON_TIME');
    const late = await inbox.answered('F-4', 'Đã xử lý.', new Date(Date.parse(due) + 1), 'c');
    expect(late).toMatchObject({ status: 'ANSWERED_LATE', overdue: true });
    expect(await inbox.answered('F-4', 'Lần hai.', new Date(), 'c')).toBeUndefined();
    const lateOnes = await inbox.list({ agencyCode: '000.00.31.H29', status: 'ANSWERED_LATE' }, new Date());
    expect(lateOnes.map((i) => i.id)).toEqual(['F-4']);
  });
});

import { FeedbackSimulator, startFeedbackSimulator } from '@lienthong/simulators';
import { FeedbackClient } from './feedback.client';
import { feedbackErrors } from './feedback.errors';

/** The client against the national feedback system's simulator over real HTTP. */
describe('FeedbackClient', () => {
  let national: FeedbackSimulator;
  let client: FeedbackClient;
  const ctx = { requestId: 'feedback-client-spec' };
  const FAST = { retries: 0, timeoutMs: 2_000, halfOpenAfterMs: 50 };

  const item = (ma: string, extra: Record<string, unknown> = {}) => ({
    ma,
    thoiGianTiepNhan: '2026-12-01T03:00:00.000Z',
    maThuTuc: '1.001612',
    maCoQuan: '000.00.31.H56',
    noiDung: `Phản ánh ${ma}`,
    nguoiPhanAnh: { hoTen: 'Nguyễn Văn A', soDienThoai: '0912345678' },
    ...extra,
  });

  beforeAll(async () => {
    national = await startFeedbackSimulator();
  });
  beforeEach(() => {
    national.store.clear();
    national.faults.clear();
    client = new FeedbackClient({
      url: national.url,
      apiKey: 'lienthong-feedback-dev-key',
      resilience: FAST,
    });
  });
  afterEach(() => client.close());
  afterAll(() => national.close());

  it('pages through the new items after a cursor, oldest first', async () => {
    for (const ma of ['P-1', 'P-2', 'P-3']) national.store.add(item(ma));
    const first = await client.fetchNew(undefined, ctx, 2);
    expect(first.items.map((i) => i.id)).toEqual(['P-1', 'P-2']);
    expect(first.more).toBe(true);
    expect(first.items[0]).toEqual({
      id: 'P-1',
      receivedAt: new Date('2026-12-01T03:00:00.000Z'),
      procedureCode: '1.001612',
      agencyCode: '000.00.31.H56',
      content: 'Phản ánh P-1',
      contact: { fullName: 'Nguyễn Văn A', phone: '0912345678' },
    });
    const second = await client.fetchNew(first.cursor, ctx, 2);
    expect(second.items.map((i) => i.id)).toEqual(['P-3']);
    expect(second.more).toBe(false);
    const none = await client.fetchNew(second.cursor, ctx, 2);
    expect(none).toEqual({ items: [], cursor: second.cursor, more: false });
  });

  it('acknowledges and answers; the same answer again is accepted, another one is a conflict', async () => {
    national.store.add(item('P-9'));
    await client.acknowledge('P-9', ctx);
    await client.acknowledge('P-9', ctx);
    expect([...national.store.acknowledged.keys()]).toEqual(['P-9']);
    const answer = { content: 'Đã xử lý.', agencyCode: '000.00.31.H56', answeredAt: new Date() };
    await client.answer('P-9', answer, ctx);
    await client.answer('P-9', answer, ctx);
    expect(national.store.answers.get('P-9')).toMatchObject({
      noiDung: 'Đã xử lý.',
      coQuanTraLoi: '000.00.31.H56',
    });
    await expect(client.answer('P-9', { ...answer, content: 'Khác.' }, ctx)).rejects.toMatchObject({
      code: 'FEEDBACK_CONFLICT',
      details: { status: 409, upstreamCode: 'DA_TRA_LOI' },
    });
    await expect(client.acknowledge('P-unknown', ctx)).rejects.toMatchObject({ code: 'FEEDBACK_NOT_FOUND' });
  });

  it('refuses a malformed id or an empty answer before sending anything', async () => {
    await expect(client.acknowledge('bad id/..', ctx)).rejects.toMatchObject({
      code: 'FEEDBACK_INVALID_REQUEST',
    });
    await expect(
      client.answer('P-1', { content: ' ', agencyCode: 'x', answeredAt: new Date() }, ctx),
    ).rejects.toMatchObject({ code: 'FEEDBACK_INVALID_REQUEST' });
  });

  it('names a refused key, an unavailable system and a malformed answer', async () => {
    const wrong = new FeedbackClient({ url: national.url, apiKey: 'wrong', resilience: FAST });
    try {
      await expect(wrong.fetchNew(undefined, ctx)).rejects.toMatchObject({
        code: 'FEEDBACK_AUTHENTICATION',
        transient: false,
      });
    } finally {
      await wrong.close();
    }
    national.faults.set({ errorRate: 1 });
    const down = await client.fetchNew(undefined, ctx).catch((error: unknown) => error);
    expect(feedbackErrors.owns(down)).toBe(true);
    expect(down).toMatchObject({ code: 'FEEDBACK_UNAVAILABLE', transient: true });
    national.faults.clear();
    national.store.add(item('P-5'));
    national.faults.set({ malformedRate: 1 });
    await expect(client.fetchNew(undefined, ctx)).rejects.toMatchObject({
      code: 'FEEDBACK_MALFORMED_RESPONSE',
    });
  });
});

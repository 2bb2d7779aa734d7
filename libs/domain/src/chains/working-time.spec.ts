import { dueAt } from './working-time';

describe('dueAt', () => {
  it('ends on the last moment of the n-th working day after the start, Vietnam time, skipping weekends', () => {
    // Friday 4 December 2026, 10:00 in Hà Nội: one working day later is Monday 7 December, 23:59:59.999
    expect(dueAt(new Date('2026-12-04T03:00:00Z'), { workingDays: 1 })?.toISOString()).toBe(
      '2026-12-07T16:59:59.999Z',
    );
    // Friday 23:30 in Hà Nội is still Friday there (16:30 UTC)
    expect(dueAt(new Date('2026-12-04T16:30:00Z'), { workingDays: 1 })?.toISOString()).toBe(
      '2026-12-07T16:59:59.999Z',
    );
    // Wednesday, 5 working days: the next Wednesday
    expect(dueAt(new Date('2026-12-02T02:00:00Z'), { workingDays: 5 })?.toISOString()).toBe(
      '2026-12-09T16:59:59.999Z',
    );
  });

  it('counts hours as elapsed time, and has no due time without a limit', () => {
    expect(dueAt(new Date('2026-12-05T01:00:00Z'), { hours: 8 })?.toISOString()).toBe(
      '2026-12-05T09:00:00.000Z',
    );
    expect(dueAt(new Date('2026-12-05T01:00:00Z'), {})).toBeUndefined();
  });
});

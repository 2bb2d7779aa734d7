import {
  evaluationInstant,
  formatLocalDateTime,
  isReportingPeriod,
  parsePeriodKey,
  periodBounds,
  periodOf,
  periodsOf,
} from './indicator-period';

describe('indicator periods (Asia/Ho_Chi_Minh calendar)', () => {
  it.each([
    // instant, DAY, MONTH, QUARTER
    ['2026-10-31T16:59:59.999Z', '2026-10-31', '2026-10', '2026-Q4'],
    ['2026-10-31T17:00:00Z', '2026-11-01', '2026-11', '2026-Q4'],
    ['2026-09-30T17:00:00Z', '2026-10-01', '2026-10', '2026-Q4'],
    ['2026-09-30T16:59:59Z', '2026-09-30', '2026-09', '2026-Q3'],
    ['2026-12-31T17:00:00Z', '2027-01-01', '2027-01', '2027-Q1'],
    ['2028-02-29T05:00:00+07:00', '2028-02-29', '2028-02', '2028-Q1'],
    ['2026-06-30T23:30:00+07:00', '2026-06-30', '2026-06', '2026-Q2'],
  ])('puts %s in day %s, month %s, quarter %s', (instant, day, month, quarter) => {
    expect(periodsOf(instant)).toEqual([
      { kind: 'DAY', key: day },
      { kind: 'MONTH', key: month },
      { kind: 'QUARTER', key: quarter },
    ]);
  });

  it.each([
    ['2026-10-31', { kind: 'DAY', key: '2026-10-31' }],
    ['2026-10', { kind: 'MONTH', key: '2026-10' }],
    ['2026-Q4', { kind: 'QUARTER', key: '2026-Q4' }],
    ['2028-02-29', { kind: 'DAY', key: '2028-02-29' }],
    ['2026-02-29', undefined],
    ['2026-10-32', undefined],
    ['2026-13', undefined],
    ['2026-00', undefined],
    ['2026-Q5', undefined],
    ['2026-q4', undefined],
    ['26-10', undefined],
    ['2026-10-31T00:00', undefined],
    ['', undefined],
    [undefined, undefined],
    [['2026-10'], undefined],
  ])('reads the key %p as %p', (key, period) => {
    expect(parsePeriodKey(key)).toEqual(period);
  });

  it.each([
    [{ kind: 'DAY', key: '2026-10-31' }, '2026-10-30T17:00:00.000Z', '2026-10-31T17:00:00.000Z'],
    [{ kind: 'MONTH', key: '2026-10' }, '2026-09-30T17:00:00.000Z', '2026-10-31T17:00:00.000Z'],
    [{ kind: 'MONTH', key: '2026-12' }, '2026-11-30T17:00:00.000Z', '2026-12-31T17:00:00.000Z'],
    [{ kind: 'QUARTER', key: '2026-Q4' }, '2026-09-30T17:00:00.000Z', '2026-12-31T17:00:00.000Z'],
    [{ kind: 'QUARTER', key: '2027-Q1' }, '2026-12-31T17:00:00.000Z', '2027-03-31T17:00:00.000Z'],
  ] as const)('bounds %p from %s to %s (end excluded)', (period, start, end) => {
    const bounds = periodBounds(period);
    expect([bounds.start.toISOString(), bounds.end.toISOString()]).toEqual([start, end]);
    expect(periodOf(period.kind, bounds.start)).toEqual(period);
    expect(periodOf(period.kind, bounds.end.getTime() - 1)).toEqual(period);
    expect(periodOf(period.kind, bounds.end)).not.toEqual(period);
  });

  it('refuses a period whose key does not match its kind', () => {
    expect(isReportingPeriod({ kind: 'DAY', key: '2026-10' })).toBe(false);
    expect(isReportingPeriod({ kind: 'MONTH', key: '2026-10' })).toBe(true);
    expect(() => periodBounds({ kind: 'QUARTER', key: '2026-10' })).toThrow(RangeError);
  });

  it.each([
    ['a running period is taken now', '2026-11-22T05:00:00Z', '2026-11-22T05:00:00.000Z'],
    ['a closed period is taken at its end', '2026-12-03T00:00:00Z', '2026-11-30T17:00:00.000Z'],
    ['a period not started yet is taken at its end', '2026-10-15T00:00:00Z', '2026-11-30T17:00:00.000Z'],
  ])('%s', (_name, now, expected) => {
    expect(evaluationInstant({ kind: 'MONTH', key: '2026-11' }, new Date(now)).toISOString()).toBe(expected);
  });

  it('writes instants in Vietnamese time', () => {
    expect(formatLocalDateTime('2026-10-31T17:05:00Z')).toBe('2026-11-01T00:05:00+07:00');
    expect(formatLocalDateTime(new Date('2026-11-01T00:05:00+07:00'))).toBe('2026-11-01T00:05:00+07:00');
    expect(() => formatLocalDateTime('yesterday')).toThrow(RangeError);
  });
});

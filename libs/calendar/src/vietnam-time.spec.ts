import {
  fromVietnamCompact,
  toMillis,
  vietnamCompact,
  vietnamDate,
  vietnamDateTime,
  vietnamDayFirst,
  vietnamDayStart,
} from './vietnam-time';

describe('Vietnam time', () => {
  // 2026-10-31T20:30:05.250Z is already 1 November, 03:30:05 in Viet Nam
  const late = new Date('2026-10-31T20:30:05.250Z');

  it('writes an instant in the local forms, crossing the date line where UTC has not', () => {
    expect(vietnamDateTime(late)).toBe('2026-11-01T03:30:05+07:00');
    expect(vietnamDate(late)).toBe('2026-11-01');
    expect(vietnamCompact(late)).toBe('20261101033005');
    expect(vietnamDayFirst(late)).toBe('01/11/2026 03:30:05');
    expect(vietnamDateTime('2026-11-01T03:30:05+07:00')).toBe('2026-11-01T03:30:05+07:00');
    expect(vietnamDate(late.getTime())).toBe('2026-11-01');
  });

  it('starts a local day at 17:00 UTC of the day before', () => {
    expect(vietnamDayStart('2026-11-01').toISOString()).toBe('2026-10-31T17:00:00.000Z');
  });

  it('reads a compact local time back, and refuses one that does not exist', () => {
    expect(fromVietnamCompact('20261101033005')).toBe('2026-11-01T03:30:05+07:00');
    expect(Date.parse(fromVietnamCompact(vietnamCompact(late))!)).toBe(
      Math.floor(late.getTime() / 1000) * 1000,
    );
    expect(fromVietnamCompact('20260230120000')).toBeUndefined();
    expect(fromVietnamCompact('20261101246000')).toBeUndefined();
    expect(fromVietnamCompact('2026110103300')).toBeUndefined();
    expect(fromVietnamCompact(20261101033005)).toBeUndefined();
  });

  it('refuses what is not an instant', () => {
    expect(() => toMillis('yesterday')).toThrow(RangeError);
    expect(() => vietnamDate(Number.NaN)).toThrow(RangeError);
  });
});

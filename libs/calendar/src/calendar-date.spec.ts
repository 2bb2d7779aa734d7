import { isRealDate, yearOfIsoDate } from './calendar-date';

describe('isRealDate', () => {
  it.each([
    [2021, 5, 31, true],
    [2020, 2, 29, true],
    [2000, 2, 29, true],
    [2021, 2, 29, false],
    [1900, 2, 29, false],
    [2021, 2, 30, false],
    [2021, 4, 31, false],
    [2021, 12, 31, true],
    [2021, 13, 1, false],
    [2021, 0, 1, false],
    [2021, 1, 0, false],
    [2021, 1.5, 1, false],
  ])('%i-%i-%i → %s', (y, m, d, expected) => {
    expect(isRealDate(y, m, d)).toBe(expected);
  });
});

describe('yearOfIsoDate', () => {
  it.each([
    ['2003-04-05', 2003],
    ['1900-01-01', 1900],
    ['2003-4-5', null],
    ['2003-02-29', null],
    ['20030405', null],
    ['2003-04-05T00:00:00Z', null],
  ])('%j → %p', (value, expected) => {
    expect(yearOfIsoDate(value)).toBe(expected);
  });
});

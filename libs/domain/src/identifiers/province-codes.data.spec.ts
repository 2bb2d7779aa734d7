import { BIRTH_REGISTRATION_PROVINCES, LEGACY_PROVINCES, PROVINCES } from './province-codes.data';

const LEGACY_CODES =
  '01 02 04 06 08 10 11 12 14 15 17 19 20 22 24 25 26 27 30 31 33 34 35 36 37 38 40 42 44 45 46 48 49 51 52 54 56 ' +
  '58 60 62 64 66 67 68 70 72 74 75 77 79 80 82 83 84 86 87 89 91 92 93 94 95 96';
const CURRENT_CODES =
  '01 04 08 11 12 14 15 19 20 22 24 25 31 33 37 38 40 42 44 46 48 51 52 56 66 68 75 79 80 82 86 91 92 96';

describe('province lists', () => {
  it.each([
    ['2004 list', LEGACY_PROVINCES, LEGACY_CODES, 63],
    ['2025 list', PROVINCES, CURRENT_CODES, 34],
  ])('%s has exactly the expected codes, in order, each once', (_label, list, expected, count) => {
    expect(list).toHaveLength(count);
    expect(list.map((p) => p.code).join(' ')).toBe(expected);
  });

  it('derives the 63 birth-registration codes by prefixing 0', () => {
    expect(BIRTH_REGISTRATION_PROVINCES.map((p) => p.code)).toEqual(
      LEGACY_CODES.split(' ').map((c) => `0${c}`),
    );
  });

  it.each([
    [PROVINCES, '15', 'Lào Cai'],
    [PROVINCES, '24', 'Bắc Ninh'],
    [PROVINCES, '46', 'Huế'],
    [PROVINCES, '52', 'Gia Lai'],
    [PROVINCES, '80', 'Tây Ninh'],
    [LEGACY_PROVINCES, '15', 'Yên Bái'],
    [LEGACY_PROVINCES, '24', 'Bắc Giang'],
    [LEGACY_PROVINCES, '46', 'Thừa Thiên Huế'],
    [LEGACY_PROVINCES, '67', 'Đắk Nông'],
    [LEGACY_PROVINCES, '77', 'Bà Rịa–Vũng Tàu'],
  ])('names code %s as in its own scheme (%s)', (list, code, name) => {
    expect(list.find((p) => p.code === code)?.name).toBe(name);
  });

  it.each([
    ['2025 list', PROVINCES, ['01', '31', '46', '48', '79', '92']],
    ['2004 list', LEGACY_PROVINCES, ['01', '31', '48', '79', '92']],
  ])('%s marks exactly the centrally-run cities', (_label, list, cities) => {
    expect(list.filter((p) => p.type === 'CITY').map((p) => p.code)).toEqual(cities);
  });

  it('cannot be modified at run time', () => {
    expect(() => (PROVINCES as unknown as unknown[]).push({})).toThrow(TypeError);
  });
});

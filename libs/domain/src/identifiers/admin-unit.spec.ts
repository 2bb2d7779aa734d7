import {
  AdminUnitCodes,
  findLegacyProvince,
  findProvince,
  validateAdminUnit,
  validateCommuneCode,
  validateLegacyDistrictCode,
  validateLegacyProvinceCode,
  validateProvinceCode,
} from './admin-unit';
import { PROVINCES } from './province-codes.data';

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

const CURRENT = PROVINCES.map((p) => [p.code, p.name] as const);
// In the 2004 list but merged away on 1 July 2025.
const LEGACY_ONLY = [
  ['02', 'Hà Giang'],
  ['06', 'Bắc Kạn'],
  ['10', 'Lào Cai'],
  ['17', 'Hòa Bình'],
  ['26', 'Vĩnh Phúc'],
  ['27', 'Bắc Ninh'],
  ['30', 'Hải Dương'],
  ['34', 'Thái Bình'],
  ['35', 'Hà Nam'],
  ['36', 'Nam Định'],
  ['45', 'Quảng Trị'],
  ['49', 'Quảng Nam'],
  ['54', 'Phú Yên'],
  ['58', 'Ninh Thuận'],
  ['60', 'Bình Thuận'],
  ['62', 'Kon Tum'],
  ['64', 'Gia Lai'],
  ['67', 'Đắk Nông'],
  ['70', 'Bình Phước'],
  ['72', 'Tây Ninh'],
  ['74', 'Bình Dương'],
  ['77', 'Bà Rịa–Vũng Tàu'],
  ['83', 'Bến Tre'],
  ['84', 'Trà Vinh'],
  ['87', 'Đồng Tháp'],
  ['89', 'An Giang'],
  ['93', 'Hậu Giang'],
  ['94', 'Sóc Trăng'],
  ['95', 'Bạc Liêu'],
] as const;

describe('validateProvinceCode', () => {
  it('covers 34 current and 29 legacy-only codes (63 in 2004)', () => {
    expect(CURRENT).toHaveLength(34);
    expect(LEGACY_ONLY).toHaveLength(29);
  });

  it.each(CURRENT)('accepts current code %s (%s)', (code, name) => {
    const result = validateProvinceCode(code);
    expect(result).toMatchObject({ valid: true, errors: [], warnings: [], scheme: 'CURRENT' });
    expect(result.province?.name).toBe(name);
  });

  it.each(LEGACY_ONLY)('rejects legacy-only code %s (%s) by default', (code) => {
    const result = validateProvinceCode(code);
    expect(result.valid).toBe(false);
    expect(codes(result.errors)).toEqual(['PROVINCE_CODE_SUPERSEDED']);
  });

  it.each(LEGACY_ONLY)('accepts legacy-only code %s (%s) with a warning when allowed', (code, name) => {
    const result = validateProvinceCode(code, { allowLegacy: true });
    expect(result.valid).toBe(true);
    expect(codes(result.warnings)).toEqual(['PROVINCE_CODE_LEGACY']);
    expect(result.scheme).toBe('LEGACY');
    expect(result.province?.name).toBe(name);
  });

  it('reads a code present in both schemes as current (15 is now Lào Cai, once Yên Bái)', () => {
    expect(validateProvinceCode('15', { allowLegacy: true })).toMatchObject({
      scheme: 'CURRENT',
      warnings: [],
      province: { name: 'Lào Cai' },
    });
    expect(findLegacyProvince('15')?.name).toBe('Yên Bái');
    expect(findProvince('15')?.name).toBe('Lào Cai');
  });

  it.each([
    ['', 'PROVINCE_CODE_EMPTY'],
    ['1', 'PROVINCE_CODE_FORMAT'],
    ['001', 'PROVINCE_CODE_FORMAT'],
    ['A1', 'PROVINCE_CODE_FORMAT'],
    [' 1', 'PROVINCE_CODE_FORMAT'],
    ['00', 'PROVINCE_CODE_UNKNOWN'],
    ['03', 'PROVINCE_CODE_UNKNOWN'],
    ['97', 'PROVINCE_CODE_UNKNOWN'],
    ['99', 'PROVINCE_CODE_UNKNOWN'],
  ])('rejects %j with %s, with or without legacy', (code, expected) => {
    expect(codes(validateProvinceCode(code).errors)).toEqual([expected]);
    expect(codes(validateProvinceCode(code, { allowLegacy: true }).errors)).toEqual([expected]);
  });
});

describe('validateLegacyProvinceCode', () => {
  it.each([
    ['02', true],
    ['15', true],
    ['96', true],
    ['03', false],
    ['2', false],
  ])('%s → valid %s', (code, valid) => {
    expect(validateLegacyProvinceCode(code).valid).toBe(valid);
  });
});

describe('validateCommuneCode / validateLegacyDistrictCode', () => {
  it.each([
    ['00001', []],
    ['26734', []],
    ['32248', []],
    ['', ['COMMUNE_CODE_EMPTY']],
    ['00000', ['COMMUNE_CODE_FORMAT']],
    ['2673', ['COMMUNE_CODE_FORMAT']],
    ['267345', ['COMMUNE_CODE_FORMAT']],
    ['2673A', ['COMMUNE_CODE_FORMAT']],
    ['26 34', ['COMMUNE_CODE_FORMAT']],
  ])('commune %j → %j', (code, expected) => {
    expect(codes(validateCommuneCode(code).errors)).toEqual(expected);
  });

  it.each([
    ['001', []],
    ['271', []],
    ['000', ['DISTRICT_CODE_FORMAT']],
    ['27', ['DISTRICT_CODE_FORMAT']],
    ['', ['DISTRICT_CODE_EMPTY']],
  ])('district %j → %j', (code, expected) => {
    expect(codes(validateLegacyDistrictCode(code).errors)).toEqual(expected);
  });
});

describe('validateAdminUnit', () => {
  it.each<[string, AdminUnitCodes, string[], string[]]>([
    ['current codes only', { provinceCode: '01', communeCode: '00004' }, [], []],
    [
      'with a full legacy triple',
      {
        provinceCode: '24',
        communeCode: '07420',
        legacy: { provinceCode: '27', districtCode: '256', communeCode: '09175' },
      },
      [],
      [],
    ],
    [
      'with a partial legacy part',
      { provinceCode: '79', communeCode: '26734', legacy: { districtCode: '760' } },
      [],
      [],
    ],
    [
      'legacy-only province as current',
      { provinceCode: '27', communeCode: '09175' },
      ['PROVINCE_CODE_SUPERSEDED'],
      [],
    ],
    ['bad commune', { provinceCode: '01', communeCode: '0004' }, ['COMMUNE_CODE_FORMAT'], []],
    [
      'bad legacy parts are prefixed',
      {
        provinceCode: '01',
        communeCode: '00004',
        legacy: { provinceCode: '03', districtCode: '000', communeCode: 'x' },
      },
      ['LEGACY_PROVINCE_CODE_UNKNOWN', 'LEGACY_DISTRICT_CODE_FORMAT', 'LEGACY_COMMUNE_CODE_FORMAT'],
      [],
    ],
    [
      'everything missing',
      { provinceCode: '', communeCode: '' },
      ['PROVINCE_CODE_EMPTY', 'COMMUNE_CODE_EMPTY'],
      [],
    ],
  ])('%s', (_label, unit, expectedErrors, expectedWarnings) => {
    const result = validateAdminUnit(unit);
    expect(codes(result.errors)).toEqual(expectedErrors);
    expect(codes(result.warnings)).toEqual(expectedWarnings);
    expect(result.valid).toBe(expectedErrors.length === 0);
  });
});

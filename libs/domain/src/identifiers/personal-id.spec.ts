import {
  findBirthRegistrationPlace,
  isKnownBirthRegistrationCode,
  isLegacyIdCard,
  listBirthRegistrationPlaces,
  parsePersonalId,
  PersonalIdKnownFacts,
  registerBirthRegistrationCode,
  unregisterBirthRegistrationCode,
  validatePersonalId,
} from './personal-id';

const REFERENCE = { referenceDate: new Date('2025-06-01T00:00:00Z') };
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('validatePersonalId', () => {
  it.each([
    ['Hà Nội, male, 2003', '001203012345'],
    ['TP Hồ Chí Minh, male, 1990', '079090001234'],
    ['Cà Mau, female, 1985', '096185000001'],
    ['Điện Biên, female, 2000', '011300999999'],
    ['Hà Giang (first code after 001), male, 1999', '002099123456'],
    ['Bà Rịa–Vũng Tàu, female, 2025 (reference year)', '077325000000'],
  ])('accepts a well-formed number: %s (%s)', (_label, value) => {
    const result = validatePersonalId(value, {}, REFERENCE);
    expect(result).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it.each([
    ['empty', '', ['PERSONAL_ID_EMPTY']],
    ['11 digits', '00120301234', ['PERSONAL_ID_LENGTH']],
    ['13 digits', '0012030123456', ['PERSONAL_ID_LENGTH']],
    ['9-digit legacy card', '123456789', ['PERSONAL_ID_LENGTH']],
    ['a letter', '00120301234A', ['PERSONAL_ID_NOT_DIGITS']],
    ['inner spaces', '001 203 012345', ['PERSONAL_ID_NOT_DIGITS', 'PERSONAL_ID_LENGTH']],
    ['leading space', ' 00120301234', ['PERSONAL_ID_NOT_DIGITS']],
    ['trailing newline', '001203012345\n', ['PERSONAL_ID_NOT_DIGITS', 'PERSONAL_ID_LENGTH']],
    ['dashes', '001-203-012345', ['PERSONAL_ID_NOT_DIGITS', 'PERSONAL_ID_LENGTH']],
    ['full-width digits', '００１２０３０１２３４５', ['PERSONAL_ID_NOT_DIGITS']],
    ['province 000', '000203012345', ['PERSONAL_ID_UNKNOWN_PROVINCE']],
    ['province 003 (gap in the list)', '003203012345', ['PERSONAL_ID_UNKNOWN_PROVINCE']],
    ['province 097 (after Cà Mau)', '097203012345', ['PERSONAL_ID_UNKNOWN_PROVINCE']],
    ['province 101', '101203012345', ['PERSONAL_ID_UNKNOWN_PROVINCE']],
    ['Yên Bái (015) stays a birth code after the 2025 merger', '015203012345', []],
    ['century digit 4 means born in the 2100s', '001403012345', ['PERSONAL_ID_BIRTH_YEAR_IN_FUTURE']],
    ['born 2030, after the reference year', '001230012345', ['PERSONAL_ID_BIRTH_YEAR_IN_FUTURE']],
    ['century digit 9', '001999012345', ['PERSONAL_ID_BIRTH_YEAR_IN_FUTURE']],
    [
      'unknown province and future year',
      '099503012345',
      ['PERSONAL_ID_UNKNOWN_PROVINCE', 'PERSONAL_ID_BIRTH_YEAR_IN_FUTURE'],
    ],
  ])('%s: %j → %j', (_label, value, expected) => {
    const result = validatePersonalId(value, {}, REFERENCE);
    expect(codes(result.errors)).toEqual(expected);
    expect(result.valid).toBe(expected.length === 0);
  });

  it('hints at the legacy ID card when given 9 digits', () => {
    expect(validatePersonalId('123456789').errors[0].message).toMatch(/CMND/);
  });

  it.each<[string, string, PersonalIdKnownFacts, string[]]>([
    ['matching date and sex', '001203012345', { dateOfBirth: '2003-04-05', sex: 'MALE' }, []],
    ['matching female 1900s', '001185012345', { dateOfBirth: '1985-12-31', sex: 'FEMALE' }, []],
    ['matching female 2000s', '001300012345', { dateOfBirth: '2000-01-01', sex: 'FEMALE' }, []],
    [
      'born 1903 vs 2003 date',
      '001003012345',
      { dateOfBirth: '2003-04-05' },
      ['PERSONAL_ID_CENTURY_MISMATCH'],
    ],
    [
      'born 2003 vs 1903 date',
      '001203012345',
      { dateOfBirth: '1903-04-05' },
      ['PERSONAL_ID_CENTURY_MISMATCH'],
    ],
    [
      'female 2000s vs 1999 date',
      '001300012345',
      { dateOfBirth: '1999-06-01' },
      ['PERSONAL_ID_CENTURY_MISMATCH', 'PERSONAL_ID_YEAR_MISMATCH'],
    ],
    ['year digits 04 vs 2003', '001204012345', { dateOfBirth: '2003-04-05' }, ['PERSONAL_ID_YEAR_MISMATCH']],
    ['male digit vs FEMALE', '001203012345', { sex: 'FEMALE' }, ['PERSONAL_ID_SEX_MISMATCH']],
    ['female digit vs MALE', '001303012345', { sex: 'MALE' }, ['PERSONAL_ID_SEX_MISMATCH']],
    ['female 1900s digit vs MALE', '001190012345', { sex: 'MALE' }, ['PERSONAL_ID_SEX_MISMATCH']],
    [
      'everything wrong',
      '001003012345',
      { dateOfBirth: '2004-01-01', sex: 'FEMALE' },
      ['PERSONAL_ID_CENTURY_MISMATCH', 'PERSONAL_ID_YEAR_MISMATCH', 'PERSONAL_ID_SEX_MISMATCH'],
    ],
  ])('checks known facts: %s', (_label, value, known, expected) => {
    const result = validatePersonalId(value, known, REFERENCE);
    expect(codes(result.errors)).toEqual(expected);
    expect(result.valid).toBe(expected.length === 0);
  });

  it.each([
    ['impossible day', '2003-02-30'],
    ['day-first format', '05/04/2003'],
    ['month 13', '2003-13-01'],
    ['empty', ''],
  ])('warns, without failing, when the known date of birth is unusable: %s', (_label, dateOfBirth) => {
    const result = validatePersonalId('001203012345', { dateOfBirth }, REFERENCE);
    expect(result.valid).toBe(true);
    expect(codes(result.warnings)).toEqual(['PERSONAL_ID_KNOWN_DATE_OF_BIRTH_INVALID']);
  });

  it('warns when the known sex is not MALE or FEMALE', () => {
    const result = validatePersonalId('001203012345', { sex: 'M' as never }, REFERENCE);
    expect(result.valid).toBe(true);
    expect(codes(result.warnings)).toEqual(['PERSONAL_ID_KNOWN_SEX_INVALID']);
  });

  it('accepts a leap-day date of birth', () => {
    expect(validatePersonalId('001200012345', { dateOfBirth: '2000-02-29' }, REFERENCE).valid).toBe(true);
  });

  it('uses Vietnam time for the reference year', () => {
    const newYearInHanoi = { referenceDate: new Date('2025-12-31T18:00:00Z') }; // 01:00 on 1 Jan 2026, UTC+7
    expect(validatePersonalId('001226012345', {}, newYearInHanoi).valid).toBe(true);
    expect(
      validatePersonalId('001226012345', {}, { referenceDate: new Date('2025-12-31T16:00:00Z') }).valid,
    ).toBe(false);
  });
});

describe('parsePersonalId', () => {
  it.each([
    ['0', 1900, 'MALE'],
    ['1', 1900, 'FEMALE'],
    ['2', 2000, 'MALE'],
    ['3', 2000, 'FEMALE'],
    ['4', 2100, 'MALE'],
    ['5', 2100, 'FEMALE'],
    ['6', 2200, 'MALE'],
    ['7', 2200, 'FEMALE'],
    ['8', 2300, 'MALE'],
    ['9', 2300, 'FEMALE'],
  ])('century/sex digit %s → %i, %s', (g, century, sex) => {
    const parsed = parsePersonalId(`079${g}05123456`);
    expect(parsed).toEqual({
      provinceCode: '079',
      provinceName: 'TP Hồ Chí Minh',
      century,
      sex,
      birthYearTwoDigits: '05',
      birthYear: century + 5,
    });
  });

  it('leaves the name out for an unknown province', () => {
    expect(parsePersonalId('099203012345')).toMatchObject({ provinceCode: '099', provinceName: undefined });
  });

  it.each(['', '00120301234', '00120301234X', '0012030123456', ' 001203012345'])(
    'returns null for %j',
    (v) => {
      expect(parsePersonalId(v)).toBeNull();
    },
  );
});

describe('birth-registration code registry', () => {
  afterEach(() => {
    unregisterBirthRegistrationCode('400');
  });

  it('starts with the 63 province codes of Circular 07/2016', () => {
    const places = listBirthRegistrationPlaces();
    expect(places).toHaveLength(63);
    expect(places[0]).toEqual({ code: '001', name: 'Hà Nội' });
    expect(places[62]).toEqual({ code: '096', name: 'Cà Mau' });
    expect(findBirthRegistrationPlace('046')?.name).toBe('Thừa Thiên Huế');
  });

  it('accepts an ID with a registered extra code, and stops after unregistering', () => {
    expect(validatePersonalId('400203012345', {}, REFERENCE).valid).toBe(false);
    registerBirthRegistrationCode('400', 'Đăng ký khai sinh ở nước ngoài (thử)');
    expect(isKnownBirthRegistrationCode('400')).toBe(true);
    expect(validatePersonalId('400203012345', {}, REFERENCE).valid).toBe(true);
    expect(parsePersonalId('400203012345')?.provinceName).toBe('Đăng ký khai sinh ở nước ngoài (thử)');
    expect(unregisterBirthRegistrationCode('400')).toBe(true);
    expect(validatePersonalId('400203012345', {}, REFERENCE).valid).toBe(false);
  });

  it('is idempotent for the same code and name', () => {
    registerBirthRegistrationCode('400', 'X');
    expect(() => registerBirthRegistrationCode('400', 'X')).not.toThrow();
    expect(listBirthRegistrationPlaces()).toHaveLength(64);
  });

  it.each([
    ['two digits', '40', 'X', /3 digits/],
    ['letters', '4A0', 'X', /3 digits/],
    ['empty name', '400', '  ', /needs a name/],
    ['redefining a built-in code', '001', 'Somewhere else', /already registered/],
  ])('refuses %s', (_label, code, name, error) => {
    expect(() => registerBirthRegistrationCode(code, name)).toThrow(error);
  });

  it('refuses to rename an extra code', () => {
    registerBirthRegistrationCode('400', 'X');
    expect(() => registerBirthRegistrationCode('400', 'Y')).toThrow(/already registered as "X"/);
  });

  it('cannot unregister a built-in code', () => {
    expect(unregisterBirthRegistrationCode('001')).toBe(false);
    expect(isKnownBirthRegistrationCode('001')).toBe(true);
  });
});

describe('isLegacyIdCard', () => {
  it.each([
    ['123456789', true],
    ['000000001', true],
    ['12345678', false],
    ['1234567890', false],
    ['001203012345', false],
    ['12345678A', false],
    [' 23456789', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(isLegacyIdCard(value)).toBe(expected);
  });
});

import {
  computeEnterpriseCheckDigit,
  isBusinessLocationCode,
  validateEnterpriseCode,
} from './enterprise-code';

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

describe('validateEnterpriseCode', () => {
  it.each([
    ['0100233488', 'ENTERPRISE', '0100233488', undefined],
    ['0314409058', 'ENTERPRISE', '0314409058', undefined],
    ['0100109106', 'ENTERPRISE', '0100109106', undefined],
    ['0100233488-001', 'DEPENDENT_UNIT', '0100233488', '001'],
    ['0314409058-999', 'DEPENDENT_UNIT', '0314409058', '999'],
    ['0100109106-010', 'DEPENDENT_UNIT', '0100109106', '010'],
  ])('accepts %s as %s with no warning', (value, kind, parentCode, unitSuffix) => {
    expect(validateEnterpriseCode(value)).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      kind,
      parentCode,
      unitSuffix,
    });
  });

  it.each([
    ['wrong check digit', '0100233489', 'ENTERPRISE'],
    ['wrong check digit', '0314409050', 'ENTERPRISE'],
    ['parent with wrong check digit', '0100233480-001', 'DEPENDENT_UNIT'],
    ['prefix for which no digit exists (formula gives 10)', '0100233150', 'ENTERPRISE'],
    ['all zeros (formula gives 10)', '0000000000', 'ENTERPRISE'],
  ])('accepts with a check-digit WARNING, not an error: %s (%s)', (_label, value, kind) => {
    const result = validateEnterpriseCode(value);
    expect(result.valid).toBe(true);
    expect(result.errors).toEqual([]);
    expect(codes(result.warnings)).toEqual(['ENTERPRISE_CODE_CHECK_DIGIT']);
    expect(result.kind).toBe(kind);
  });

  it('says no digit exists when the formula yields 10', () => {
    expect(validateEnterpriseCode('0100233159').warnings[0].message).toMatch(/No check digit exists/);
  });

  it.each([
    ['empty', '', 'ENTERPRISE_CODE_EMPTY'],
    ['9 digits', '010023348', 'ENTERPRISE_CODE_FORMAT'],
    ['11 digits', '01002334881', 'ENTERPRISE_CODE_FORMAT'],
    ['a letter', '010023348A', 'ENTERPRISE_CODE_FORMAT'],
    ['trailing space', '0100233488 ', 'ENTERPRISE_CODE_FORMAT'],
    ['inner space', '0100 233488', 'ENTERPRISE_CODE_FORMAT'],
    ['13 digits without the dash', '0100233488001', 'ENTERPRISE_CODE_FORMAT'],
    ['2-digit suffix', '0100233488-01', 'ENTERPRISE_CODE_FORMAT'],
    ['4-digit suffix', '0100233488-0001', 'ENTERPRISE_CODE_FORMAT'],
    ['underscore instead of dash', '0100233488_001', 'ENTERPRISE_CODE_FORMAT'],
    ['letters in the suffix', '0100233488-00A', 'ENTERPRISE_CODE_FORMAT'],
    ['business-location code', '12345', 'ENTERPRISE_CODE_FORMAT'],
    ['suffix 000', '0100233488-000', 'ENTERPRISE_CODE_UNIT_SUFFIX'],
  ])('rejects %s (%j) with %s', (_label, value, code) => {
    const result = validateEnterpriseCode(value);
    expect(result.valid).toBe(false);
    expect(codes(result.errors)).toEqual([code]);
  });

  it('reports kind and parent for a 000 suffix so the caller can explain it', () => {
    expect(validateEnterpriseCode('0100233488-000')).toMatchObject({
      kind: 'DEPENDENT_UNIT',
      parentCode: '0100233488',
    });
  });

  it('hints at the dash for 13 digits', () => {
    expect(validateEnterpriseCode('0100233488001').errors[0].message).toMatch(/dash/);
  });
});

describe('computeEnterpriseCheckDigit', () => {
  it.each([
    ['010023348', 8],
    ['031440905', 8],
    ['010010910', 6],
    ['000000000', null],
    ['010023315', null],
    ['010023340', null],
  ])('%s → %p', (first9, expected) => {
    expect(computeEnterpriseCheckDigit(first9)).toBe(expected);
  });

  it.each(['', '01002334', '0100233488', '01002334A', ' 10023348'])('throws on %j', (bad) => {
    expect(() => computeEnterpriseCheckDigit(bad)).toThrow(RangeError);
  });

  it('makes codes that validate without warning, for every prefix that has a digit', () => {
    let generated = 0;
    for (let n = 10_000_000; n < 10_002_000; n++) {
      const first9 = String(n).padStart(9, '0');
      const digit = computeEnterpriseCheckDigit(first9);
      if (digit === null) continue;
      const result = validateEnterpriseCode(`${first9}${digit}`);
      expect(result.warnings).toEqual([]);
      generated++;
    }
    // About one prefix in eleven has no digit.
    expect(generated).toBeGreaterThan(1_700);
    expect(generated).toBeLessThan(1_900);
  });
});

describe('isBusinessLocationCode', () => {
  it.each([
    ['00001', true],
    ['12345', true],
    ['1234', false],
    ['123456', false],
    ['1234A', false],
    ['0100233488', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(isBusinessLocationCode(value)).toBe(expected);
  });
});

import { parseDossierCode, validateAgencyCode, validateDossierCode } from './dossier-code';

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);
const AGENCY_35 = '000.00.14.H56.ABCDEFGHIJ.0123456789'; // 35 characters
const AGENCY_36 = `${AGENCY_35}X`;

describe('validateDossierCode / parseDossierCode', () => {
  it.each([
    ['000.17.22.H56-210531-0001', '000.17.22.H56', '2021-05-31', 1],
    ['000.00.14.H56-200203-0118', '000.00.14.H56', '2020-02-03', 118],
    ['000.00.14.H56-200229-9999', '000.00.14.H56', '2020-02-29', 9999],
    ['H56-251231-0042', 'H56', '2025-12-31', 42],
    ['G01.02-000101-0001', 'G01.02', '2000-01-01', 1],
    [`${AGENCY_35}-250701-0001`, AGENCY_35, '2025-07-01', 1],
  ])('accepts %s', (value, agencyCode, receiptDate, sequence) => {
    expect(validateDossierCode(value)).toEqual({ valid: true, errors: [], warnings: [] });
    expect(parseDossierCode(value)).toEqual({ agencyCode, receiptDate, sequence });
  });

  it.each([
    ['empty', '', ['DOSSIER_CODE_EMPTY']],
    ['no sequence', '000.17.22.H56-210531', ['DOSSIER_CODE_FORMAT']],
    ['underscores', '000.17.22.H56_210531_0001', ['DOSSIER_CODE_FORMAT']],
    ['dash inside the agency code', '000-17.H56-210531-0001', ['DOSSIER_CODE_FORMAT']],
    ['trailing dash', '000.17.22.H56-210531-0001-', ['DOSSIER_CODE_FORMAT']],
    ['30 February', '000.17.22.H56-210230-0001', ['DOSSIER_CODE_DATE']],
    ['29 February of a non-leap year', '000.17.22.H56-210229-0001', ['DOSSIER_CODE_DATE']],
    ['31 April', '000.17.22.H56-210431-0001', ['DOSSIER_CODE_DATE']],
    ['month 13', '000.17.22.H56-211301-0001', ['DOSSIER_CODE_DATE']],
    ['month 00', '000.17.22.H56-210001-0001', ['DOSSIER_CODE_DATE']],
    ['day 00', '000.17.22.H56-210500-0001', ['DOSSIER_CODE_DATE']],
    ['5-digit date', '000.17.22.H56-21053-0001', ['DOSSIER_CODE_DATE']],
    ['8-digit date', '000.17.22.H56-20210531-0001', ['DOSSIER_CODE_DATE']],
    ['letters in the date', '000.17.22.H56-21O531-0001', ['DOSSIER_CODE_DATE']],
    ['sequence 0000', '000.17.22.H56-210531-0000', ['DOSSIER_CODE_SEQUENCE']],
    ['3-digit sequence', '000.17.22.H56-210531-001', ['DOSSIER_CODE_SEQUENCE']],
    ['5-digit sequence', '000.17.22.H56-210531-00001', ['DOSSIER_CODE_SEQUENCE']],
    ['sequence with a space', '000.17.22.H56-210531-0001 ', ['DOSSIER_CODE_SEQUENCE']],
    ['empty agency code', '-210531-0001', ['AGENCY_CODE_EMPTY']],
    ['lowercase agency code', '000.17.22.h56-210531-0001', ['AGENCY_CODE_CHARACTERS']],
    ['leading space', ' 000.17.22.H56-210531-0001', ['AGENCY_CODE_CHARACTERS']],
    ['diacritics in agency code', '000.17.22.HĐ-210531-0001', ['AGENCY_CODE_CHARACTERS']],
    ['double dot', '000..22.H56-210531-0001', ['AGENCY_CODE_EMPTY_GROUP']],
    ['leading dot', '.000.17.H56-210531-0001', ['AGENCY_CODE_EMPTY_GROUP']],
    ['trailing dot', '000.17.H56.-210531-0001', ['AGENCY_CODE_EMPTY_GROUP']],
    ['36-character agency code', `${AGENCY_36}-210531-0001`, ['AGENCY_CODE_TOO_LONG']],
    [
      'several problems at once',
      '000.17.h56.-210230-0000',
      ['AGENCY_CODE_CHARACTERS', 'AGENCY_CODE_EMPTY_GROUP', 'DOSSIER_CODE_DATE', 'DOSSIER_CODE_SEQUENCE'],
    ],
  ])('rejects %s (%j)', (_label, value, expected) => {
    const result = validateDossierCode(value);
    expect(result.valid).toBe(false);
    expect(codes(result.errors)).toEqual(expected);
    expect(parseDossierCode(value)).toBeNull();
  });

  it('tells the caller when upper-casing would fix the agency code', () => {
    expect(validateDossierCode('000.17.22.h56-210531-0001').errors[0].message).toMatch(/upper case/);
  });
});

describe('validateAgencyCode', () => {
  it.each([
    ['000.17.22.H56', []],
    ['H56', []],
    ['A', []],
    [AGENCY_35, []],
    ['', ['AGENCY_CODE_EMPTY']],
    ['.', ['AGENCY_CODE_EMPTY_GROUP']],
    ['000.17.22.h56', ['AGENCY_CODE_CHARACTERS']],
    ['000/17/22', ['AGENCY_CODE_CHARACTERS']],
    ['000 17', ['AGENCY_CODE_CHARACTERS']],
    ['000-17', ['AGENCY_CODE_CHARACTERS']],
    [AGENCY_36, ['AGENCY_CODE_TOO_LONG']],
    [`${AGENCY_36}..a`, ['AGENCY_CODE_TOO_LONG', 'AGENCY_CODE_CHARACTERS', 'AGENCY_CODE_EMPTY_GROUP']],
  ])('%j → %j', (value, expected) => {
    const result = validateAgencyCode(value);
    expect(codes(result.errors)).toEqual(expected);
    expect(result.valid).toBe(expected.length === 0);
  });

  it('the 35-character fixture really is 35 characters', () => {
    expect(AGENCY_35).toHaveLength(35);
  });
});

import { validateSync } from 'class-validator';
import {
  IsAgencyCode,
  IsCommuneCode,
  IsDossierCode,
  IsEnterpriseCode,
  IsPersonalId,
  IsProvinceCode,
} from './domain-validators.decorator';

class ApplicantDto {
  @IsPersonalId({ dateOfBirthProperty: 'dateOfBirth', sexProperty: 'sex' })
  personalId!: unknown;

  dateOfBirth?: string;
  sex?: string;

  @IsEnterpriseCode({ each: true })
  enterpriseCodes: unknown[] = [];

  @IsDossierCode()
  dossierCode!: unknown;

  @IsAgencyCode()
  agencyCode!: unknown;

  @IsProvinceCode()
  provinceCode!: unknown;

  @IsProvinceCode({ allowLegacy: true })
  legacyProvinceCode!: unknown;

  @IsCommuneCode()
  communeCode!: unknown;
}

const VALID: Partial<ApplicantDto> = {
  personalId: '001203012345',
  dateOfBirth: '2003-04-05',
  sex: 'MALE',
  enterpriseCodes: ['0100233488', '0100233488-001', '0100233489'],
  dossierCode: '000.17.22.H56-210531-0001',
  agencyCode: '000.17.22.H56',
  provinceCode: '79',
  legacyProvinceCode: '77',
  communeCode: '26734',
};

function messagesFor(overrides: Partial<ApplicantDto>): Record<string, string[]> {
  const dto = Object.assign(new ApplicantDto(), VALID, overrides);
  const out: Record<string, string[]> = {};
  for (const e of validateSync(dto)) out[e.property] = Object.values(e.constraints ?? {});
  return out;
}

describe('domain validation decorators', () => {
  it('accept a valid object (a check-digit warning does not fail validation)', () => {
    expect(messagesFor({})).toEqual({});
  });

  it.each<[string, Partial<ApplicantDto>, string, string]>([
    ['short personal ID', { personalId: '00120301234' }, 'personalId', 'PERSONAL_ID_LENGTH'],
    ['unknown birth province', { personalId: '003203012345' }, 'personalId', 'PERSONAL_ID_UNKNOWN_PROVINCE'],
    ['sex from the sibling property', { sex: 'FEMALE' }, 'personalId', 'PERSONAL_ID_SEX_MISMATCH'],
    [
      'date from the sibling property',
      { dateOfBirth: '1903-04-05' },
      'personalId',
      'PERSONAL_ID_CENTURY_MISMATCH',
    ],
    ['number instead of string', { personalId: 1203012345 }, 'personalId', 'PERSONAL_ID_NOT_A_STRING'],
    [
      'unit suffix 000 in a list',
      { enterpriseCodes: ['0100233488', '0100233488-000'] },
      'enterpriseCodes',
      'ENTERPRISE_CODE_UNIT_SUFFIX',
    ],
    ['bad dossier date', { dossierCode: '000.17.22.H56-210230-0001' }, 'dossierCode', 'DOSSIER_CODE_DATE'],
    ['lowercase agency', { agencyCode: '000.17.22.h56' }, 'agencyCode', 'AGENCY_CODE_CHARACTERS'],
    [
      'legacy province where current is required',
      { provinceCode: '77' },
      'provinceCode',
      'PROVINCE_CODE_SUPERSEDED',
    ],
    [
      'unknown province even with legacy allowed',
      { legacyProvinceCode: '03' },
      'legacyProvinceCode',
      'PROVINCE_CODE_UNKNOWN',
    ],
    ['4-digit commune', { communeCode: '2673' }, 'communeCode', 'COMMUNE_CODE_FORMAT'],
    ['missing commune', { communeCode: undefined }, 'communeCode', 'COMMUNE_CODE_NOT_A_STRING'],
  ])('report %s with the issue code', (_label, overrides, property, code) => {
    const messages = messagesFor(overrides);
    expect(Object.keys(messages)).toEqual([property]);
    expect(messages[property].join(' ')).toContain(code);
    expect(messages[property].join(' ')).toContain(`${property}: `);
  });

  it('ignores a sibling date that is not a string', () => {
    expect(messagesFor({ dateOfBirth: new Date('1903-04-05') as unknown as string })).toEqual({});
  });
});

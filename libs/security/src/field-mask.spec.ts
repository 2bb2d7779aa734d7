import type { FieldScope } from './clients.types';
import { maskToScope } from './field-mask';

const provenance = {
  source: 'CSDLQG_DAN_CU',
  retrievedAt: '2026-06-01T09:15:02+07:00',
  validUntil: '2026-06-02T09:15:02+07:00',
};

const citizen = {
  personalId: '001090012345',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-05-17',
  sex: 'MALE',
  religion: 'Không',
  permanentResidence: {
    detail: 'Số 12 ngõ 34 phố Đội Cấn',
    communeCode: '00004',
    provinceCode: '01',
    provinceName: 'Thành phố Hà Nội',
  },
  householdHead: { fullName: 'Nguyễn Văn Bình', personalId: '001060054321', relationship: 'Con' },
  provenance,
};

const enterprise = {
  enterpriseCode: '0101234567',
  name: 'CÔNG TY TNHH AN BÌNH',
  legalRepresentatives: [
    { fullName: 'Trần Thị Cúc', personalId: '001185000111', position: 'Giám đốc' },
    { fullName: 'Lê Văn Dũng', position: 'Phó Giám đốc' },
  ],
  provenance,
};

/** A lookup response that carries provenance at the top level, as the HTTP responses do. */
const response = { ...provenance, personalId: '001090012345', fullName: 'Nguyễn Văn An', sex: 'MALE' };

describe('maskToScope', () => {
  it.each<[string, object, FieldScope, object, string[], string[]]>([
    ['everything for *', citizen, '*', citizen, [], []],
    [
      'only the listed top-level fields, plus provenance',
      citizen,
      ['personalId', 'fullName'],
      { personalId: '001090012345', fullName: 'Nguyễn Văn An', provenance },
      ['dateOfBirth', 'householdHead', 'permanentResidence', 'religion', 'sex'],
      [],
    ],
    [
      'only the named children of a nested object',
      citizen,
      ['personalId', 'permanentResidence.provinceCode', 'permanentResidence.communeCode'],
      {
        personalId: '001090012345',
        permanentResidence: { communeCode: '00004', provinceCode: '01' },
        provenance,
      },
      ['dateOfBirth', 'fullName', 'householdHead', 'religion', 'sex'],
      ['permanentResidence'],
    ],
    [
      'a whole object when its parent path is listed, even beside a child path',
      citizen,
      ['permanentResidence.provinceCode', 'permanentResidence'],
      { permanentResidence: citizen.permanentResidence, provenance },
      ['dateOfBirth', 'fullName', 'householdHead', 'personalId', 'religion', 'sex'],
      [],
    ],
    [
      'the named field of every element of an array',
      enterprise,
      ['enterpriseCode', 'legalRepresentatives.fullName'],
      {
        enterpriseCode: '0101234567',
        legalRepresentatives: [{ fullName: 'Trần Thị Cúc' }, { fullName: 'Lê Văn Dũng' }],
        provenance,
      },
      ['name'],
      ['legalRepresentatives'],
    ],
    [
      'no array element that has nothing in scope',
      enterprise,
      ['legalRepresentatives.personalId'],
      { legalRepresentatives: [{ personalId: '001185000111' }], provenance },
      ['enterpriseCode', 'name'],
      ['legalRepresentatives'],
    ],
    [
      'no field whose children in scope are all absent',
      citizen,
      ['householdHead.relationship', 'permanentResidence.legacyDistrictCode'],
      { householdHead: { relationship: 'Con' }, provenance },
      ['dateOfBirth', 'fullName', 'permanentResidence', 'personalId', 'religion', 'sex'],
      ['householdHead'],
    ],
    [
      'nothing below a primitive',
      citizen,
      ['fullName.given'],
      { provenance },
      ['dateOfBirth', 'fullName', 'householdHead', 'permanentResidence', 'personalId', 'religion', 'sex'],
      [],
    ],
    [
      'provenance at the top level of a response with an empty scope',
      response,
      [],
      provenance,
      ['fullName', 'personalId', 'sex'],
      [],
    ],
    [
      'an empty array in scope as it is',
      { ...enterprise, legalRepresentatives: [] },
      ['legalRepresentatives.fullName'],
      { legalRepresentatives: [], provenance },
      ['enterpriseCode', 'name'],
      [],
    ],
  ])('keeps %s', (_name, record, fields, expected, removed, trimmed) => {
    const result = maskToScope(record, fields);
    expect(result.record).toEqual(expected);
    expect(result.removed).toEqual(removed);
    expect(result.trimmed).toEqual(trimmed);
  });

  it('never changes the record it masks', () => {
    const before = JSON.stringify(citizen);
    maskToScope(citizen, ['permanentResidence.provinceCode']);
    expect(JSON.stringify(citizen)).toBe(before);
  });
});

import { ProblemException } from '@lienthong/observability';
import {
  auditableContext,
  landSubject,
  parseAuditSubjects,
  parseCitizenLookup,
  parseCitizenVerify,
  parseEnterpriseLookup,
  parseLandLookup,
} from './lookup-requests';

const PERSONAL_ID = '001090012345';
const DOSSIER = '000.17.22.H56-261031-0007';
const PURPOSE = 'DOSSIER_PROCESSING';

function refusal(run: () => unknown): ProblemException {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('lookup request bodies', () => {
  it('accepts a citizen lookup with its purpose and dossier code', () => {
    expect(
      parseCitizenLookup({ personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER }),
    ).toEqual({ personalId: PERSONAL_ID, dossierCode: DOSSIER });
  });

  it.each([null, 'text', [1, 2], 42])('refuses a body that is not a JSON object (%p)', (body) => {
    expect(refusal(() => parseCitizenLookup(body))).toMatchObject({ status: 400, code: 'INVALID_BODY' });
  });

  it('names the validator reason of a bad personal ID without repeating the value', () => {
    const problem = refusal(() => parseCitizenLookup({ personalId: '99909001234', purpose: 'X' }));
    expect(problem).toMatchObject({ status: 400, code: 'INVALID_PERSONAL_ID' });
    expect(problem.errors).toEqual([
      { path: '/personalId', code: 'PERSONAL_ID_LENGTH', message: expect.any(String) },
    ]);
    const unknownProvince = refusal(() =>
      parseCitizenLookup({ personalId: '999090012345', purpose: PURPOSE }),
    );
    expect(unknownProvince.errors?.[0].code).toBe('PERSONAL_ID_UNKNOWN_PROVINCE');
    expect(JSON.stringify([problem, unknownProvince])).not.toMatch(/99909001234|999090012345|999/);
  });

  it('reports missing, mistyped and unknown fields together as VALIDATION_FAILED', () => {
    const problem = refusal(() =>
      parseCitizenLookup({ personalid: PERSONAL_ID, dossierCode: 7, purpose: PURPOSE }),
    );
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { path: '/personalid', code: 'UNKNOWN_FIELD', message: expect.any(String) },
        { path: '/personalId', code: 'REQUIRED', message: 'is required' },
        { path: '/dossierCode', code: 'TYPE', message: 'must be a string' },
      ]),
    );
  });

  it('checks each body against its definition in contracts/schemas/request-body.v1.json', () => {
    const tooLong = refusal(() => parseCitizenLookup({ personalId: '1'.repeat(301), purpose: PURPOSE }));
    expect(tooLong).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(tooLong.errors).toEqual([{ path: '/personalId', code: 'TOO_LONG', message: expect.any(String) }]);
    expect(refusal(() => parseCitizenLookup({ personalId: PERSONAL_ID })).errors).toEqual([
      { path: '/purpose', code: 'REQUIRED', message: 'is required' },
    ]);
    expect(refusal(() => parseCitizenLookup({ personalId: null, purpose: PURPOSE })).errors).toEqual([
      { path: '/personalId', code: 'TYPE', message: 'must be a string' },
    ]);
    expect(
      refusal(() => parseAuditSubjects({ personalId: PERSONAL_ID, purpose: PURPOSE, limit: '5' })).errors,
    ).toEqual([{ path: '/limit', code: 'INVALID', message: expect.any(String) }]);
    expect(parseCitizenLookup({ personalId: PERSONAL_ID, purpose: PURPOSE, dossierCode: '' })).toEqual({
      personalId: PERSONAL_ID,
    });
  });

  it('never repeats a field name that could be a value', () => {
    const problem = refusal(() =>
      parseCitizenLookup({ personalId: PERSONAL_ID, '001090054321': true, purpose: PURPOSE }),
    );
    expect(problem.errors).toEqual([{ path: '', code: 'UNKNOWN_FIELD', message: expect.any(String) }]);
    expect(JSON.stringify(problem)).not.toContain('001090054321');
  });

  it('refuses an invalid dossier code with INVALID_DOSSIER_CODE', () => {
    const problem = refusal(() =>
      parseCitizenLookup({ personalId: PERSONAL_ID, dossierCode: PERSONAL_ID, purpose: PURPOSE }),
    );
    expect(problem).toMatchObject({ code: 'INVALID_DOSSIER_CODE' });
    expect(JSON.stringify(problem)).not.toContain(PERSONAL_ID);
  });

  it('takes verification claims and requires at least one', () => {
    expect(
      parseCitizenVerify({
        personalId: PERSONAL_ID,
        fullName: '  Nguyễn  Văn An ',
        dateOfBirth: '1990-05',
        purpose: PURPOSE,
      }),
    ).toEqual({
      personalId: PERSONAL_ID,
      claims: { fullName: 'Nguyễn Văn An', dateOfBirth: '1990-05' },
    });
    expect(refusal(() => parseCitizenVerify({ personalId: PERSONAL_ID, purpose: PURPOSE })).errors).toEqual([
      { path: '', code: 'CLAIM_REQUIRED', message: expect.any(String) },
    ]);
    expect(
      refusal(() =>
        parseCitizenVerify({ personalId: PERSONAL_ID, dateOfBirth: '1990-02-30', purpose: PURPOSE }),
      ).errors?.[0],
    ).toMatchObject({ path: '/dateOfBirth', code: 'INVALID' });
  });

  it('accepts enterprise codes and dependent-unit codes', () => {
    expect(parseEnterpriseLookup({ enterpriseCode: '0314409058', purpose: PURPOSE }).enterpriseCode).toBe(
      '0314409058',
    );
    expect(parseEnterpriseLookup({ enterpriseCode: '0314409058-001', purpose: PURPOSE }).enterpriseCode).toBe(
      '0314409058-001',
    );
    const problem = refusal(() => parseEnterpriseLookup({ enterpriseCode: '03144090', purpose: PURPOSE }));
    expect(problem).toMatchObject({ code: 'INVALID_ENTERPRISE_CODE' });
    expect(problem.errors?.[0]).toMatchObject({ path: '/enterpriseCode', code: 'ENTERPRISE_CODE_FORMAT' });
    expect(JSON.stringify(problem)).not.toContain('03144090');
  });

  it('takes a land lookup by cadastral key or by certificate number, not both', () => {
    expect(
      parseLandLookup({ communeCode: '26734', mapSheetNo: ' 012 ', parcelNo: '345', purpose: PURPOSE }),
    ).toEqual({
      by: 'PARCEL',
      communeCode: '26734',
      mapSheetNo: '012',
      parcelNo: '345',
    });
    expect(parseLandLookup({ certificateNo: ' cs  123456 ', purpose: PURPOSE })).toEqual({
      by: 'CERTIFICATE',
      certificateNo: 'CS 123456',
    });
    expect(
      refusal(() => parseLandLookup({ communeCode: '26734', certificateNo: 'CS 1', purpose: PURPOSE }))
        .errors?.[0].code,
    ).toBe('CONFLICTING_FIELDS');
    expect(refusal(() => parseLandLookup({ purpose: 'X' })).errors).toEqual([
      { path: '', code: 'REQUIRED', message: expect.any(String) },
    ]);
    const partial = refusal(() =>
      parseLandLookup({ communeCode: '2673', mapSheetNo: '12', purpose: PURPOSE }),
    );
    expect(partial.code).toBe('VALIDATION_FAILED');
    expect(partial.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/communeCode' }),
        expect.objectContaining({ path: '/parcelNo', code: 'REQUIRED' }),
      ]),
    );
  });

  it('names a parcel alike however its numbers are written', () => {
    const a = landSubject(
      parseLandLookup({ communeCode: '26734', mapSheetNo: '012', parcelNo: '345', purpose: PURPOSE }),
    );
    const b = landSubject(
      parseLandLookup({ communeCode: '26734', mapSheetNo: '12', parcelNo: '345', purpose: PURPOSE }),
    );
    expect(a).toBe('26734/12/345');
    expect(b).toBe(a);
    expect(landSubject(parseLandLookup({ certificateNo: 'CS 123456', purpose: PURPOSE }))).toBe(
      'CERTIFICATE:CS123456',
    );
  });

  it('reads an audit subject query', () => {
    expect(
      parseAuditSubjects({
        personalId: PERSONAL_ID,
        purpose: 'DATA_SUBJECT_REQUEST',
        from: '2026-10-01',
        limit: 5,
      }),
    ).toEqual({
      subject: { kind: 'CITIZEN', identifier: PERSONAL_ID },
      from: new Date('2026-10-01T00:00:00+07:00'),
      limit: 5,
    });
    expect(
      parseAuditSubjects({ enterpriseCode: '0314409058', to: '2026-10-01T10:00:00Z', purpose: PURPOSE }),
    ).toEqual({
      subject: { kind: 'ENTERPRISE', identifier: '0314409058' },
      to: new Date('2026-10-01T10:00:00Z'),
    });
    expect(
      refusal(() =>
        parseAuditSubjects({ personalId: PERSONAL_ID, enterpriseCode: '0314409058', purpose: PURPOSE }),
      ).errors?.[0].code,
    ).toBe('CONFLICTING_FIELDS');
    expect(
      refusal(() => parseAuditSubjects({ personalId: PERSONAL_ID, limit: 5000, purpose: PURPOSE }))
        .errors?.[0].path,
    ).toBe('/limit');
    expect(
      refusal(() => parseAuditSubjects({ personalId: PERSONAL_ID, from: 'yesterday', purpose: PURPOSE }))
        .errors?.[0].path,
    ).toBe('/from');
  });

  it('keeps for the audit record of a refused request only values that are valid', () => {
    expect(auditableContext({ personalId: PERSONAL_ID, dossierCode: DOSSIER }, 'CITIZEN')).toEqual({
      identifier: PERSONAL_ID,
      dossierCode: DOSSIER,
    });
    expect(auditableContext({ personalId: '12345', dossierCode: PERSONAL_ID }, 'CITIZEN')).toEqual({});
    expect(auditableContext({ enterpriseCode: '0314409058' }, 'ENTERPRISE')).toEqual({
      identifier: '0314409058',
    });
    expect(auditableContext({ certificateNo: 'CS 1' }, 'PARCEL')).toEqual({ identifier: 'CERTIFICATE:CS1' });
    expect(auditableContext('not an object', 'CITIZEN')).toEqual({});
  });
});

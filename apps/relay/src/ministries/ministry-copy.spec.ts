import { createHmac, hkdfSync } from 'node:crypto';
import { validate, type DossierStatusEvent } from '@lienthong/contracts';
import { ProcedureCatalogue } from '@lienthong/domain';
import { ministryCopy, MinistryPseudonyms } from './ministry-copy';

const KEY = `hex:${'3c'.repeat(32)}`;
const pseudonyms = new MinistryPseudonyms(KEY);

const catalogue = ProcedureCatalogue.fromDocument({
  ministries: {
    'bo-tu-phap': { name: 'Bộ Tư pháp' },
    'bo-cong-an': { name: 'Bộ Công an' },
    'bo-tai-chinh': { name: 'Bộ Tài chính', receives: ['applicant.enterpriseCode'] },
    'bo-noi-vu': { name: 'Bộ Nội vụ', receives: ['handler', 'note', 'rating'] },
  },
  sectors: {
    HT: { name: 'Hộ tịch', ministry: 'bo-tu-phap' },
    LLTP: { name: 'Lý lịch tư pháp', ministry: 'bo-tu-phap', receives: ['applicant.personalId'] },
    CU: { name: 'Cư trú', ministry: 'bo-cong-an' },
    DKKD: { name: 'Doanh nghiệp', ministry: 'bo-tai-chinh' },
    BTXH: { name: 'Bảo trợ xã hội', ministry: 'bo-noi-vu' },
  },
  procedures: {
    '1.001193': { name: 'Đăng ký khai sinh', sector: 'HT' },
    '2.000488': { name: 'Cấp Phiếu lý lịch tư pháp', sector: 'LLTP' },
    '1.004222': { name: 'Đăng ký thường trú', sector: 'CU' },
    '2.001610': { name: 'Đăng ký thành lập công ty', sector: 'DKKD' },
    '1.001776': { name: 'Trợ cấp xã hội hàng tháng', sector: 'BTXH' },
  },
});

const PERSON = '001090012345';
const OTHER_PERSON = '079185004321';

/** A canonical event carrying every field the contract has. */
function event(overrides: Partial<DossierStatusEvent> = {}): DossierStatusEvent {
  return {
    eventId: '3f1c2b7e-8a4d-4e5f-9b60-7c8d9e0a1b2c',
    dossierCode: '000.17.22.H56-261031-0007',
    agencyCode: '000.17.22.H56',
    procedureCode: '1.001193',
    status: 'RESULT_RETURNED',
    portalStatusCode: 10,
    occurredAt: '2026-10-31T10:02:45+07:00',
    dueAt: '2026-11-07T17:00:00+07:00',
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: PERSON },
    handler: { name: 'Đỗ Minh Quang', position: 'Chuyên viên', department: 'Phòng Tư pháp' },
    note: 'Đã trả kết quả cho công dân.',
    documents: { componentsSubmitted: 3, componentsDigitised: 3, componentsReused: 1 },
    payment: { required: true, paidOnline: true },
    rating: { score: 5, ratedAt: '2026-11-02T08:00:00+07:00' },
    ...overrides,
  };
}

function copyFor(input: DossierStatusEvent) {
  const route = catalogue.route(input);
  if (!route) throw new Error(`no route for ${input.procedureCode}`);
  const copy = ministryCopy(input, route, pseudonyms);
  const checked = validate('ministry-dossier-status-event', copy);
  expect(checked.ok ? [] : checked.errors).toEqual([]);
  return copy;
}

describe('a ministry copy of a dossier event', () => {
  it('by default keeps routing, status and indicator fields and drops handler, note, rating and the personal ID', () => {
    const copy = copyFor(event());
    expect(copy).toEqual({
      eventId: '3f1c2b7e-8a4d-4e5f-9b60-7c8d9e0a1b2c',
      dossierCode: '000.17.22.H56-261031-0007',
      agencyCode: '000.17.22.H56',
      procedureCode: '1.001193',
      sectorCode: 'HT',
      status: 'RESULT_RETURNED',
      portalStatusCode: 10,
      occurredAt: '2026-10-31T10:02:45+07:00',
      dueAt: '2026-11-07T17:00:00+07:00',
      channel: 'ONLINE',
      applicant: { kind: 'CITIZEN', pseudonym: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      documents: { componentsSubmitted: 3, componentsDigitised: 3, componentsReused: 1 },
      payment: { required: true, paidOnline: true },
    });
  });

  it.each([
    ['a citizen', event()],
    ['a citizen, residence sector', event({ procedureCode: '1.004222' })],
    ['a citizen of a household business', event({ procedureCode: '2.001610' })],
    [
      'an organisation with a tax code',
      event({ applicant: { kind: 'ORGANISATION', enterpriseCode: '0314409058' } }),
    ],
  ])('carries no 12-digit personal ID anywhere by default (%s)', (_what, input) => {
    const text = JSON.stringify(copyFor(input));
    expect(text).not.toContain(PERSON);
    expect(text).not.toMatch(/[0-9]{12}/);
  });

  it('keeps a granted field and removes the ungranted ones', () => {
    const granted = copyFor(event({ procedureCode: '1.001776' }));
    expect(granted).toMatchObject({ handler: event().handler, note: event().note, rating: event().rating });
    expect(granted.applicant).toEqual({ kind: 'CITIZEN', pseudonym: expect.any(String) });

    const ungranted = copyFor(event({ procedureCode: '1.001193' }));
    expect(['handler', 'note', 'rating'].filter((field) => field in ungranted)).toEqual([]);
  });

  it('carries the personal ID, and no pseudonym, only in the sector granted it', () => {
    const judicial = copyFor(event({ procedureCode: '2.000488' }));
    expect(judicial.applicant).toEqual({ kind: 'CITIZEN', personalId: PERSON });
    // same ministry, other sector: pseudonym only
    expect(copyFor(event()).applicant).toEqual({ kind: 'CITIZEN', pseudonym: expect.any(String) });
  });

  it('carries an enterprise code only where granted, and a pseudonym of it elsewhere', () => {
    const enterprise = { kind: 'ENTERPRISE', enterpriseCode: '0314409058' } as const;
    expect(copyFor(event({ procedureCode: '2.001610', applicant: enterprise })).applicant).toEqual(
      enterprise,
    );
    const elsewhere = copyFor(event({ procedureCode: '1.004222', applicant: enterprise })).applicant;
    expect(elsewhere).toEqual({
      kind: 'ENTERPRISE',
      pseudonym: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(JSON.stringify(elsewhere)).not.toContain('0314409058');
  });

  it('names an organisation without an enterprise code by kind only', () => {
    expect(copyFor(event({ applicant: { kind: 'ORGANISATION' } })).applicant).toEqual({
      kind: 'ORGANISATION',
    });
  });

  it('fills the sector the event was routed by', () => {
    expect(copyFor(event({ procedureCode: '1.001193', sectorCode: 'LLTP' })).sectorCode).toBe('LLTP');
    expect(copyFor(event({ procedureCode: '1.004222', sectorCode: 'NOT-IN-CATALOGUE' })).sectorCode).toBe(
      'CU',
    );
  });
});

describe('the applicant pseudonym', () => {
  const pseudonymAt = (procedureCode: string, personalId = PERSON, using = pseudonyms) => {
    const input = event({ procedureCode, applicant: { kind: 'CITIZEN', personalId } });
    return ministryCopy(input, catalogue.route(input)!, using).applicant.pseudonym;
  };

  it('is the same for the same person on every event of a ministry, and after a restart with the same key', () => {
    const first = pseudonymAt('1.001193');
    expect(copyFor(event({ status: 'RECEIVED', portalStatusCode: 2 })).applicant.pseudonym).toBe(first);
    expect(pseudonymAt('1.001193', PERSON, new MinistryPseudonyms(KEY))).toBe(first);
  });

  it('differs between persons, between ministries and under another key', () => {
    const justice = pseudonymAt('1.001193');
    expect(pseudonymAt('1.001193', OTHER_PERSON)).not.toBe(justice);
    expect(pseudonymAt('1.004222')).not.toBe(justice);
    expect(pseudonymAt('1.001776')).not.toBe(justice);
    expect(pseudonymAt('1.001193', PERSON, new MinistryPseudonyms(`hex:${'3d'.repeat(32)}`))).not.toBe(
      justice,
    );
  });

  it('is HMAC-SHA256 of the typed identifier under the HKDF-SHA256 key of the ministry, as documented', () => {
    const ministryKey = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.alloc(32, 0x3c),
        Buffer.alloc(0),
        'lienthong/ministry-pseudonym/v1/bo-tu-phap',
        32,
      ),
    );
    const expected = createHmac('sha256', ministryKey).update(`personalId:${PERSON}`).digest('base64url');
    expect(pseudonymAt('1.001193')).toBe(expected);
  });

  it('refuses a key shorter than 32 bytes, naming the setting and not the value', () => {
    expect(() => new MinistryPseudonyms('too-short-a-secret')).toThrow(
      /^MINISTRY_PSEUDONYM_KEY must be at least 32 bytes/,
    );
    expect(() => new MinistryPseudonyms('too-short-a-secret')).not.toThrow(/too-short-a-secret/);
  });
});

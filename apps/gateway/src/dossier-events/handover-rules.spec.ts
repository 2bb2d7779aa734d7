import { loadProcedureCatalogue } from '@lienthong/catalogue';
import {
  decisionRefusal,
  handoverRefusal,
  parseDecision,
  parseHandoverRequest,
  parseResult,
  resultRefusal,
} from './handover-rules';

const catalogue = loadProcedureCatalogue('deploy/config/procedures.yaml');
const A = '000.31.05.H56';
const B = '000.17.22.H56';

const codeOf = (value: unknown) =>
  value && typeof value === 'object' && 'code' in value ? (value as { code: string }).code : undefined;

describe('non-boundary intake rules', () => {
  describe('the shipped catalogue', () => {
    it('opens the civil-status procedures to non-boundary intake, and no other', () => {
      for (const code of ['1.001193', '1.000894', '1.001022', '2.000635'])
        expect(catalogue.procedure(code)?.nonBoundary).toBe(true);
      expect(catalogue.procedure('2.000815')?.nonBoundary).toBeUndefined();
      expect(catalogue.procedure('1.004222')?.nonBoundary).toBeUndefined();
    });
  });

  describe('a hand-over', () => {
    const base = { receivingAgency: A, competentAgency: B, closed: false };
    const of = (procedureCode: string, extra: Partial<Parameters<typeof handoverRefusal>[0]> = {}) =>
      handoverRefusal({ ...base, procedureCode, procedure: catalogue.procedure(procedureCode), ...extra });

    it('is allowed for a civil-status dossier to one of its competent agencies', () => {
      expect(of('1.001193')).toBeUndefined();
      // no competent agencies listed: any other agency
      expect(of('2.000635', { competentAgency: '000.00.14.H56' })).toBeUndefined();
    });

    it('is refused for a procedure the catalogue does not open to it, or does not know', () => {
      expect(of('2.000815')).toMatchObject({ status: 422, code: 'NON_BOUNDARY_NOT_ALLOWED' });
      expect(of('9.999999')).toMatchObject({ status: 422, code: 'NON_BOUNDARY_NOT_ALLOWED' });
    });

    it('is refused to an agency the catalogue does not name competent, or to the receiving agency itself', () => {
      expect(of('1.001193', { competentAgency: '000.00.14.H56' })).toMatchObject({
        status: 422,
        code: 'AGENCY_NOT_COMPETENT',
      });
      expect(of('1.001193', { competentAgency: A })).toMatchObject({ status: 422, code: 'HANDOVER_TO_SELF' });
    });

    it('is refused for a closed dossier, and while a hand-over that was not refused stands', () => {
      expect(of('1.001193', { closed: true })).toMatchObject({ status: 422, code: 'DOSSIER_CLOSED' });
      for (const existing of ['HANDED_OVER', 'ACCEPTED', 'RESULT_RETURNED'] as const)
        expect(of('1.001193', { existing })).toMatchObject({ status: 409, code: 'HANDOVER_EXISTS' });
      expect(of('1.001193', { existing: 'REFUSED' })).toBeUndefined();
    });
  });

  it('takes a decision once, and returns a result only for an accepted hand-over', () => {
    expect(decisionRefusal('HANDED_OVER')).toBeUndefined();
    for (const state of ['ACCEPTED', 'REFUSED', 'RESULT_RETURNED'] as const)
      expect(decisionRefusal(state)).toMatchObject({ status: 409, code: 'HANDOVER_NOT_PENDING' });
    expect(resultRefusal('ACCEPTED')).toBeUndefined();
    for (const state of ['HANDED_OVER', 'REFUSED', 'RESULT_RETURNED'] as const)
      expect(resultRefusal(state)).toMatchObject({ status: 409, code: 'HANDOVER_NOT_ACCEPTED' });
  });

  describe('request bodies', () => {
    it('a hand-over names one well-formed agency code and nothing else', () => {
      expect(parseHandoverRequest({ competentAgency: B })).toEqual({ competentAgency: B });
      for (const body of [
        undefined,
        [],
        'x',
        {},
        { competentAgency: 'not a code' },
        { competentAgency: B, x: 1 },
      ])
        expect(codeOf(parseHandoverRequest(body))).toBe('INVALID_BODY');
    });

    it('a refusal needs a reason, an acceptance takes none', () => {
      expect(parseDecision({ decision: 'ACCEPT' })).toEqual({ decision: 'ACCEPT' });
      expect(parseDecision({ decision: 'REFUSE', reason: ' Không thuộc thẩm quyền. ' })).toEqual({
        decision: 'REFUSE',
        reason: 'Không thuộc thẩm quyền.',
      });
      const paths = (body: unknown) =>
        (parseDecision(body) as { errors?: { path: string }[] }).errors?.map((e) => e.path);
      expect(paths({ decision: 'REFUSE' })).toEqual(['/reason']);
      expect(paths({ decision: 'REFUSE', reason: '  ' })).toEqual(['/reason']);
      expect(paths({ decision: 'REFUSE', reason: 'x'.repeat(1001) })).toEqual(['/reason']);
      expect(paths({ decision: 'ACCEPT', reason: 'why' })).toEqual(['/reason']);
      expect(paths({ decision: 'MAYBE', extra: true })).toEqual(['/extra', '/decision']);
      expect(codeOf(parseDecision(null))).toBe('INVALID_BODY');
    });

    it('a result takes no body, or an empty object', () => {
      expect(parseResult(undefined)).toBe(true);
      expect(parseResult({})).toBe(true);
      expect(codeOf(parseResult({ result: 'x' }))).toBe('INVALID_BODY');
      expect(codeOf(parseResult([1]))).toBe('INVALID_BODY');
    });
  });
});

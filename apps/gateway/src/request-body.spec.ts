import { ProblemException } from '@lienthong/observability';
import { checkRequestBody, refuseInvalid, type FieldRules } from './request-body';

const DELIVERY_RULES: FieldRules = {
  '/dossierCode': ['INVALID', 'must be a dossier code'],
  '/receiver': ['REQUIRED', 'must be an object: name, address, phone'],
  '/receiver/name': ['INVALID', 'must be a text of 1–200 characters'],
  '/documents': ['INVALID', 'must be a whole number from 1 to 50'],
};

const CHAIN_RULES: FieldRules = {
  '/application': ['INVALID', 'must be an object of field values'],
  '/application/*': ['INVALID', 'must be a text of at most 500 characters'],
};

const ORDER = {
  dossierCode: '000.00.31.H56-261206-0001',
  receiver: { name: 'Nguyễn Văn An', address: 'Lào Cai', phone: '0912345678' },
  documents: 1,
};

describe('checkRequestBody', () => {
  it('passes a body its definition accepts, as it is', () => {
    expect(checkRequestBody('deliveryOrder', ORDER, DELIVERY_RULES)).toEqual({ object: ORDER, errors: [] });
  });

  it('names each refused field once, by its rule, in the order the definition lists the fields', () => {
    const { errors } = checkRequestBody(
      'deliveryOrder',
      { documents: 99, receiver: { name: '   ', address: 'x', phone: '1' }, extra: true },
      DELIVERY_RULES,
    );
    expect(errors).toEqual([
      { path: '/dossierCode', code: 'INVALID', message: 'must be a dossier code' },
      { path: '/receiver/name', code: 'INVALID', message: 'must be a text of 1–200 characters' },
      { path: '/documents', code: 'INVALID', message: 'must be a whole number from 1 to 50' },
      { path: '/extra', code: 'UNKNOWN_FIELD', message: 'is not a field of this request' },
    ]);
  });

  it('matches a rule with `*` for any one segment', () => {
    const { errors } = checkRequestBody(
      'chainStart',
      {
        parentDossierCode: '000.00.31.H29-261206-0001',
        chainCode: 'birth-residence-health-insurance',
        application: { 'child.fullName': 7 },
      },
      CHAIN_RULES,
    );
    expect(errors).toEqual([
      {
        path: '/application/child.fullName',
        code: 'INVALID',
        message: 'must be a text of at most 500 characters',
      },
    ]);
  });

  it('never repeats a field name that could be a personal ID', () => {
    const { errors } = checkRequestBody('deliveryOrder', { ...ORDER, '001090012345': 'x' }, DELIVERY_RULES);
    expect(errors).toEqual([{ path: '', code: 'UNKNOWN_FIELD', message: 'is not a field of this request' }]);
    const chain = checkRequestBody(
      'chainStart',
      {
        parentDossierCode: '000.00.31.H29-261206-0001',
        chainCode: 'birth-residence-health-insurance',
        application: { '001090012345': 'x' },
      },
      CHAIN_RULES,
    );
    expect(JSON.stringify(chain.errors)).not.toContain('001090012345');
    expect(chain.errors.map((error) => error.path)).toEqual(['/application']);
  });

  it('refuses what is not a JSON object, and a body with errors, as 400 INVALID_BODY', () => {
    for (const body of [null, [ORDER], 'text']) {
      expect(() => checkRequestBody('deliveryOrder', body, DELIVERY_RULES)).toThrow(
        expect.objectContaining({ status: 400, code: 'INVALID_BODY' }) as ProblemException,
      );
    }
    expect(() => refuseInvalid([])).not.toThrow();
    expect(() => refuseInvalid([{ path: '/documents', code: 'INVALID', message: 'm' }])).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'INVALID_BODY',
        errors: [expect.anything()],
      }) as ProblemException,
    );
  });
});

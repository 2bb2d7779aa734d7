import { ProblemException } from '@lienthong/observability';
import { AccessPolicy, type AccessRequest } from './access-policy';
import { ClientRegistry, withDemoClient } from './client-registry';
import type { Caller } from './clients.types';
import type { ServiceName } from './services';
import { NOW, testClientsDocument } from './testing/security.fixtures';

const registry = withDemoClient(
  ClientRegistry.fromDocument(testClientsDocument(), { now: () => NOW }),
  'lt_demoKey_AbcdefGhijklMnopqrStuvwxYz',
);
const policy = new AccessPolicy(registry);

function caller(clientId: string): Caller {
  const client = registry.client(clientId)!;
  return {
    clientId,
    name: client.name,
    kind: client.kind,
    admin: client.admin,
    via: 'api-key',
    credentialId: 'k1',
  };
}

function decide(clientId: string, service: ServiceName, request: AccessRequest): unknown {
  try {
    return policy.authorize(caller(clientId), service, request);
  } catch (error) {
    if (error instanceof ProblemException)
      return { status: error.status, code: error.code, detail: error.detail };
    throw error;
  }
}

const DOSSIER = '000.17.15.H41-260601-0001';

describe('access policy', () => {
  it.each<[string, string, ServiceName, AccessRequest, unknown]>([
    [
      'a granted service and purpose, with the dossier it serves',
      'motcua',
      'citizen.lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      {
        service: 'citizen.lookup',
        purpose: 'DOSSIER_PROCESSING',
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        dossierCode: DOSSIER,
        fields: ['personalId', 'fullName', 'dateOfBirth', 'permanentResidence'],
        allowStale: true,
      },
    ],
    [
      'a purpose that needs no dossier',
      'motcua',
      'citizen.lookup',
      { purpose: 'EFORM_PREFILL' },
      expect.objectContaining({
        purpose: 'EFORM_PREFILL',
        dossierCode: undefined,
        legalBasis: 'Nghị định 45/2020/NĐ-CP',
      }),
    ],
    [
      'the narrower scope of a ministry',
      'bo-tu-phap',
      'citizen.lookup',
      { purpose: 'CIVIL_STATUS_REGISTRATION' },
      expect.objectContaining({
        fields: ['personalId', 'fullName', 'permanentResidence.provinceCode'],
        allowStale: false,
      }),
    ],
    [
      'every field of an enterprise',
      'motcua',
      'enterprise.lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      expect.objectContaining({ fields: '*' }),
    ],
    [
      'a submission without a purpose',
      'motcua',
      'dossier.events',
      {},
      { service: 'dossier.events', dossierCode: undefined, fields: '*', allowStale: false },
    ],
    [
      'a submission naming a catalogued purpose',
      'motcua',
      'dossier.events',
      { purpose: 'EFORM_PREFILL' },
      expect.objectContaining({ purpose: 'EFORM_PREFILL' }),
    ],
    [
      'the admin-only audit service for the DPO',
      'dpo',
      'audit.subjects',
      { purpose: 'DATA_SUBJECT_REQUEST' },
      expect.objectContaining({ service: 'audit.subjects', fields: '*' }),
    ],
    [
      'anything for the demo client',
      'demo',
      'land.lookup',
      { purpose: 'EFORM_PREFILL' },
      expect.objectContaining({ fields: '*', allowStale: true }),
    ],
    [
      'a service the client was not granted',
      'bo-tu-phap',
      'enterprise.lookup',
      { purpose: 'CIVIL_STATUS_REGISTRATION' },
      {
        status: 403,
        code: 'SERVICE_NOT_ALLOWED',
        detail: 'Client "bo-tu-phap" may not use the service enterprise.lookup.',
      },
    ],
    [
      'the audit service for a client that is not admin',
      'motcua',
      'audit.subjects',
      { purpose: 'DATA_SUBJECT_REQUEST' },
      expect.objectContaining({ status: 403, code: 'SERVICE_NOT_ALLOWED' }),
    ],
    [
      'a lookup without a purpose',
      'motcua',
      'citizen.lookup',
      { dossierCode: DOSSIER },
      {
        status: 400,
        code: 'PURPOSE_REQUIRED',
        detail:
          'Name the purpose of the request in the "purpose" field; allowed for citizen.lookup: DOSSIER_PROCESSING, EFORM_PREFILL.',
      },
    ],
    [
      'a lookup with an empty purpose',
      'motcua',
      'citizen.lookup',
      { purpose: '' },
      expect.objectContaining({ code: 'PURPOSE_REQUIRED' }),
    ],
    [
      'a purpose that is not a string',
      'motcua',
      'citizen.lookup',
      { purpose: 7 },
      expect.objectContaining({ status: 400, code: 'PURPOSE_REQUIRED' }),
    ],
    [
      'a catalogued purpose not granted for this service',
      'bo-tu-phap',
      'citizen.lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      {
        status: 403,
        code: 'PURPOSE_NOT_ALLOWED',
        detail:
          'Purpose DOSSIER_PROCESSING is not allowed for client "bo-tu-phap" and citizen.lookup; allowed: CIVIL_STATUS_REGISTRATION.',
      },
    ],
    [
      'a purpose missing from the catalogue',
      'motcua',
      'dossier.events',
      { purpose: 'MARKETING' },
      expect.objectContaining({ status: 403, code: 'PURPOSE_NOT_ALLOWED' }),
    ],
    [
      'a purpose that carries something else (never echoed)',
      'motcua',
      'citizen.lookup',
      { purpose: '001090012345' },
      {
        status: 403,
        code: 'PURPOSE_NOT_ALLOWED',
        detail:
          'The purpose is not allowed for client "motcua" and citizen.lookup; allowed: DOSSIER_PROCESSING, EFORM_PREFILL.',
      },
    ],
    [
      'a purpose that serves a dossier, without the dossier code',
      'motcua',
      'citizen.lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: 42 },
      {
        status: 400,
        code: 'DOSSIER_CODE_REQUIRED',
        detail: 'Purpose DOSSIER_PROCESSING serves a dossier: name it in the "dossierCode" field.',
      },
    ],
  ])('decides %s', (_name, clientId, service, request, expected) => {
    expect(decide(clientId, service, request)).toEqual(expected);
  });

  it('refuses a caller whose client is disabled even if it got past authentication', () => {
    expect(decide('tam-dung', 'citizen.lookup', { purpose: 'EFORM_PREFILL' })).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('checks the service before the purpose', () => {
    expect(decide('dpo', 'citizen.lookup', {})).toMatchObject({ code: 'SERVICE_NOT_ALLOWED' });
  });
});

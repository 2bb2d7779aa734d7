import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { validate, type ReusableDocument } from '@lienthong/contracts';
import {
  validateAgencyCode,
  validateDossierCode,
  validateEnterpriseCode,
  validatePersonalId,
} from '@lienthong/domain';
import type { ProblemFieldError } from '@lienthong/observability';
import type { DocumentOwner } from '../document-owner';
import { fieldProblem, identifierIssues, isPlainObject, type Notice } from './request-checks';

/** Fields of the canonical record the store assigns; a registration may not send them. */
export const ASSIGNED_BY_STORE = [
  'documentId',
  'revoked',
  'revokedAt',
  'supersededBy',
  'registeredAt',
  'signature',
] as const;

/** What a registration describes: the canonical record without the fields the store assigns. */
export type DocumentDescription = Omit<ReusableDocument, (typeof ASSIGNED_BY_STORE)[number]>;

export interface DocumentRegistration {
  document: DocumentDescription;
  owner: DocumentOwner;
  /** Base64 DER CMS SignedData, detached, over the content. */
  detachedSignature?: string;
  notices: Notice[];
}

const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';
const PLACEHOLDER_TIME = '2000-01-01T00:00:00Z';

const date = { type: 'string', format: 'date', example: '2026-11-05' } as const;

export const REGISTER_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'A reusable document as in contracts/schemas/reusable-document.v1.json without the fields the store ' +
    'assigns (documentId, revoked, revokedAt, supersededBy, registeredAt, signature), plus the optional ' +
    'detached signature. `purpose` is checked by the access policy and not stored.',
  required: ['owner', 'documentType', 'issuingAgency', 'issuedOn', 'contentHash', 'storageRef'],
  properties: {
    owner: {
      type: 'object',
      description:
        'CITIZEN with personalId, ENTERPRISE with enterpriseCode, or ORGANISATION with enterpriseCode ' +
        '(the store finds documents by this identifier).',
      properties: {
        kind: { type: 'string', enum: ['CITIZEN', 'ENTERPRISE', 'ORGANISATION'] },
        personalId: { type: 'string', pattern: '^[0-9]{12}$' },
        enterpriseCode: { type: 'string', example: '0314409058' },
      },
      required: ['kind'],
    },
    documentType: { type: 'string', maxLength: 60, example: 'KQ.GPXD' },
    title: { type: 'string', maxLength: 500, example: 'Giấy phép xây dựng nhà ở riêng lẻ' },
    documentCode: { type: 'string', maxLength: 100, example: '123/GPXD-UBND' },
    issuingAgency: {
      type: 'object',
      required: ['name'],
      description: 'agencyCode is required when the document is signed: the signer must be this agency.',
      properties: {
        agencyCode: { type: 'string', example: '000.17.22.H56' },
        name: { type: 'string', example: 'Ủy ban nhân dân phường Ba Đình' },
      },
    },
    dossierCode: { type: 'string', example: '000.17.22.H56-261031-0007' },
    issuedOn: date,
    validFrom: date,
    validUntil: { ...date, description: 'Last day of validity; absent when the document does not expire.' },
    mediaType: { type: 'string', example: 'application/pdf' },
    contentHash: {
      type: 'object',
      required: ['algorithm', 'value'],
      properties: {
        algorithm: { type: 'string', enum: ['sha256'] },
        value: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
    storageRef: {
      type: 'string',
      format: 'uri',
      example: 'reuse-store://2026/11/05/9b2e4c1a-5d3f-4a6b-8c7d-0e1f2a3b4c5d.pdf',
    },
    detachedSignature: {
      type: 'string',
      format: 'byte',
      description:
        'Base64 of a DER CMS SignedData (PKCS#7), detached, made by the issuing agency over the content ' +
        'bytes: SHA-256, RSA PKCS#1 v1.5, signed attributes contentType = id-data and messageDigest = the ' +
        'content SHA-256 (so it must equal contentHash.value). e.g. `openssl cms -sign -binary -md sha256 ' +
        '-in doc.pdf -signer agency.crt -inkey agency.key -outform DER | base64 -w0`.',
    },
    purpose: { type: 'string', example: 'DOSSIER_PROCESSING' },
  },
};

function problems(status: number, code: string, title: string, errors: ProblemFieldError[]): never {
  throw fieldProblem(status, code, title, errors);
}

/**
 * Checks a registration: the body's shape against the canonical contract, the identifiers against the
 * domain rules, and the dates against each other and `today` (Viet Nam). Throws ProblemException:
 * 400 INVALID_DOCUMENT (shape), 400 INVALID_IDENTIFIER (identifier rules), 422 OWNER_IDENTIFIER_REQUIRED,
 * 422 ISSUING_AGENCY_CODE_REQUIRED, 422 DOCUMENT_DATES_INVALID, 422 DOCUMENT_EXPIRED.
 */
export function parseRegistration(body: unknown, today: string): DocumentRegistration {
  if (!isPlainObject(body)) {
    problems(400, 'INVALID_DOCUMENT', 'Invalid document registration', [
      { path: '', code: 'SCHEMA_TYPE', message: 'the body must be a JSON object' },
    ]);
  }
  const { detachedSignature, purpose: _purpose, ...fields } = body;
  const errors: ProblemFieldError[] = [];
  for (const key of ASSIGNED_BY_STORE) {
    if (key in fields) {
      errors.push({
        path: `/${key}`,
        code: 'ASSIGNED_BY_STORE',
        message: `${key} is set by the reuse store`,
      });
      delete fields[key];
    }
  }
  if (detachedSignature !== undefined && typeof detachedSignature !== 'string') {
    errors.push({
      path: '/detachedSignature',
      code: 'SCHEMA_TYPE',
      message: 'must be a string: the base64 of a DER CMS SignedData',
    });
  }
  const checked = validate('reusable-document', {
    ...fields,
    documentId: PLACEHOLDER_ID,
    revoked: false,
    registeredAt: PLACEHOLDER_TIME,
  });
  if (!checked.ok) errors.push(...checked.errors);
  if (errors.length > 0 || !checked.ok) {
    return problems(400, 'INVALID_DOCUMENT', 'Invalid document registration', errors);
  }
  const {
    documentId: _id,
    revoked: _revoked,
    registeredAt: _registeredAt,
    ...document
  } = checked.value as ReusableDocument;

  const identifierErrors: ProblemFieldError[] = [];
  const notices: Notice[] = [];
  const { owner } = document;
  if (owner.personalId !== undefined) {
    identifierErrors.push(
      ...identifierIssues('/owner/personalId', validatePersonalId(owner.personalId)).errors,
    );
  }
  if (owner.enterpriseCode !== undefined) {
    const issues = identifierIssues('/owner/enterpriseCode', validateEnterpriseCode(owner.enterpriseCode));
    identifierErrors.push(...issues.errors);
    notices.push(...issues.warnings);
  }
  if (document.dossierCode !== undefined) {
    identifierErrors.push(
      ...identifierIssues('/dossierCode', validateDossierCode(document.dossierCode)).errors,
    );
  }
  if (document.issuingAgency.agencyCode !== undefined) {
    identifierErrors.push(
      ...identifierIssues('/issuingAgency/agencyCode', validateAgencyCode(document.issuingAgency.agencyCode))
        .errors,
    );
  }
  if (identifierErrors.length > 0) {
    problems(400, 'INVALID_IDENTIFIER', 'Invalid identifier', identifierErrors);
  }

  if (owner.kind === 'ORGANISATION' && owner.enterpriseCode === undefined) {
    problems(422, 'OWNER_IDENTIFIER_REQUIRED', 'Owner identifier required', [
      {
        path: '/owner/enterpriseCode',
        code: 'OWNER_IDENTIFIER_REQUIRED',
        message:
          'the reuse store finds documents by their owner: an organisation needs its enterprise (tax) code',
      },
    ]);
  }
  if (detachedSignature !== undefined && document.issuingAgency.agencyCode === undefined) {
    problems(422, 'ISSUING_AGENCY_CODE_REQUIRED', 'Issuing agency code required', [
      {
        path: '/issuingAgency/agencyCode',
        code: 'ISSUING_AGENCY_CODE_REQUIRED',
        message:
          'a signed document names its issuing agency by agency code, so the signer can be checked against it',
      },
    ]);
  }

  const dateErrors: ProblemFieldError[] = [];
  const start = document.validFrom ?? document.issuedOn;
  if (document.issuedOn > today) {
    dateErrors.push({ path: '/issuedOn', code: 'DATE_IN_FUTURE', message: 'issuedOn is after today' });
  }
  if (document.validFrom !== undefined && document.validFrom < document.issuedOn) {
    dateErrors.push({
      path: '/validFrom',
      code: 'VALID_FROM_BEFORE_ISSUE',
      message: 'validFrom is before issuedOn',
    });
  }
  if (document.validUntil !== undefined && document.validUntil < start) {
    dateErrors.push({
      path: '/validUntil',
      code: 'VALID_UNTIL_BEFORE_START',
      message: 'validUntil is before the first day of validity',
    });
  }
  if (dateErrors.length > 0)
    problems(422, 'DOCUMENT_DATES_INVALID', 'Inconsistent document dates', dateErrors);
  if (document.validUntil !== undefined && document.validUntil < today) {
    problems(422, 'DOCUMENT_EXPIRED', 'Document already expired', [
      {
        path: '/validUntil',
        code: 'DOCUMENT_EXPIRED',
        message: 'the document is no longer valid, so it cannot be reused',
      },
    ]);
  }

  const registeredOwner: DocumentOwner =
    owner.kind === 'CITIZEN'
      ? { kind: 'CITIZEN', personalId: owner.personalId as string }
      : { kind: owner.kind, enterpriseCode: owner.enterpriseCode as string };
  return {
    document,
    owner: registeredOwner,
    ...(detachedSignature !== undefined ? { detachedSignature: detachedSignature as string } : {}),
    notices,
  };
}

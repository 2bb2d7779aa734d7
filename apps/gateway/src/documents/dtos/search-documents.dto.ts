import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SchemaRegistry, schemaIdOf, type AuditSubjectKind } from '@lienthong/contracts';
import { validateDossierCode, validateEnterpriseCode, validatePersonalId } from '@lienthong/domain';
import type { ProblemException, ProblemFieldError } from '@lienthong/observability';
import type { DocumentOwner } from '../document-owner';
import { fieldProblem, identifierIssues, isPlainObject } from './request-checks';

export interface DocumentSearch {
  owner: Extract<DocumentOwner, { kind: 'CITIZEN' }> | { kind: 'ENTERPRISE'; enterpriseCode: string };
  documentType?: string;
  dossierCode?: string;
}

/** A refused search, with what may be written to the audit record about it. */
export interface RefusedSearch {
  problem: ProblemException;
  subjectKind: AuditSubjectKind;
  /** The owner identifier, only when it was valid (an invalid one may be anything, e.g. in the wrong field). */
  identifier?: string;
  /** The dossier code, only when it was valid. */
  dossierCode?: string;
}

const FIELDS = ['ownerPersonalId', 'ownerEnterpriseCode', 'documentType', 'purpose', 'dossierCode'] as const;

const PATTERNS: Record<'ownerPersonalId' | 'ownerEnterpriseCode' | 'documentType' | 'dossierCode', string> = {
  ownerPersonalId: `${schemaIdOf('common')}#/$defs/personalId`,
  ownerEnterpriseCode: `${schemaIdOf('common')}#/$defs/enterpriseCode`,
  documentType: `${schemaIdOf('reusable-document')}#/properties/documentType`,
  dossierCode: `${schemaIdOf('common')}#/$defs/dossierCode`,
};

export const SEARCH_DOCUMENTS_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'Exactly one of ownerPersonalId and ownerEnterpriseCode. With dossierCode, every document returned is ' +
    'recorded as reused by that dossier.',
  required: ['purpose'],
  properties: {
    ownerPersonalId: { type: 'string', pattern: '^[0-9]{12}$', example: '001090012345' },
    ownerEnterpriseCode: { type: 'string', example: '0314409058' },
    documentType: { type: 'string', example: 'KQ.GPXD' },
    purpose: { type: 'string', example: 'DOSSIER_PROCESSING' },
    dossierCode: { type: 'string', example: '000.17.22.H56-261122-0001' },
  },
};

/**
 * Checks a search body. Refusals: 400 INVALID_SEARCH (shape: unknown fields, not exactly one owner
 * identifier, wrong types or formats) and 400 INVALID_IDENTIFIER (identifier rules).
 */
export function parseSearch(body: unknown): { search: DocumentSearch } | { refused: RefusedSearch } {
  const fields = isPlainObject(body) ? body : {};
  const subjectKind: AuditSubjectKind = 'ownerEnterpriseCode' in fields ? 'ENTERPRISE' : 'CITIZEN';
  const refuse = (
    code: string,
    title: string,
    errors: ProblemFieldError[],
    valid: Partial<RefusedSearch> = {},
  ) => ({
    refused: { problem: fieldProblem(400, code, title, errors), subjectKind, ...valid },
  });
  if (!isPlainObject(body)) {
    return refuse('INVALID_SEARCH', 'Invalid document search', [
      { path: '', code: 'SCHEMA_TYPE', message: 'the body must be a JSON object' },
    ]);
  }
  const errors: ProblemFieldError[] = [];
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      errors.push({
        path: /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key) ? `/${key}` : '',
        code: 'SCHEMA_ADDITIONAL_PROPERTY',
        message: `unknown field; allowed: ${FIELDS.join(', ')}`,
      });
    }
  }
  const named = ['ownerPersonalId', 'ownerEnterpriseCode'].filter((key) => fields[key] !== undefined);
  if (named.length !== 1) {
    errors.push({
      path: '',
      code: 'OWNER_REQUIRED',
      message: 'name the owner by exactly one of ownerPersonalId and ownerEnterpriseCode',
    });
  }
  const registry = SchemaRegistry.shared();
  for (const [key, id] of Object.entries(PATTERNS)) {
    if (fields[key] === undefined) continue;
    const result = registry.validateById(id, fields[key]);
    if (!result.ok) {
      errors.push(...result.errors.map((error) => ({ ...error, path: `/${key}${error.path}` })));
    }
  }
  const dossierCode = typeof fields.dossierCode === 'string' ? fields.dossierCode : undefined;
  const dossierValid = dossierCode !== undefined && validateDossierCode(dossierCode).valid;
  if (errors.length > 0) {
    return refuse('INVALID_SEARCH', 'Invalid document search', errors, dossierValid ? { dossierCode } : {});
  }

  const identifierErrors: ProblemFieldError[] = [];
  const personalId = fields.ownerPersonalId as string | undefined;
  const enterpriseCode = fields.ownerEnterpriseCode as string | undefined;
  if (personalId !== undefined) {
    identifierErrors.push(...identifierIssues('/ownerPersonalId', validatePersonalId(personalId)).errors);
  }
  if (enterpriseCode !== undefined) {
    identifierErrors.push(
      ...identifierIssues('/ownerEnterpriseCode', validateEnterpriseCode(enterpriseCode)).errors,
    );
  }
  if (dossierCode !== undefined) {
    identifierErrors.push(...identifierIssues('/dossierCode', validateDossierCode(dossierCode)).errors);
  }
  if (identifierErrors.length > 0) {
    const ownerValid = !identifierErrors.some((error) => error.path.startsWith('/owner'));
    return refuse('INVALID_IDENTIFIER', 'Invalid identifier', identifierErrors, {
      ...(ownerValid ? { identifier: personalId ?? enterpriseCode } : {}),
      ...(dossierValid ? { dossierCode } : {}),
    });
  }
  return {
    search: {
      owner:
        personalId !== undefined
          ? { kind: 'CITIZEN', personalId }
          : { kind: 'ENTERPRISE', enterpriseCode: enterpriseCode as string },
      ...(typeof fields.documentType === 'string' ? { documentType: fields.documentType } : {}),
      ...(dossierCode !== undefined ? { dossierCode } : {}),
    },
  };
}

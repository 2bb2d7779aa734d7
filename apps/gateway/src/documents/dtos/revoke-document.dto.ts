import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SchemaRegistry, schemaIdOf } from '@lienthong/contracts';
import { validateDossierCode } from '@lienthong/domain';
import { ProblemException, type ProblemFieldError } from '@lienthong/observability';
import { fieldProblem, identifierIssues, isPlainObject } from './request-checks';

export interface DocumentRevocation {
  reason: string;
  supersededBy?: string;
}

export const REVOCATION_REASON_MAX_LENGTH = 500;

const FIELDS = ['reason', 'supersededBy', 'purpose', 'dossierCode'] as const;
const UUID_ID = `${schemaIdOf('common')}#/$defs/uuid`;
const DOSSIER_CODE_ID = `${schemaIdOf('common')}#/$defs/dossierCode`;

export const REVOKE_DOCUMENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['reason'],
  properties: {
    reason: {
      type: 'string',
      maxLength: REVOCATION_REASON_MAX_LENGTH,
      example: 'Giấy phép bị thu hồi theo Quyết định số 45/QĐ-UBND',
      description: 'Why the document may no longer be reused (kept with the record).',
    },
    supersededBy: {
      type: 'string',
      format: 'uuid',
      description: 'documentId of the active document of the same owner that replaces this one.',
    },
    purpose: { type: 'string', example: 'DOSSIER_PROCESSING' },
    dossierCode: {
      type: 'string',
      description: 'The dossier the revocation is made for, when the purpose needs one.',
    },
  },
};

function isUuid(value: unknown): value is string {
  return SchemaRegistry.shared().validateById(UUID_ID, value).ok;
}

/** 400 INVALID_DOCUMENT_ID unless the path parameter is a UUID. */
export function checkDocumentId(id: string): string {
  if (!isUuid(id)) {
    throw new ProblemException(400, 'INVALID_DOCUMENT_ID', 'Invalid document id', 'A documentId is a UUID.', [
      { path: '/id', code: 'SCHEMA_FORMAT', message: 'must be a UUID' },
    ]);
  }
  return id.toLowerCase();
}

/** Checks a revocation body; 400 INVALID_REVOCATION with per-field errors. */
export function parseRevocation(body: unknown): DocumentRevocation {
  const errors: ProblemFieldError[] = [];
  if (!isPlainObject(body)) {
    throw fieldProblem(400, 'INVALID_REVOCATION', 'Invalid revocation', [
      { path: '', code: 'SCHEMA_TYPE', message: 'the body must be a JSON object' },
    ]);
  }
  for (const key of Object.keys(body)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      errors.push({
        path: /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(key) ? `/${key}` : '',
        code: 'SCHEMA_ADDITIONAL_PROPERTY',
        message: `unknown field; allowed: ${FIELDS.join(', ')}`,
      });
    }
  }
  const reason = typeof body.reason === 'string' ? body.reason.trim() : undefined;
  if (!reason) {
    errors.push({ path: '/reason', code: 'SCHEMA_REQUIRED', message: 'say why the document is revoked' });
  } else if (reason.length > REVOCATION_REASON_MAX_LENGTH) {
    errors.push({
      path: '/reason',
      code: 'SCHEMA_LENGTH',
      message: `at most ${REVOCATION_REASON_MAX_LENGTH} characters`,
    });
  }
  if (body.supersededBy !== undefined && !isUuid(body.supersededBy)) {
    errors.push({ path: '/supersededBy', code: 'SCHEMA_FORMAT', message: 'must be a documentId (UUID)' });
  }
  if (body.dossierCode !== undefined) {
    // the contract's pattern first: its messages never repeat the value (it could be a personal ID)
    const shape = SchemaRegistry.shared().validateById(DOSSIER_CODE_ID, body.dossierCode);
    if (!shape.ok) {
      errors.push(...shape.errors.map((error) => ({ ...error, path: '/dossierCode' })));
    } else {
      errors.push(
        ...identifierIssues('/dossierCode', validateDossierCode(body.dossierCode as string)).errors,
      );
    }
  }
  if (errors.length > 0 || !reason)
    throw fieldProblem(400, 'INVALID_REVOCATION', 'Invalid revocation', errors);
  return {
    reason,
    ...(typeof body.supersededBy === 'string' ? { supersededBy: body.supersededBy.toLowerCase() } : {}),
  };
}

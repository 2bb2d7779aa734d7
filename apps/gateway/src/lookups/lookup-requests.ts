import { cadastralKey, certificateKey } from '@lienthong/adapters/land';
import { landCertificateSubjectIdentifier, parcelSubjectIdentifier } from '@lienthong/audit';
import { isPartialDate, type AuditSubjectKind } from '@lienthong/contracts';
import {
  type IdentifierIssue,
  validateCommuneCode,
  validateDossierCode,
  validateEnterpriseCode,
  validatePersonalId,
  vietnamDayStart,
} from '@lienthong/domain';
import { ProblemException, type ProblemFieldError } from '@lienthong/observability';

/**
 * Request bodies of the lookup API, checked by hand (this is the hot path): a JSON object, only the listed
 * fields, identifiers checked with the domain validators. A refusal is 400 problem+json whose `errors` name
 * each field with a stable code; messages never repeat a submitted value. When every error concerns one
 * identifier the problem code names it (INVALID_PERSONAL_ID, ...); otherwise it is VALIDATION_FAILED.
 */

/** Longest string accepted in any field; longer ones are refused before any other check. */
const MAX_STRING = 300;
const CADASTRAL_NO = /^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$/;
const CERTIFICATE_NO = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,29}$/;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/** Fields every lookup body may carry besides its own (checked by the access policy). */
const CONTEXT_FIELDS = ['purpose', 'dossierCode'] as const;

export interface LookupRequestContext {
  /** Present when the request named a valid dossier code. */
  dossierCode?: string;
}

export interface CitizenLookupRequest extends LookupRequestContext {
  personalId: string;
}

export interface CitizenVerifyRequest extends LookupRequestContext {
  personalId: string;
  claims: { fullName?: string; dateOfBirth?: string };
}

export interface EnterpriseLookupRequest extends LookupRequestContext {
  enterpriseCode: string;
}

export type LandLookupRequest = LookupRequestContext &
  (
    | { by: 'PARCEL'; communeCode: string; mapSheetNo: string; parcelNo: string }
    | { by: 'CERTIFICATE'; certificateNo: string }
  );

export interface AuditSubjectsRequest {
  subject: { kind: 'CITIZEN' | 'ENTERPRISE'; identifier: string };
  from?: Date;
  to?: Date;
  limit?: number;
}

interface FieldError extends ProblemFieldError {
  /** The problem code when this is the only kind of error. */
  problemCode: string;
}

const PERSONAL_ID_MESSAGES: Record<string, string> = {
  PERSONAL_ID_EMPTY: 'is empty',
  PERSONAL_ID_NOT_DIGITS: 'must contain the digits 0-9 only',
  PERSONAL_ID_LENGTH: 'must have 12 digits (a 9-digit legacy ID card is not a personal ID)',
  PERSONAL_ID_UNKNOWN_PROVINCE: 'does not start with a known birth-registration code',
  PERSONAL_ID_BIRTH_YEAR_IN_FUTURE: 'encodes a birth year in the future',
};

const ENTERPRISE_CODE_MESSAGES: Record<string, string> = {
  ENTERPRISE_CODE_EMPTY: 'is empty',
  ENTERPRISE_CODE_FORMAT: 'must be 10 digits, or 10 digits, a dash and 3 digits for a dependent unit',
  ENTERPRISE_CODE_UNIT_SUFFIX: 'the dependent-unit suffix must be 001-999',
};

/** Collects field errors and throws them as one problem. */
class Checker {
  readonly errors: FieldError[] = [];

  constructor(readonly body: Record<string, unknown>) {}

  add(path: string, code: string, message: string, problemCode = 'VALIDATION_FAILED'): void {
    this.errors.push({ path, code, message, problemCode });
  }

  /** Refuses fields outside `allowed`. */
  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.body)) {
      if (allowed.includes(key)) continue;
      // A field name is repeated only when it looks like one (never something that could be a value).
      this.add(FIELD_NAME.test(key) ? `/${key}` : '', 'UNKNOWN_FIELD', 'is not a field of this request');
    }
  }

  /** The field as a string: undefined when absent (recorded as REQUIRED when `required`). */
  string(field: string, required: boolean): string | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) {
      if (required) this.add(`/${field}`, 'REQUIRED', 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.add(`/${field}`, 'TYPE', 'must be a string');
      return undefined;
    }
    if (value.length > MAX_STRING) {
      this.add(`/${field}`, 'TOO_LONG', `must be at most ${MAX_STRING} characters`);
      return undefined;
    }
    return value;
  }

  identifier(
    field: string,
    issues: readonly IdentifierIssue[],
    messages: Record<string, string>,
    fallback: string,
    problemCode: string,
  ): boolean {
    for (const issue of issues) {
      this.add(`/${field}`, issue.code, messages[issue.code] ?? fallback, problemCode);
    }
    return issues.length === 0;
  }

  personalId(field = 'personalId', required = true): string | undefined {
    const value = this.string(field, required);
    if (value === undefined) return undefined;
    const result = validatePersonalId(value);
    return this.identifier(
      field,
      result.errors,
      PERSONAL_ID_MESSAGES,
      'is not a valid personal ID',
      'INVALID_PERSONAL_ID',
    )
      ? value
      : undefined;
  }

  enterpriseCode(field = 'enterpriseCode', required = true): string | undefined {
    const value = this.string(field, required);
    if (value === undefined) return undefined;
    const result = validateEnterpriseCode(value);
    return this.identifier(
      field,
      result.errors,
      ENTERPRISE_CODE_MESSAGES,
      'is not a valid enterprise code',
      'INVALID_ENTERPRISE_CODE',
    )
      ? value
      : undefined;
  }

  context(): LookupRequestContext {
    const dossierCode = this.string('dossierCode', false);
    if (dossierCode === undefined || dossierCode === '') return {};
    const result = validateDossierCode(dossierCode);
    return this.identifier(
      'dossierCode',
      result.errors,
      {},
      'must be a dossier code: <agency code>-YYMMDD-NNNN',
      'INVALID_DOSSIER_CODE',
    )
      ? { dossierCode }
      : {};
  }

  /** Throws the collected errors as one 400 problem. */
  done(): void {
    if (this.errors.length === 0) return;
    const codes = new Set(this.errors.map((error) => error.problemCode));
    const problemCode = codes.size === 1 ? [...codes][0] : 'VALIDATION_FAILED';
    throw new ProblemException(
      400,
      problemCode,
      problemCode === 'VALIDATION_FAILED' ? 'Invalid request' : TITLES[problemCode],
      `${this.errors.length} field${this.errors.length === 1 ? ' is' : 's are'} invalid.`,
      this.errors.map(({ path, code, message }) => ({ path, code, message })),
    );
  }
}

const TITLES: Record<string, string> = {
  INVALID_PERSONAL_ID: 'Invalid personal ID',
  INVALID_ENTERPRISE_CODE: 'Invalid enterprise code',
  INVALID_DOSSIER_CODE: 'Invalid dossier code',
  INVALID_PARCEL_KEY: 'Invalid parcel key',
  INVALID_CERTIFICATE_NO: 'Invalid certificate number',
};

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemException(
      400,
      'INVALID_BODY',
      'Invalid request body',
      'The request body must be a JSON object.',
    );
  }
  return body as Record<string, unknown>;
}

export function parseCitizenLookup(body: unknown): CitizenLookupRequest {
  const check = new Checker(objectBody(body));
  check.only(['personalId', ...CONTEXT_FIELDS]);
  const personalId = check.personalId();
  const context = check.context();
  check.done();
  return { personalId: personalId!, ...context };
}

export function parseCitizenVerify(body: unknown): CitizenVerifyRequest {
  const check = new Checker(objectBody(body));
  check.only(['personalId', 'fullName', 'dateOfBirth', ...CONTEXT_FIELDS]);
  const personalId = check.personalId();
  const claims: CitizenVerifyRequest['claims'] = {};
  const fullName = check.string('fullName', false);
  if (fullName !== undefined) {
    const name = fullName.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (name === '' || name.length > 200) {
      check.add('/fullName', 'INVALID', 'must be a name of 1 to 200 characters');
    } else {
      claims.fullName = name;
    }
  }
  const dateOfBirth = check.string('dateOfBirth', false);
  if (dateOfBirth !== undefined) {
    if (isPartialDate(dateOfBirth)) claims.dateOfBirth = dateOfBirth;
    else check.add('/dateOfBirth', 'INVALID', 'must be YYYY-MM-DD, YYYY-MM or YYYY');
  }
  if (check.body.fullName == null && check.body.dateOfBirth == null) {
    check.add('', 'CLAIM_REQUIRED', 'give fullName or dateOfBirth (or both) to verify');
  }
  const context = check.context();
  check.done();
  return { personalId: personalId!, claims, ...context };
}

export function parseEnterpriseLookup(body: unknown): EnterpriseLookupRequest {
  const check = new Checker(objectBody(body));
  check.only(['enterpriseCode', ...CONTEXT_FIELDS]);
  const enterpriseCode = check.enterpriseCode();
  const context = check.context();
  check.done();
  return { enterpriseCode: enterpriseCode!, ...context };
}

const PARCEL_FIELDS = ['communeCode', 'mapSheetNo', 'parcelNo'] as const;

export function parseLandLookup(body: unknown): LandLookupRequest {
  const check = new Checker(objectBody(body));
  check.only([...PARCEL_FIELDS, 'certificateNo', ...CONTEXT_FIELDS]);
  const byParcel = PARCEL_FIELDS.some((field) => check.body[field] !== undefined);
  const byCertificate = check.body.certificateNo !== undefined;
  const context = check.context();
  if (byParcel && byCertificate) {
    check.add(
      '',
      'CONFLICTING_FIELDS',
      'give either communeCode, mapSheetNo and parcelNo, or certificateNo, not both',
    );
  } else if (byCertificate) {
    const raw = check.string('certificateNo', true);
    const number = raw?.trim().replace(/\s+/g, ' ').toUpperCase();
    if (number !== undefined && !CERTIFICATE_NO.test(number)) {
      check.add(
        '/certificateNo',
        'CERTIFICATE_NO_FORMAT',
        'must be the certificate issue number: letters, digits, spaces, dots, slashes and dashes, up to 30',
        'INVALID_CERTIFICATE_NO',
      );
    }
    check.done();
    return { by: 'CERTIFICATE', certificateNo: number!, ...context };
  } else if (!byParcel) {
    check.add('', 'REQUIRED', 'give communeCode, mapSheetNo and parcelNo, or certificateNo');
    check.done();
  }
  const communeCode = check.string('communeCode', true);
  if (communeCode !== undefined) {
    check.identifier(
      'communeCode',
      validateCommuneCode(communeCode).errors,
      {},
      'must be a 5-digit commune code',
      'INVALID_PARCEL_KEY',
    );
  }
  const cadastral = (field: 'mapSheetNo' | 'parcelNo'): string | undefined => {
    const value = check.string(field, true)?.trim();
    if (value !== undefined && !CADASTRAL_NO.test(value)) {
      check.add(
        `/${field}`,
        'CADASTRAL_NO_FORMAT',
        'must be 1 to 20 letters, digits, dots, slashes or dashes',
        'INVALID_PARCEL_KEY',
      );
    }
    return value;
  };
  const mapSheetNo = cadastral('mapSheetNo');
  const parcelNo = cadastral('parcelNo');
  check.done();
  return {
    by: 'PARCEL',
    communeCode: communeCode!,
    mapSheetNo: mapSheetNo!,
    parcelNo: parcelNo!,
    ...context,
  };
}

/** The subject of a land lookup as the audit log and the cache name it. */
export function landSubject(request: LandLookupRequest): string {
  return request.by === 'PARCEL'
    ? parcelSubjectIdentifier({
        communeCode: request.communeCode,
        mapSheetNo: cadastralKey(request.mapSheetNo),
        parcelNo: cadastralKey(request.parcelNo),
      })
    : landCertificateSubjectIdentifier(certificateKey(request.certificateNo));
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseAuditSubjects(body: unknown): AuditSubjectsRequest {
  const check = new Checker(objectBody(body));
  check.only(['personalId', 'enterpriseCode', 'purpose', 'from', 'to', 'limit']);
  let subject: AuditSubjectsRequest['subject'] | undefined;
  const hasPersonalId = check.body.personalId !== undefined;
  const hasEnterpriseCode = check.body.enterpriseCode !== undefined;
  if (hasPersonalId && hasEnterpriseCode) {
    check.add('', 'CONFLICTING_FIELDS', 'give either personalId or enterpriseCode, not both');
  } else if (hasPersonalId) {
    const personalId = check.personalId();
    if (personalId !== undefined) subject = { kind: 'CITIZEN', identifier: personalId };
  } else if (hasEnterpriseCode) {
    const code = check.enterpriseCode();
    if (code !== undefined) subject = { kind: 'ENTERPRISE', identifier: code };
  } else {
    check.add('', 'REQUIRED', 'give personalId or enterpriseCode');
  }
  const date = (field: 'from' | 'to'): Date | undefined => {
    const value = check.string(field, false);
    if (value === undefined) return undefined;
    const parsed =
      DATE_ONLY.test(value) && isPartialDate(value)
        ? vietnamDayStart(value)
        : DATE_TIME.test(value)
          ? new Date(value)
          : undefined;
    if (!parsed || Number.isNaN(parsed.getTime())) {
      check.add(`/${field}`, 'INVALID', 'must be a date (YYYY-MM-DD, Vietnam time) or an RFC 3339 date-time');
      return undefined;
    }
    return parsed;
  };
  const from = date('from');
  const to = date('to');
  let limit: number | undefined;
  if (check.body.limit !== undefined) {
    const value = check.body.limit;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
      check.add('/limit', 'INVALID', 'must be a whole number from 1 to 1000');
    } else {
      limit = value;
    }
  }
  check.done();
  return {
    subject: subject!,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(limit !== undefined ? { limit } : {}),
  };
}

/**
 * What a refused request (denied before its body was checked) may record about itself in the audit log:
 * only values that pass validation — an invalid "dossier code" could be a personal ID in the wrong field.
 */
export function auditableContext(
  body: unknown,
  kind: AuditSubjectKind,
): { identifier?: string; dossierCode?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const fields = body as Record<string, unknown>;
  const valid = (value: unknown, check: (text: string) => boolean): value is string =>
    typeof value === 'string' && value.length <= MAX_STRING && check(value);
  const out: { identifier?: string; dossierCode?: string } = {};
  if (valid(fields.dossierCode, (code) => validateDossierCode(code).valid)) {
    out.dossierCode = fields.dossierCode;
  }
  if (kind === 'CITIZEN' && valid(fields.personalId, (id) => validatePersonalId(id).valid)) {
    out.identifier = fields.personalId;
  } else if (
    kind === 'ENTERPRISE' &&
    valid(fields.enterpriseCode, (code) => validateEnterpriseCode(code).valid)
  ) {
    out.identifier = fields.enterpriseCode;
  } else if (kind === 'PARCEL') {
    try {
      out.identifier = landSubject(parseLandLookup(body));
    } catch {
      // not a valid parcel key: no subject
    }
  }
  return out;
}

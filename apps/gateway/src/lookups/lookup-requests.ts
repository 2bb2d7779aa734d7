import { cadastralKey, certificateKey } from '@lienthong/adapters/land';
import { landCertificateSubjectIdentifier, parcelSubjectIdentifier } from '@lienthong/audit';
import {
  SchemaRegistry,
  isPartialDate,
  type AuditSubjectKind,
  type ContractErrorCode,
} from '@lienthong/contracts';
import {
  type IdentifierIssue,
  validateCommuneCode,
  validateDossierCode,
  validateEnterpriseCode,
  validatePersonalId,
  vietnamDayStart,
} from '@lienthong/domain';
import { ProblemException, type ProblemFieldError } from '@lienthong/observability';
import { REQUEST_BODY_DEFINITIONS, jsonObject } from '../request-body';

/**
 * Request bodies of the lookup API. Each body is validated against its definition in
 * contracts/schemas/request-body.v1.json (the same Ajv validators as every other contract): a JSON object,
 * only the listed fields, strings of at most 300 characters, identifiers of the right shape. Then come the
 * checks a schema cannot make, each by the domain's own validator: the personal ID's province code and birth
 * year, the enterprise code's unit suffix, the normalised land keys, which fields go together. A refusal is
 * 400 problem+json whose `errors` name each field with a stable code; messages never repeat a submitted
 * value. When every error concerns one identifier the problem code names it (INVALID_PERSONAL_ID, ...);
 * otherwise it is VALIDATION_FAILED.
 */

/** Longest string accepted in any field (`text` in the schema); longer ones get TOO_LONG and nothing else. */
const MAX_STRING = 300;
const CADASTRAL_NO = /^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$/;
const CERTIFICATE_NO = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,29}$/;

/** The definitions of contracts/schemas/request-body.v1.json. */
type LookupDefinition =
  'citizenLookup' | 'citizenVerify' | 'enterpriseLookup' | 'landLookup' | 'auditSubjects';

/**
 * Fields whose schema errors, a missing value aside, are all reported as one code. Other fields get REQUIRED,
 * TYPE or TOO_LONG; an identifier of the wrong shape gets its domain validator's reasons (Checker.identifier).
 */
const FIELD_ERRORS: Record<string, [code: string, message: string]> = {
  dateOfBirth: ['INVALID', 'must be YYYY-MM-DD, YYYY-MM or YYYY'],
  limit: ['INVALID', 'must be a whole number from 1 to 1000'],
};

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

/** A parcel by its cadastral key or by a certificate's number, normalised. */
type LandKey =
  | { by: 'PARCEL'; communeCode: string; mapSheetNo: string; parcelNo: string }
  | { by: 'CERTIFICATE'; certificateNo: string };

export type LandLookupRequest = LookupRequestContext & LandKey;

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
  /** Fields the schema refused outright (missing, wrong type, too long): no further check looks at them. */
  private readonly refused = new Set<string>();
  /** Fields whose shape the schema refused: an identifier's validator gives the reasons. */
  private readonly misshapen = new Set<string>();

  constructor(
    readonly body: Record<string, unknown>,
    definition: LookupDefinition,
  ) {
    const result = SchemaRegistry.shared().validateById(`${REQUEST_BODY_DEFINITIONS}${definition}`, body);
    if (result.ok) return;
    const byField = new Map<string, Set<ContractErrorCode>>();
    for (const error of result.errors) {
      if (error.code === 'SCHEMA_ADDITIONAL_PROPERTY') {
        // the registry's path names the field only when it looks like a name, never like a value
        this.add(error.path, 'UNKNOWN_FIELD', 'is not a field of this request');
        continue;
      }
      const field = error.path.split('/')[1] ?? '';
      const codes = byField.get(field) ?? new Set<ContractErrorCode>();
      codes.add(error.code);
      byField.set(field, codes);
    }
    for (const [field, codes] of byField) this.shape(field, codes);
  }

  private shape(field: string, codes: ReadonlySet<ContractErrorCode>): void {
    const value = this.body[field];
    const fixed = FIELD_ERRORS[field];
    if (codes.has('SCHEMA_REQUIRED')) {
      this.add(`/${field}`, 'REQUIRED', 'is required');
    } else if (fixed) {
      this.add(`/${field}`, fixed[0], fixed[1]);
    } else if (codes.has('SCHEMA_TYPE')) {
      this.add(`/${field}`, 'TYPE', 'must be a string');
    } else if (typeof value === 'string' && value.length > MAX_STRING) {
      this.add(`/${field}`, 'TOO_LONG', `must be at most ${MAX_STRING} characters`);
    } else {
      this.misshapen.add(field);
      return;
    }
    this.refused.add(field);
  }

  add(path: string, code: string, message: string, problemCode = 'VALIDATION_FAILED'): void {
    this.errors.push({ path, code, message, problemCode });
  }

  /** The field's value when the schema let it through; undefined when absent or refused. */
  accepted(field: string): unknown {
    return this.refused.has(field) ? undefined : this.body[field];
  }

  /** The field as a string, when the schema let it through: undefined when absent (REQUIRED when `required`). */
  string(field: string, required: boolean): string | undefined {
    if (this.refused.has(field)) return undefined;
    const value = this.body[field];
    if (value === undefined) {
      if (required) this.add(`/${field}`, 'REQUIRED', 'is required');
      return undefined;
    }
    return value as string;
  }

  /**
   * The reasons an identifier's validator gives; when it finds none but the schema refused the shape, one
   * error with `fallback` (the schema and the validator disagree only if one of them is wrong).
   */
  identifier(
    field: string,
    issues: readonly IdentifierIssue[],
    messages: Record<string, string>,
    fallback: [code: string, message: string],
    problemCode: string,
  ): boolean {
    for (const issue of issues) {
      this.add(`/${field}`, issue.code, messages[issue.code] ?? fallback[1], problemCode);
    }
    if (issues.length === 0 && this.misshapen.has(field)) {
      this.add(`/${field}`, fallback[0], fallback[1], problemCode);
      return false;
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
      ['PERSONAL_ID_FORMAT', 'is not a valid personal ID'],
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
      ['ENTERPRISE_CODE_FORMAT', 'is not a valid enterprise code'],
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
      ['DOSSIER_CODE_FORMAT', 'must be a dossier code: <agency code>-YYMMDD-NNNN'],
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

export function parseCitizenLookup(body: unknown): CitizenLookupRequest {
  const check = new Checker(jsonObject(body), 'citizenLookup');
  const personalId = check.personalId();
  const context = check.context();
  check.done();
  return { personalId: personalId!, ...context };
}

export function parseCitizenVerify(body: unknown): CitizenVerifyRequest {
  const check = new Checker(jsonObject(body), 'citizenVerify');
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
  // a real date of one of the three forms (`partialDate` in the schema)
  if (dateOfBirth !== undefined) claims.dateOfBirth = dateOfBirth;
  if (check.body.fullName === undefined && check.body.dateOfBirth === undefined) {
    check.add('', 'CLAIM_REQUIRED', 'give fullName or dateOfBirth (or both) to verify');
  }
  const context = check.context();
  check.done();
  return { personalId: personalId!, claims, ...context };
}

export function parseEnterpriseLookup(body: unknown): EnterpriseLookupRequest {
  const check = new Checker(jsonObject(body), 'enterpriseLookup');
  const enterpriseCode = check.enterpriseCode();
  const context = check.context();
  check.done();
  return { enterpriseCode: enterpriseCode!, ...context };
}

const PARCEL_FIELDS = ['communeCode', 'mapSheetNo', 'parcelNo'] as const;
/** Fields the access policy reads too (a refusal for one of them says nothing about the land key). */
const CONTEXT_PATHS = new Set(['/purpose', '/dossierCode']);

export function parseLandLookup(body: unknown): LandLookupRequest {
  const check = new Checker(jsonObject(body), 'landLookup');
  const context = check.context();
  const key = landKey(check);
  check.done();
  return { ...key!, ...context };
}

/** The cadastral key or the certificate number, normalised; undefined (with the errors noted) when invalid. */
function landKey(check: Checker): LandKey | undefined {
  const errorsBefore = check.errors.length;
  const byParcel = PARCEL_FIELDS.some((field) => check.body[field] !== undefined);
  const byCertificate = check.body.certificateNo !== undefined;
  if (byParcel && byCertificate) {
    check.add(
      '',
      'CONFLICTING_FIELDS',
      'give either communeCode, mapSheetNo and parcelNo, or certificateNo, not both',
    );
    return undefined;
  }
  if (byCertificate) {
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
    return number === undefined || check.errors.length > errorsBefore
      ? undefined
      : { by: 'CERTIFICATE', certificateNo: number };
  }
  if (!byParcel) {
    check.add('', 'REQUIRED', 'give communeCode, mapSheetNo and parcelNo, or certificateNo');
    return undefined;
  }
  const communeCode = check.string('communeCode', true);
  if (communeCode !== undefined) {
    check.identifier(
      'communeCode',
      validateCommuneCode(communeCode).errors,
      {},
      ['COMMUNE_CODE_FORMAT', 'must be a 5-digit commune code'],
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
  return check.errors.length > errorsBefore
    ? undefined
    : { by: 'PARCEL', communeCode: communeCode!, mapSheetNo: mapSheetNo!, parcelNo: parcelNo! };
}

/** The subject of a land lookup as the audit log and the cache name it. */
export function landSubject(request: LandKey): string {
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
  const check = new Checker(jsonObject(body), 'auditSubjects');
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
  // a whole number from 1 to 1000 (the schema)
  const limit = check.accepted('limit') as number | undefined;
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
    // the land key alone (the request may have been refused for its purpose or its dossier code)
    const check = new Checker(fields, 'landLookup');
    const refusedBefore = check.errors.filter((error) => !CONTEXT_PATHS.has(error.path)).length;
    const key = refusedBefore === 0 ? landKey(check) : undefined;
    if (key) out.identifier = landSubject(key);
  }
  return out;
}

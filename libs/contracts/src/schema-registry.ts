import { repoRoot } from '@lienthong/config';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ContractSchemas } from './generated/contract-types';
import type { CloudEvent } from './models';
import { isRealDate } from '@lienthong/calendar';

/** Schemas a document can be validated against (contracts/schemas/<name>.v1.json). */
export const SCHEMA_NAMES = [
  'envelope',
  'citizen',
  'enterprise',
  'land-parcel',
  'dossier-status-event',
  'ministry-dossier-status-event',
  'reusable-document',
  'indicator-report',
  'problem',
  'audit-record',
  'audit-checkpoint',
  'chain-event',
  'payment-status',
  'delivery-status-event',
  'feedback-item',
  'dossier-handover',
] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

/**
 * Schema documents that only hold `$defs`, validated against by id (`validateById`): `common`, the shared
 * formats, and `request-body`, the bodies clients send the gateway.
 */
export const DEFINITION_DOCUMENTS = ['common', 'request-body'] as const;
export type DefinitionDocumentName = (typeof DEFINITION_DOCUMENTS)[number];

/** Every schema document. */
export type SchemaDocumentName = SchemaName | DefinitionDocumentName;

/** The TypeScript model each schema describes (generated from the schemas), the envelope with untyped data. */
export interface SchemaTypes extends Omit<ContractSchemas, 'envelope'> {
  envelope: CloudEvent;
}

/**
 * Namespace of the schema `$id`s: a URN the project controls, a name that is never fetched. The part after
 * the last `/` is the schema's file name, so a reference between schemas written as a bare file name
 * (`common.v1.json#/$defs/personalId`) names the same document whether a tool resolves it against the `$id`
 * (a JSON Schema validator given all schemas, like Ajv here) or against the file's location (the AsyncAPI
 * parser, bundlers, editors): offline either way.
 */
export const SCHEMA_BASE_URI = 'urn:vn:lienthong:schemas/';

/** The `$id` of a schema, e.g. `urn:vn:lienthong:schemas/citizen.v1.json`. A name, never fetched. */
export function schemaIdOf(name: SchemaDocumentName, version = 1): string {
  return `${SCHEMA_BASE_URI}${name}.v${version}.json`;
}

/**
 * The absolute id (with its fragment) a `$ref` written in the schema `base` names, by RFC 3986 resolution:
 * a fragment stays in `base`, an absolute URI stays as it is, a file name replaces the last segment of `base`.
 */
export function resolveSchemaRef(ref: string, base: string): string {
  if (ref.startsWith('#')) return `${base.split('#')[0]}${ref}`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ref)) return ref;
  return `${base.slice(0, base.lastIndexOf('/') + 1)}${ref}`;
}

export const CONTRACT_ERROR_CODES = [
  'SCHEMA_REQUIRED',
  'SCHEMA_ADDITIONAL_PROPERTY',
  'SCHEMA_FORBIDDEN',
  'SCHEMA_TYPE',
  'SCHEMA_PATTERN',
  'SCHEMA_FORMAT',
  'SCHEMA_ENUM',
  'SCHEMA_CONST',
  'SCHEMA_RANGE',
  'SCHEMA_LENGTH',
  'SCHEMA_ITEMS',
  'SCHEMA_PROPERTIES',
  'SCHEMA_INVALID',
] as const;
/**
 * Stable error codes:
 * SCHEMA_REQUIRED a required property is missing (also when required only because of another field);
 * SCHEMA_ADDITIONAL_PROPERTY a property the schema does not define;
 * SCHEMA_FORBIDDEN a defined property that must not appear given other fields (e.g. parentEnterpriseCode on an ENTERPRISE);
 * SCHEMA_TYPE wrong JSON type; SCHEMA_PATTERN wrong shape of a string (identifiers, codes);
 * SCHEMA_FORMAT not a valid date, date-time, uuid, URI...; SCHEMA_ENUM not one of the allowed values;
 * SCHEMA_CONST not the one allowed value; SCHEMA_RANGE number out of range; SCHEMA_LENGTH string too short or long;
 * SCHEMA_ITEMS too few, too many or duplicate array items; SCHEMA_PROPERTIES too few or many properties;
 * SCHEMA_INVALID anything else.
 */
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

/** One violation. Messages name the rule, never the offending value (it may be a personal ID). */
export interface ContractError {
  /** JSON pointer (RFC 6901) to the offending field; `''` for the document itself. */
  path: string;
  code: ContractErrorCode;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ContractError[] };

/** Thrown by {@link SchemaRegistry.assertValid}; its message lists paths and codes only. */
export class ContractViolationError extends Error {
  constructor(
    readonly schema: SchemaName,
    readonly errors: readonly ContractError[],
  ) {
    super(
      `document does not match the ${schema} contract: ${errors
        .map((error) => `${error.path || '/'} ${error.code}`)
        .join('; ')}`,
    );
    this.name = 'ContractViolationError';
  }
}

export interface SchemaRegistryOptions {
  /** Directory holding the `<name>.v<N>.json` schema files; defaults to `<repo root>/contracts/schemas`. */
  schemaDir?: string;
}

const SCHEMA_FILE = /^([a-z][a-z-]*)\.v([0-9]+)\.json$/;

/** The repository root (see `repoRoot` in @lienthong/config), from `start` (default: this file). */
export function findRepoRoot(start: string = __dirname): string {
  return repoRoot(start);
}

/** `<repo root>/contracts`. */
export function contractsDir(): string {
  return join(findRepoRoot(), 'contracts');
}

/**
 * Loads every schema under contracts/schemas once, compiles them with Ajv (JSON Schema 2020-12, strict,
 * all errors, formats), and validates documents against them. Compiled validators are kept for the
 * life of the registry; {@link SchemaRegistry.shared} gives the process-wide instance.
 */
export class SchemaRegistry {
  private static sharedInstance: SchemaRegistry | undefined;

  /** The process-wide registry, loaded on first use. */
  static shared(): SchemaRegistry {
    SchemaRegistry.sharedInstance ??= new SchemaRegistry();
    return SchemaRegistry.sharedInstance;
  }

  readonly schemaDir: string;
  private readonly ajv: Ajv2020;
  private readonly documents = new Map<SchemaDocumentName, AnySchemaObject>();
  private readonly validators = new Map<SchemaName, ValidateFunction>();
  private readonly frozen = new Map<SchemaDocumentName, Readonly<AnySchemaObject>>();

  constructor(options: SchemaRegistryOptions = {}) {
    this.schemaDir = options.schemaDir ?? join(contractsDir(), 'schemas');
    this.ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats(this.ajv, ['date', 'date-time', 'uuid', 'uri', 'uri-reference', 'json-pointer']);
    this.ajv.addFormat('partial-date', { type: 'string', validate: isPartialDate });

    for (const file of readdirSync(this.schemaDir).sort()) {
      if (!file.endsWith('.json')) continue;
      const match = SCHEMA_FILE.exec(file);
      if (!match) throw new Error(`schema file name must be <name>.v<N>.json: ${file}`);
      const [, name, version] = match;
      const schema = JSON.parse(readFileSync(join(this.schemaDir, file), 'utf8')) as AnySchemaObject;
      const expectedId = schemaIdOf(name as SchemaDocumentName, Number(version));
      if (schema.$id !== expectedId) throw new Error(`${file}: $id must be ${expectedId}`);
      this.ajv.addSchema(schema);
      if (Number(version) === 1) this.documents.set(name as SchemaDocumentName, schema);
    }
    for (const name of DEFINITION_DOCUMENTS) {
      if (!this.documents.has(name)) throw new Error(`${name}.v1.json is missing from ${this.schemaDir}`);
    }
    for (const name of SCHEMA_NAMES) {
      if (!this.documents.has(name)) throw new Error(`${name}.v1.json is missing from ${this.schemaDir}`);
      const validator = this.ajv.getSchema(schemaIdOf(name));
      if (!validator) throw new Error(`schema ${name} did not compile`);
      this.validators.set(name, validator);
    }
  }

  /** Names of the schemas documents can be validated against. */
  names(): readonly SchemaName[] {
    return SCHEMA_NAMES;
  }

  /** `$id` of a loaded schema. */
  schemaId(name: SchemaDocumentName): string {
    return schemaIdOf(name);
  }

  /** Validates a document; on success `value` is the same object, typed. Never throws for bad input. */
  validate<N extends SchemaName>(name: N, value: unknown): ValidationResult<SchemaTypes[N]> {
    const validator = this.validators.get(name);
    if (!validator) throw new Error(`unknown schema: ${String(name)}`);
    return this.run<SchemaTypes[N]>(validator, value);
  }

  /**
   * Validates against any loaded schema or subschema by URI, e.g. the `dataschema` of an event or
   * `urn:vn:lienthong:schemas/common.v1.json#/$defs/personalId`.
   */
  validateById(id: string, value: unknown): ValidationResult<unknown> {
    let validator: ValidateFunction | undefined;
    try {
      validator = this.ajv.getSchema(id);
    } catch {
      validator = undefined;
    }
    if (!validator) throw new Error(`unknown schema id: ${id}`);
    return this.run<unknown>(validator, value);
  }

  /** True when the document matches the schema. */
  isValid<N extends SchemaName>(name: N, value: unknown): value is SchemaTypes[N] {
    return this.validate(name, value).ok;
  }

  /** Returns the document typed when valid; throws {@link ContractViolationError} otherwise. */
  assertValid<N extends SchemaName>(name: N, value: unknown): SchemaTypes[N] {
    const result = this.validate(name, value);
    if (!result.ok) throw new ContractViolationError(name, result.errors);
    return result.value;
  }

  /** The raw schema document (deep-frozen), e.g. to publish it in OpenAPI. */
  schemaFor(name: SchemaDocumentName): Readonly<AnySchemaObject> {
    let schema = this.frozen.get(name);
    if (!schema) {
      const document = this.documents.get(name);
      if (!document) throw new Error(`unknown schema: ${String(name)}`);
      schema = deepFreeze(structuredClone(document));
      this.frozen.set(name, schema);
    }
    return schema;
  }

  private run<T>(validator: ValidateFunction, value: unknown): ValidationResult<T> {
    if (validator(value)) return { ok: true, value: value as T };
    return { ok: false, errors: toContractErrors(validator.errors ?? []) };
  }
}

/** Validates against the shared registry. */
export function validate<N extends SchemaName>(name: N, value: unknown): ValidationResult<SchemaTypes[N]> {
  return SchemaRegistry.shared().validate(name, value);
}

/** The raw schema document from the shared registry. */
export function schemaFor(name: SchemaDocumentName): Readonly<AnySchemaObject> {
  return SchemaRegistry.shared().schemaFor(name);
}

// ---------------------------------------------------------------------------------------------------
// Error mapping. Ajv error objects carry the offending data (verbose mode); nothing below reads
// `error.data`, so no submitted value reaches a message.

const FORMAT_MESSAGES: Record<string, string> = {
  date: 'must be a calendar date in the form YYYY-MM-DD',
  'date-time': 'must be an RFC 3339 date-time with a time-zone offset',
  'partial-date': 'must be a real date in the form YYYY-MM-DD, YYYY-MM or YYYY',
  uuid: 'must be a UUID',
  uri: 'must be an absolute URI',
  'uri-reference': 'must be a URI reference',
  'json-pointer': 'must be a JSON pointer',
};

/** A property name that is safe to repeat in a path: identifier-like (dotted names too) and not a long run of digits. */
function isSafeName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$.-]{0,63}$/.test(name) && !/[0-9]{6,}/.test(name);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Cuts a JSON pointer before the first segment that could carry data rather than a field name
 * (e.g. a map keyed by an identifier), so paths never echo identifiers.
 */
function safePointer(pointer: string): string {
  if (pointer === '') return '';
  const kept: string[] = [];
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const isIndex = /^(0|[1-9][0-9]{0,5})$/.test(segment);
    if (!isIndex && !isSafeName(segment)) break;
    kept.push(raw);
  }
  return kept.length === 0 ? '' : `/${kept.join('/')}`;
}

function child(pointer: string, name: string): string {
  return isSafeName(name) ? `${pointer}/${escapePointer(name)}` : pointer;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function listOf(values: readonly unknown[]): string {
  const shown = values.slice(0, 20).map(describe).join(', ');
  return values.length > 20 ? `${shown}, ...` : shown;
}

function titleOf(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { title?: unknown } | undefined;
  return typeof parent?.title === 'string' ? parent.title : undefined;
}

function mapError(error: ErrorObject): ContractError | undefined {
  const path = safePointer(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
    case 'allOf':
      // summaries of the specific errors reported alongside them
      return undefined;
    case 'required':
      return {
        path: child(path, String(params.missingProperty)),
        code: 'SCHEMA_REQUIRED',
        message: 'is required',
      };
    case 'dependentRequired':
      return {
        path: child(path, String(params.missingProperty)),
        code: 'SCHEMA_REQUIRED',
        message: `is required when ${isSafeName(String(params.property)) ? String(params.property) : 'a related property'} is present`,
      };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(params.additionalProperty ?? params.unevaluatedProperty ?? '');
      return isSafeName(name)
        ? {
            path: child(path, name),
            code: 'SCHEMA_ADDITIONAL_PROPERTY',
            message: 'is not an allowed property',
          }
        : { path, code: 'SCHEMA_ADDITIONAL_PROPERTY', message: 'has a property that is not allowed' };
    }
    case 'false schema':
      return { path, code: 'SCHEMA_FORBIDDEN', message: 'must not be present here' };
    case 'type': {
      const types = String(params.type).split(',');
      const expected =
        types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types[types.length - 1]}` : types[0];
      return { path, code: 'SCHEMA_TYPE', message: `must be of type ${expected}` };
    }
    case 'pattern': {
      const title = titleOf(error);
      return {
        path,
        code: 'SCHEMA_PATTERN',
        message: title ? `must be a valid ${title}` : 'does not have the required form',
      };
    }
    case 'format': {
      const format = String(params.format);
      return { path, code: 'SCHEMA_FORMAT', message: FORMAT_MESSAGES[format] ?? `must be a valid ${format}` };
    }
    case 'enum':
      return {
        path,
        code: 'SCHEMA_ENUM',
        message: `must be one of: ${listOf((params.allowedValues as unknown[]) ?? [])}`,
      };
    case 'const':
      return { path, code: 'SCHEMA_CONST', message: `must be ${describe(params.allowedValue)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        code: 'SCHEMA_RANGE',
        message: `must be ${String(params.comparison)} ${String(params.limit)}`,
      };
    case 'multipleOf':
      return { path, code: 'SCHEMA_RANGE', message: `must be a multiple of ${String(params.multipleOf)}` };
    case 'minLength':
      return {
        path,
        code: 'SCHEMA_LENGTH',
        message: `must be at least ${String(params.limit)} characters long`,
      };
    case 'maxLength':
      return {
        path,
        code: 'SCHEMA_LENGTH',
        message: `must be at most ${String(params.limit)} characters long`,
      };
    case 'minItems':
      return { path, code: 'SCHEMA_ITEMS', message: `must have at least ${String(params.limit)} items` };
    case 'maxItems':
      return { path, code: 'SCHEMA_ITEMS', message: `must have at most ${String(params.limit)} items` };
    case 'uniqueItems':
      return { path, code: 'SCHEMA_ITEMS', message: 'must not contain duplicate items' };
    case 'minProperties':
      return {
        path,
        code: 'SCHEMA_PROPERTIES',
        message: `must have at least ${String(params.limit)} properties`,
      };
    case 'maxProperties':
      return {
        path,
        code: 'SCHEMA_PROPERTIES',
        message: `must have at most ${String(params.limit)} properties`,
      };
    default:
      return { path, code: 'SCHEMA_INVALID', message: 'does not match the contract' };
  }
}

/** Maps Ajv errors to contract errors, dropping summaries and duplicates. */
export function toContractErrors(errors: readonly ErrorObject[]): ContractError[] {
  const seen = new Set<string>();
  const out: ContractError[] = [];
  for (const error of errors) {
    const mapped = mapError(error);
    if (!mapped) continue;
    const key = `${mapped.path}\u0000${mapped.code}\u0000${mapped.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(mapped);
  }
  if (out.length === 0 && errors.length > 0) {
    out.push({ path: '', code: 'SCHEMA_INVALID', message: 'does not match the contract' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

/** `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, the last a real calendar date. */
export function isPartialDate(value: string): boolean {
  const match = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$/.exec(value);
  if (!match) return false;
  if (match[2] === undefined) return true;
  const month = Number(match[2]);
  if (match[3] === undefined) return month >= 1 && month <= 12;
  return isRealDate(Number(match[1]), month, Number(match[3]));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { SchemaRegistry, openApiSchema, schemaIdOf } from '@lienthong/contracts';
import { parseDossierCode } from '@lienthong/domain';
import { ProblemException, type ProblemFieldError } from '@lienthong/observability';

/** The `$id` (without the definition's name) of the definitions in contracts/schemas/request-body.v1.json. */
export const REQUEST_BODY_DEFINITIONS = `${schemaIdOf('request-body')}#/$defs/`;

/** A definition as the OpenAPI document shows it: the schema requests are checked against. */
export function requestBodySchema(definition: string): SchemaObject {
  return openApiSchema(`${REQUEST_BODY_DEFINITIONS}${definition}`) as SchemaObject;
}

/** The error code and message of a field that breaks its definition, by JSON pointer (`*`: any one segment). */
export type FieldRules = Readonly<Record<string, readonly [code: string, message: string]>>;

/** The request body as a JSON object, or 400 INVALID_BODY. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ProblemException(400, 'INVALID_BODY', 'Invalid request body', 'Send a JSON object.');
  }
  return body as Record<string, unknown>;
}

/**
 * Checks a request body against its definition in contracts/schemas/request-body.v1.json with the contracts'
 * validators, and names each refused field the way the API documents it: UNKNOWN_FIELD for a field the
 * definition does not have, otherwise the code and message of the field's rule (the longest matching pointer
 * of `rules`), one error per field. Paths never repeat a field name that could be a value (the registry cuts
 * them); messages never repeat a value. The checks a schema cannot make stay with the caller, which adds
 * their errors and then calls {@link refuseInvalid}.
 */
export function checkRequestBody(
  definition: string,
  body: unknown,
  rules: FieldRules,
): { object: Record<string, unknown>; errors: ProblemFieldError[] } {
  const object = jsonObject(body);
  const result = SchemaRegistry.shared().validateById(`${REQUEST_BODY_DEFINITIONS}${definition}`, object);
  const errors: ProblemFieldError[] = [];
  if (result.ok) return { object, errors };
  const seen = new Set<string>();
  for (const error of result.errors) {
    const rule = error.code === 'SCHEMA_ADDITIONAL_PROPERTY' ? undefined : ruleFor(error.path, rules);
    const path = rule?.path ?? error.path;
    if (seen.has(path)) continue;
    seen.add(path);
    errors.push(
      rule
        ? { path, code: rule.code, message: rule.message }
        : error.code === 'SCHEMA_ADDITIONAL_PROPERTY'
          ? { path, code: 'UNKNOWN_FIELD', message: 'is not a field of this request' }
          : { path, code: 'INVALID', message: 'does not match the request contract' },
    );
  }
  // in the order the definition lists its fields, unknown ones last, whatever order the validator found them in
  const order = fieldOrder(definition);
  const rank = (error: ProblemFieldError) => order.get(error.path.split('/')[1] ?? '') ?? order.size;
  errors.sort((a, b) => rank(a) - rank(b));
  return { object, errors };
}

const fieldOrders = new Map<string, ReadonlyMap<string, number>>();

function fieldOrder(definition: string): ReadonlyMap<string, number> {
  let order = fieldOrders.get(definition);
  if (!order) {
    const defs = SchemaRegistry.shared().schemaFor('request-body').$defs as Record<
      string,
      { properties?: Record<string, unknown> }
    >;
    order = new Map(Object.keys(defs[definition]?.properties ?? {}).map((field, i) => [field, i]));
    fieldOrders.set(definition, order);
  }
  return order;
}

/**
 * What the dossier-code pattern cannot say: the receipt date in the code is a real calendar date. Adds the
 * field's rule as an error unless the schema already refused the field.
 */
export function checkDossierCodeDate(
  object: Record<string, unknown>,
  field: string,
  errors: ProblemFieldError[],
  rules: FieldRules,
): void {
  const path = `/${field}`;
  if (errors.some((error) => error.path === path) || parseDossierCode(object[field] as string)) return;
  errors.push({ path, code: rules[path][0], message: rules[path][1] });
}

/** 400 INVALID_BODY listing `errors`, when there are any. */
export function refuseInvalid(errors: readonly ProblemFieldError[]): void {
  if (errors.length === 0) return;
  throw new ProblemException(400, 'INVALID_BODY', 'Invalid request body', 'The request has invalid fields.', [
    ...errors,
  ]);
}

/** The rule of the longest pointer in `rules` that `path` starts with, and the part of `path` it covers. */
function ruleFor(
  path: string,
  rules: FieldRules,
): { path: string; code: string; message: string } | undefined {
  const segments = path.split('/').slice(1);
  let best: { path: string; code: string; message: string; length: number } | undefined;
  for (const [pointer, [code, message]] of Object.entries(rules)) {
    const pattern = pointer.split('/').slice(1);
    if (pattern.length > segments.length || (best && pattern.length <= best.length)) continue;
    if (pattern.every((segment, i) => segment === '*' || segment === segments[i])) {
      const covered = `/${segments.slice(0, pattern.length).join('/')}`;
      best = { path: covered, code, message, length: pattern.length };
    }
  }
  return best && { path: best.path, code: best.code, message: best.message };
}

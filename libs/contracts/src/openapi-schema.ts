import {
  SCHEMA_BASE_URI,
  SchemaRegistry,
  resolveSchemaRef,
  type SchemaDocumentName,
} from './schema-registry';

type Schema = Record<string, unknown>;

/**
 * The keywords of an OpenAPI 3.0 Schema Object that JSON Schema 2020-12 shares; the others (`propertyNames`,
 * `if`, `$defs`...) are left out of the document, which the schema's description then has to carry.
 */
const OPENAPI_KEYWORDS = new Set([
  'title',
  'description',
  'type',
  'format',
  'enum',
  'default',
  'example',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'readOnly',
  'writeOnly',
  'deprecated',
]);
/** Keywords whose value is one schema. */
const SUBSCHEMA = new Set(['items', 'not', 'additionalProperties']);
/** Keywords whose value is a list of schemas. */
const SUBSCHEMAS = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords that describe rather than constrain: a merged `allOf` keeps the outer schema's. */
const ANNOTATIONS = new Set(['title', 'description', 'example', 'default']);

/**
 * A contract schema (by `$id` and fragment, e.g. `urn:vn:lienthong:schemas/request-body.v1.json#/$defs/
 * citizenLookup`) as an OpenAPI 3.0 Schema Object, for the gateway's OpenAPI document: every `$ref` replaced by
 * what it names, an `allOf` whose members constrain different keywords merged into one schema, `const` as a
 * one-value `enum`, the first of `examples` as
 * `example`, and the keywords OpenAPI 3.0 lacks left out. So the document shows the schema the gateway
 * validates with, not a description of it written beside it.
 */
export function openApiSchema(id: string, registry: SchemaRegistry = SchemaRegistry.shared()): Schema {
  const [base] = id.split('#');
  return convert(resolve(id, registry), base, registry);
}

function resolve(id: string, registry: SchemaRegistry): Schema {
  const [base, fragment = ''] = id.split('#');
  if (!base.startsWith(SCHEMA_BASE_URI) || !base.endsWith('.v1.json')) {
    throw new Error(`not a contract schema: ${id}`);
  }
  const name = base.slice(SCHEMA_BASE_URI.length, -'.v1.json'.length) as SchemaDocumentName;
  let node: unknown = registry.schemaFor(name);
  for (const raw of fragment.split('/').slice(1)) {
    node = (node as Schema | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (!node || typeof node !== 'object') throw new Error(`${id} names no schema`);
  return node as Schema;
}

function convert(schema: Schema, base: string, registry: SchemaRegistry): Schema {
  let out: Schema = {};
  if (typeof schema.$ref === 'string') {
    const target = resolveSchemaRef(schema.$ref, base);
    // the schema a reference names, with the referring schema's own keywords over it
    out = convert(resolve(target, registry), target.split('#')[0], registry);
  }
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'examples') {
      if (Array.isArray(value) && value.length > 0) out.example = value[0];
    } else if (key === 'const') {
      out.enum = [value];
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, sub]) => [
          name,
          convert(sub, base, registry),
        ]),
      );
    } else if (SUBSCHEMAS.has(key)) {
      out[key] = (value as Schema[]).map((sub) => convert(sub, base, registry));
    } else if (SUBSCHEMA.has(key) && typeof value === 'object' && value !== null) {
      out[key] = convert(value as Schema, base, registry);
    } else if (OPENAPI_KEYWORDS.has(key)) {
      out[key] = value;
    }
  }
  return Array.isArray(out.allOf) ? mergeAllOf(out) : out;
}

/** Folds the members of `allOf` into the schema when no two of them constrain the same keyword. */
function mergeAllOf(schema: Schema): Schema {
  const { allOf, ...outer } = schema as Schema & { allOf: Schema[] };
  const merged: Schema = {};
  for (const member of allOf) {
    for (const [key, value] of Object.entries(member)) {
      if (ANNOTATIONS.has(key)) continue;
      if (key === 'maxLength' && typeof merged.maxLength === 'number') {
        merged.maxLength = Math.min(merged.maxLength, value as number);
      } else if (key in merged && JSON.stringify(merged[key]) !== JSON.stringify(value)) {
        return schema;
      } else {
        merged[key] = value;
      }
    }
  }
  for (const [key, value] of Object.entries(outer)) {
    if (!ANNOTATIONS.has(key) && key in merged && JSON.stringify(merged[key]) !== JSON.stringify(value)) {
      return schema;
    }
  }
  return { ...merged, ...outer };
}

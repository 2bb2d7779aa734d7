// Writes the TypeScript types of the contracts (libs/contracts/src/generated/contract-types.ts) from the JSON
// Schemas in contracts/schemas, with json-schema-to-typescript: `npm run contracts:types`. With `--check` it
// writes nothing and exits 1 when the committed file differs from what the schemas give (a spec runs it, so
// a schema change without its types fails `npm test`).
//
// The schemas reference each other by file name and their $ids are URNs, never fetched: a resolver of our own
// reads every reference from contracts/schemas, and the generator's file and HTTP resolvers are off, so the
// generation is offline. The generator is given a typing view of each schema, the schema itself with three
// changes that name the types and nothing else:
// - a document's root is titled by its file name (`land-parcel.v1.json` -> LandParcel) and each of its $defs
//   by its key (`$defs/partyRef` -> PartyRef); the schemas' own titles are labels for error messages
//   ("personal ID number"), and they are dropped;
// - a $ref keeps no sibling keyword (a property's own description), so every use of a definition is the one
//   type, not a copy of it under a numbered name.
// The root it compiles, ContractSchemas, maps each schema name to its type.
import { compile } from 'json-schema-to-typescript';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA_DIR = join(root, 'contracts', 'schemas');
const TARGET = join(root, 'libs', 'contracts', 'src', 'generated', 'contract-types.ts');
const SCHEMA_ID_BASE = 'urn:vn:lienthong:schemas/';
const DEFINITION_DOCUMENTS = new Set(['common', 'request-body']);

const BANNER = `// Generated from contracts/schemas by \`npm run contracts:types\` (scripts/contract-types.mjs): do not edit.
// A spec regenerates it and fails when it differs from the schemas.`;

/**
 * Where a $defs key would make a poor type name (`date` would shadow the global Date), the name it gets.
 */
const TYPE_NAMES = { date: 'IsoDate', dateTime: 'IsoDateTime' };

/** `land-parcel` -> `LandParcel`, `partyRef` -> `PartyRef`. */
function typeName(name) {
  return TYPE_NAMES[name] ?? name.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMAS = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);

/** The typing view of one schema document (see the header). */
function typingView(document, name) {
  const walk = (schema, title) => {
    if (!schema || typeof schema !== 'object') return schema;
    if (typeof schema.$ref === 'string') return { $ref: schema.$ref };
    const out = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'title' || key === 'examples') continue;
      if (SCHEMA_MAPS.has(key)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([child, sub]) => [
            child,
            walk(sub, key === '$defs' ? typeName(child) : undefined),
          ]),
        );
      } else if (SCHEMA_LISTS.has(key)) {
        out[key] = value.map((sub) => walk(sub));
      } else {
        out[key] = SCHEMAS.has(key) ? walk(value) : value;
      }
    }
    if (title) out.title = title;
    return out;
  };
  return walk(document, typeName(name));
}

/** Schema documents by name (`citizen` for citizen.v1.json), the definition documents included. */
function schemaFiles(schemaDir) {
  return readdirSync(schemaDir)
    .filter((file) => /^[a-z-]+\.v1\.json$/.test(file))
    .sort()
    .map((file) => ({ file, name: file.replace(/\.v1\.json$/, '') }));
}

/** Reads a referenced schema from the schema folder, by file name or by $id; never from the network. */
const contractsResolver = (schemaDir) => ({
  order: 1,
  canRead: (file) =>
    file.url.startsWith(SCHEMA_ID_BASE) || dirname(resolve(file.url.replace(/^file:\/\//, ''))) === schemaDir,
  read: (file) => {
    const fileName = basename(file.url.split('#')[0]);
    const name = fileName.replace(/\.v1\.json$/, '');
    return JSON.stringify(typingView(JSON.parse(readFileSync(join(schemaDir, fileName), 'utf8')), name));
  },
});

/** The generated module, formatted with the repository's prettier settings. */
export async function generateContractTypes(schemaDir = SCHEMA_DIR) {
  // documents of $defs only (DEFINITION_DOCUMENTS in libs/contracts) are typed where they are referenced
  const documents = schemaFiles(schemaDir).filter(({ name }) => !DEFINITION_DOCUMENTS.has(name));
  const rootSchema = {
    title: 'ContractSchemas',
    description: 'The type each schema of contracts/schemas describes, by schema name.',
    type: 'object',
    properties: Object.fromEntries(documents.map(({ file, name }) => [name, { $ref: file }])),
    required: documents.map(({ name }) => name),
    additionalProperties: false,
  };
  const source = await compile(rootSchema, 'ContractSchemas', {
    bannerComment: BANNER,
    cwd: schemaDir,
    format: false,
    // an object schema without `additionalProperties: false` is open, as JSON Schema says
    additionalProperties: true,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: true,
    unknownAny: true,
    $refOptions: { resolve: { file: false, http: false, contracts: contractsResolver(schemaDir) } },
  });
  const options = await prettier.resolveConfig(TARGET);
  return prettier.format(source, { ...options, filepath: TARGET });
}

/** `--schemas <dir>` and `--out <file>` (both relative to the repository) point elsewhere, for the spec. */
function argument(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? resolve(root, process.argv[at + 1]) : fallback;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = argument('--out', TARGET);
  const generated = await generateContractTypes(argument('--schemas', SCHEMA_DIR));
  const where = relative(root, target);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // a missing file is as stale as a wrong one
    }
    if (current !== generated) {
      console.error(`${where} is not what the schemas give: run npm run contracts:types and commit it`);
      process.exit(1);
    }
    console.log(`${where} is current`);
  } else {
    writeFileSync(target, generated);
    console.log(`wrote ${where}`);
  }
}

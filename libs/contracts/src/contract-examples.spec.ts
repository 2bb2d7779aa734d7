import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTRACT_ERROR_CODES,
  DEFINITION_DOCUMENTS,
  SCHEMA_NAMES,
  SchemaRegistry,
  contractsDir,
  schemaIdOf,
} from './schema-registry';
import type { ContractError, SchemaName } from './schema-registry';

// Every example under contracts/examples/<schema>/{valid,invalid} is checked against its schema:
// valid ones must pass, invalid ones must fail with the code and path recorded in
// invalid/expectations.json, and no error message may repeat a submitted value.

const registry = new SchemaRegistry();
const examplesDir = join(contractsDir(), 'examples');

interface Expectation {
  code: string;
  path: string;
}

function jsonFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.json') && file !== 'expectations.json')
        .sort()
    : [];
}

function load(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function valueAt(document: unknown, pointer: string): unknown {
  let current: unknown = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function assertNoEcho(errors: readonly ContractError[], document: unknown): void {
  for (const error of errors) {
    expect(error.message).not.toMatch(/[0-9]{9,}/);
    expect(error.path).not.toMatch(/[0-9]{9,}/);
    const offending = valueAt(document, error.path);
    if (typeof offending === 'string' && offending.length >= 3) {
      expect(error.message).not.toContain(offending);
    }
  }
}

describe('contract examples', () => {
  it('has an examples folder for every schema and nothing else', () => {
    expect(readdirSync(examplesDir).sort()).toEqual([...SCHEMA_NAMES].sort());
  });

  describe.each(SCHEMA_NAMES.map((name) => [name]))('%s', (name: SchemaName) => {
    const validDir = join(examplesDir, name, 'valid');
    const invalidDir = join(examplesDir, name, 'invalid');
    const validFiles = jsonFiles(validDir);
    const invalidFiles = jsonFiles(invalidDir);
    const expectations = load(join(invalidDir, 'expectations.json')) as Record<string, Expectation>;

    it('has several valid and invalid examples', () => {
      expect(validFiles.length).toBeGreaterThanOrEqual(3);
      expect(invalidFiles.length).toBeGreaterThanOrEqual(5);
    });

    it('has an expectation for exactly the invalid examples', () => {
      expect(Object.keys(expectations).sort()).toEqual(invalidFiles);
      for (const expectation of Object.values(expectations)) {
        expect(CONTRACT_ERROR_CODES).toContain(expectation.code);
      }
    });

    it.each(validFiles.map((file) => [file]))('accepts valid/%s', (file: string) => {
      const document = load(join(validDir, file));
      const result = registry.validate(name, document);
      expect(result.ok ? [] : result.errors).toEqual([]);
      expect(result.ok && result.value).toBe(document);
    });

    it.each(invalidFiles.map((file) => [file]))('rejects invalid/%s', (file: string) => {
      const document = load(join(invalidDir, file));
      const result = registry.validate(name, document);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const { code, path } = expectations[file];
      expect(result.errors).toContainEqual(expect.objectContaining({ code, path }));
      assertNoEcho(result.errors, document);
    });

    it('accepts the examples embedded in the schema', () => {
      const examples = (registry.schemaFor(name).examples ?? []) as unknown[];
      expect(examples.length).toBeGreaterThan(0);
      for (const example of examples) {
        const result = registry.validate(name, example);
        expect(result.ok ? [] : result.errors).toEqual([]);
      }
    });
  });

  it.each(DEFINITION_DOCUMENTS.map((name) => [name]))(
    'accepts the examples of every definition in %s.v1.json',
    (name) => {
      const defs = registry.schemaFor(name).$defs as Record<string, { examples?: unknown[] }>;
      for (const [def, schema] of Object.entries(defs)) {
        expect({ def, examples: (schema.examples ?? []).length > 0 }).toEqual({ def, examples: true });
        for (const example of schema.examples ?? []) {
          const result = registry.validateById(`${schemaIdOf(name)}#/$defs/${def}`, example);
          expect({ def, errors: result.ok ? [] : result.errors }).toEqual({ def, errors: [] });
        }
      }
    },
  );
});

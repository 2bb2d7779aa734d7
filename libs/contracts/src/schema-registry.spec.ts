import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { ContractValidator, ContractsModule } from './contracts.module';
import type { Citizen } from './models';
import {
  ContractViolationError,
  DEFINITION_DOCUMENTS,
  SCHEMA_NAMES,
  SchemaRegistry,
  contractsDir,
  findRepoRoot,
  isPartialDate,
  resolveSchemaRef,
  SCHEMA_BASE_URI,
  schemaFor,
  schemaIdOf,
  toContractErrors,
  validate,
} from './schema-registry';

const registry = SchemaRegistry.shared();
const root = findRepoRoot();

const citizen: Citizen = {
  personalId: '001090012345',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-05-17',
  sex: 'MALE',
  nationality: 'VN',
  provenance: {
    source: 'CSDLQG_DAN_CU',
    retrievedAt: '2026-10-31T09:15:02+07:00',
    validUntil: '2026-11-01T09:15:02+07:00',
  },
};

describe('repository root', () => {
  it('is found from the TypeScript sources', () => {
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('lienthong');
    expect(contractsDir()).toBe(join(root, 'contracts'));
  });

  it('is found from the compiled tree', () => {
    expect(findRepoRoot(join(root, 'dist', 'libs', 'contracts', 'src'))).toBe(root);
  });

  it('is not found outside the repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'lgsp-contracts-'));
    try {
      expect(() => findRepoRoot(outside)).toThrow(/repository root/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('SchemaRegistry', () => {
  it('loads every schema once and shares one instance', () => {
    expect(SchemaRegistry.shared()).toBe(registry);
    expect(registry.names()).toEqual(SCHEMA_NAMES);
    expect(registry.schemaDir).toBe(join(root, 'contracts', 'schemas'));
    for (const name of SCHEMA_NAMES) expect(registry.schemaId(name)).toBe(schemaIdOf(name));
  });

  it('names schemas by a URN ending in the file name, so file-relative and $id-relative references agree', () => {
    expect(SCHEMA_BASE_URI).toMatch(/^urn:/);
    expect(schemaIdOf('citizen')).toBe('urn:vn:lienthong:schemas/citizen.v1.json');
    expect(schemaIdOf('problem', 2)).toBe('urn:vn:lienthong:schemas/problem.v2.json');
    const citizenId = schemaIdOf('citizen');
    expect(resolveSchemaRef('common.v1.json#/$defs/personalId', citizenId)).toBe(
      `${schemaIdOf('common')}#/$defs/personalId`,
    );
    expect(resolveSchemaRef('#/$defs/householdHead', citizenId)).toBe(`${citizenId}#/$defs/householdHead`);
    expect(resolveSchemaRef(`${schemaIdOf('envelope')}#/properties/id`, citizenId)).toBe(
      `${schemaIdOf('envelope')}#/properties/id`,
    );
  });

  it('every schema file is written without an identifier outside the project namespace', () => {
    const foreign: string[] = [];
    for (const name of [...DEFINITION_DOCUMENTS, ...SCHEMA_NAMES]) {
      const text = readFileSync(join(registry.schemaDir, `${name}.v1.json`), 'utf8');
      for (const match of text.matchAll(/"\$(?:id|ref)": "([^"]*)"/g)) {
        if (
          !match[1].startsWith('#') &&
          !/^[a-z-]+\.v[0-9]+\.json(#|$)/.test(match[1]) &&
          !match[1].startsWith(SCHEMA_BASE_URI)
        ) {
          foreign.push(`${name}: ${match[1]}`);
        }
      }
    }
    expect(foreign).toEqual([]);
  });

  it('returns the validated document itself, typed', () => {
    const result = validate('citizen', citizen);
    expect(result).toEqual({ ok: true, value: citizen });
    expect(result.ok && result.value).toBe(citizen);
    expect(registry.isValid('citizen', citizen)).toBe(true);
    expect(registry.assertValid('citizen', citizen).fullName).toBe('Nguyễn Văn An');
  });

  it('reports JSON pointers and stable codes', () => {
    const result = registry.validate('citizen', { ...citizen, personalId: '00109001234', sex: undefined });
    expect(result).toEqual({
      ok: false,
      errors: expect.arrayContaining([
        { path: '/sex', code: 'SCHEMA_REQUIRED', message: 'is required' },
        { path: '/personalId', code: 'SCHEMA_PATTERN', message: 'must be a valid personal ID number' },
      ]),
    });
  });

  it('rejects a non-object document at the root path', () => {
    for (const value of [null, 'x', 42, []]) {
      const result = registry.validate('citizen', value);
      expect(result.ok ? [] : result.errors).toEqual([
        { path: '', code: 'SCHEMA_TYPE', message: 'must be of type object' },
      ]);
    }
  });

  it('never echoes identifiers, in messages or in paths', () => {
    const bad = {
      ...citizen,
      personalId: '0010900123456789',
      legacyIdCard: '0123456789',
      '001090012345': 'a property named by a personal ID',
      householdHead: { fullName: 'Nguyễn Văn Bình', personalId: 12345678901 },
    };
    const result = registry.validate('citizen', bad);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toContainEqual({
      path: '',
      code: 'SCHEMA_ADDITIONAL_PROPERTY',
      message: 'has a property that is not allowed',
    });
    for (const error of errors) {
      expect(`${error.path} ${error.message}`).not.toMatch(/[0-9]{9,}/);
    }
    const envelope = registry.validate('envelope', {
      specversion: '1.0',
      id: '1',
      source: '/x',
      type: 'vn.lienthong.test.v1',
      '079185004321': { nested: true },
    });
    expect(envelope.ok ? [] : envelope.errors).toEqual([
      { path: '', code: 'SCHEMA_TYPE', message: 'must be of type string, integer or boolean' },
    ]);
  });

  it('throws ContractViolationError listing paths and codes only', () => {
    const attempt = () => registry.assertValid('citizen', { ...citizen, personalId: '079185004321X' });
    expect(attempt).toThrow(ContractViolationError);
    try {
      attempt();
    } catch (error) {
      const violation = error as ContractViolationError;
      expect(violation.schema).toBe('citizen');
      expect(violation.errors).toEqual([
        { path: '/personalId', code: 'SCHEMA_PATTERN', message: 'must be a valid personal ID number' },
      ]);
      expect(violation.message).toBe(
        'document does not match the citizen contract: /personalId SCHEMA_PATTERN',
      );
    }
  });

  it('validates against a schema or subschema by $id', () => {
    expect(registry.validateById(schemaIdOf('citizen'), citizen).ok).toBe(true);
    expect(
      registry.validateById(`${schemaIdOf('common')}#/$defs/dossierCode`, '000.17.22.H56-210531-0001').ok,
    ).toBe(true);
    expect(registry.validateById(`${schemaIdOf('common')}#/$defs/personalId`, '12345')).toEqual({
      ok: false,
      errors: [{ path: '', code: 'SCHEMA_PATTERN', message: 'must be a valid personal ID number' }],
    });
    expect(() => registry.validateById('urn:vn:lienthong:schemas/nothing.v1.json', {})).toThrow(
      /unknown schema id/,
    );
  });

  it('refuses unknown schema names', () => {
    expect(() => registry.validate('passport' as never, {})).toThrow(/unknown schema/);
    expect(() => registry.schemaFor('passport' as never)).toThrow(/unknown schema/);
  });

  it('hands out the raw schema, frozen', () => {
    const schema = schemaFor('dossier-status-event');
    expect(schema.$id).toBe(schemaIdOf('dossier-status-event'));
    expect(Object.isFrozen(schema)).toBe(true);
    expect(Object.isFrozen(schema.properties)).toBe(true);
    expect(schemaFor('dossier-status-event')).toBe(schema);
    expect(Object.keys(schemaFor('common').$defs as object)).toContain('personalId');
  });

  it('maps keywords it does not know to SCHEMA_INVALID', () => {
    expect(
      toContractErrors([
        { keyword: 'contains', instancePath: '/a', schemaPath: '#/contains', params: {}, message: 'x' },
        { keyword: 'if', instancePath: '', schemaPath: '#/if', params: {}, message: 'x' },
      ]),
    ).toEqual([{ path: '/a', code: 'SCHEMA_INVALID', message: 'does not match the contract' }]);
    expect(toContractErrors([{ keyword: 'if', instancePath: '', schemaPath: '#/if', params: {} }])).toEqual([
      { path: '', code: 'SCHEMA_INVALID', message: 'does not match the contract' },
    ]);
  });
});

describe('loading a schema directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-schemas-'));
    cpSync(join(root, 'contracts', 'schemas'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a copy of contracts/schemas', () => {
    expect(new SchemaRegistry({ schemaDir: dir }).validate('citizen', citizen).ok).toBe(true);
  });

  it('rejects a file whose $id does not match its name', () => {
    const file = join(dir, 'problem.v1.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...schema, $id: schemaIdOf('problem', 2) }));
    expect(() => new SchemaRegistry({ schemaDir: dir })).toThrow(/\$id must be/);
  });

  it('rejects a badly named file', () => {
    renameSync(join(dir, 'problem.v1.json'), join(dir, 'Problem.json'));
    expect(() => new SchemaRegistry({ schemaDir: dir })).toThrow(/<name>\.v<N>\.json/);
  });

  it('rejects a missing schema', () => {
    unlinkSync(join(dir, 'problem.v1.json'));
    expect(() => new SchemaRegistry({ schemaDir: dir })).toThrow(/problem\.v1\.json is missing/);
  });

  it('compiles in strict mode: unknown keywords are errors', () => {
    const file = join(dir, 'problem.v1.json');
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(
      file,
      JSON.stringify({ ...schema, properties: { ...schema.properties, code: { typo: 1 } } }),
    );
    expect(() => new SchemaRegistry({ schemaDir: dir })).toThrow(/strict mode/);
  });
});

describe('partial dates', () => {
  it.each([
    ['1932', true],
    ['1948-03', true],
    ['1990-05-17', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2024-02-29', true],
    ['2026-02-29', false],
    ['1990-13', false],
    ['1990-04-31', false],
    ['1990-00', false],
    ['90-05-17', false],
    ['1990-5-17', false],
  ])('%s -> %s', (value, expected) => {
    expect(isPartialDate(value)).toBe(expected);
  });
});

describe('ContractsModule', () => {
  it('provides ContractValidator backed by the shared registry', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ContractsModule] }).compile();
    const validator = moduleRef.get(ContractValidator);
    expect(moduleRef.get(SchemaRegistry)).toBe(registry);
    expect(validator.validate('citizen', citizen)).toEqual({ ok: true, value: citizen });
    expect(validator.isValid('problem', {})).toBe(false);
    expect(() => validator.assertValid('problem', {})).toThrow(ContractViolationError);
    expect(validator.validateById(schemaIdOf('citizen'), citizen).ok).toBe(true);
    expect(validator.schemaFor('problem').$id).toBe(schemaIdOf('problem'));
    expect(validator.schemaId('envelope')).toBe(schemaIdOf('envelope'));
    await moduleRef.close();
  });
});

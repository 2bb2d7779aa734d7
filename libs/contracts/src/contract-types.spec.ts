import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@lienthong/config';

// generated/contract-types.ts is written from contracts/schemas by `npm run contracts:types`
// (scripts/contract-types.mjs) and committed; these run the generator again, offline, and compare.

const root = repoRoot(__dirname);
const run = promisify(execFile);

/** Runs the generator with its arguments; exit code and output, whatever the exit status. */
async function generator(...args: string[]): Promise<{ code: number; output: string }> {
  return run(process.execPath, [join(root, 'scripts', 'contract-types.mjs'), ...args], { cwd: root }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: (error.stdout ?? '') + (error.stderr ?? ''),
    }),
  );
}

describe('generated contract types', () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'contract-types-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('the committed file is what contracts/schemas give', async () => {
    const result = await generator('--check');
    expect(result).toEqual({ code: 0, output: expect.stringContaining('is current') });
  });

  it('a schema changed without its types fails the check, and the generator follows the change', async () => {
    const schemas = join(scratch, 'schemas');
    cpSync(join(root, 'contracts', 'schemas'), schemas, { recursive: true });
    const citizenFile = join(schemas, 'citizen.v1.json');
    const citizen = JSON.parse(readFileSync(citizenFile, 'utf8')) as {
      properties: Record<string, unknown>;
    };
    citizen.properties.placeOfBirth = {
      description: 'Place of birth (nơi sinh).',
      $ref: 'common.v1.json#/$defs/address',
    };
    writeFileSync(citizenFile, JSON.stringify(citizen));

    const committed = join(root, 'libs', 'contracts', 'src', 'generated', 'contract-types.ts');
    const stale = await generator('--check', '--schemas', schemas, '--out', committed);
    expect(stale).toEqual({ code: 1, output: expect.stringContaining('npm run contracts:types') });

    const written = join(scratch, 'contract-types.ts');
    expect((await generator('--schemas', schemas, '--out', written)).code).toBe(0);
    const citizenType = /export interface Citizen \{[^}]*\}/.exec(readFileSync(written, 'utf8'))?.[0];
    expect(citizenType).toContain('placeOfBirth?: Address;');
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@lienthong/config';
import { checkConfigFiles } from './config.command';

describe('lienthong config check', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-config-check-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the shipped client registry, procedure catalogue and chains', () => {
    expect(checkConfigFiles({})).toEqual([
      {
        file: 'deploy/config/clients.yaml',
        ok: true,
        summary: expect.stringMatching(/^\d+ clients, \d+ purposes$/),
      },
      { file: 'deploy/config/procedures.yaml', ok: true, summary: expect.stringMatching(/^\d+ ministries$/) },
      { file: 'deploy/config/chains.yaml', ok: true, summary: '2 chains, 6 steps, 3 agency systems' },
    ]);
  });

  it('names each broken file with its problems, and checks chains against the catalogue it is given', () => {
    const chains = readFileSync(join(repoRoot(), 'deploy/config/chains.yaml'), 'utf8').replace(
      "procedureCode: '1.004222'",
      "procedureCode: '1.004223'",
    );
    writeFileSync(join(dir, 'chains.yaml'), chains);
    writeFileSync(join(dir, 'clients.yaml'), 'version: 1\nclients: []\n');
    const [clients, procedures, chainCheck] = checkConfigFiles({
      CLIENTS_FILE: join(dir, 'clients.yaml'),
      CHAINS_FILE: join(dir, 'chains.yaml'),
    });
    expect(clients).toMatchObject({ ok: false, problems: [expect.stringContaining('purposes')] });
    expect(procedures.ok).toBe(true);
    expect(chainCheck).toEqual({
      file: join(dir, 'chains.yaml'),
      ok: false,
      problems: [
        'chain birth-residence-health-insurance, step permanent-residence: procedure 1.004223 is not in the procedure catalogue',
      ],
    });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './env';
import { readConfigDocument } from './config-files';
import { repoRoot } from './repo-root';

describe('readConfigDocument', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file relative to the repository root, parsed, with its full path', () => {
    const { path, document } = readConfigDocument('deploy/config/procedures.yaml');
    expect(path).toBe(join(repoRoot(), 'deploy/config/procedures.yaml'));
    expect(document).toEqual(expect.objectContaining({ ministries: expect.any(Object) }));
  });

  it('reads an absolute path, and JSON as YAML', () => {
    const file = join(dir, 'settings.json');
    writeFileSync(file, '{"version": 1, "systems": {}}');
    expect(readConfigDocument(file)).toEqual({ path: file, document: { version: 1, systems: {} } });
  });

  it('names the file it cannot read, or cannot parse', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => readConfigDocument(missing)).toThrow(new ConfigError(`cannot read ${missing} (ENOENT)`));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'chains: [unclosed\n');
    expect(() => readConfigDocument(broken)).toThrow(ConfigError);
    expect(() => readConfigDocument(broken)).toThrow(`${broken} cannot be read as YAML`);
  });
});

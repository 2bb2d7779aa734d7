import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSubjectKey } from '@lienthong/audit';
import { readOrCreateMinistryPseudonymKey, readOrCreateSubjectKey } from './local-secrets';

describe('the audit subject key npm start keeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once, readable only by its owner, and the same on every later start', () => {
    const file = join(dir, 'a', 'secrets', 'audit-subject.key');
    const first = readOrCreateSubjectKey(file);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^base64:[A-Za-z0-9+/]{64}$/);
    expect(decodeSubjectKey(first.key)).toHaveLength(48);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'a', 'secrets')).mode & 0o077).toBe(0);

    const again = readOrCreateSubjectKey(file);
    expect(again).toEqual({ key: first.key, created: false });
    expect(readOrCreateSubjectKey(join(dir, 'b', 'audit-subject.key')).key).not.toBe(first.key);
  });

  it('tightens a key file others could read', () => {
    const file = join(dir, 'loose.key');
    const key = `hex:${'ab'.repeat(40)}`;
    writeFileSync(file, `${key}\n`);
    chmodSync(file, 0o644);
    expect(readOrCreateSubjectKey(file)).toEqual({ key, created: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a file without a usable key, naming the file and leaving it as it was', () => {
    const file = join(dir, 'short.key');
    writeFileSync(file, 'too-short\n', { mode: 0o600 });
    expect(() => readOrCreateSubjectKey(file)).toThrow(`${file} must be at least 32 bytes`);
    expect(readFileSync(file, 'utf8')).toBe('too-short\n');
  });
});

describe('the ministry pseudonym key npm start keeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once, readable only by its owner, the same on every later start, and not the subject key', () => {
    const file = join(dir, 'secrets', 'ministry-pseudonym.key');
    const first = readOrCreateMinistryPseudonymKey(file);
    expect(first.created).toBe(true);
    expect(decodeSubjectKey(first.key)).toHaveLength(48);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readOrCreateMinistryPseudonymKey(file)).toEqual({ key: first.key, created: false });
    expect(readOrCreateSubjectKey(join(dir, 'secrets', 'audit-subject.key')).key).not.toBe(first.key);
  });
});

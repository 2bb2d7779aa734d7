import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { localSubjectKeyFile } from '@lienthong/config';
import { decodeSubjectKey } from '@lienthong/audit';

/**
 * Secrets `npm start` keeps for local runs on embedded defaults, so that they survive a restart: the
 * audit subject key must stay the same, or the earlier audit records could no longer be found by subject.
 */

// Where the key lives is shared with production mode, which refuses it.
export { localSubjectKeyFile };

/**
 * The audit subject key held in `file`, created (`base64:` + 48 random bytes, mode 0600) when the file
 * does not exist yet. A file that holds no usable key is an error (its message names the file, never the
 * value): replacing it silently would orphan the earlier records.
 */
export function readOrCreateSubjectKey(file: string = localSubjectKeyFile()): {
  key: string;
  created: boolean;
} {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fresh = `base64:${randomBytes(48).toString('base64')}`;
  try {
    writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { key: fresh, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = readFileSync(file, 'utf8').trim();
  decodeSubjectKey(key, file);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { key, created: false };
}

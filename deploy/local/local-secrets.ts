import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { localMinistryPseudonymKeyFile, localSubjectKeyFile } from '@lienthong/config';
import { decodeSubjectKey } from '@lienthong/audit';

/**
 * Secrets `npm start` keeps for local runs on embedded defaults, so that they survive a restart: the
 * audit subject key must stay the same, or the earlier audit records could no longer be found by subject;
 * the ministry pseudonym key likewise, or a ministry could no longer link a person's later events to the
 * earlier ones.
 */

// Where the keys live is shared with production mode, which refuses them.
export { localMinistryPseudonymKeyFile, localSubjectKeyFile };

/**
 * The key held in `file`, created (`base64:` + 48 random bytes, mode 0600) when the file does not exist
 * yet. A file that holds no usable key is an error (its message names the file, never the value):
 * replacing it silently would orphan what the earlier key produced.
 */
function readOrCreateKey(file: string): { key: string; created: boolean } {
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
  // both keys have the audit subject key's format and minimum length
  decodeSubjectKey(key, file);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return { key, created: false };
}

/** The audit subject key (AUDIT_SUBJECT_KEY) of local runs. */
export function readOrCreateSubjectKey(file: string = localSubjectKeyFile()): {
  key: string;
  created: boolean;
} {
  return readOrCreateKey(file);
}

/** The ministry pseudonym key (MINISTRY_PSEUDONYM_KEY) of local runs. */
export function readOrCreateMinistryPseudonymKey(file: string = localMinistryPseudonymKeyFile()): {
  key: string;
  created: boolean;
} {
  return readOrCreateKey(file);
}

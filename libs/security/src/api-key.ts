import { createHash, randomBytes } from 'node:crypto';

/** Prefix of generated keys: makes a leaked key recognisable to secret scanners and operators. */
export const API_KEY_PREFIX = 'lt_';

/** What `Authorization: Bearer <key>` may carry (RFC 6750 b64token), bounded in length. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
export const API_KEY_MIN_LENGTH = 16;
export const API_KEY_MAX_LENGTH = 512;

/**
 * A new API key: `lt_` + 32 random bytes in base64url (256 bits). Give it to the client once; store only
 * {@link hashApiKey} of it in clients.yaml.
 */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** Lower-case hex SHA-256 of a key, the form clients.yaml stores (`apiKeys[].sha256`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when the string can be sent as a bearer token and is long enough to be a key. */
export function isWellFormedApiKey(key: string): boolean {
  return key.length >= API_KEY_MIN_LENGTH && key.length <= API_KEY_MAX_LENGTH && BEARER_TOKEN.test(key);
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditSubjectKind } from '@lienthong/contracts';
import { AuditConfigError } from './audit.errors';

/** A subject key must carry at least this many bytes (256 bits). */
export const SUBJECT_KEY_MIN_BYTES = 32;

const KEY_ID_LABEL = 'lienthong.audit.subject-key-id';

/**
 * Decodes a subject key as configured: `base64:<...>` or `hex:<...>` for binary keys, anything else as
 * its UTF-8 bytes. Throws AuditConfigError (naming the setting, never the value) when it is too short.
 */
export function decodeSubjectKey(key: string | Buffer, setting = 'AUDIT_SUBJECT_KEY'): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(key)) {
    bytes = key;
  } else if (key.startsWith('base64:')) {
    bytes = Buffer.from(key.slice('base64:'.length), 'base64');
  } else if (key.startsWith('hex:')) {
    const hex = key.slice('hex:'.length);
    if (!/^([0-9a-fA-F]{2})*$/.test(hex))
      throw new AuditConfigError(`${setting}: hex: must be followed by hex digits`);
    bytes = Buffer.from(hex, 'hex');
  } else {
    bytes = Buffer.from(key, 'utf8');
  }
  if (bytes.length < SUBJECT_KEY_MIN_BYTES) {
    throw new AuditConfigError(
      `${setting} must be at least ${SUBJECT_KEY_MIN_BYTES} bytes (e.g. base64: followed by \`openssl rand -base64 48\`)`,
    );
  }
  return bytes;
}

/**
 * The form of an identifier that is hashed: Unicode NFKC (full-width digits become ASCII), every
 * whitespace character removed, upper case. `001 090 012345` and `001090012345` hash alike.
 */
export function normaliseSubjectIdentifier(identifier: string): string {
  return identifier.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** Identifier of a land parcel for the audit log: `<commune code>/<map sheet>/<parcel number>`. */
export function parcelSubjectIdentifier(parcel: {
  communeCode: string;
  mapSheetNo: string;
  parcelNo: string;
}): string {
  return `${parcel.communeCode}/${parcel.mapSheetNo}/${parcel.parcelNo}`;
}

/** Identifier of a land-use certificate for the audit log (kind PARCEL): `CERTIFICATE:<number>`. */
export function landCertificateSubjectIdentifier(certificateNo: string): string {
  return `CERTIFICATE:${certificateNo}`;
}

/**
 * Keyed hashing of looked-up identifiers: HMAC-SHA256(key, `<kind>:<normalised identifier>`) in lowercase
 * hex. Without the key nobody can test a guessed personal ID against the log (a plain hash of a 12-digit
 * number with a known structure is reversed by enumeration in minutes); with it the data-protection
 * officer can find every lookup of one person. The kind is part of the input, so equal strings of
 * different kinds never collide.
 */
export class SubjectHasher {
  /** First 16 hex characters of HMAC-SHA256(key, label): names the key without revealing it. */
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(key: string | Buffer, setting?: string) {
    this.key = decodeSubjectKey(key, setting);
    this.keyId = createHmac('sha256', this.key).update(KEY_ID_LABEL).digest('hex').slice(0, 16);
  }

  hash(kind: AuditSubjectKind, identifier: string): string {
    return createHmac('sha256', this.key)
      .update(`${kind}:${normaliseSubjectIdentifier(identifier)}`, 'utf8')
      .digest('hex');
  }

  /** Constant-time comparison of a stored hash with the hash of an identifier. */
  matches(kind: AuditSubjectKind, identifier: string, storedHash: string): boolean {
    const expected = Buffer.from(this.hash(kind, identifier), 'hex');
    const actual = Buffer.from(storedHash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

import { createHmac } from 'node:crypto';
import { AuditConfigError } from './audit.errors';
import {
  SubjectHasher,
  decodeSubjectKey,
  landCertificateSubjectIdentifier,
  normaliseSubjectIdentifier,
  parcelSubjectIdentifier,
} from './subject-hasher';
import { EXAMPLE_SUBJECT_KEY } from './testing/audit-fixtures';

describe('SubjectHasher', () => {
  const hasher = new SubjectHasher(EXAMPLE_SUBJECT_KEY);

  it('is HMAC-SHA256 of "<kind>:<identifier>" under the key, in lowercase hex', () => {
    const expected = createHmac('sha256', Buffer.from(EXAMPLE_SUBJECT_KEY, 'utf8'))
      .update('CITIZEN:001090012345')
      .digest('hex');
    expect(hasher.hash('CITIZEN', '001090012345')).toBe(expected);
    expect(hasher.hash('CITIZEN', '001090012345')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the normalised identifier: spaces, full-width digits and case do not matter', () => {
    const plain = hasher.hash('CITIZEN', '001090012345');
    expect(hasher.hash('CITIZEN', ' 001 090 012345\n')).toBe(plain);
    expect(hasher.hash('CITIZEN', '００１０９００１２３４５')).toBe(plain);
    expect(hasher.hash('PARCEL', 'certificate:cs 01234')).toBe(hasher.hash('PARCEL', 'CERTIFICATE:CS01234'));
    expect(normaliseSubjectIdentifier(' ab\tc ')).toBe('ABC');
  });

  it('keeps kinds apart and depends on the key', () => {
    expect(hasher.hash('CITIZEN', '0100109106')).not.toBe(hasher.hash('ENTERPRISE', '0100109106'));
    const other = new SubjectHasher(`${EXAMPLE_SUBJECT_KEY}-rotated`);
    expect(other.hash('CITIZEN', '001090012345')).not.toBe(hasher.hash('CITIZEN', '001090012345'));
    expect(other.keyId).not.toBe(hasher.keyId);
    expect(hasher.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('compares a stored hash in constant time', () => {
    const stored = hasher.hash('ENTERPRISE', '0314409058');
    expect(hasher.matches('ENTERPRISE', '0314409058', stored)).toBe(true);
    expect(hasher.matches('ENTERPRISE', '0314409059', stored)).toBe(false);
    expect(hasher.matches('ENTERPRISE', '0314409058', 'abcd')).toBe(false);
  });

  it('builds land identifiers', () => {
    expect(parcelSubjectIdentifier({ communeCode: '26734', mapSheetNo: '12', parcelNo: '345' })).toBe(
      '26734/12/345',
    );
    expect(landCertificateSubjectIdentifier('CS 01234')).toBe('CERTIFICATE:CS 01234');
  });
});

describe('decodeSubjectKey', () => {
  it('accepts text, base64: and hex: keys of at least 32 bytes', () => {
    expect(decodeSubjectKey('x'.repeat(32))).toHaveLength(32);
    expect(decodeSubjectKey(`base64:${Buffer.alloc(48, 7).toString('base64')}`)).toEqual(Buffer.alloc(48, 7));
    expect(decodeSubjectKey(`hex:${'ab'.repeat(32)}`)).toEqual(Buffer.alloc(32, 0xab));
  });

  it('refuses short or malformed keys without echoing them', () => {
    const secret = 'too-short-secret';
    expect(() => decodeSubjectKey(secret)).toThrow(AuditConfigError);
    expect(() => decodeSubjectKey(secret)).toThrow(/AUDIT_SUBJECT_KEY must be at least 32 bytes/);
    try {
      decodeSubjectKey(secret);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() => decodeSubjectKey('hex:xyz')).toThrow(/hex digits/);
    expect(() => decodeSubjectKey(`base64:${Buffer.alloc(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractsDir, type AuditRecord } from '@lienthong/contracts';
import {
  GENESIS_HASH,
  buildUnsealedRecord,
  assertValidRecord,
  computeRecordHash,
  recordToParams,
  rowToRecord,
  sealRecord,
  AUDIT_RECORD_COLUMNS,
  type AuditRecordRow,
} from './audit-record';
import { AuditEntryError } from './audit.errors';
import { ChainVerifier } from './chain-verifier';
import { SubjectHasher } from './subject-hasher';
import { EXAMPLE_SUBJECT_KEY, lookupEntry, personalId } from './testing/audit-fixtures';

const hasher = new SubjectHasher(EXAMPLE_SUBJECT_KEY);
const examplesDir = join(contractsDir(), 'examples', 'audit-record', 'valid');
const examples = readdirSync(examplesDir)
  .sort()
  .map((file) => JSON.parse(readFileSync(join(examplesDir, file), 'utf8')) as AuditRecord);

describe('the record hash', () => {
  it('is SHA-256 of the canonical JSON of the record without hash, checkable without this library', () => {
    for (const record of examples) {
      const { hash, ...content } = record;
      // any RFC 8785 implementation: for these flat records, JSON.stringify with sorted member names
      const canonical = JSON.stringify(content, Object.keys(content).sort());
      expect(createHash('sha256').update(canonical, 'utf8').digest('hex')).toBe(hash);
      expect(computeRecordHash(record)).toBe(hash);
    }
  });

  it('the valid contract examples form one chain from the genesis', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const verifier = new ChainVerifier({ seq: 1n, prevHash: GENESIS_HASH });
    for (const record of examples) expect(verifier.push(record)).toBeUndefined();
    expect(verifier.checked).toBe(examples.length);
  });

  it('the examples were hashed with the published example key, so their subject hashes can be reproduced', () => {
    expect(examples[0].subjectKeyId).toBe(hasher.keyId);
    expect(examples[0].subjectHash).toBe(hasher.hash('CITIZEN', '001090012345'));
    expect(examples[1].subjectHash).toBe(hasher.hash('ENTERPRISE', '0314409058'));
  });

  it('changes with any field, seq and prevHash included', () => {
    const record = sealRecord(buildUnsealedRecord(lookupEntry(1), hasher), 5n, GENESIS_HASH);
    expect(computeRecordHash(record)).toBe(record.hash);
    for (const change of [
      { purpose: 'EFORM_PREFILL' },
      { seq: '6' },
      { prevHash: 'a'.repeat(64) },
      { fieldsWithheld: [] },
    ]) {
      expect(computeRecordHash({ ...record, ...change })).not.toBe(record.hash);
    }
  });
});

describe('buildUnsealedRecord', () => {
  it('replaces identifiers by keyed hashes and normalises lists and numbers', () => {
    const record = buildUnsealedRecord(
      lookupEntry(1, {
        relatedSubjects: [
          { kind: 'CITIZEN', identifier: personalId(2) },
          { kind: 'CITIZEN', identifier: personalId(2) },
          { kind: 'CITIZEN', identifier: personalId(1) },
        ],
        fieldsReturned: ['sex', 'fullName', 'sex'],
        upstreamLatencyMs: 183.6,
        occurredAt: new Date('2026-10-31T09:15:02.123+07:00'),
      }),
      hasher,
      { id: '6f1d2c3b-4a59-4e87-9d6c-5b4a39281706' },
    );
    expect(record).toEqual(
      expect.objectContaining({
        id: '6f1d2c3b-4a59-4e87-9d6c-5b4a39281706',
        occurredAt: '2026-10-31T02:15:02.123Z',
        subjectKind: 'CITIZEN',
        subjectKeyId: hasher.keyId,
        subjectHash: hasher.hash('CITIZEN', personalId(1)),
        // duplicates and the subject itself are dropped
        relatedSubjectHashes: [hasher.hash('CITIZEN', personalId(2))],
        fieldsReturned: ['fullName', 'sex'],
        upstreamLatencyMs: 184,
      }),
    );
    expect(JSON.stringify(record)).not.toContain(personalId(1));
    expect(Object.values(record)).not.toContain(undefined);
  });

  it('omits absent optional fields instead of writing null', () => {
    const record = buildUnsealedRecord(
      lookupEntry(1, {
        credentialId: undefined,
        purpose: undefined,
        legalBasis: undefined,
        dossierCode: undefined,
        subject: { kind: 'CITIZEN' },
        upstreamLatencyMs: undefined,
        cache: undefined,
        fieldsReturned: undefined,
        fieldsWithheld: undefined,
        outcome: 'INVALID',
      }),
      hasher,
    );
    expect(Object.keys(record).sort()).toEqual(
      [
        'id',
        'occurredAt',
        'requestId',
        'clientId',
        'service',
        'subjectKind',
        'subjectKeyId',
        'outcome',
        'upstream',
      ].sort(),
    );
  });

  it('refuses entries that break the contract', () => {
    const cases: [Partial<Parameters<typeof lookupEntry>[1]>, string][] = [
      [{ requestId: 'req with spaces' }, '/requestId'],
      [{ clientId: 'Motcua' }, '/clientId'],
      [{ service: 'citizen' }, '/service'],
      [{ outcome: 'FOUND' as never }, '/outcome'],
      [{ upstream: 'dan-cu' as never }, '/upstream'],
      [{ occurredAt: new Date('invalid') }, '/occurredAt'],
      [{ fieldsReturned: ['full name'] }, '/fieldsReturned/0'],
      [{ subject: { kind: 'PERSON' as never, identifier: '1' } }, '/subjectKind'],
    ];
    for (const [override, path] of cases) {
      expect(() => buildUnsealedRecord(lookupEntry(1, override), hasher)).toThrow(AuditEntryError);
      try {
        buildUnsealedRecord(lookupEntry(1, override), hasher);
      } catch (error) {
        expect((error as AuditEntryError).errors.map((e) => e.path)).toContain(path);
      }
    }
  });
});

describe('assertValidRecord', () => {
  it('judges each record on its own members, not on those of the record validated before it', () => {
    const full = buildUnsealedRecord(lookupEntry(1, { purpose: 'DOSSIER_PROCESSING' }), hasher);
    assertValidRecord(full);
    const { id: _id, ...withoutId } = full;
    expect(() => assertValidRecord(withoutId as typeof full)).toThrow(
      expect.objectContaining({ errors: [{ path: '/id', code: 'SCHEMA_REQUIRED' }] }),
    );
    assertValidRecord(full);
  });

  it('refuses a member the contract does not define, and a NUL in a text', () => {
    const record = buildUnsealedRecord(lookupEntry(2), hasher);
    expect(() => assertValidRecord({ ...record, extra: 'x' } as typeof record)).toThrow(AuditEntryError);
    expect(() => assertValidRecord({ ...record, outcomeCode: 'A\u0000' })).toThrow(
      expect.objectContaining({
        errors: expect.arrayContaining([{ path: '/outcomeCode', code: 'SCHEMA_PATTERN' }]),
      }),
    );
  });
});

describe('table mapping', () => {
  it('reads back exactly the record it wrote', () => {
    for (const record of examples) {
      const params = recordToParams(record);
      const row = Object.fromEntries(AUDIT_RECORD_COLUMNS.map((column, index) => [column, params[index]]));
      expect(rowToRecord(row as unknown as AuditRecordRow)).toEqual(record);
    }
  });
});

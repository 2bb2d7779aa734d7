import type { AuditSubjectKind, PartyRef } from '@lienthong/contracts';
import { SubjectHasher } from '@lienthong/audit';
import type { OwnerHash } from '@lienthong/documents';

/** The owner of a document by the identifier it is searched with. */
export type DocumentOwner =
  { kind: 'CITIZEN'; personalId: string } | { kind: 'ENTERPRISE' | 'ORGANISATION'; enterpriseCode: string };

/** The audit subject an owner is: a citizen by personal ID, anyone else by enterprise code. */
export function ownerSubject(owner: DocumentOwner): { kind: AuditSubjectKind; identifier: string } {
  return owner.kind === 'CITIZEN'
    ? { kind: 'CITIZEN', identifier: owner.personalId }
    : { kind: 'ENTERPRISE', identifier: owner.enterpriseCode };
}

/** The canonical party reference of an owner. */
export function ownerParty(owner: DocumentOwner): PartyRef {
  return owner.kind === 'CITIZEN'
    ? { kind: 'CITIZEN', personalId: owner.personalId }
    : { kind: owner.kind, enterpriseCode: owner.enterpriseCode };
}

export type { OwnerHash };

/**
 * Keyed hashes of document owners, the same construction as the audit log's subject hashes
 * (HMAC-SHA256 under AUDIT_SUBJECT_KEY of `<CITIZEN|ENTERPRISE>:<identifier>`): the reuse store keeps the
 * hash, never the identifier. New documents are hashed with the current key; searches also try the keys it
 * replaced (AUDIT_SUBJECT_KEYS_PREVIOUS), so a key rotation does not hide documents.
 */
export class OwnerHasher {
  private readonly current: SubjectHasher;
  private readonly all: readonly SubjectHasher[];

  constructor(subjectKey: string | Buffer, previousSubjectKeys: readonly (string | Buffer)[] = []) {
    this.current = new SubjectHasher(subjectKey, 'AUDIT_SUBJECT_KEY');
    this.all = [
      this.current,
      ...previousSubjectKeys.map(
        (key, index) => new SubjectHasher(key, `AUDIT_SUBJECT_KEYS_PREVIOUS[${index}]`),
      ),
    ];
  }

  /** Fingerprint of the current key (as AuditLog.subjectKeyId). */
  get keyId(): string {
    return this.current.keyId;
  }

  /** The hash new records are written with. */
  hash(owner: DocumentOwner): OwnerHash {
    const { kind, identifier } = ownerSubject(owner);
    return { keyId: this.current.keyId, hash: this.current.hash(kind, identifier) };
  }

  /** The hash under the current key and under every previous one. */
  hashes(owner: DocumentOwner): OwnerHash[] {
    const { kind, identifier } = ownerSubject(owner);
    return this.all.map((hasher) => ({ keyId: hasher.keyId, hash: hasher.hash(kind, identifier) }));
  }
}

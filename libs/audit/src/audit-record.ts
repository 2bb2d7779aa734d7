import { createHash, randomUUID } from 'node:crypto';
import {
  SchemaRegistry,
  schemaFor,
  type AuditCacheResult,
  type AuditOutcome,
  type AuditPrunedRange,
  type AuditRecord,
  type AuditSubjectKind,
  type AuditUpstream,
} from '@lienthong/contracts';
import { canonicalJson } from './canonical-json';
import { AuditEntryError } from './audit.errors';
import type { SubjectHasher } from './subject-hasher';

/** prevHash of the first record of a chain that has never been pruned. */
export const GENESIS_HASH = '0'.repeat(64);

/** A subject by its identifier in clear; only its keyed hash is ever stored. */
export interface AuditSubjectRef {
  kind: AuditSubjectKind;
  /** Personal ID, enterprise code, `parcelSubjectIdentifier(...)` or `landCertificateSubjectIdentifier(...)`. */
  identifier: string;
}

/**
 * What the caller knows about one lookup. Pass only values that passed request validation: an entry
 * that does not match the audit-record contract is refused with AuditEntryError.
 */
export interface AuditEntry {
  requestId: string;
  clientId: string;
  /** API key id or certificate fingerprint the client used (`Caller.credentialId`). */
  credentialId?: string;
  /** e.g. `citizen.lookup`. */
  service: string;
  /** Declared purpose code; omit only when the request was refused before declaring one. */
  purpose?: string;
  legalBasis?: string;
  dossierCode?: string;
  /** The looked-up subject. `identifier` may be omitted when the request named none (outcome INVALID). */
  subject: { kind: AuditSubjectKind; identifier?: string };
  /** Other people or enterprises whose data the answer carried (parcel holders, representatives...). */
  relatedSubjects?: readonly AuditSubjectRef[];
  outcome: AuditOutcome;
  outcomeCode?: string;
  upstream: AuditUpstream;
  /** Rounded to whole milliseconds. */
  upstreamLatencyMs?: number;
  cache?: AuditCacheResult;
  fieldsReturned?: readonly string[];
  fieldsWithheld?: readonly string[];
  /** Only for a retention run's own record (service audit.prune): the range it removes. */
  pruned?: AuditPrunedRange;
  /** Defaults to the time `record` is called. */
  occurredAt?: Date;
}

/** A record before it has its place in the chain. */
export type UnsealedAuditRecord = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

function sortedUnique(values: readonly string[] | undefined): string[] | undefined {
  return values === undefined ? undefined : [...new Set(values)].sort();
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  return false;
}

/**
 * Turns an entry into a record without chain fields: hashes the subjects, normalises lists and numbers,
 * and checks the result against contracts/schemas/audit-record.v1.json.
 */
export function buildUnsealedRecord(
  entry: AuditEntry,
  hasher: SubjectHasher,
  options: { now?: () => Date; id?: string } = {},
): UnsealedAuditRecord {
  const current = hasher;
  const subjectHash =
    entry.subject?.identifier === undefined
      ? undefined
      : current.hash(entry.subject.kind, entry.subject.identifier);
  const related = entry.relatedSubjects?.length
    ? [...new Set(entry.relatedSubjects.map((ref) => current.hash(ref.kind, ref.identifier)))]
        .filter((hash) => hash !== subjectHash)
        .sort()
    : undefined;
  const occurredAt = entry.occurredAt ?? options.now?.() ?? new Date();
  const latency = entry.upstreamLatencyMs;
  const draft: UnsealedAuditRecord = {
    id: options.id ?? randomUUID(),
    occurredAt:
      occurredAt instanceof Date && !Number.isNaN(occurredAt.getTime()) ? occurredAt.toISOString() : '',
    requestId: entry.requestId,
    clientId: entry.clientId,
    credentialId: entry.credentialId,
    service: entry.service,
    purpose: entry.purpose,
    legalBasis: entry.legalBasis,
    dossierCode: entry.dossierCode,
    subjectKind: entry.subject?.kind,
    subjectKeyId: current.keyId,
    subjectHash,
    relatedSubjectHashes: related && related.length > 0 ? related : undefined,
    outcome: entry.outcome,
    outcomeCode: entry.outcomeCode,
    upstream: entry.upstream,
    upstreamLatencyMs:
      typeof latency === 'number' && Number.isFinite(latency) ? Math.round(latency) : latency,
    cache: entry.cache,
    fieldsReturned: sortedUnique(entry.fieldsReturned),
    fieldsWithheld: sortedUnique(entry.fieldsWithheld),
    pruned: entry.pruned ? { ...entry.pruned } : undefined,
  };
  // Copied without the undefined members rather than deleting them: `delete` turns an object into a
  // slow dictionary-mode one, which every later step (validation, hashing, serialisation) pays for.
  const record = {} as Record<string, unknown>;
  for (const key of Object.keys(draft)) {
    const value = draft[key as keyof UnsealedAuditRecord];
    if (value !== undefined) record[key] = value;
  }
  assertValidRecord(record as UnsealedAuditRecord);
  return record as UnsealedAuditRecord;
}

const PROBE_CHAIN_FIELDS = { seq: '1', prevHash: GENESIS_HASH, hash: GENESIS_HASH } as const;

/**
 * The document a record is validated as: one object, reused, holding every member the contract defines
 * (absent ones undefined, which the validator treats as absent) and valid chain fields. Copying a record into
 * a new object for each validation cost more than the validation itself, on every lookup.
 */
let probe: { members: ReadonlySet<string>; document: Record<string, unknown> } | undefined;

function validationProbe(): { members: ReadonlySet<string>; document: Record<string, unknown> } {
  if (!probe) {
    const defined = Object.keys(
      (schemaFor('audit-record') as { properties: Record<string, unknown> }).properties,
    );
    const document: Record<string, unknown> = {};
    for (const member of defined) document[member] = undefined;
    Object.assign(document, PROBE_CHAIN_FIELDS);
    probe = { members: new Set(defined.filter((member) => !(member in PROBE_CHAIN_FIELDS))), document };
  }
  return probe;
}

/** Throws AuditEntryError when the record (chain fields aside) does not match the contract. */
export function assertValidRecord(record: UnsealedAuditRecord): void {
  const { members, document } = validationProbe();
  const errors: AuditEntryError['errors'][number][] = [];
  let onlyDefinedMembers = true;
  for (const member of members) document[member] = undefined;
  for (const [key, value] of Object.entries(record)) {
    // PostgreSQL text cannot hold NUL; a record that can never be written would block the chain.
    if (hasNul(value)) errors.push({ path: `/${key}`, code: 'SCHEMA_PATTERN' });
    if (members.has(key)) document[key] = value;
    else onlyDefinedMembers = false;
  }
  const result = SchemaRegistry.shared().validate(
    'audit-record',
    onlyDefinedMembers ? document : { ...record, ...PROBE_CHAIN_FIELDS },
  );
  if (!result.ok) errors.unshift(...result.errors.map(({ path, code }) => ({ path, code })));
  for (const member of members) document[member] = undefined;
  if (errors.length > 0) throw new AuditEntryError(errors);
}

/** SHA-256 (lowercase hex) of the RFC 8785 canonical JSON of the record without `hash`. */
export function computeRecordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _ignored, ...content } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

/** Gives a record its place in the chain. */
export function sealRecord(record: UnsealedAuditRecord, seq: bigint, prevHash: string): AuditRecord {
  const { id, ...rest } = record;
  const chained = { id, seq: seq.toString(), ...rest, prevHash } as AuditRecord;
  // hashed before `hash` exists, then added to the same object: no copy of the record for each step
  chained.hash = createHash('sha256').update(canonicalJson(chained), 'utf8').digest('hex');
  return chained;
}

// ---------------------------------------------------------------------------------------------------
// Table mapping (libs/storage/migrations/0002_audit.sql, 0007_audit_checkpoints.sql)

export const AUDIT_RECORD_COLUMNS = [
  'seq',
  'id',
  'occurred_at',
  'request_id',
  'client_id',
  'credential_id',
  'service',
  'purpose',
  'legal_basis',
  'dossier_code',
  'subject_kind',
  'subject_key_id',
  'subject_hash',
  'related_subject_hashes',
  'outcome',
  'outcome_code',
  'upstream',
  'upstream_latency_ms',
  'cache',
  'fields_returned',
  'fields_withheld',
  'pruned_from_seq',
  'pruned_to_seq',
  'pruned_last_hash',
  'prev_hash',
  'hash',
] as const;

export interface AuditRecordRow {
  seq: string;
  id: string;
  occurred_at: Date;
  request_id: string;
  client_id: string;
  credential_id: string | null;
  service: string;
  purpose: string | null;
  legal_basis: string | null;
  dossier_code: string | null;
  subject_kind: string;
  subject_key_id: string;
  subject_hash: string | null;
  related_subject_hashes: string[] | null;
  outcome: string;
  outcome_code: string | null;
  upstream: string;
  upstream_latency_ms: number | null;
  cache: string | null;
  fields_returned: string[] | null;
  fields_withheld: string[] | null;
  pruned_from_seq: string | null;
  pruned_to_seq: string | null;
  pruned_last_hash: string | null;
  prev_hash: string;
  hash: string;
}

/** Parameters of one row, in AUDIT_RECORD_COLUMNS order. */
export function recordToParams(record: AuditRecord): unknown[] {
  return [
    record.seq,
    record.id,
    new Date(record.occurredAt),
    record.requestId,
    record.clientId,
    record.credentialId ?? null,
    record.service,
    record.purpose ?? null,
    record.legalBasis ?? null,
    record.dossierCode ?? null,
    record.subjectKind,
    record.subjectKeyId,
    record.subjectHash ?? null,
    record.relatedSubjectHashes ?? null,
    record.outcome,
    record.outcomeCode ?? null,
    record.upstream,
    record.upstreamLatencyMs ?? null,
    record.cache ?? null,
    record.fieldsReturned ?? null,
    record.fieldsWithheld ?? null,
    record.pruned?.fromSeq ?? null,
    record.pruned?.toSeq ?? null,
    record.pruned?.lastHash ?? null,
    record.prevHash,
    record.hash,
  ];
}

/** A row as read back, in the record's JSON form (absent columns are left out, never null). */
export function rowToRecord(row: AuditRecordRow): AuditRecord {
  const record: AuditRecord = {
    id: row.id,
    seq: String(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    requestId: row.request_id,
    clientId: row.client_id,
    credentialId: row.credential_id ?? undefined,
    service: row.service,
    purpose: row.purpose ?? undefined,
    legalBasis: row.legal_basis ?? undefined,
    dossierCode: row.dossier_code ?? undefined,
    subjectKind: row.subject_kind as AuditSubjectKind,
    subjectKeyId: row.subject_key_id,
    subjectHash: row.subject_hash ?? undefined,
    relatedSubjectHashes: row.related_subject_hashes ?? undefined,
    outcome: row.outcome as AuditOutcome,
    outcomeCode: row.outcome_code ?? undefined,
    upstream: row.upstream as AuditUpstream,
    upstreamLatencyMs: row.upstream_latency_ms ?? undefined,
    cache: (row.cache ?? undefined) as AuditCacheResult | undefined,
    fieldsReturned: row.fields_returned ?? undefined,
    fieldsWithheld: row.fields_withheld ?? undefined,
    pruned:
      row.pruned_from_seq !== null && row.pruned_to_seq !== null && row.pruned_last_hash !== null
        ? {
            fromSeq: String(row.pruned_from_seq),
            toSeq: String(row.pruned_to_seq),
            lastHash: row.pruned_last_hash,
          }
        : undefined,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  for (const key of Object.keys(record) as (keyof AuditRecord)[]) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

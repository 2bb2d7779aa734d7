import type { AuditOutcome, AuditSubjectKind, AuditUpstream } from '@lienthong/contracts';
import type { Queryable } from '@lienthong/storage';
import type { SubjectHasher } from './subject-hasher';

export interface SubjectQueryOptions {
  /** Only records that occurred at or after this instant. */
  from?: Date;
  /** Only records that occurred before this instant. */
  to?: Date;
  /** At most this many records, newest first (default 100, at most 1000). */
  limit?: number;
}

/** One lookup concerning a subject: who, when, why, with what result. No identifier, no subject hash. */
export interface SubjectAccessRecord {
  seq: string;
  occurredAt: string;
  requestId: string;
  clientId: string;
  credentialId?: string;
  service: string;
  purpose?: string;
  legalBasis?: string;
  dossierCode?: string;
  outcome: AuditOutcome;
  outcomeCode?: string;
  upstream: AuditUpstream;
  /** SUBJECT: the subject was looked up; RELATED: the answer to another lookup carried the subject's data. */
  match: 'SUBJECT' | 'RELATED';
}

export const SUBJECT_QUERY_DEFAULT_LIMIT = 100;
export const SUBJECT_QUERY_MAX_LIMIT = 1000;

interface SubjectRow {
  seq: string;
  occurred_at: Date;
  request_id: string;
  client_id: string;
  credential_id: string | null;
  service: string;
  purpose: string | null;
  legal_basis: string | null;
  dossier_code: string | null;
  outcome: string;
  outcome_code: string | null;
  upstream: string;
  direct: boolean;
}

/**
 * Every record that concerns an identifier: looked up directly, or named among the related subjects of
 * another lookup. The identifier is hashed with each given key (the current one and those it replaced),
 * so records written before a key rotation are found too. Newest first.
 */
export async function findSubjectRecords(
  db: Queryable,
  hashers: readonly SubjectHasher[],
  kind: AuditSubjectKind,
  identifier: string,
  options: SubjectQueryOptions = {},
): Promise<SubjectAccessRecord[]> {
  const limit = Math.min(
    Math.max(1, Math.trunc(options.limit ?? SUBJECT_QUERY_DEFAULT_LIMIT)),
    SUBJECT_QUERY_MAX_LIMIT,
  );
  const hashes = [...new Set(hashers.map((hasher) => hasher.hash(kind, identifier)))];
  const params: unknown[] = [kind, hashes];
  const conditions: string[] = [];
  if (options.from) {
    params.push(options.from);
    conditions.push(`occurred_at >= $${params.length}`);
  }
  if (options.to) {
    params.push(options.to);
    conditions.push(`occurred_at < $${params.length}`);
  }
  params.push(limit);
  const rows = await db.query<SubjectRow>(
    `SELECT seq, occurred_at, request_id, client_id, credential_id, service, purpose, legal_basis,
            dossier_code, outcome, outcome_code, upstream,
            (subject_kind = $1 AND subject_hash = ANY($2::text[])) AS direct
       FROM audit_record
      WHERE ((subject_kind = $1 AND subject_hash = ANY($2::text[])) OR related_subject_hashes && $2::text[])
        ${conditions.map((condition) => `AND ${condition}`).join(' ')}
      ORDER BY occurred_at DESC, seq DESC
      LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => {
    const record: SubjectAccessRecord = {
      seq: String(row.seq),
      occurredAt: row.occurred_at.toISOString(),
      requestId: row.request_id,
      clientId: row.client_id,
      credentialId: row.credential_id ?? undefined,
      service: row.service,
      purpose: row.purpose ?? undefined,
      legalBasis: row.legal_basis ?? undefined,
      dossierCode: row.dossier_code ?? undefined,
      outcome: row.outcome as AuditOutcome,
      outcomeCode: row.outcome_code ?? undefined,
      upstream: row.upstream as AuditUpstream,
      match: row.direct ? 'SUBJECT' : 'RELATED',
    };
    for (const key of Object.keys(record) as (keyof SubjectAccessRecord)[]) {
      if (record[key] === undefined) delete record[key];
    }
    return record;
  });
}

/** How often one upstream failed lately, by code, as the console's diagnostics show it. */
export interface UpstreamFailureCount {
  /** The outcome code, or the outcome when the record has none. */
  code: string;
  count: number;
  lastAt: Date;
}

/**
 * The failures (UPSTREAM_ERROR, ERROR, STALE_SERVED) of `upstream` in the last `windowMinutes`, by code, most
 * frequent first (at most 20), leaving out the records of `excludeService` (the console's own checks).
 */
export async function upstreamFailures(
  db: Queryable,
  upstream: string,
  options: { excludeService: string; windowMinutes: number },
): Promise<UpstreamFailureCount[]> {
  const rows = await db.query<{ code: string; count: string | number; last_at: Date | string }>(
    `SELECT COALESCE(outcome_code, outcome) AS code, count(*) AS count, max(occurred_at) AS last_at
       FROM audit_record
      WHERE upstream = $1 AND outcome IN ('UPSTREAM_ERROR', 'ERROR', 'STALE_SERVED')
        AND service <> $2 AND occurred_at > now() - make_interval(mins => $3)
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
    [upstream, options.excludeService, options.windowMinutes],
  );
  return rows.map((row) => ({ code: row.code, count: Number(row.count), lastAt: new Date(row.last_at) }));
}

/** Of `requestIds`, those with a successful record of `service`: by request id, the latest one's client and time. */
export async function successfulRequests(
  db: Queryable,
  service: string,
  requestIds: readonly string[],
): Promise<Map<string, { clientId: string; at: Date }>> {
  const rows = await db.query<{ request_id: string; client_id: string; at: Date | string }>(
    `SELECT DISTINCT ON (request_id) request_id, client_id, occurred_at AS at FROM audit_record
      WHERE request_id = ANY($1::text[]) AND service = $2 AND outcome = 'OK'
      ORDER BY request_id, seq DESC`,
    [requestIds, service],
  );
  return new Map(rows.map((row) => [row.request_id, { clientId: row.client_id, at: new Date(row.at) }]));
}

/** The newest checkpoint of the chain at or before `seq`, if any. */
export async function checkpointAtOrBefore(
  db: Queryable,
  seq: string,
): Promise<{ seq: string; createdAt: Date; keyId: string } | undefined> {
  const row = await db.queryOne<{ seq: string; created_at: Date | string; key_id: string }>(
    'SELECT seq::text AS seq, created_at, key_id FROM audit_checkpoint WHERE seq <= $1 ORDER BY seq DESC LIMIT 1',
    [seq],
  );
  return row ? { seq: row.seq, createdAt: new Date(row.created_at), keyId: row.key_id } : undefined;
}

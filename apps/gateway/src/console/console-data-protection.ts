import { Inject, Injectable } from '@nestjs/common';
import {
  AuditLog,
  AuditSignatureVerifier,
  checkpointAtOrBefore,
  databaseChainSource,
  verifyChain,
  type SubjectAccessRecord,
} from '@lienthong/audit';
import { validatePersonalId } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import type { Caller } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { CONSOLE_SETTINGS, type ConsoleSettings } from './console-settings';

/** The search's audit service: the same act as POST /v1/audit/subjects/lookup. */
export const SUBJECT_SEARCH_SERVICE = 'audit.subjects';
const SEARCH_LIMIT = 500;
/** The chain is verified over at most this many of its newest records per page view. */
export const CHAIN_WINDOW = 50_000;

export interface SubjectSearch {
  requestId: string;
  /** Newest first. */
  records: SubjectAccessRecord[];
  truncated: boolean;
}

export interface ChainStatus {
  at: string;
  ok: boolean;
  /** Records whose hash and link were checked, from..to (the newest CHAIN_WINDOW at most). */
  checked: number;
  from: string | null;
  to: string | null;
  headSeq: string;
  /** The whole chain was checked (from its genesis), or only its newest records. */
  whole: boolean;
  failure: { seq: string; reason: string; message: string } | null;
  signing: boolean;
  /** The newest stored checkpoint whose signature verified and which matches the chain. */
  lastVerifiedCheckpoint: { seq: string; createdAt: string; keyId: string } | null;
  /** Records after that checkpoint: covered only by the hash chain until the next one. */
  recordsAfterCheckpoint: number | null;
}

function invalidPersonalId(): ProblemException {
  // never the value itself: it is a personal identifier
  return new ProblemException(
    400,
    'INVALID_PERSONAL_ID',
    'Invalid personal ID',
    'Give a 12-digit personal ID.',
    [{ path: '/personalId', code: 'INVALID', message: 'Give a 12-digit personal ID.' }],
  );
}

/**
 * The data-protection officer's page: who looked up a given person — the audit records whose subject, or
 * one of whose related subjects, hashes (with the audit log's own keyed hash, current and previous keys) to
 * the personal ID given — and the state of the audit chain with its last verified checkpoint. The personal
 * ID travels in a POST body only, and the search is itself an audit record (service audit.subjects, the
 * person as its subject) under the signed-in officer, so it shows in that person's history too.
 */
@Injectable()
export class ConsoleDataProtection {
  private readonly verifier?: AuditSignatureVerifier;

  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Database) private readonly database: Database,
    @Inject(CONSOLE_SETTINGS) settings: ConsoleSettings,
  ) {
    if (settings.auditSigningKeyPath) {
      this.verifier = AuditSignatureVerifier.fromPemFiles(
        [settings.auditSigningKeyPath],
        settings.auditSigningKeyPassphrase,
      );
    }
  }

  async whoLookedUp(body: unknown, caller: Caller, requestId: string): Promise<SubjectSearch> {
    const personalId =
      typeof body === 'object' && body !== null ? (body as { personalId?: unknown }).personalId : undefined;
    if (typeof personalId !== 'string' || !validatePersonalId(personalId.trim()).valid) {
      throw invalidPersonalId();
    }
    const id = personalId.trim();
    const records = await this.audit.findBySubject('CITIZEN', id, { limit: SEARCH_LIMIT + 1 });
    await this.audit.recordAndWait({
      requestId,
      clientId: caller.clientId,
      credentialId: caller.credentialId,
      service: SUBJECT_SEARCH_SERVICE,
      upstream: 'population',
      subject: { kind: 'CITIZEN', identifier: id },
      outcome: 'OK',
    });
    return { requestId, records: records.slice(0, SEARCH_LIMIT), truncated: records.length > SEARCH_LIMIT };
  }

  async chainStatus(): Promise<ChainStatus> {
    const source = databaseChainSource(this.database);
    const head = await source.readHead();
    const last = BigInt(head.lastSeq);
    const genesis = BigInt(head.genesisSeq);
    const windowStart = last - BigInt(CHAIN_WINDOW) + 1n;
    const whole = windowStart <= genesis;
    const result = await verifyChain(source, {
      ...(whole ? {} : { from: windowStart }),
      ...(this.verifier ? { keys: this.verifier } : {}),
    });
    const verifiedTo = result.checkpoints.lastVerifiedSeq;
    const checkpoint = verifiedTo ? await checkpointAtOrBefore(this.database, verifiedTo) : undefined;
    return {
      at: new Date().toISOString(),
      ok: result.ok,
      checked: result.checked,
      from: result.from ?? null,
      to: result.to ?? null,
      headSeq: head.lastSeq,
      whole,
      failure: result.failure
        ? { seq: String(result.failure.seq), reason: result.failure.reason, message: result.failure.message }
        : null,
      signing: this.verifier !== undefined,
      lastVerifiedCheckpoint: checkpoint
        ? {
            seq: checkpoint.seq,
            createdAt: checkpoint.createdAt.toISOString(),
            keyId: checkpoint.keyId,
          }
        : null,
      recordsAfterCheckpoint: checkpoint ? Number(BigInt(head.lastSeq) - BigInt(checkpoint.seq)) : null,
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, type SubjectAccessRecord } from '@lienthong/audit';
import type { AuditOutcome } from '@lienthong/contracts';
import { LookupAuditor } from '../lookups/lookup-audit';
import { mapLookupError } from '../lookups/lookup-errors';
import { parseAuditSubjects, type AuditSubjectsRequest } from '../lookups/lookup-requests';
import type { LookupContext } from '../lookups/lookup.service';

export interface AuditSubjectsResponse {
  /** Newest first. */
  data: SubjectAccessRecord[];
  requestId: string;
}

/**
 * "Who looked up this person (or enterprise), when, and why", for the data-protection officer: the audit
 * records whose subject — or one of whose related subjects — is the given identifier. The query is itself
 * audited (service audit.subjects), and so shows in the subject's own history.
 */
@Injectable()
export class AuditSubjectsService {
  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(LookupAuditor) private readonly auditor: LookupAuditor,
  ) {}

  async lookup(body: unknown, ctx: LookupContext): Promise<AuditSubjectsResponse> {
    let request: AuditSubjectsRequest | undefined;
    let outcome: AuditOutcome = 'ERROR';
    let outcomeCode: string | undefined;
    const kind =
      typeof body === 'object' && body !== null && 'enterpriseCode' in body ? 'ENTERPRISE' : 'CITIZEN';
    try {
      request = parseAuditSubjects(body);
      const records = await this.audit.findBySubject(request.subject.kind, request.subject.identifier, {
        from: request.from,
        to: request.to,
        limit: request.limit,
      });
      outcome = 'OK';
      return { data: records, requestId: ctx.requestId };
    } catch (error) {
      const failure = mapLookupError(error, { retryAfterMs: 0 });
      outcome = failure.outcome;
      outcomeCode = failure.outcomeCode;
      throw failure.problem ?? error;
    } finally {
      const subjectKind = request?.subject.kind ?? kind;
      this.auditor.record({
        requestId: ctx.requestId,
        clientId: ctx.caller.clientId,
        credentialId: ctx.caller.credentialId,
        service: ctx.access.service,
        purpose: ctx.access.purpose,
        legalBasis: ctx.access.legalBasis,
        subject: { kind: subjectKind, identifier: request?.subject.identifier },
        outcome,
        outcomeCode,
        upstream: subjectKind === 'ENTERPRISE' ? 'business-registry' : 'population',
      });
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import type { DossierHandoverEvent, HandoverState } from '@lienthong/contracts';
import { isTerminalStatus, parseDossierCode, validateDossierCode } from '@lienthong/domain';
import {
  DossierHandoverRepository,
  DossierStateRepository,
  type HandoverCounts,
  type HandoverRow,
} from '@lienthong/dossiers';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import { counter, ProblemException } from '@lienthong/observability';
import { AccessPolicy } from '@lienthong/security';
import { Database, databaseProblem, Queryable } from '@lienthong/storage';
import {
  decisionRefusal,
  handoverRefusal,
  parseDecision,
  parseHandoverRequest,
  parseResult,
  resultRefusal,
  type HandoverRefusal,
} from './handover-rules';
import { IngestRouting } from './ingest-routing';

/** The CloudEvents type of lgsp.dossier.handover.v1. */
export const DOSSIER_HANDOVER_EVENT_TYPE = 'vn.lienthong.dossier.handover.v1';

const steps = counter({
  name: 'lgsp_dossier_handovers_total',
  help: 'Steps of non-boundary dossier hand-overs, by action and outcome code (OK or the refusal code)',
  labelNames: ['action', 'code'] as const,
});

/** A dossier's hand-over as GET /v1/dossiers/{code} shows it. */
export interface HandoverView {
  receivingAgency: string;
  competentAgency: string;
  state: HandoverState;
  handedOverAt: string;
  decidedAt?: string;
  reason?: string;
  resultReturnedAt?: string;
}

export function toView(row: HandoverRow): HandoverView {
  return {
    receivingAgency: row.receiving_agency,
    competentAgency: row.competent_agency,
    state: row.state,
    handedOverAt: new Date(row.handed_over_at).toISOString(),
    ...(row.decided_at ? { decidedAt: new Date(row.decided_at).toISOString() } : {}),
    ...(row.reason ? { reason: row.reason } : {}),
    ...(row.result_returned_at ? { resultReturnedAt: new Date(row.result_returned_at).toISOString() } : {}),
  };
}

/** Who calls: the client (its agencies decide what it may do) and the exchange. */
export interface HandoverCaller {
  requestId: string;
  clientId: string;
  credentialId?: string;
}

type Action = 'handover' | 'decision' | 'result';

const AUDIT_SERVICE: Record<Action, string> = {
  handover: 'dossier.handover',
  decision: 'dossier.handover.decision',
  result: 'dossier.handover.result',
};

function problem(refusal: HandoverRefusal): ProblemException {
  const titles: Record<HandoverRefusal['status'], string> = {
    400: 'Invalid request',
    403: 'Hand-over not allowed',
    409: 'Hand-over conflict',
    422: 'Hand-over refused',
  };
  return new ProblemException(
    refusal.status,
    refusal.code,
    titles[refusal.status],
    refusal.detail,
    refusal.errors,
  );
}

/**
 * Non-boundary intake (README "Non-boundary intake"): the receiving agency hands a dossier over to the
 * competent agency, which accepts or refuses it and returns the result to the receiving agency. Each step
 * locks the dossier, updates `dossier_handover` (migration 0017) and queues its record for
 * lgsp.dossier.handover.v1 (keyed by the competent agency) in the same transaction; each is audited, refusals
 * included.
 */
@Injectable()
export class HandoverService {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    private readonly routing: IngestRouting,
    private readonly dossiers: DossierStateRepository,
    private readonly handovers: DossierHandoverRepository,
  ) {}

  /** The receiving agency's client hands its dossier over to `competentAgency`. */
  handOver(dossierCode: string, body: unknown, caller: HandoverCaller): Promise<HandoverView> {
    return this.step('handover', dossierCode, caller, async (tx) => {
      const request = parseHandoverRequest(body);
      if ('status' in request) throw problem(request);
      const dossier = await this.dossiers.lockOne(tx, dossierCode);
      const agency = dossier?.agency_code ?? parseDossierCode(dossierCode)?.agencyCode ?? '';
      if (!this.policy.agencyAllowed(caller.clientId, agency)) {
        throw problem({
          status: 403,
          code: 'AGENCY_NOT_ALLOWED',
          detail: `dossier ${dossierCode} is not of an agency client "${caller.clientId}" acts for`,
        });
      }
      if (!dossier) {
        throw problem({
          status: 422,
          code: 'UNKNOWN_DOSSIER',
          detail: 'no event has been accepted for this dossier: post its receipt (RECEIVED) first',
        });
      }
      const existing = await this.handovers.lock(tx, dossierCode);
      const refusal = handoverRefusal({
        procedureCode: dossier.procedure_code,
        procedure: this.routing.catalogue.procedure(dossier.procedure_code),
        receivingAgency: dossier.agency_code,
        competentAgency: request.competentAgency,
        closed: isTerminalStatus(dossier.status),
        existing: existing?.state,
      });
      if (refusal) throw problem(refusal);
      return this.handovers.handOver(tx, {
        dossierCode,
        procedureCode: dossier.procedure_code,
        receivingAgency: dossier.agency_code,
        competentAgency: request.competentAgency,
        by: caller.clientId,
      });
    });
  }

  /** The competent agency's client accepts or refuses a dossier handed over to it. */
  decide(dossierCode: string, body: unknown, caller: HandoverCaller): Promise<HandoverView> {
    return this.step('decision', dossierCode, caller, async (tx) => {
      const decision = parseDecision(body);
      if ('status' in decision) throw problem(decision);
      const current = await this.competentLock(tx, dossierCode, caller);
      const refusal = decisionRefusal(current.state);
      if (refusal) throw problem(refusal);
      return this.handovers.decide(tx, dossierCode, {
        state: decision.decision === 'ACCEPT' ? 'ACCEPTED' : 'REFUSED',
        by: caller.clientId,
        reason: decision.decision === 'REFUSE' ? decision.reason : null,
      });
    });
  }

  /** The competent agency's client returns the result of an accepted dossier to the receiving agency. */
  returnResult(dossierCode: string, body: unknown, caller: HandoverCaller): Promise<HandoverView> {
    return this.step('result', dossierCode, caller, async (tx) => {
      const parsed = parseResult(body);
      if (parsed !== true) throw problem(parsed);
      const current = await this.competentLock(tx, dossierCode, caller);
      const refusal = resultRefusal(current.state);
      if (refusal) throw problem(refusal);
      return this.handovers.resultReturned(tx, dossierCode, caller.clientId);
    });
  }

  /** The dossier's hand-over, if it has one. */
  async find(dossierCode: string): Promise<HandoverView | undefined> {
    const row = await this.handovers.find(dossierCode);
    return row ? toView(row) : undefined;
  }

  /** Non-boundary intake of one agency in [start, end) (see DossierHandoverRepository.counts). */
  counts(agencyCode: string, start: Date, end: Date): Promise<HandoverCounts> {
    return this.handovers.counts(agencyCode, start, end);
  }

  /**
   * The hand-over, locked, when the caller acts for its competent agency; otherwise 403 (the receiving
   * agency cannot decide on its own hand-over), and 404 when there is none.
   */
  private async competentLock(
    tx: Queryable,
    dossierCode: string,
    caller: HandoverCaller,
  ): Promise<HandoverRow> {
    const current = await this.handovers.lock(tx, dossierCode);
    if (!current) {
      throw new ProblemException(
        404,
        'HANDOVER_NOT_FOUND',
        'Hand-over not found',
        'This dossier has not been handed over.',
      );
    }
    if (!this.policy.agencyAllowed(caller.clientId, current.competent_agency)) {
      throw problem({
        status: 403,
        code: 'AGENCY_NOT_ALLOWED',
        detail: `only a client of the competent agency ${current.competent_agency} decides on this hand-over and returns its result`,
      });
    }
    return current;
  }

  /**
   * One step: the dossier code checked, `apply` in a transaction that also queues the step's record, the
   * outcome audited and counted whatever it is.
   */
  private async step(
    action: Action,
    dossierCode: string,
    caller: HandoverCaller,
    apply: (tx: Queryable) => Promise<HandoverRow>,
  ): Promise<HandoverView> {
    const known = validateDossierCode(dossierCode).valid;
    const audit = (outcome: AuditEntry['outcome'], outcomeCode: string) =>
      this.audit.recordDetached({
        requestId: caller.requestId,
        clientId: caller.clientId,
        credentialId: caller.credentialId,
        service: AUDIT_SERVICE[action],
        ...(known ? { dossierCode } : {}),
        subject: known ? { kind: 'DOSSIER', identifier: dossierCode } : { kind: 'DOSSIER' },
        outcome,
        outcomeCode,
        upstream: 'dossier-store',
      });
    try {
      const check = validateDossierCode(dossierCode);
      if (!check.valid) {
        throw new ProblemException(
          400,
          'INVALID_DOSSIER_CODE',
          'Invalid dossier code',
          check.errors.map((e) => e.message).join('; '),
          check.errors.map((e) => ({ path: '/dossierCode', code: e.code, message: e.message })),
        );
      }
      const row = await this.database.transaction(async (tx) => {
        const updated = await apply(tx);
        await this.outbox.enqueue(tx, Topic.DossierHandover, [this.message(updated, caller.requestId)]);
        return updated;
      });
      Outbox.committed();
      steps.inc({ action, code: 'OK' });
      audit('OK', row.state);
      return toView(row);
    } catch (error) {
      const unavailable = databaseProblem(error, {
        unavailable: 'The dossier store cannot be reached right now; nothing was recorded. Try again later.',
        unknown:
          'The dossier store stopped answering while this step was being committed, and whether it was recorded ' +
          'is not known. Send it again later: a step already recorded is refused with a 409 that says so.',
      });
      if (unavailable) {
        steps.inc({ action, code: unavailable.code });
        audit('UPSTREAM_ERROR', unavailable.code);
        throw unavailable;
      }
      if (error instanceof ProblemException) {
        steps.inc({ action, code: error.code });
        audit(error.status === 403 ? 'DENIED' : error.status === 404 ? 'NOT_FOUND' : 'INVALID', error.code);
      }
      throw error;
    }
  }

  private message(row: HandoverRow, requestId: string) {
    const data: DossierHandoverEvent = {
      handoverEventId: randomUUID(),
      dossierCode: row.dossier_code,
      procedureCode: row.procedure_code,
      receivingAgency: row.receiving_agency,
      competentAgency: row.competent_agency,
      state: row.state,
      occurredAt: new Date(row.result_returned_at ?? row.decided_at ?? row.handed_over_at).toISOString(),
      ...(row.state === 'REFUSED' && row.reason ? { reason: row.reason } : {}),
    };
    return toKafkaMessage(
      createEvent({
        id: data.handoverEventId,
        type: DOSSIER_HANDOVER_EVENT_TYPE,
        source: '/lienthong/gateway',
        subject: data.dossierCode,
        time: data.occurredAt,
        data,
        requestId,
      }),
      data.competentAgency,
    );
  }
}

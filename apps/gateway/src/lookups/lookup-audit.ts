import { ArgumentsHost, Catch, ExceptionFilter, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import type { AuditSubjectKind, AuditUpstream } from '@lienthong/contracts';
import { AppLogger, counter, ProblemException, ProblemFilter } from '@lienthong/observability';
import { ClientRegistry, type ServiceName } from '@lienthong/security';
import { auditableContext } from './lookup-requests';

/** Injection token of the gateway's logger. */
export const GATEWAY_LOGGER = Symbol('GATEWAY_LOGGER');

/** The routes whose every call is audited, with what their audit record says about them. */
export interface AuditedRoute {
  service: ServiceName;
  /** The subject kind and upstream a request body concerns. */
  concerns(body: unknown): { kind: AuditSubjectKind; upstream: AuditUpstream };
}

const fixed =
  (kind: AuditSubjectKind, upstream: AuditUpstream): AuditedRoute['concerns'] =>
  () => ({ kind, upstream });

export const LOOKUP_PATHS = {
  citizenLookup: '/v1/citizens/lookup',
  citizenVerify: '/v1/citizens/verify',
  enterpriseLookup: '/v1/enterprises/lookup',
  landLookup: '/v1/land-parcels/lookup',
  auditSubjects: '/v1/audit/subjects/lookup',
} as const;

export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = Object.freeze({
  [LOOKUP_PATHS.citizenLookup]: { service: 'citizen.lookup', concerns: fixed('CITIZEN', 'population') },
  [LOOKUP_PATHS.citizenVerify]: { service: 'citizen.verify', concerns: fixed('CITIZEN', 'population') },
  [LOOKUP_PATHS.enterpriseLookup]: {
    service: 'enterprise.lookup',
    concerns: fixed('ENTERPRISE', 'business-registry'),
  },
  [LOOKUP_PATHS.landLookup]: { service: 'land.lookup', concerns: fixed('PARCEL', 'land') },
  [LOOKUP_PATHS.auditSubjects]: {
    service: 'audit.subjects',
    // A query of the audit log about an enterprise or a person: recorded against the register that person
    // or enterprise is kept in, so that it shows in that subject's own history.
    concerns: (body: unknown): ReturnType<AuditedRoute['concerns']> =>
      typeof body === 'object' && body !== null && 'enterpriseCode' in body
        ? { kind: 'ENTERPRISE', upstream: 'business-registry' }
        : { kind: 'CITIZEN', upstream: 'population' },
  },
});

const PURPOSE_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

const auditRefusals = counter({
  name: 'lgsp_lookup_audit_failures_total',
  help: 'Lookup audit entries the audit log refused or could not queue, by service (each one is logged)',
  labelNames: ['service'] as const,
});

/**
 * Writes the audit record of each lookup without slowing the request: the audit log validates and queues
 * the entry (a few microseconds) and writes batches in the background. An entry the log refuses (a
 * gateway bug: values are validated before they get here) is logged and counted, never thrown at the
 * caller.
 */
@Injectable()
export class LookupAuditor {
  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
    @Inject(GATEWAY_LOGGER) private readonly logger: AppLogger,
  ) {}

  record(entry: AuditEntry): void {
    try {
      void this.audit.record(entry).catch((error: unknown) => this.failed(entry, error));
    } catch (error) {
      this.failed(entry, error);
    }
  }

  /**
   * The record of a request the access policy or the rate limit refused before it reached its use case
   * (authentication failures are not recorded: no client is known). Only values that pass validation are
   * kept: the identifier, the dossier code and a well-formed purpose code.
   */
  denied(request: FastifyRequest, problem: ProblemException): void {
    const caller = request.caller;
    const route = AUDITED_ROUTES[request.routeOptions?.url ?? ''];
    if (!caller || !route) return;
    const body = request.body;
    const { kind, upstream } = route.concerns(body);
    const { identifier, dossierCode } = auditableContext(body, kind);
    const declared =
      typeof body === 'object' && body !== null ? (body as { purpose?: unknown }).purpose : undefined;
    const purpose =
      typeof declared === 'string' && declared.length <= 64 && PURPOSE_CODE.test(declared)
        ? declared
        : undefined;
    this.record({
      requestId: String(request.id),
      clientId: caller.clientId,
      credentialId: caller.credentialId,
      service: route.service,
      purpose,
      legalBasis: purpose ? this.registry.purpose(purpose)?.legalBasis : undefined,
      dossierCode,
      subject: { kind, identifier },
      outcome: 'DENIED',
      outcomeCode: problem.code,
      upstream,
    });
  }

  private failed(entry: AuditEntry, error: unknown): void {
    auditRefusals.inc({ service: entry.service });
    this.logger.error(
      {
        requestId: entry.requestId,
        service: entry.service,
        err: { type: (error as Error)?.name ?? 'Error', message: (error as Error)?.message },
      },
      'lookup audit entry not recorded',
    );
  }
}

/**
 * On the audited routes: a refusal by the access policy or the rate limit (raised by LookupGuard, before
 * the controller) is audited as DENIED, then answered like every other error (problem+json).
 */
@Catch(ProblemException)
@Injectable()
export class LookupDenialFilter implements ExceptionFilter {
  private readonly problems: ProblemFilter;

  constructor(
    @Inject(LookupAuditor) private readonly auditor: LookupAuditor,
    @Inject(GATEWAY_LOGGER) logger: AppLogger,
  ) {
    this.problems = new ProblemFilter(logger);
  }

  catch(error: ProblemException, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // `access` is set once the policy allowed the request: later failures are audited by the use case.
    if (request.caller && !request.access) this.auditor.denied(request, error);
    this.problems.catch(error, host);
  }
}

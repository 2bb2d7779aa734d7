import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditSubjectRef } from '@lienthong/audit';
import type {
  AuditCacheResult,
  AuditOutcome,
  AuditSubjectKind,
  Citizen,
  Enterprise,
  LandParcel,
  Provenance,
} from '@lienthong/contracts';
import type { CitizenVerification } from '@lienthong/adapters/population';
import { counter, histogram, LATENCY_BUCKETS, ProblemException } from '@lienthong/observability';
import { maskToScope, type CallContext, type ServiceName } from '@lienthong/security';
import { LookupAuditor } from './lookup-audit';
import { LookupCache } from './lookup-cache';
import { mapLookupError, UpstreamNotConfiguredError, type LookupFailure } from './lookup-errors';
import {
  landSubject,
  parseCitizenLookup,
  parseCitizenVerify,
  parseEnterpriseLookup,
  parseLandLookup,
} from './lookup-requests';
import { LookupUpstreams, type UpstreamName } from './lookup-upstreams';

/** Injection token of the lookup settings. */
export const LOOKUP_SETTINGS = Symbol('LOOKUP_SETTINGS');

export interface LookupSettings {
  /** How long each upstream's answers may be reused (*_VALIDITY_MS); 0: not cached. */
  validityMs: Readonly<Record<UpstreamName, number>>;
}

/** Who asks, within which scope, in which exchange. */
export type LookupContext = CallContext;

/** Where the data came from and how it was obtained (the canonical provenance plus the cache result). */
export interface LookupProvenance extends Provenance {
  /** HIT, MISS or STALE; absent when the answer is never cached (citizens/verify) or caching is off. */
  cache?: AuditCacheResult;
  /** True when a cached answer past its validUntil was served because the upstream is down. */
  stale: boolean;
}

/** The answer of every lookup endpoint. */
export interface LookupResponse<T> {
  /** The canonical record, reduced to the caller's field scope (its `provenance` always kept). */
  data: T;
  provenance: LookupProvenance;
  requestId: string;
}

/** What one lookup learns on its way, for its audit record. */
interface AuditDraft {
  subject: { kind: AuditSubjectKind; identifier?: string };
  dossierCode?: string;
  cache?: AuditCacheResult;
  upstreamLatencyMs?: number;
  fieldsReturned?: string[];
  fieldsWithheld?: string[];
  relatedSubjects?: AuditSubjectRef[];
  /** Set when the outcome is not a plain OK (STALE_SERVED) or OK carries a detail (MATCH). */
  outcome?: AuditOutcome;
  outcomeCode?: string;
}

interface LookupKind {
  service: ServiceName;
  upstream: UpstreamName;
  subjectKind: AuditSubjectKind;
}

const CITIZEN_LOOKUP: LookupKind = {
  service: 'citizen.lookup',
  upstream: 'population',
  subjectKind: 'CITIZEN',
};
const CITIZEN_VERIFY: LookupKind = {
  service: 'citizen.verify',
  upstream: 'population',
  subjectKind: 'CITIZEN',
};
const ENTERPRISE_LOOKUP: LookupKind = {
  service: 'enterprise.lookup',
  upstream: 'business-registry',
  subjectKind: 'ENTERPRISE',
};
const LAND_LOOKUP: LookupKind = { service: 'land.lookup', upstream: 'land', subjectKind: 'PARCEL' };

const UPSTREAM_TITLES: Record<UpstreamName, string> = {
  population: 'population',
  'business-registry': 'business registration',
  land: 'land',
};

/** At most this many related subjects per record (the audit contract's bound). */
const MAX_RELATED = 500;

const cacheResults = counter({
  name: 'lgsp_lookup_cache_total',
  help: 'Lookup cache results by service: hit (fresh answer reused), miss (upstream asked), stale (stale answer served)',
  labelNames: ['service', 'result'] as const,
});

const lookupDuration = histogram({
  name: 'lgsp_lookup_duration_seconds',
  help: 'Duration of lookups through the gateway (validation, cache, upstream, masking) by service and audit outcome',
  labelNames: ['service', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

/**
 * The lookup use cases: validate the body, answer from the cache or the upstream adapter (concurrent misses
 * share one call; a stale answer stands in for a down upstream where the client's grant allows it), mask to
 * the caller's field scope, and audit every call, whatever its outcome. Errors leave as problem+json.
 *
 * The cache holds the unmasked canonical record; each caller gets its own masked copy.
 */
@Injectable()
export class LookupService {
  private readonly failures = new WeakMap<object, LookupFailure>();

  constructor(
    @Inject(LookupUpstreams) private readonly upstreams: LookupUpstreams,
    @Inject(LookupCache) private readonly cache: LookupCache,
    @Inject(LookupAuditor) private readonly auditor: LookupAuditor,
    @Inject(LOOKUP_SETTINGS) private readonly settings: LookupSettings,
  ) {}

  lookupCitizen(body: unknown, ctx: LookupContext): Promise<LookupResponse<Partial<Citizen>>> {
    return this.execute(CITIZEN_LOOKUP, ctx, (draft) => {
      const request = parseCitizenLookup(body);
      draft.subject.identifier = request.personalId;
      draft.dossierCode = request.dossierCode;
      const population = this.required(this.upstreams.population(), 'population');
      return this.cached(draft, ctx, CITIZEN_LOOKUP, request.personalId, citizenRelated, () =>
        population.lookupCitizen(request.personalId, { requestId: ctx.requestId }),
      );
    });
  }

  verifyCitizen(body: unknown, ctx: LookupContext): Promise<LookupResponse<CitizenVerification>> {
    return this.execute(CITIZEN_VERIFY, ctx, async (draft) => {
      const request = parseCitizenVerify(body);
      draft.subject.identifier = request.personalId;
      draft.dossierCode = request.dossierCode;
      const claimed = Object.keys(request.claims).sort();
      const scope = ctx.access.fields;
      const outside = scope === '*' ? [] : claimed.filter((field) => !scope.includes(field));
      if (outside.length > 0) {
        throw new ProblemException(
          403,
          'FIELD_NOT_ALLOWED',
          'Field not allowed for this client',
          `This client may not have ${outside.join(' or ')} verified.`,
          outside.map((field) => ({
            path: `/${field}`,
            code: 'FIELD_NOT_ALLOWED',
            message: "is outside the client's field scope for citizen.verify",
          })),
        );
      }
      const population = this.required(this.upstreams.population(), 'population');
      const verification = await this.timed(draft, () =>
        population.verifyCitizen(request.personalId, request.claims, { requestId: ctx.requestId }),
      );
      draft.fieldsReturned = claimed;
      draft.outcomeCode = verification.allMatch ? 'MATCH' : 'MISMATCH';
      return {
        data: verification,
        provenance: { ...verification.provenance, stale: false },
        requestId: ctx.requestId,
      };
    });
  }

  lookupEnterprise(body: unknown, ctx: LookupContext): Promise<LookupResponse<Partial<Enterprise>>> {
    return this.execute(ENTERPRISE_LOOKUP, ctx, (draft) => {
      const request = parseEnterpriseLookup(body);
      draft.subject.identifier = request.enterpriseCode;
      draft.dossierCode = request.dossierCode;
      const registry = this.required(this.upstreams.businessRegistry(), 'business-registry');
      return this.cached(draft, ctx, ENTERPRISE_LOOKUP, request.enterpriseCode, enterpriseRelated, () =>
        registry.lookupEnterprise(request.enterpriseCode, { requestId: ctx.requestId }),
      );
    });
  }

  lookupLandParcel(body: unknown, ctx: LookupContext): Promise<LookupResponse<Partial<LandParcel>>> {
    return this.execute(LAND_LOOKUP, ctx, (draft) => {
      const request = parseLandLookup(body);
      const subject = landSubject(request);
      draft.subject.identifier = subject;
      draft.dossierCode = request.dossierCode;
      const land = this.required(this.upstreams.land(), 'land');
      const call = { requestId: ctx.requestId };
      return this.cached(draft, ctx, LAND_LOOKUP, subject, landRelated, () =>
        request.by === 'PARCEL'
          ? land.lookupParcel(
              {
                communeCode: request.communeCode,
                mapSheetNo: request.mapSheetNo,
                parcelNo: request.parcelNo,
              },
              call,
            )
          : land.lookupByCertificate(request.certificateNo, call),
      );
    });
  }

  /** Runs one lookup: audit record and duration whatever happens, errors as problem+json. */
  private async execute<R>(
    kind: LookupKind,
    ctx: LookupContext,
    run: (draft: AuditDraft) => Promise<R>,
  ): Promise<R> {
    const started = performance.now();
    const draft: AuditDraft = { subject: { kind: kind.subjectKind } };
    let outcome: AuditOutcome = 'ERROR';
    let outcomeCode: string | undefined;
    try {
      const result = await run(draft);
      outcome = draft.outcome ?? 'OK';
      outcomeCode = draft.outcomeCode;
      return result;
    } catch (error) {
      const failure = this.failureOf(error);
      outcome = failure.outcome;
      outcomeCode = failure.outcomeCode;
      throw failure.problem ?? error;
    } finally {
      this.auditor.record(this.entry(kind, ctx, draft, outcome, outcomeCode));
      lookupDuration.observe(
        { service: kind.service, outcome: outcome.toLowerCase() },
        (performance.now() - started) / 1000,
      );
    }
  }

  /**
   * A cacheable lookup: a fresh cached answer (HIT), else the upstream (MISS; concurrent misses share one
   * call), else — the upstream being unavailable and the client allowed it — the stale answer (STALE).
   */
  private async cached<T extends { provenance: Provenance }>(
    draft: AuditDraft,
    ctx: LookupContext,
    kind: LookupKind,
    subject: string,
    related: (record: Partial<T>) => AuditSubjectRef[],
    call: () => Promise<T>,
  ): Promise<LookupResponse<Partial<T>>> {
    const cacheable = this.cache.enabled && this.settings.validityMs[kind.upstream] > 0;
    if (!cacheable) {
      const value = await this.timed(draft, call);
      return this.respond(draft, ctx, value, related, undefined);
    }
    const key = this.cache.key(kind.service, subject);
    const hit = await this.cache.get<T>(key);
    if (hit?.state === 'fresh') return this.respond(draft, ctx, hit.value, related, 'HIT');
    try {
      const value = await this.timed(draft, () =>
        this.cache.load(key, async () => {
          const answer = await call();
          await this.cache.set(key, answer, Date.parse(answer.provenance.validUntil));
          return answer;
        }),
      );
      return this.respond(draft, ctx, value, related, 'MISS');
    } catch (error) {
      const failure = this.failureOf(error);
      const fallback = failure.staleEligible ? await this.cache.get<T>(key) : undefined;
      if (fallback?.state === 'fresh') {
        // Another request refreshed the entry meanwhile.
        draft.upstreamLatencyMs = undefined;
        return this.respond(draft, ctx, fallback.value, related, 'HIT');
      }
      if (fallback?.state === 'stale' && ctx.access.allowStale) {
        draft.outcome = 'STALE_SERVED';
        draft.outcomeCode = failure.outcomeCode;
        return this.respond(draft, ctx, fallback.value, related, 'STALE');
      }
      draft.cache = 'MISS';
      cacheResults.inc({ service: kind.service, result: 'miss' });
      throw error;
    }
  }

  /** Calls the upstream, recording its latency (also when it fails, unless nothing was sent). */
  private async timed<T>(draft: AuditDraft, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const value = await call();
      draft.upstreamLatencyMs = performance.now() - started;
      return value;
    } catch (error) {
      if (this.failureOf(error).upstreamCalled) {
        draft.upstreamLatencyMs = performance.now() - started;
      }
      throw error;
    }
  }

  private respond<T extends { provenance: Provenance }>(
    draft: AuditDraft,
    ctx: LookupContext,
    value: T,
    related: (record: Partial<T>) => AuditSubjectRef[],
    cache: AuditCacheResult | undefined,
  ): LookupResponse<Partial<T>> {
    const masked = maskToScope(value, ctx.access.fields);
    draft.fieldsReturned = Object.keys(masked.record);
    draft.fieldsWithheld = [...masked.removed, ...masked.trimmed];
    const relatedSubjects = related(masked.record);
    if (relatedSubjects.length > 0) draft.relatedSubjects = relatedSubjects.slice(0, MAX_RELATED);
    if (cache) {
      draft.cache = cache;
      cacheResults.inc({ service: ctx.access.service, result: cache.toLowerCase() });
    }
    return {
      data: masked.record,
      provenance: { ...value.provenance, ...(cache ? { cache } : {}), stale: cache === 'STALE' },
      requestId: ctx.requestId,
    };
  }

  /**
   * What a failed lookup means for the caller, the audit and the stale fallback: mapped once per error,
   * though the upstream call, the cache and the lookup as a whole each need it.
   */
  private failureOf(error: unknown): LookupFailure {
    if (typeof error !== 'object' || error === null) {
      return mapLookupError(error, { retryAfterMs: this.upstreams.retryAfterMs });
    }
    let failure = this.failures.get(error);
    if (!failure) {
      failure = mapLookupError(error, { retryAfterMs: this.upstreams.retryAfterMs });
      this.failures.set(error, failure);
    }
    return failure;
  }

  private required<A>(adapter: A | undefined, upstream: UpstreamName): A {
    if (!adapter) throw new UpstreamNotConfiguredError(UPSTREAM_TITLES[upstream]);
    return adapter;
  }

  private entry(
    kind: LookupKind,
    ctx: LookupContext,
    draft: AuditDraft,
    outcome: AuditOutcome,
    outcomeCode: string | undefined,
  ): AuditEntry {
    return {
      requestId: ctx.requestId,
      clientId: ctx.caller.clientId,
      credentialId: ctx.caller.credentialId,
      service: kind.service,
      purpose: ctx.access.purpose,
      legalBasis: ctx.access.legalBasis,
      dossierCode: draft.dossierCode,
      subject: draft.subject,
      relatedSubjects: draft.relatedSubjects,
      outcome,
      outcomeCode,
      upstream: kind.upstream,
      upstreamLatencyMs: draft.upstreamLatencyMs,
      cache: draft.cache,
      fieldsReturned: draft.fieldsReturned,
      fieldsWithheld: draft.fieldsWithheld,
    };
  }
}

function citizenRelated(citizen: Partial<Citizen>): AuditSubjectRef[] {
  const head = citizen.householdHead?.personalId;
  return head ? [{ kind: 'CITIZEN', identifier: head }] : [];
}

function enterpriseRelated(enterprise: Partial<Enterprise>): AuditSubjectRef[] {
  return (enterprise.legalRepresentatives ?? []).flatMap((representative) =>
    representative.personalId ? [{ kind: 'CITIZEN' as const, identifier: representative.personalId }] : [],
  );
}

function landRelated(parcel: Partial<LandParcel>): AuditSubjectRef[] {
  return (parcel.holders ?? []).flatMap((holder): AuditSubjectRef[] => {
    if (holder.personalId) return [{ kind: 'CITIZEN', identifier: holder.personalId }];
    if (holder.enterpriseCode) return [{ kind: 'ENTERPRISE', identifier: holder.enterpriseCode }];
    return [];
  });
}

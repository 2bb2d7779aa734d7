import type { AuditEntry } from '@lienthong/audit';
import { populationErrors, type PopulationAdapter } from '@lienthong/adapters/population';
import type { Citizen } from '@lienthong/contracts';
import { ProblemException } from '@lienthong/observability';
import type { AccessScope, Caller, FieldScope } from '@lienthong/security';
import type { LookupAuditor } from './lookup-audit';
import { LookupCache } from './lookup-cache';
import { LookupUpstreams } from './lookup-upstreams';
import { LookupService, type LookupContext } from './lookup.service';
import { vietnamDateTime } from '@lienthong/domain';

const PERSONAL_ID = '001090012345';
const HEAD_ID = '001060054321';
const VALIDITY_MS = 60_000;

const caller: Caller = {
  clientId: 'motcua',
  name: 'test',
  kind: 'ONE_STOP_SYSTEM',
  admin: false,
  via: 'api-key',
  credentialId: 'k1',
};

function context(
  fields: FieldScope,
  allowStale: boolean,
  service: AccessScope['service'] = 'citizen.lookup',
): LookupContext {
  return {
    caller,
    access: {
      service,
      purpose: 'DOSSIER_PROCESSING',
      legalBasis: 'Nghị định 61/2018/NĐ-CP',
      fields,
      allowStale,
    },
    requestId: `req-${Math.random().toString(36).slice(2)}`,
  };
}

/** A population upstream that can be taken down, counts calls and dates its answers with the test clock. */
class FakePopulation implements PopulationAdapter {
  readonly adapter = 'population';
  calls = 0;
  verifications = 0;
  down = false;
  delayMs = 0;

  constructor(private readonly now: () => number) {}

  async lookupCitizen(personalId: string): Promise<Citizen> {
    this.calls++;
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down)
      throw populationErrors.unavailable('NETWORK', 'connection to the population database failed');
    if (personalId !== PERSONAL_ID) throw populationErrors.notFound('no citizen with this personal ID');
    const retrievedAt = this.now();
    return {
      personalId,
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-05-17',
      sex: 'MALE',
      nationality: 'VN',
      religion: 'Không',
      fatherName: 'Nguyễn Văn Bình',
      householdHead: { fullName: 'Nguyễn Văn Bình', personalId: HEAD_ID, relationship: 'Con' },
      provenance: {
        source: 'CSDLQG_DAN_CU',
        retrievedAt: vietnamDateTime(new Date(retrievedAt)),
        validUntil: vietnamDateTime(new Date(retrievedAt + VALIDITY_MS)),
      },
    };
  }

  async verifyCitizen(personalId: string, claims: { fullName?: string; dateOfBirth?: string }) {
    this.verifications++;
    return {
      personalId,
      fields: { ...(claims.fullName ? { fullName: 'MATCH' as const } : {}) },
      allMatch: true,
      provenance: {
        source: 'CSDLQG_DAN_CU',
        retrievedAt: '2026-06-01T07:00:00+07:00',
        validUntil: '2026-06-02T07:00:00+07:00',
      },
    };
  }

  call<T>(
    _method: string,
    _ctx: unknown,
    body: (attempts: never, requestId: string) => Promise<T>,
  ): Promise<T> {
    return body((() => Promise.reject(new Error('not used'))) as never, 'fake');
  }

  health() {
    return { adapter: 'population', circuit: 'closed' as const, errorRate: 0, recentCalls: 0 };
  }

  async diagnose() {
    return { answer: 'answered', detail: 'fake' };
  }

  async close() {}
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemException) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('LookupService', () => {
  let now: number;
  let population: FakePopulation;
  let audited: AuditEntry[];
  let service: LookupService;

  beforeEach(() => {
    // Whole seconds: provenance times have second precision.
    now = Date.parse('2026-06-01T00:00:00Z');
    population = new FakePopulation(() => now);
    audited = [];
    const auditor = { record: (entry: AuditEntry) => audited.push(entry) } as unknown as LookupAuditor;
    service = new LookupService(
      new LookupUpstreams({ population }, 5_000),
      new LookupCache({ maxEntries: 100, staleMaxAgeMs: 3_600_000, now: () => now }),
      auditor,
      { validityMs: { population: VALIDITY_MS, 'business-registry': VALIDITY_MS, land: VALIDITY_MS } },
    );
  });

  it('answers from the upstream, then from the cache until validUntil, masking each caller to its scope', async () => {
    const narrow = context(['personalId', 'fullName'], false);
    const first = await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      narrow,
    );
    expect(first.provenance).toMatchObject({ source: 'CSDLQG_DAN_CU', cache: 'MISS', stale: false });
    expect(Object.keys(first.data).sort()).toEqual(['fullName', 'personalId', 'provenance']);
    expect(first.requestId).toBe(narrow.requestId);

    now += VALIDITY_MS - 1_000;
    const broad = await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      context('*', false),
    );
    expect(broad.provenance.cache).toBe('HIT');
    expect(broad.data).toMatchObject({ religion: 'Không', householdHead: { personalId: HEAD_ID } });
    expect(population.calls).toBe(1);

    now += 1_000;
    const refreshed = await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      narrow,
    );
    expect(refreshed.provenance.cache).toBe('MISS');
    expect(population.calls).toBe(2);

    expect(audited.map((entry) => [entry.outcome, entry.cache])).toEqual([
      ['OK', 'MISS'],
      ['OK', 'HIT'],
      ['OK', 'MISS'],
    ]);
    expect(audited[0]).toMatchObject({
      requestId: narrow.requestId,
      clientId: 'motcua',
      credentialId: 'k1',
      service: 'citizen.lookup',
      purpose: 'DOSSIER_PROCESSING',
      subject: { kind: 'CITIZEN', identifier: PERSONAL_ID },
      upstream: 'population',
      fieldsReturned: ['personalId', 'fullName', 'provenance'],
    });
    expect(audited[0].fieldsWithheld).toEqual(
      expect.arrayContaining(['dateOfBirth', 'religion', 'fatherName', 'householdHead']),
    );
    expect(audited[0].upstreamLatencyMs).toEqual(expect.any(Number));
    expect(audited[0].relatedSubjects).toBeUndefined(); // the household head was not disclosed
    expect(audited[1].relatedSubjects).toEqual([{ kind: 'CITIZEN', identifier: HEAD_ID }]);
    expect(audited[1].upstreamLatencyMs).toBeUndefined();
  });

  it('serves a stale answer while the upstream is down only to clients allowed it', async () => {
    await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      context('*', true),
    );
    now += VALIDITY_MS + 1_000;
    population.down = true;

    const allowed = await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      context('*', true),
    );
    expect(allowed.provenance).toMatchObject({ cache: 'STALE', stale: true });
    expect(Date.parse(allowed.provenance.validUntil)).toBeLessThan(now);
    expect(allowed.data.fullName).toBe('Nguyễn Văn An');

    const refused = await problemOf(
      service.lookupCitizen({ personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' }, context('*', false)),
    );
    expect(refused).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    expect(refused.headers['Retry-After']).toBe('5');

    expect(audited.slice(1).map((entry) => [entry.outcome, entry.outcomeCode, entry.cache])).toEqual([
      ['STALE_SERVED', 'UPSTREAM_UNAVAILABLE', 'STALE'],
      ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'MISS'],
    ]);
  });

  it('answers 503 to everyone when nothing is cached, and forgets a stale entry past the stale window', async () => {
    population.down = true;
    expect(
      (
        await problemOf(
          service.lookupCitizen(
            { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
            context('*', true),
          ),
        )
      ).status,
    ).toBe(503);

    population.down = false;
    await service.lookupCitizen(
      { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
      context('*', true),
    );
    now += VALIDITY_MS + 3_600_000;
    population.down = true;
    expect(
      (
        await problemOf(
          service.lookupCitizen(
            { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
            context('*', true),
          ),
        )
      ).status,
    ).toBe(503);
  });

  it('does not cache a not-found answer', async () => {
    const unknown = '001090099999';
    for (let i = 0; i < 2; i++) {
      const problem = await problemOf(
        service.lookupCitizen({ personalId: unknown, purpose: 'DOSSIER_PROCESSING' }, context('*', true)),
      );
      expect(problem).toMatchObject({ status: 404, code: 'CITIZEN_NOT_FOUND' });
    }
    expect(population.calls).toBe(2);
    expect(audited.map((entry) => entry.outcome)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('makes one upstream call for concurrent misses of one subject', async () => {
    population.delayMs = 20;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        service.lookupCitizen(
          { personalId: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
          context('*', false),
        ),
      ),
    );
    expect(population.calls).toBe(1);
    expect(answers.every((answer) => answer.data.fullName === 'Nguyễn Văn An')).toBe(true);
    expect(audited).toHaveLength(5);
  });

  it('never caches verification answers and refuses claims outside the client’s scope', async () => {
    const ctx = () => context(['personalId', 'fullName'], true, 'citizen.verify');
    const body = { personalId: PERSONAL_ID, fullName: 'Nguyễn Văn An', purpose: 'DOSSIER_PROCESSING' };
    const first = await service.verifyCitizen(body, ctx());
    await service.verifyCitizen(body, ctx());
    expect(population.verifications).toBe(2);
    expect(first.data).toMatchObject({ allMatch: true, fields: { fullName: 'MATCH' } });
    expect(first.provenance.cache).toBeUndefined();

    const denied = await problemOf(service.verifyCitizen({ ...body, dateOfBirth: '1990' }, ctx()));
    expect(denied).toMatchObject({ status: 403, code: 'FIELD_NOT_ALLOWED' });
    expect(population.verifications).toBe(2);
    expect(audited.map((entry) => [entry.service, entry.outcome, entry.outcomeCode])).toEqual([
      ['citizen.verify', 'OK', 'MATCH'],
      ['citizen.verify', 'OK', 'MATCH'],
      ['citizen.verify', 'DENIED', 'FIELD_NOT_ALLOWED'],
    ]);
  });

  it('audits an invalid request without the invalid values', async () => {
    const problem = await problemOf(
      service.lookupCitizen(
        { personalId: '12345', dossierCode: PERSONAL_ID, purpose: 'DOSSIER_PROCESSING' },
        context('*', true),
      ),
    );
    expect(problem.status).toBe(400);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'INVALID', subject: { kind: 'CITIZEN' } });
    expect(audited[0].subject.identifier).toBeUndefined();
    expect(audited[0].dossierCode).toBeUndefined();
  });

  it('answers 503 UPSTREAM_NOT_CONFIGURED for an upstream without URL, and audits it', async () => {
    const problem = await problemOf(
      service.lookupEnterprise(
        { enterpriseCode: '0314409058', purpose: 'DOSSIER_PROCESSING' },
        context('*', true, 'enterprise.lookup'),
      ),
    );
    expect(problem).toMatchObject({ status: 503, code: 'UPSTREAM_NOT_CONFIGURED' });
    expect(audited[0]).toMatchObject({
      service: 'enterprise.lookup',
      upstream: 'business-registry',
      outcome: 'UPSTREAM_ERROR',
      outcomeCode: 'UPSTREAM_NOT_CONFIGURED',
      subject: { kind: 'ENTERPRISE', identifier: '0314409058' },
    });
  });
});

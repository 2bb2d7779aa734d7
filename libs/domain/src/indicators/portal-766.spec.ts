import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@lienthong/config';
import type { DossierStatusEvent } from '@lienthong/contracts';
import {
  END_OF_OCTOBER,
  MONTH,
  OUTCOMES,
  PORTAL_OUTCOMES,
  planMonth,
  vn,
  type DossierPlan,
} from '../../../../test/indicators/synthetic-month';
import { parsePeriodKey } from './indicator-period';
import {
  buildPortalIndicatorReport,
  derivePortalDossierFacts,
  emptyPortalCounts,
  PORTAL_766_CRITERIA,
  PORTAL_FORMULA_VERSION,
  portalCriteriaMarkdown,
  scorePortalIndicators,
  type PortalCounts,
  type PortalDossierFacts,
  type PortalIndicatorReport,
} from './portal-766';

const AGENCIES = ['000.17.22.H56', '000.00.14.H56', '000.31.05.H56'];
const NOW = new Date('2026-11-22T12:00:00+07:00');
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Facts of every dossier of a set of events, with the audit marks of the plan. */
function factsOf(
  events: readonly DossierStatusEvent[],
  marks: (code: string) => { syncedToPortal?: boolean; populationData?: boolean } = () => ({}),
): PortalDossierFacts[] {
  const byDossier = new Map<string, DossierStatusEvent[]>();
  for (const e of events) byDossier.set(e.dossierCode, [...(byDossier.get(e.dossierCode) ?? []), e]);
  return [...byDossier.entries()].map(([code, list]) => derivePortalDossierFacts(list, marks(code))!);
}

const pointsOf = (report: PortalIndicatorReport) =>
  Object.fromEntries(report.groups.flatMap((g) => g.criteria.map((c) => [c.code, c.points])));

describe(`Decision 766 as the portal scores it (${PORTAL_FORMULA_VERSION})`, () => {
  describe('over the synthetic month (October 2026), with supplements and stopped dossiers', () => {
    const month = planMonth({ seed: 766_2026, agencies: AGENCIES, portalCases: true });
    const events = [...month.onTime, ...month.late];
    // audit marks, decided from the plan: two in three received dossiers synced, one in four used population data
    const index = new Map(month.plans.map((p, i) => [p.dossierCode, i]));
    const synced = (p: DossierPlan) => index.get(p.dossierCode)! % 3 !== 0;
    const population = (p: DossierPlan) => index.get(p.dossierCode)! % 4 === 0;
    const planOf = new Map(month.plans.map((p) => [p.dossierCode, p]));
    const reports = scorePortalIndicators(
      factsOf(events, (code) => ({
        syncedToPortal: synced(planOf.get(code)!),
        populationData: population(planOf.get(code)!),
      })),
      MONTH,
      NOW,
    );

    /** October's figures of one agency, worked out from the plan alone (outcome by outcome). */
    function expectedCounts(agency: string): PortalCounts {
      const plans = month.plans.filter((p) => p.agencyCode === agency);
      const received = plans.filter((p) => p.outcome !== 'NOT_RECEIVED');
      const resolvedInOctober = new Set<string>([
        'ON_TIME',
        'LATE',
        'LATE_ARRIVAL_ON_TIME',
        'LATE_ARRIVAL_LATE',
        'SUPPLEMENTED_ON_TIME',
        'SECOND_SUPPLEMENT',
      ]);
      const closedWithoutResult = new Set<string>(['WITHDRAWN', 'NOT_RECEIVED', 'STOPPED']);
      const closed = plans.filter(
        (p) => resolvedInOctober.has(p.outcome) || closedWithoutResult.has(p.outcome),
      );
      // on time by the portal's rules: the supplement wait extends the due date; two requests are late
      const onTime = new Set<string>([
        'ON_TIME',
        'LATE_ARRIVAL_ON_TIME',
        'SUPPLEMENTED_ON_TIME',
        'WITHDRAWN',
        'NOT_RECEIVED',
        'STOPPED',
      ]);
      const late = closed.filter((p) => !onTime.has(p.outcome));
      const dissatisfied = closed.filter((p) => onTime.has(p.outcome) && p.rating && p.rating.score <= 2);
      const resolved = plans.filter((p) => resolvedInOctober.has(p.outcome));
      const procedures = new Map<string, boolean>();
      for (const p of received)
        procedures.set(p.procedureCode, procedures.get(p.procedureCode) || p.channel === 'ONLINE');
      const count = (list: DossierPlan[], test: (p: DossierPlan) => boolean) => list.filter(test).length;
      return {
        received: received.length,
        receivedSynced: count(received, synced),
        receivedOnline: count(received, (p) => p.channel === 'ONLINE'),
        procedures: procedures.size,
        proceduresOnline: [...procedures.values()].filter(Boolean).length,
        closed: closed.length,
        closedOnTime: count(closed, (p) => onTime.has(p.outcome)),
        // open at the end of October: every PENDING_OVERDUE is past its due date, no PENDING_IN_TIME is
        overdueInProcess: count(plans, (p) => p.outcome === 'PENDING_OVERDUE' && p.dueAt < END_OF_OCTOBER),
        closedDissatisfiedOrLate: late.length + dissatisfied.length,
        feeBearing: count(received, (p) => p.feeRequired),
        paidOnline: count(received, (p) => p.feeRequired && p.paidOnline),
        resolved: resolved.length,
        resultsElectronic: count(resolved, (p) => p.resultDigitised),
        digitisedAtIntake: count(received, (p) => p.digitisedAtIntake),
        reusing: count(received, (p) => p.componentsReused > 0),
        populationData: count(received, population),
      };
    }

    it('is a month with every outcome, the portal cases included, for every agency', () => {
      for (const agency of AGENCIES) {
        const outcomes = new Set(month.plans.filter((p) => p.agencyCode === agency).map((p) => p.outcome));
        expect([...outcomes].sort()).toEqual([...OUTCOMES, ...PORTAL_OUTCOMES].sort());
      }
      expect(reports.map((r) => r.agencyCode)).toEqual([...AGENCIES].sort());
    });

    it('counts each sub-criterion’s raw figures as the plan says', () => {
      for (const report of reports)
        expect([report.agencyCode, report.counts]).toEqual([
          report.agencyCode,
          expectedCounts(report.agencyCode),
        ]);
    });

    it('scores every measured sub-criterion with its points and threshold, worked out by hand', () => {
      for (const report of reports) {
        const c = expectedCounts(report.agencyCode);
        const part = (points: number, n: number, d: number, fullAt = 1, empty: 'zero' | 'full' = 'full') =>
          d === 0 ? (empty === 'zero' ? 0 : points) : round2(points * Math.min(1, n / d / fullAt));
        const expected = {
          'CKMB.1': null,
          'CKMB.2': null,
          'CKMB.3': null,
          'CKMB.4': part(6, c.receivedSynced, c.received),
          'TDGQ.1': part(20, c.closedOnTime, c.closed + c.overdueInProcess, 1, 'zero'),
          'CLGQ.1': null,
          'CLGQ.2': part(4, c.proceduresOnline, c.procedures, 0.8),
          'CLGQ.3': part(6, c.receivedOnline, c.received, 0.5),
          'TTTT.1': null,
          'TTTT.2': null,
          'TTTT.3': part(6, c.paidOnline, c.feeBearing, 1, 'zero'),
          'MDHL.1': null,
          'MDHL.2': null,
          'MDHL.3': part(6, c.closed - c.closedDissatisfiedOrLate, c.closed, 0.9, 'zero'),
          'MDSH.1': part(6, c.resultsElectronic, c.resolved),
          'MDSH.2': part(4, c.digitisedAtIntake, c.received),
          'MDSH.3': part(2, c.reusing, c.received),
          'MDSH.4': null,
          'MDSH.5': part(2, c.populationData, c.received),
          'MDSH.6': null,
          'MDSH.7': null,
        };
        expect([report.agencyCode, pointsOf(report)]).toEqual([report.agencyCode, expected]);
        const sum = (codes: string[]) =>
          round2(codes.reduce((s, code) => s + (expected[code as keyof typeof expected] ?? 0), 0));
        expect(report.scores).toEqual({
          CKMB: sum(['CKMB.4']),
          TDGQ: sum(['TDGQ.1']),
          CLGQ: sum(['CLGQ.2', 'CLGQ.3']),
          TTTT: sum(['TTTT.3']),
          MDHL: sum(['MDHL.3']),
          MDSH: sum(['MDSH.1', 'MDSH.2', 'MDSH.3', 'MDSH.5']),
          total: round2(
            sum(['CKMB.4']) +
              sum(['TDGQ.1']) +
              sum(['CLGQ.2', 'CLGQ.3']) +
              sum(['TTTT.3']) +
              sum(['MDHL.3']) +
              sum(['MDSH.1', 'MDSH.2', 'MDSH.3', 'MDSH.5']),
          ),
        });
        // what the points are out of: the measured criteria only, never full marks for what is not measured
        expect(report.measuredMax).toEqual({
          CKMB: 6,
          TDGQ: 20,
          CLGQ: 10,
          TTTT: 6,
          MDHL: 6,
          MDSH: 14,
          total: 62,
        });
      }
    });

    it('judges the supplement cases and stopped dossiers as the portal does', () => {
      const byOutcome = (outcome: string) =>
        factsOf(events.filter((e) => planOf.get(e.dossierCode)!.outcome === outcome));
      for (const f of byOutcome('SUPPLEMENTED_ON_TIME')) {
        expect(f.resolvedAt!.getTime()).toBeGreaterThan(f.dueAt!.getTime());
        expect([f.supplementRequests, f.supplementWaitMs]).toEqual([1, 48 * 3_600_000]);
      }
      for (const f of byOutcome('SECOND_SUPPLEMENT')) {
        expect(f.resolvedAt!.getTime()).toBeLessThan(f.dueAt!.getTime());
        expect(f.supplementRequests).toBe(2);
      }
      for (const f of byOutcome('STOPPED')) expect([f.endedAs, f.resolvedAt]).toEqual(['STOPPED', null]);
      for (const f of byOutcome('NOT_RECEIVED'))
        expect([f.endedAs, f.receivedAt]).toEqual(['REJECTED', null]);
    });
  });

  it('gives 0 for timeliness, payment and dossier satisfaction with nothing to judge, full points elsewhere', () => {
    const report = buildPortalIndicatorReport('000.17.22.H56', MONTH, emptyPortalCounts());
    expect(pointsOf(report)).toMatchObject({
      'CKMB.4': 6,
      'TDGQ.1': 0,
      'CLGQ.2': 4,
      'CLGQ.3': 6,
      'TTTT.3': 0,
      'MDHL.3': 0,
      'MDSH.1': 6,
      'MDSH.2': 4,
      'MDSH.3': 2,
      'MDSH.5': 2,
    });
    expect(report.scores).toEqual({ CKMB: 6, TDGQ: 0, CLGQ: 10, TTTT: 0, MDHL: 0, MDSH: 14, total: 30 });
    const tdgq = report.groups.find((g) => g.group === 'TDGQ')!.criteria[0];
    expect(tdgq).toMatchObject({ numerator: 0, denominator: 0, ratio: null, emptyDenominator: 'zero' });
  });

  it.each([
    // CLGQ.3: full at 50% of dossiers received online
    ['CLGQ.3', { receivedOnline: 5, received: 10 }, 6],
    ['CLGQ.3', { receivedOnline: 9, received: 10 }, 6],
    ['CLGQ.3', { receivedOnline: 4, received: 10 }, 4.8],
    // CLGQ.2: full at 80% of procedures with an online dossier
    ['CLGQ.2', { proceduresOnline: 4, procedures: 5 }, 4],
    ['CLGQ.2', { proceduresOnline: 3, procedures: 5 }, 3],
    // MDHL.3: full at 90% of closed dossiers neither late nor rated dissatisfied
    ['MDHL.3', { closed: 10, closedDissatisfiedOrLate: 1 }, 6],
    ['MDHL.3', { closed: 100, closedDissatisfiedOrLate: 19 }, 5.4],
    // no threshold: proportional to 100%
    ['TTTT.3', { feeBearing: 8, paidOnline: 6 }, 4.5],
    ['TDGQ.1', { closed: 7, closedOnTime: 6, overdueInProcess: 1 }, 15],
  ] as const)('scores %s at %j as %s points', (code, figures, points) => {
    const report = buildPortalIndicatorReport('000.17.22.H56', MONTH, { ...emptyPortalCounts(), ...figures });
    expect(pointsOf(report)[code]).toBe(points);
  });

  it('subtracts the citizen’s supplement time and counts a second supplement request as late', () => {
    const base = {
      agencyCode: '000.17.22.H56',
      procedureCode: '1.001193',
      channel: 'COUNTER' as const,
      applicant: { kind: 'ORGANISATION' as const },
    };
    let n = 0;
    const e = (
      code: string,
      status: DossierStatusEvent['status'],
      at: Date,
      due?: Date,
    ): DossierStatusEvent => ({
      ...base,
      eventId: `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`,
      dossierCode: code,
      status,
      occurredAt: at.toISOString(),
      ...(due ? { dueAt: due.toISOString() } : {}),
    });
    const due = vn(10, 5, 17);
    const waited = [
      e('000.17.22.H56-261001-0001', 'RECEIVED', vn(10, 1, 8), due),
      e('000.17.22.H56-261001-0001', 'SUPPLEMENT_REQUESTED', vn(10, 2, 9)),
      e('000.17.22.H56-261001-0001', 'IN_PROCESS', vn(10, 4, 9)),
      e('000.17.22.H56-261001-0001', 'RESOLVED', vn(10, 6, 9)),
    ];
    const twice = [
      e('000.17.22.H56-261001-0002', 'RECEIVED', vn(10, 1, 8), due),
      e('000.17.22.H56-261001-0002', 'SUPPLEMENT_REQUESTED', vn(10, 2, 9)),
      e('000.17.22.H56-261001-0002', 'IN_PROCESS', vn(10, 2, 15)),
      e('000.17.22.H56-261001-0002', 'SUPPLEMENT_REQUESTED', vn(10, 3, 9)),
      e('000.17.22.H56-261001-0002', 'IN_PROCESS', vn(10, 3, 15)),
      e('000.17.22.H56-261001-0002', 'RESOLVED', vn(10, 4, 9)),
    ];
    const refused = [
      e('000.17.22.H56-261001-0003', 'RECEIVED', vn(10, 1, 8), due),
      e('000.17.22.H56-261001-0003', 'REJECTED', vn(10, 1, 9)),
    ];
    const [report] = scorePortalIndicators(factsOf([...waited, ...twice, ...refused]), MONTH, NOW);
    // waited: resolved 16 h after its due date, after 48 h on the citizen: on time; twice: late; refused: on time
    expect(report.counts).toMatchObject({ closed: 3, closedOnTime: 2, resolved: 2, overdueInProcess: 0 });
    expect(pointsOf(report)['TDGQ.1']).toBe(13.33);
  });

  it('scores a YEAR: every dossier of the calendar year in Asia/Ho_Chi_Minh, none of the year before', () => {
    const year = parsePeriodKey('2026')!;
    expect(year).toEqual({ kind: 'YEAR', key: '2026' });
    const dossier = (code: string, receivedAt: Date, resolvedAt?: Date) => {
      const list: DossierStatusEvent[] = [
        {
          eventId: `00000000-0000-4000-9000-${code.slice(-4).padStart(12, '0')}`,
          dossierCode: code,
          agencyCode: '000.17.22.H56',
          procedureCode: '1.001193',
          status: 'RECEIVED',
          occurredAt: receivedAt.toISOString(),
          dueAt: new Date(receivedAt.getTime() + 5 * 86_400_000).toISOString(),
          channel: 'ONLINE',
          applicant: { kind: 'ORGANISATION' },
        },
      ];
      if (resolvedAt) {
        list.push({
          ...list[0],
          eventId: list[0].eventId.replace('9000', '9001'),
          status: 'RESOLVED',
          occurredAt: resolvedAt.toISOString(),
        });
      }
      return list;
    };
    const facts = factsOf([
      // 2025-12-31 23:30 in Vietnam: the year before, although 2025-12-31T16:30Z
      ...dossier(
        '000.17.22.H56-251231-0001',
        new Date('2025-12-31T16:30:00Z'),
        new Date('2026-01-02T03:00:00Z'),
      ),
      // 2026-01-01 00:30 in Vietnam
      ...dossier(
        '000.17.22.H56-260101-0001',
        new Date('2025-12-31T17:30:00Z'),
        new Date('2026-01-03T03:00:00Z'),
      ),
      ...dossier('000.17.22.H56-260620-0001', vn(6, 20, 9), vn(6, 23, 9)),
      ...dossier('000.17.22.H56-261230-0001', vn(12, 30, 9)),
    ]);
    const [report] = scorePortalIndicators(facts, year, new Date('2027-02-01T00:00:00Z'));
    // received: Jan 1, June, Dec 30; closed in 2026: the dossier of the year before too; Dec 30 is open, not due
    expect(report.counts).toMatchObject({ received: 3, closed: 3, closedOnTime: 3, overdueInProcess: 0 });
    // taken while 2026 runs (mid-July) the flows are those of their dates; the stock is taken mid-July
    const [running] = scorePortalIndicators(facts, year, vn(7, 15, 12));
    expect(running.counts).toMatchObject({ received: 3, closed: 3 });
    expect(() => scorePortalIndicators(facts, { kind: 'DAY', key: '2026-10-31' }, NOW)).toThrow(RangeError);
  });

  it('lists every criterion once, with points adding up to each group and to 100', () => {
    const codes = PORTAL_766_CRITERIA.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    const report = buildPortalIndicatorReport('000.17.22.H56', MONTH, emptyPortalCounts());
    for (const group of report.groups) {
      expect([group.group, group.criteria.reduce((s, c) => s + c.maxPoints, 0)]).toEqual([
        group.group,
        group.maxPoints,
      ]);
    }
    expect(report.groups.reduce((s, g) => s + g.maxPoints, 0)).toBe(100);
  });
});

describe('paid online as the payment platform confirmed it', () => {
  const received = (dossierCode: string, payment?: DossierStatusEvent['payment']): DossierStatusEvent => ({
    eventId: `${dossierCode}-received`,
    dossierCode,
    agencyCode: AGENCIES[0],
    procedureCode: '1.001193',
    status: 'RECEIVED',
    occurredAt: '2026-11-02T09:00:00+07:00',
    channel: 'ONLINE',
    applicant: { kind: 'ORGANISATION' },
    ...(payment ? { payment } : {}),
  });
  const facts = (event: DossierStatusEvent, confirmedPayment?: boolean) =>
    derivePortalDossierFacts([event], confirmedPayment === undefined ? {} : { confirmedPayment })!;

  it('keeps the claim without the mark, and replaces it with the mark', () => {
    const claimed = received('000.17.22.H56-261102-0001', { required: true, paidOnline: true });
    expect(facts(claimed)).toMatchObject({ feeRequired: true, paidOnline: true });
    expect(facts(claimed, false)).toMatchObject({ feeRequired: true, paidOnline: false });
    // a confirmed payment makes the dossier fee-bearing even when its events say nothing of a fee
    expect(facts(received('000.17.22.H56-261102-0002'), true)).toMatchObject({
      feeRequired: true,
      paidOnline: true,
    });
  });
});

describe('docs/indicators.md', () => {
  it('shows the indicator table exactly as the formula module generates it', () => {
    const doc = readFileSync(join(repoRoot(), 'docs', 'indicators.md'), 'utf8');
    const block = doc
      .split('<!-- portal-766-criteria:start -->')[1]
      ?.split('<!-- portal-766-criteria:end -->')[0];
    expect(block?.trim()).toBe(portalCriteriaMarkdown());
  });
});

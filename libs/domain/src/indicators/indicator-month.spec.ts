import { validate, type IndicatorCounts } from '@lienthong/contracts';
import {
  duplicatesOf,
  expectedNovemberResolutions,
  expectedOctober,
  expectedScores,
  MONTH,
  NEXT_MONTH,
  OUTCOMES,
  planMonth,
  seededRandom,
} from '../../../../test/indicators/synthetic-month';
import { aggregateIndicators } from './indicator-aggregator';
import { FORMULA_VERSION } from './indicator-formulas';

/** The acceptance month, without infrastructure: the pure aggregator over the events as a relay would see them. */
const AGENCIES = ['000.17.22.H56', '000.00.14.H56', '000.31.05.H56'];
const NOW = new Date('2026-11-22T12:00:00+07:00');

describe('Decision 766 indicators over a synthetic month (October 2026)', () => {
  const month = planMonth({ seed: 20261031, agencies: AGENCIES });
  const duplicated = duplicatesOf(month.onTime, 7);
  const firstPass = [...month.onTime, ...duplicated];
  const everything = [...firstPass, ...month.late, ...duplicatesOf(month.late, 8, 0.5), ...duplicated];

  it('is built from contract-valid events covering every outcome for every agency', () => {
    for (const event of [...month.onTime, ...month.late]) {
      expect(validate('dossier-status-event', event)).toEqual({ ok: true, value: event });
    }
    for (const agency of AGENCIES) {
      const outcomes = new Set(month.plans.filter((p) => p.agencyCode === agency).map((p) => p.outcome));
      expect([...outcomes].sort()).toEqual([...OUTCOMES].sort());
    }
    expect(month.late.length).toBeGreaterThan(0);
    expect(duplicated.length).toBeGreaterThan(0);
    // every counter of the month is exercised, so a counter that is never incremented fails the test below
    const totals = [...expectedOctober(month.plans, true).values()].reduce<Record<string, number>>(
      (sum, counts) => {
        for (const [key, n] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + n;
        return sum;
      },
      {},
    );
    for (const [counter, n] of Object.entries(totals)) expect([counter, n > 0]).toEqual([counter, true]);
  });

  it('counts October exactly while the late resolutions are still missing, duplicates counted once', () => {
    const reports = aggregateIndicators(firstPass, MONTH, NOW);
    const expected = expectedOctober(month.plans, false);
    expect(reports.map((r) => r.agencyCode)).toEqual([...AGENCIES].sort());
    for (const report of reports) {
      const counts = expected.get(report.agencyCode) as IndicatorCounts;
      expect(report).toEqual({
        agencyCode: report.agencyCode,
        period: MONTH,
        formulaVersion: FORMULA_VERSION,
        counts,
        scores: expectedScores(counts),
      });
      expect(validate('indicator-report', { ...report, version: 1, generatedAt: NOW.toISOString() }).ok).toBe(
        true,
      );
    }
  });

  it('corrects October when its resolutions arrive in November, and leaves November as it was', () => {
    const before = aggregateIndicators(firstPass, NEXT_MONTH, NOW);
    const reports = aggregateIndicators(everything, MONTH, NOW);
    const expected = expectedOctober(month.plans, true);
    for (const report of reports) {
      const counts = expected.get(report.agencyCode) as IndicatorCounts;
      expect(report.counts).toEqual(counts);
      expect(report.scores).toEqual(expectedScores(counts));
    }
    const november = aggregateIndicators(everything, NEXT_MONTH, NOW);
    const resolutions = expectedNovemberResolutions(month.plans);
    for (const report of november) {
      const wanted = resolutions.get(report.agencyCode);
      expect({
        received: report.counts.received,
        resolvedOnTime: report.counts.resolvedOnTime,
        resolvedLate: report.counts.resolvedLate,
      }).toEqual(wanted);
    }
    // the late October resolutions are no longer pending in November's stock, and were never November's flow
    const pendingNow = (reports: typeof november) =>
      reports.reduce((n, r) => n + r.counts.pendingInTime + r.counts.pendingOverdue, 0);
    const lateDossiers = new Set(month.late.map((e) => e.dossierCode)).size;
    expect(pendingNow(before) - pendingNow(november)).toBe(lateDossiers);
  });

  it('gives the same reports whatever order the events arrive in', () => {
    const random = seededRandom(99);
    const shuffled = [...everything]
      .map((event) => ({ event, sort: random() }))
      .sort((a, b) => a.sort - b.sort)
      .map(({ event }) => event);
    expect(aggregateIndicators(shuffled, MONTH, NOW)).toEqual(aggregateIndicators(everything, MONTH, NOW));
  });
});

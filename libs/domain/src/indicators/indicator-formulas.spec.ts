import { INDICATOR_MAX_POINTS, type IndicatorCounts } from '@lienthong/contracts';
import {
  buildIndicatorReport,
  computeScores,
  emptyIndicatorCounts,
  FORMULA_VERSION,
  INDICATOR_FORMULAS,
  INDICATOR_GROUPS,
} from './indicator-formulas';

const counts = (partial: Partial<IndicatorCounts>): IndicatorCounts => ({
  ...emptyIndicatorCounts(),
  ...partial,
});

describe('Decision 766 formulas', () => {
  it('covers the six groups with the points of the decision, each with its source', () => {
    expect(INDICATOR_GROUPS).toEqual(Object.keys(INDICATOR_MAX_POINTS));
    for (const group of INDICATOR_GROUPS) {
      const formula = INDICATOR_FORMULAS[group];
      expect([group, formula.maxPoints]).toEqual([group, INDICATOR_MAX_POINTS[group]]);
      expect(formula.source).toMatch(/766/);
      expect(formula.formula.length).toBeGreaterThan(0);
    }
    expect(INDICATOR_GROUPS.reduce((sum, g) => sum + INDICATOR_FORMULAS[g].maxPoints, 0)).toBe(100);
    // the sub-formulas are not confirmed (docs/domain.md): every group says what it assumes
    for (const group of INDICATOR_GROUPS) expect(INDICATOR_FORMULAS[group].unconfirmed).toBeTruthy();
    expect(FORMULA_VERSION).toMatch(/^[0-9A-Za-z][0-9A-Za-z._-]*$/);
  });

  it.each<[string, Partial<IndicatorCounts>, Partial<Record<string, number>>]>([
    [
      'the example of the report contract',
      {
        received: 420,
        resolvedOnTime: 371,
        resolvedLate: 9,
        pendingInTime: 36,
        pendingOverdue: 4,
        receivedOnline: 315,
        paidOnline: 188,
        digitisedAtIntake: 402,
        resultsDigitised: 380,
        componentsReusedFromStore: 96,
        componentsReusedFromPortal: 41,
        ratings: 210,
        ratingsSatisfied: 203,
      },
      // TDGQ 20×407/420, CLGQ 12×315/420, TTTT 10×188/420, MDHL 18×203/210,
      // MDSH 8×402/420 + 8×380/380 + 6×137/420
      { CKMB: 18, TDGQ: 19.38, CLGQ: 9, TTTT: 4.48, MDHL: 17.4, MDSH: 17.61, total: 85.87 },
    ],
    [
      'nothing to judge scores full points',
      {},
      { CKMB: 18, TDGQ: 20, CLGQ: 12, TTTT: 10, MDHL: 18, MDSH: 22, total: 100 },
    ],
    [
      'everything late, offline, unpaid, on paper, unhappy',
      { received: 10, resolvedLate: 6, pendingOverdue: 4, ratings: 5 },
      { CKMB: 18, TDGQ: 0, CLGQ: 0, TTTT: 0, MDHL: 0, MDSH: 0, total: 18 },
    ],
    [
      'reuse counts at most one component per received dossier',
      {
        received: 4,
        resolvedOnTime: 4,
        digitisedAtIntake: 4,
        resultsDigitised: 4,
        componentsReusedFromStore: 9,
      },
      { MDSH: 22 },
    ],
    [
      'a third on time',
      { received: 3, resolvedOnTime: 1, resolvedLate: 1, pendingOverdue: 1 },
      { TDGQ: 6.67 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(computeScores(counts(input))).toEqual(expect.objectContaining(expected));
  });

  it('keeps every score within its maximum and the total equal to the sum of the groups', () => {
    const scores = computeScores(
      counts({ received: 1, receivedOnline: 5, paidOnline: 7, ratings: 1, ratingsSatisfied: 3 }),
    );
    for (const group of INDICATOR_GROUPS) {
      expect(scores[group]).toBeGreaterThanOrEqual(0);
      expect(scores[group]).toBeLessThanOrEqual(INDICATOR_MAX_POINTS[group]);
    }
    const sum = INDICATOR_GROUPS.reduce((s, g) => s + scores[g], 0);
    expect(scores.total).toBe(Math.round(sum * 100) / 100);
  });

  it('builds the report body with the formula version', () => {
    const report = buildIndicatorReport(
      '000.17.22.H56',
      { kind: 'MONTH', key: '2026-10' },
      counts({ received: 1 }),
    );
    expect(report).toEqual({
      agencyCode: '000.17.22.H56',
      period: { kind: 'MONTH', key: '2026-10' },
      formulaVersion: FORMULA_VERSION,
      counts: counts({ received: 1 }),
      scores: computeScores(counts({ received: 1 })),
    });
  });
});

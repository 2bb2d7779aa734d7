import type {
  IndicatorCounts,
  IndicatorGroup,
  IndicatorReport,
  IndicatorScores,
  ReportingPeriod,
} from '@lienthong/contracts';

/**
 * The Decision 766/QĐ-TTg indicator formulas, version {@link FORMULA_VERSION}: one place for every rule
 * that turns dossier events into counts and counts into scores.
 *
 * Confirmed (docs/domain.md, "Service-quality indicators"; Decision 766/QĐ-TTg of 23 June 2022): the six groups
 * and their maximum points — CKMB 18, TDGQ 20, CLGQ 12, TTTT 10, MDHL 18, MDSH 22, total 100 — and the raw
 * counts behind them. Not confirmed: the sub-formulas. Each group below names its source and, where the
 * official formula is not confirmed or needs data the gateway does not see, the assumption this version
 * makes (`unconfirmed`). The raw counts travel with the scores in every report, so the operations center
 * can recompute any group its own way.
 *
 * Changing a rule here (a formula, SATISFIED_MIN_SCORE, the counting rules of dossier-facts.ts and
 * indicator-aggregator.ts) means a new FORMULA_VERSION: reports carry it as `formulaVersion`.
 */
export const FORMULA_VERSION = '766-2022.1';

/** A rating counts as satisfied from this score up (4 "satisfied" and 5 "very satisfied" on the 1-5 scale). */
export const SATISFIED_MIN_SCORE = 4;

/** Points of MDSH (22) split between its three parts: intake digitisation, digital results, reuse. */
export const MDSH_PARTS = Object.freeze({ intake: 8, results: 8, reuse: 6 });

/** A report as computed, before it is given a revision number and a generation time. */
export type ComputedIndicatorReport = Omit<IndicatorReport, 'version' | 'generatedAt'>;

export interface IndicatorFormula {
  readonly group: IndicatorGroup;
  readonly maxPoints: number;
  /** Vietnamese name of the group. */
  readonly title: string;
  /** The formula in words, naming the counts it uses. */
  readonly formula: string;
  readonly source: string;
  /** The assumption made where the official sub-formula is not confirmed. */
  readonly unconfirmed?: string;
  /** Points in [0, maxPoints], rounded to 2 decimals. */
  score(counts: IndicatorCounts): number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * `numerator / denominator` capped at 1; 1 when there is nothing to judge (denominator 0). Unconfirmed:
 * full points for an empty denominator follows the reading that a unit with no dossier of a kind has
 * failed none; the portal's own treatment of empty units is not published.
 */
export function indicatorRatio(numerator: number, denominator: number): number {
  if (denominator <= 0) return 1;
  return Math.min(1, Math.max(0, numerator / denominator));
}

const SOURCE_766 = 'Decision 766/QĐ-TTg (23 June 2022), group weights as in docs/domain.md';

export const INDICATOR_FORMULAS: Readonly<Record<IndicatorGroup, IndicatorFormula>> = Object.freeze({
  CKMB: {
    group: 'CKMB',
    maxPoints: 18,
    title: 'Công khai, minh bạch',
    formula: '18 (assumed, see unconfirmed)',
    source: `${SOURCE_766}; its criteria are procedures published on time in the national procedure database, dossiers and progress published on the national portal, feedback answered`,
    unconfirmed:
      'Needs data the gateway does not see (procedure publication, feedback handling). Every dossier counted ' +
      'here had each status change published to the national portal through the gateway, the part of ' +
      'publicity the gateway does see, so this version gives the full 18 points and reports no finer figure; ' +
      'the operations center should substitute its own CKMB.',
    score: () => 18,
  },
  TDGQ: {
    group: 'TDGQ',
    maxPoints: 20,
    title: 'Tiến độ giải quyết',
    formula:
      '20 × (resolvedOnTime + pendingInTime) / (resolvedOnTime + resolvedLate + pendingInTime + pendingOverdue)',
    source:
      `${SOURCE_766}; late rate as published one-stop statistics compute it: (late in process + resolved late) / ` +
      'dossiers to handle in the period (received and carried over), on-time rate = 1 − late rate',
    unconfirmed:
      'The official split between "ahead of time" and "on time" and any weighting of overdue dossiers still in ' +
      'process are not confirmed; this version weighs every late dossier, resolved or pending, the same.',
    score: (c) =>
      round2(
        20 *
          indicatorRatio(
            c.resolvedOnTime + c.pendingInTime,
            c.resolvedOnTime + c.resolvedLate + c.pendingInTime + c.pendingOverdue,
          ),
      ),
  },
  CLGQ: {
    group: 'CLGQ',
    maxPoints: 12,
    title: 'Dịch vụ công trực tuyến',
    formula: '12 × receivedOnline / received',
    source: `${SOURCE_766}; share of dossiers received online`,
    unconfirmed:
      'The official group also scores the share of procedures offered online, which is catalogue data the ' +
      'gateway does not hold; this version scores the dossier share only.',
    score: (c) => round2(12 * indicatorRatio(c.receivedOnline, c.received)),
  },
  TTTT: {
    group: 'TTTT',
    maxPoints: 10,
    title: 'Thanh toán trực tuyến',
    formula: '10 × paidOnline / received',
    source: `${SOURCE_766}; share of dossiers whose fees were paid online`,
    unconfirmed:
      'The official denominator is the dossiers with a financial obligation; the report contract carries no such ' +
      'count, so this version divides by all received dossiers, which understates agencies whose procedures are ' +
      'mostly free. The relay records per dossier whether a fee was due, for a later version.',
    score: (c) => round2(10 * indicatorRatio(c.paidOnline, c.received)),
  },
  MDHL: {
    group: 'MDHL',
    maxPoints: 18,
    title: 'Mức độ hài lòng',
    formula: `18 × ratingsSatisfied / ratings (satisfied: score ≥ ${SATISFIED_MIN_SCORE} of 5)`,
    source: `${SOURCE_766}; applicant ratings carried by the dossier events`,
    unconfirmed:
      'The official group also scores the handling of feedback and petitions (phản ánh, kiến nghị), which the ' +
      `gateway does not see; which ratings count as satisfied (here ${SATISFIED_MIN_SCORE} and 5) is not confirmed.`,
    score: (c) => round2(18 * indicatorRatio(c.ratingsSatisfied, c.ratings)),
  },
  MDSH: {
    group: 'MDSH',
    maxPoints: 22,
    title: 'Số hoá hồ sơ',
    formula:
      `${MDSH_PARTS.intake} × digitisedAtIntake / received + ${MDSH_PARTS.results} × resultsDigitised / ` +
      `(resolvedOnTime + resolvedLate) + ${MDSH_PARTS.reuse} × min(1, (componentsReusedFromStore + ` +
      'componentsReusedFromPortal) / received)',
    source:
      `${SOURCE_766}; its criteria are dossiers digitised at intake, results issued in digital form and data ` +
      'reused instead of asked again; plan targets 100% of resolved dossiers digitised and ≥ 80% not asked again',
    unconfirmed:
      `The split ${MDSH_PARTS.intake}/${MDSH_PARTS.results}/${MDSH_PARTS.reuse} is an assumption. The official reuse ` +
      'criterion is data reused over data that could have been reused; the gateway does not know the latter, so ' +
      'this version scores reused components per received dossier, full points from one per dossier.',
    score: (c) =>
      round2(
        MDSH_PARTS.intake * indicatorRatio(c.digitisedAtIntake, c.received) +
          MDSH_PARTS.results * indicatorRatio(c.resultsDigitised, c.resolvedOnTime + c.resolvedLate) +
          MDSH_PARTS.reuse *
            indicatorRatio(c.componentsReusedFromStore + c.componentsReusedFromPortal, c.received),
      ),
  },
});

export const INDICATOR_GROUPS: readonly IndicatorGroup[] = Object.freeze([
  'CKMB',
  'TDGQ',
  'CLGQ',
  'TTTT',
  'MDHL',
  'MDSH',
]);

/** The six group scores and their total (the sum of the rounded groups). */
export function computeScores(counts: IndicatorCounts): IndicatorScores {
  const scores = {} as IndicatorScores;
  let total = 0;
  for (const group of INDICATOR_GROUPS) {
    const points = INDICATOR_FORMULAS[group].score(counts);
    scores[group] = points;
    total += points;
  }
  scores.total = round2(total);
  return scores;
}

/** Counts of an agency and period with nothing in them. */
export function emptyIndicatorCounts(): IndicatorCounts {
  return {
    received: 0,
    resolvedOnTime: 0,
    resolvedLate: 0,
    pendingInTime: 0,
    pendingOverdue: 0,
    receivedOnline: 0,
    paidOnline: 0,
    digitisedAtIntake: 0,
    resultsDigitised: 0,
    componentsReusedFromStore: 0,
    componentsReusedFromPortal: 0,
    ratings: 0,
    ratingsSatisfied: 0,
  };
}

/** The report body for an agency and period: counts, scores and the formula version that computed them. */
export function buildIndicatorReport(
  agencyCode: string,
  period: ReportingPeriod,
  counts: IndicatorCounts,
): ComputedIndicatorReport {
  return {
    agencyCode,
    period: { kind: period.kind, key: period.key },
    formulaVersion: FORMULA_VERSION,
    counts: { ...counts },
    scores: computeScores(counts),
  };
}

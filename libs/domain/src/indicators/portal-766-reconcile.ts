import type { IndicatorGroup, ReportingPeriod } from '@lienthong/contracts';
import { PORTAL_FORMULA_VERSION, type PortalIndicatorReport } from './portal-766';

/** The portal's own evaluation of a unit and period, as its reporting service gives it (group scores). */
export interface PortalEvaluationScores {
  total?: number;
  groups: readonly {
    group: string;
    score: number;
    maxScore?: number;
    criteria: readonly { code: string; score: number; maxScore?: number }[];
  }[];
}

/** One sub-criterion side by side. `difference` is portal − gateway; null when either side has no score. */
export interface ReconciledCriterion {
  code: string;
  title: string;
  maxPoints: number;
  /** False when the gateway cannot measure it ("not measured here"): the portal's score stands alone. */
  measured: boolean;
  gateway: number | null;
  portal: number | null;
  difference: number | null;
}

export interface ReconciledGroup {
  group: IndicatorGroup;
  maxPoints: number;
  /** The gateway's points over its measured criteria. */
  gateway: number;
  portal: number | null;
  /** portal − gateway for the whole group (the criteria not measured here included). */
  difference: number | null;
  /** The portal's points for the criteria the gateway does not measure, when it lists them. */
  portalNotMeasuredHere: number | null;
  /** The part of `difference` the measured criteria account for: portal − gateway over those only. */
  measuredDifference: number | null;
  criteria: ReconciledCriterion[];
}

/** A difference worth a look: a measured criterion, or a group whose criteria the portal does not list. */
export interface ReconciledDifference {
  group: IndicatorGroup;
  /** The sub-criterion, when the portal lists its criteria. */
  criterion?: string;
  gateway: number;
  portal: number;
  difference: number;
}

export interface Reconciliation {
  agencyCode: string;
  period: ReportingPeriod;
  formulaVersion: typeof PORTAL_FORMULA_VERSION;
  gatewayTotal: number;
  portalTotal: number | null;
  groups: ReconciledGroup[];
  /** Measured differences larger than the tolerance, largest first. */
  differences: ReconciledDifference[];
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The gateway's score (portal-766.ts) beside the portal's own, group by group and sub-criterion by
 * sub-criterion. Differences within `tolerance` points (rounding) are not listed.
 */
export function reconcilePortalScores(
  own: PortalIndicatorReport,
  portal: PortalEvaluationScores,
  tolerance = 0.01,
): Reconciliation {
  const differences: ReconciledDifference[] = [];
  const groups = own.groups.map((group): ReconciledGroup => {
    const theirs = portal.groups.find((g) => g.group === group.group);
    const theirCriteria = new Map((theirs?.criteria ?? []).map((c) => [c.code, c.score]));
    const criteria = group.criteria.map((c): ReconciledCriterion => {
      const portalScore = theirCriteria.get(c.code) ?? null;
      const difference = c.points !== null && portalScore !== null ? round2(portalScore - c.points) : null;
      if (difference !== null && Math.abs(difference) > tolerance) {
        differences.push({
          group: group.group,
          criterion: c.code,
          gateway: c.points as number,
          portal: portalScore as number,
          difference,
        });
      }
      return {
        code: c.code,
        title: c.title,
        maxPoints: c.maxPoints,
        measured: c.measured,
        gateway: c.points,
        portal: portalScore,
        difference,
      };
    });
    const listed = theirCriteria.size > 0;
    const notMeasured = criteria.filter((c) => !c.measured);
    const portalNotMeasuredHere =
      listed && notMeasured.every((c) => c.portal !== null)
        ? round2(notMeasured.reduce((sum, c) => sum + (c.portal ?? 0), 0))
        : null;
    const measured = criteria.filter((c) => c.measured);
    const measuredDifference =
      listed && measured.every((c) => c.difference !== null)
        ? round2(measured.reduce((sum, c) => sum + (c.difference ?? 0), 0))
        : theirs && !listed && notMeasured.length === 0
          ? round2(theirs.score - group.points)
          : null;
    if (theirs && !listed && notMeasured.length === 0 && Math.abs(theirs.score - group.points) > tolerance) {
      differences.push({
        group: group.group,
        gateway: group.points,
        portal: theirs.score,
        difference: round2(theirs.score - group.points),
      });
    }
    return {
      group: group.group,
      maxPoints: group.maxPoints,
      gateway: group.points,
      portal: theirs?.score ?? null,
      difference: theirs ? round2(theirs.score - group.points) : null,
      portalNotMeasuredHere,
      measuredDifference,
      criteria,
    };
  });
  differences.sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference));
  const portalTotal =
    portal.total ??
    (portal.groups.length > 0 ? round2(portal.groups.reduce((sum, g) => sum + g.score, 0)) : null);
  return {
    agencyCode: own.agencyCode,
    period: own.period,
    formulaVersion: own.formulaVersion,
    gatewayTotal: own.scores.total,
    portalTotal,
    groups,
    differences,
  };
}

import type { PortalEvaluationWire } from './portal.wire';

/** A period the portal evaluates: a month (2026-10), a quarter (2026-Q4) or a year (2026). */
export interface PortalEvaluationPeriod {
  kind: 'MONTH' | 'QUARTER' | 'YEAR';
  key: string;
}

/** `loaiky` of LayKetQuaDanhGia for each kind of period. */
export const PORTAL_PERIOD_KINDS: Readonly<Record<PortalEvaluationPeriod['kind'], string>> = Object.freeze({
  MONTH: 'THANG',
  QUARTER: 'QUY',
  YEAR: 'NAM',
});

/** The portal's own score of one sub-criterion. */
export interface PortalCriterionScore {
  code: string;
  score: number;
  maxScore?: number;
}

/** The portal's own score of one Decision 766 group, with its sub-criteria when the portal gives them. */
export interface PortalGroupScore {
  group: string;
  score: number;
  maxScore?: number;
  criteria: PortalCriterionScore[];
}

/** The portal's own evaluation of one unit for one period (LayKetQuaDanhGia). */
export interface PortalEvaluation {
  agencyCode: string;
  period: PortalEvaluationPeriod;
  total?: number;
  groups: PortalGroupScore[];
}

const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value)
    ? value
    : typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
      ? Number(value)
      : undefined;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A LayKetQuaDanhGia result read into the canonical shape; entries that are not what the contract says
 * (a group without a name or a numeric score) are skipped. Undefined for a result without groupScores.
 */
export function fromPortalEvaluation(
  wire: unknown,
  agencyCode: string,
  period: PortalEvaluationPeriod,
): PortalEvaluation | undefined {
  if (!isObject(wire) || !Array.isArray(wire.groupScores)) return undefined;
  const groups: PortalGroupScore[] = [];
  for (const entry of wire.groupScores as unknown[]) {
    if (!isObject(entry) || typeof entry.group !== 'string') continue;
    const score = finite(entry.score);
    if (score === undefined) continue;
    const maxScore = finite(entry.maxScore);
    const criteria: PortalCriterionScore[] = [];
    for (const c of Array.isArray(entry.criteria) ? (entry.criteria as unknown[]) : []) {
      if (!isObject(c) || typeof c.code !== 'string') continue;
      const criterionScore = finite(c.score);
      if (criterionScore === undefined) continue;
      const criterionMax = finite(c.maxScore);
      criteria.push({
        code: c.code,
        score: criterionScore,
        ...(criterionMax !== undefined ? { maxScore: criterionMax } : {}),
      });
    }
    groups.push({ group: entry.group, score, ...(maxScore !== undefined ? { maxScore } : {}), criteria });
  }
  const total = finite((wire as Partial<PortalEvaluationWire>).totalScore);
  return { agencyCode, period, ...(total !== undefined ? { total } : {}), groups };
}

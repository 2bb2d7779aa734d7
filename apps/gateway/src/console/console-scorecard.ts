import { Inject, Injectable } from '@nestjs/common';
import type { IndicatorCounts, IndicatorScores, ReportingPeriod } from '@lienthong/contracts';
import { INDICATOR_FORMULAS, INDICATOR_GROUPS, parsePeriodKey, validateAgencyCode } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { IndicatorStore } from '../../../relay/src/indicators/indicator.store';

export interface Scorecard {
  period: ReportingPeriod;
  /** The six groups of Decision 766: code, Vietnamese name, maximum points and the formula in words. */
  groups: { group: string; title: string; maxPoints: number; formula: string }[];
  /** Agencies with something in the period, for the picker. */
  agencies: string[];
  agencyCode: string | null;
  counts: IndicatorCounts | null;
  scores: IndicatorScores | null;
  formulaVersion: string | null;
  /** The six months up to the period: each month's total and group scores (null: nothing that month). */
  trend: { period: string; scores: IndicatorScores | null }[];
}

function monthsBefore(key: string, count: number): string[] {
  const [year, month] = key.split('-').map(Number);
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const index = year * 12 + (month - 1) - i;
    out.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/**
 * The Decision 766 scorecard of one agency and month: the six group scores and the raw counts, and the
 * trend over six months, from the indicator store the relay keeps (the same numbers as GET /v1/indicators).
 */
@Injectable()
export class ConsoleScorecard {
  constructor(@Inject(IndicatorStore) private readonly store: IndicatorStore) {}

  async card(agencyInput: unknown, periodInput: unknown): Promise<Scorecard> {
    const period = parsePeriodKey(periodInput);
    if (!period || period.kind !== 'MONTH') {
      throw new ProblemException(400, 'INVALID_PERIOD', 'Invalid period', 'Name a month: YYYY-MM.', [
        { path: '/period', code: 'PERIOD_FORMAT', message: 'Expected YYYY-MM' },
      ]);
    }
    const agencies = (await this.store.agencies(period)).sort();
    let agencyCode: string | null = null;
    if (typeof agencyInput === 'string' && agencyInput !== '') {
      if (!validateAgencyCode(agencyInput).valid) {
        throw new ProblemException(400, 'INVALID_AGENCY_CODE', 'Invalid agency code', 'Not an agency code.', [
          { path: '/agency', code: 'AGENCY_CODE_FORMAT', message: 'Not an agency code' },
        ]);
      }
      agencyCode = agencyInput;
    } else agencyCode = agencies[0] ?? null;
    const report = agencyCode ? await this.store.report(agencyCode, period) : undefined;
    const trend = agencyCode
      ? await Promise.all(
          monthsBefore(period.key, 6).map(async (key) => ({
            period: key,
            scores: (await this.store.report(agencyCode!, { kind: 'MONTH', key }))?.scores ?? null,
          })),
        )
      : [];
    return {
      period,
      groups: INDICATOR_GROUPS.map((group) => {
        const { title, maxPoints, formula } = INDICATOR_FORMULAS[group];
        return { group, title, maxPoints, formula };
      }),
      agencies,
      agencyCode,
      counts: report?.counts ?? null,
      scores: report?.scores ?? null,
      formulaVersion: report?.formulaVersion ?? null,
      trend,
    };
  }
}

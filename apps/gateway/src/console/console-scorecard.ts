import { Inject, Injectable } from '@nestjs/common';
import type { ReportingPeriod } from '@lienthong/contracts';
import {
  INDICATOR_GROUPS,
  parsePeriodKey,
  PORTAL_766_CRITERIA,
  PORTAL_766_GROUPS,
  PORTAL_FORMULA_VERSION,
  scorePortalIndicators,
  validateAgencyCode,
  type PortalCounts,
  type PortalGroupScore,
  type PortalIndicatorReport,
} from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { PortalSyncGapsRepository } from '@lienthong/dossiers';
import { Database } from '@lienthong/storage';
import { IndicatorStore, PortalScoreRepository, type IndicatorDossierRow } from '@lienthong/indicators';

export const BEHIND_KINDS = ['late', 'not-synced', 'not-digitised'] as const;
export type BehindKind = (typeof BEHIND_KINDS)[number];
const BEHIND_LIMIT = 500;

export interface DossiersBehind {
  agencyCode: string;
  period: string;
  kind: BehindKind;
  dossiers: (IndicatorDossierRow & { lastSyncedAt?: string | null })[];
  truncated: boolean;
}

export interface Scorecard {
  period: ReportingPeriod;
  /** The formulas the card is scored with: the portal's own (GET /v1/indicators' default). */
  formulaVersion: typeof PORTAL_FORMULA_VERSION;
  /**
   * The six groups of Decision 766 with their criteria: points, maximum, formula, and for each criterion its
   * numerator and denominator, or `measured: false` when the gateway has no data for it. Without dossiers,
   * the criteria's definitions and no points.
   */
  groups: PortalGroupScore[];
  /** Agencies with something in the period, for the picker. */
  agencies: string[];
  agencyCode: string | null;
  counts: PortalCounts | null;
  /** Points per group and in total, over the measured criteria (null: nothing in the period). */
  scores: PortalIndicatorReport['scores'] | null;
  /** What those points are out of: the measured criteria's maximum, per group and in total. */
  measuredMax: PortalIndicatorReport['measuredMax'] | null;
  /** The six months up to the period: each month's total and group scores (null: nothing that month). */
  trend: { period: string; scores: PortalIndicatorReport['scores'] | null }[];
}

/** A group's criteria as defined, without points: what the card shows for an agency with nothing to score. */
function unscored(group: (typeof INDICATOR_GROUPS)[number]): PortalGroupScore {
  const criteria = PORTAL_766_CRITERIA.filter((c) => c.group === group);
  return {
    group,
    title: PORTAL_766_GROUPS[group].title,
    maxPoints: PORTAL_766_GROUPS[group].points,
    points: 0,
    measuredMaxPoints: criteria.filter((c) => c.measure).reduce((sum, c) => sum + c.points, 0),
    criteria: criteria.map((c) => ({
      code: c.code,
      title: c.title,
      maxPoints: c.points,
      measured: c.measure !== undefined,
      points: null,
      fullAt: c.fullAt,
      emptyDenominator: c.emptyDenominator,
      formula: c.formula,
      source: c.source,
      confidence: c.confidence,
    })),
  };
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
 * The Decision 766 scorecard of one agency and month, scored as the portal scores it: the six groups, each
 * criterion with its points or "not measured here", the raw counts, and the trend over six months — the same
 * numbers as GET /v1/indicators (default formula). The agency picker and the dossiers behind a number come from
 * the indicator store the relay keeps.
 */
@Injectable()
export class ConsoleScorecard {
  private readonly portalSync: PortalSyncGapsRepository;

  constructor(
    @Inject(IndicatorStore) private readonly store: IndicatorStore,
    @Inject(Database) database: Database,
    @Inject(PortalScoreRepository) private readonly portalScores: PortalScoreRepository,
  ) {
    this.portalSync = new PortalSyncGapsRepository(database);
  }

  private async portalReport(
    agencyCode: string,
    period: ReportingPeriod,
  ): Promise<PortalIndicatorReport | undefined> {
    const facts = await this.portalScores.facts(agencyCode, period);
    return scorePortalIndicators(facts, period, this.portalScores.now()).find(
      (r) => r.agencyCode === agencyCode,
    );
  }

  /**
   * The dossiers behind a bad number of one agency and month: resolved late, not digitised (at intake or
   * the result), or received in the month and not synced to the portal — no successful portal call (the
   * relay's portal.sync audit records) since the gateway accepted the dossier's latest event, or ever when
   * the gateway holds no state of it. Oldest first.
   */
  async behind(agencyInput: unknown, periodInput: unknown, kindInput: unknown): Promise<DossiersBehind> {
    const period = this.month(periodInput);
    if (typeof agencyInput !== 'string' || !validateAgencyCode(agencyInput).valid) {
      throw new ProblemException(400, 'INVALID_AGENCY_CODE', 'Invalid agency code', 'Not an agency code.', [
        { path: '/agency', code: 'AGENCY_CODE_FORMAT', message: 'Not an agency code' },
      ]);
    }
    if (!BEHIND_KINDS.includes(kindInput as BehindKind)) {
      throw new ProblemException(
        400,
        'INVALID_FILTER',
        'Invalid filter',
        `kind is one of ${BEHIND_KINDS.join(', ')}.`,
        [{ path: '/kind', code: 'INVALID', message: `one of ${BEHIND_KINDS.join(', ')}` }],
      );
    }
    const kind = kindInput as BehindKind;
    let dossiers: DossiersBehind['dossiers'];
    if (kind === 'not-synced') {
      const received = await this.store.dossiersBehind(agencyInput, period, 'received', 100_000);
      const synced = await this.portalSync.syncedSince(received.map((d) => d.dossierCode));
      dossiers = received
        .filter((d) => synced.get(d.dossierCode)?.gap !== false)
        .map((d) => {
          const lastOk = synced.get(d.dossierCode)?.lastOk;
          return { ...d, lastSyncedAt: lastOk ? new Date(lastOk).toISOString() : null };
        });
    } else {
      dossiers = await this.store.dossiersBehind(agencyInput, period, kind, BEHIND_LIMIT + 1);
    }
    return {
      agencyCode: agencyInput,
      period: period.key,
      kind,
      dossiers: dossiers.slice(0, BEHIND_LIMIT),
      truncated: dossiers.length > BEHIND_LIMIT,
    };
  }

  private month(periodInput: unknown): ReportingPeriod {
    const period = parsePeriodKey(periodInput);
    if (!period || period.kind !== 'MONTH') {
      throw new ProblemException(400, 'INVALID_PERIOD', 'Invalid period', 'Name a month: YYYY-MM.', [
        { path: '/period', code: 'PERIOD_FORMAT', message: 'Expected YYYY-MM' },
      ]);
    }
    return period;
  }

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
    const report = agencyCode ? await this.portalReport(agencyCode, period) : undefined;
    const trend = agencyCode
      ? await Promise.all(
          monthsBefore(period.key, 6).map(async (key) => ({
            period: key,
            scores: (await this.portalReport(agencyCode!, { kind: 'MONTH', key }))?.scores ?? null,
          })),
        )
      : [];
    return {
      period,
      formulaVersion: PORTAL_FORMULA_VERSION,
      groups: report?.groups ?? INDICATOR_GROUPS.map(unscored),
      agencies,
      agencyCode,
      counts: report?.counts ?? null,
      scores: report?.scores ?? null,
      measuredMax: report?.measuredMax ?? null,
      trend,
    };
  }
}

import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { IndicatorReport, ReportingPeriod } from '@lienthong/contracts';
import { isTransientUpstreamError } from '@lienthong/adapters/common';
import type { PortalEvaluationPeriod } from '@lienthong/adapters/public-service-portal';
import {
  buildPortalIndicatorReport,
  emptyPortalCounts,
  FORMULA_VERSION,
  formatLocalDateTime,
  parsePeriodKey,
  PORTAL_FORMULA_VERSION,
  PORTAL_PERIOD_KINDS,
  reconcilePortalScores,
  scorePortalIndicators,
  type PortalIndicatorReport,
  type Reconciliation,
} from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { RequiresService } from '@lienthong/security';
import { IndicatorStore, PortalScoreRepository } from '@lienthong/indicators';
import { agencyQuery } from './agency-period-query';
import { reconcileDifference, reconciliations } from './indicator-reconcile.metrics';
import { PortalEvaluations } from './portal-evaluations';

/** GET /v1/indicators with `formula=766-2022.1`: the canonical report without a revision number. */
export type IndicatorReadModel = Omit<IndicatorReport, 'version'>;
/** GET /v1/indicators (default): the portal's formulas, every sub-criterion with its raw figures. */
export type PortalIndicatorReadModel = PortalIndicatorReport & { generatedAt: string };
/** GET /v1/indicators/reconcile. */
export type ReconciliationReadModel = Reconciliation & { generatedAt: string };

/** The formula versions GET /v1/indicators computes; the first is the default. */
export const SCORING_FORMULA_VERSIONS = [PORTAL_FORMULA_VERSION, FORMULA_VERSION] as const;

const EXAMPLE = (() => {
  const report = buildPortalIndicatorReport(
    '000.17.22.H56',
    { kind: 'MONTH', key: '2026-10' },
    {
      ...emptyPortalCounts(),
      received: 420,
      receivedSynced: 412,
      receivedOnline: 315,
      procedures: 24,
      proceduresOnline: 17,
      closed: 398,
      closedOnTime: 371,
      overdueInProcess: 4,
      closedDissatisfiedOrLate: 33,
      feeBearing: 210,
      paidOnline: 118,
      resolved: 380,
      resultsElectronic: 342,
      digitisedAtIntake: 402,
      reusing: 137,
      populationData: 265,
    },
  );
  return { ...report, generatedAt: '2026-11-22T09:15:02+07:00' };
})();

function periodOf(periodKey: unknown, kinds?: readonly ReportingPeriod['kind'][]): ReportingPeriod {
  const period = parsePeriodKey(periodKey);
  if (!period || (kinds && !kinds.includes(period.kind))) {
    const accepted = kinds
      ? 'YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year): the portal evaluates no shorter period'
      : 'YYYY-MM-DD (day), YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year)';
    throw new ProblemException(
      400,
      'INVALID_PERIOD',
      'Invalid period',
      `Name the period in the "period" query parameter: ${accepted}.`,
      [{ path: '/period', code: 'PERIOD_FORMAT', message: `Expected ${accepted}` }],
    );
  }
  return period;
}

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('v1')
export class IndicatorsController {
  constructor(
    private readonly store: IndicatorStore,
    private readonly portalScores: PortalScoreRepository,
    private readonly evaluations: PortalEvaluations,
  ) {}

  @Get('indicators')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary:
      'Decision 766 indicators of one agency for a month, quarter or year, scored as the portal scores them',
    description:
      `By default (\`formula=${PORTAL_FORMULA_VERSION}\`) the six groups scored sub-criterion by sub-criterion as ` +
      'the National Public Service Portal does (docs/indicators.md): each criterion with its points, threshold, ' +
      'raw figures (numerator, denominator), source and confidence; criteria that need data the gateway does not ' +
      'have are "not measured here" (`measured: false`, `points: null`) and left out of `scores` and ' +
      '`measuredMax`, never given full marks. MONTH, QUARTER and YEAR. ' +
      `With \`formula=${FORMULA_VERSION}\` the earlier formulas, in the shape of ` +
      'contracts/schemas/indicator-report.v1.json without `version` (the ones reported to the operations center), ' +
      'for DAY, MONTH, QUARTER and YEAR. Computed when asked from the dossier status events the relay has ' +
      'applied; periods are calendar periods in Asia/Ho_Chi_Minh time; stock figures are taken at the end of a ' +
      'past period and now for the running one. Service `indicators.read`; aggregate data, no purpose needed.',
  })
  @ApiQuery({
    name: 'agency',
    required: true,
    description: 'Agency code (Decision 20/2020/QĐ-TTg)',
    example: '000.17.22.H56',
  })
  @ApiQuery({
    name: 'period',
    required: true,
    description:
      '`YYYY-MM` (month), `YYYY-Qn` (quarter), `YYYY` (year); `YYYY-MM-DD` (day) with the 2022 formulas',
    example: '2026-10',
  })
  @ApiQuery({
    name: 'formula',
    required: false,
    description: `\`${PORTAL_FORMULA_VERSION}\` (default) or \`${FORMULA_VERSION}\``,
    enum: SCORING_FORMULA_VERSIONS,
  })
  @ApiResponse({ status: 200, description: 'The report', schema: { type: 'object', example: EXAMPLE } })
  @ApiResponse({
    status: 400,
    description: 'problem+json INVALID_AGENCY_CODE, INVALID_PERIOD or INVALID_FORMULA',
  })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED' })
  @ApiResponse({
    status: 404,
    description: 'problem+json INDICATORS_NOT_FOUND: nothing for this agency in this period',
  })
  @ApiResponse({ status: 429, description: 'problem+json RATE_LIMITED' })
  async get(
    @Query('agency') agency: unknown,
    @Query('period') periodKey: unknown,
    @Query('formula') formula: unknown,
  ): Promise<PortalIndicatorReadModel | IndicatorReadModel> {
    const agencyCode = agencyQuery(agency);
    const version = formula === undefined || formula === '' ? PORTAL_FORMULA_VERSION : formula;
    if (!(SCORING_FORMULA_VERSIONS as readonly unknown[]).includes(version)) {
      throw new ProblemException(
        400,
        'INVALID_FORMULA',
        'Unknown formula version',
        `Name a formula version in the "formula" query parameter: ${SCORING_FORMULA_VERSIONS.join(' or ')}.`,
        [
          {
            path: '/formula',
            code: 'FORMULA_VERSION',
            message: `Expected ${SCORING_FORMULA_VERSIONS.join(' or ')}`,
          },
        ],
      );
    }
    if (version === FORMULA_VERSION) {
      const report = await this.store.report(agencyCode, periodOf(periodKey));
      if (!report) throw notFound();
      return { ...report, generatedAt: formatLocalDateTime(Date.now()) };
    }
    const report = await this.portalReport(agencyCode, periodOf(periodKey, PORTAL_PERIOD_KINDS));
    if (!report) throw notFound();
    return { ...report, generatedAt: formatLocalDateTime(Date.now()) };
  }

  @Get('indicators/reconcile')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary:
      'The gateway’s Decision 766 score beside the portal’s own evaluation, group by group and criterion by criterion',
    description:
      'Fetches the portal’s own evaluation of the agency and period (LayKetQuaDanhGia on the portal’s sharing ' +
      `endpoint), computes the gateway’s (\`${PORTAL_FORMULA_VERSION}\`) and shows both per group and sub-criterion, ` +
      'with `difference` = portal − gateway; `differences` lists the measured ones beyond rounding, largest first. A ' +
      'group also shows what the portal gives for the criteria not measured here. Updates ' +
      '`lgsp_indicator_reconcile_difference_points`. Operators, with the `indicators.read` grant. MONTH, QUARTER, ' +
      'YEAR.',
  })
  @ApiQuery({ name: 'agency', required: true, description: 'Agency code', example: '000.17.22.H56' })
  @ApiQuery({
    name: 'period',
    required: true,
    description: '`YYYY-MM`, `YYYY-Qn` or `YYYY`',
    example: '2026-10',
  })
  @ApiResponse({ status: 200, description: 'The reconciliation' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_AGENCY_CODE or INVALID_PERIOD' })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' })
  @ApiResponse({ status: 403, description: 'problem+json ROLE_REQUIRED or SERVICE_NOT_ALLOWED' })
  @ApiResponse({
    status: 404,
    description: 'problem+json PORTAL_EVALUATION_NOT_FOUND: the portal has no evaluation yet',
  })
  @ApiResponse({ status: 502, description: 'problem+json PORTAL_REFUSED: the portal refused the request' })
  @ApiResponse({
    status: 503,
    description: 'problem+json PORTAL_NOT_CONFIGURED (no PORTAL_URL) or PORTAL_UNAVAILABLE (try again later)',
  })
  async reconcile(
    @Query('agency') agency: unknown,
    @Query('period') periodKey: unknown,
  ): Promise<ReconciliationReadModel> {
    const agencyCode = agencyQuery(agency);
    const period = periodOf(periodKey, PORTAL_PERIOD_KINDS);
    const portal = this.evaluations.portal;
    if (!portal) {
      reconciliations.inc({ outcome: 'not_configured' });
      throw new ProblemException(
        503,
        'PORTAL_NOT_CONFIGURED',
        'The portal is not configured',
        'Set PORTAL_URL (and the PORTAL_* settings) for the gateway to read the portal’s own evaluation.',
      );
    }
    let evaluation;
    try {
      evaluation = await portal.getEvaluation(agencyCode, period as PortalEvaluationPeriod);
    } catch (error) {
      const transient = isTransientUpstreamError(error);
      reconciliations.inc({ outcome: 'unavailable' });
      throw new ProblemException(
        transient ? 503 : 502,
        transient ? 'PORTAL_UNAVAILABLE' : 'PORTAL_REFUSED',
        transient ? 'The portal is unavailable' : 'The portal refused the request',
        transient
          ? 'The portal could not be asked for its evaluation now; try again later.'
          : 'The portal refused to give its evaluation (see the gateway’s log for its message).',
      );
    }
    if (!evaluation) {
      reconciliations.inc({ outcome: 'no_evaluation' });
      throw new ProblemException(
        404,
        'PORTAL_EVALUATION_NOT_FOUND',
        'The portal has no evaluation of this agency and period',
        'The portal publishes its evaluation after the period closes; nothing to compare with yet.',
      );
    }
    const own =
      (await this.portalReport(agencyCode, period)) ??
      buildPortalIndicatorReport(agencyCode, period, emptyPortalCounts());
    const reconciliation = reconcilePortalScores(own, evaluation);
    for (const group of reconciliation.groups) {
      reconcileDifference.set(
        { agency: agencyCode, period_kind: period.kind, group: group.group },
        group.difference ?? 0,
      );
    }
    reconcileDifference.set(
      { agency: agencyCode, period_kind: period.kind, group: 'total' },
      reconciliation.portalTotal === null
        ? 0
        : Math.round((reconciliation.portalTotal - reconciliation.gatewayTotal) * 100) / 100,
    );
    reconciliations.inc({ outcome: reconciliation.differences.length === 0 ? 'agree' : 'differ' });
    return { ...reconciliation, generatedAt: formatLocalDateTime(Date.now()) };
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
}

function notFound(): ProblemException {
  return new ProblemException(
    404,
    'INDICATORS_NOT_FOUND',
    'No indicators for this agency and period',
    'No dossier of this agency was received, closed, rated or pending in this period.',
  );
}

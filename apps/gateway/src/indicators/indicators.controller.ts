import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { IndicatorReport } from '@lienthong/contracts';
import { FORMULA_VERSION, formatLocalDateTime, parsePeriodKey, validateAgencyCode } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { RequiresService } from '@lienthong/security';
import { IndicatorStore } from '../../../relay/src/indicators/indicator.store';

/** What GET /v1/indicators returns: the canonical report without a revision number (see the controller). */
export type IndicatorReadModel = Omit<IndicatorReport, 'version'>;

const EXAMPLE: IndicatorReadModel = {
  agencyCode: '000.17.22.H56',
  period: { kind: 'MONTH', key: '2026-10' },
  formulaVersion: FORMULA_VERSION,
  counts: {
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
  scores: { CKMB: 18, TDGQ: 19.38, CLGQ: 9, TTTT: 4.48, MDHL: 17.4, MDSH: 17.61, total: 85.87 },
  generatedAt: '2026-11-22T09:15:02+07:00',
};

@ApiTags('indicators')
@ApiBearerAuth()
@Controller('v1')
export class IndicatorsController {
  constructor(private readonly store: IndicatorStore) {}

  @Get('indicators')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary: 'Decision 766 indicators of one agency for one day, month or quarter',
    description:
      'The service-quality counts and the six group scores (CKMB, TDGQ, CLGQ, TTTT, MDHL, MDSH) of an agency, ' +
      'computed when asked from the dossier status events the relay has applied, in the shape of ' +
      'contracts/schemas/indicator-report.v1.json without `version` (revision numbers belong to the reports ' +
      'delivered to the operations center). Periods are calendar periods in Asia/Ho_Chi_Minh time; the stock ' +
      'figures (pending in time / overdue) are taken at the end of a past period and now for the running one. ' +
      'A late event corrects the period its dossier belongs to. `formulaVersion` names the formulas used. ' +
      'Service `indicators.read`; aggregate data, no purpose needed.',
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
    description: '`YYYY-MM-DD` (day), `YYYY-MM` (month) or `YYYY-Qn` (quarter)',
    example: '2026-10',
  })
  @ApiResponse({ status: 200, description: 'The report', schema: { type: 'object', example: EXAMPLE } })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_AGENCY_CODE or INVALID_PERIOD' })
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
  ): Promise<IndicatorReadModel> {
    const agencyCode = typeof agency === 'string' ? agency : '';
    const check = validateAgencyCode(agencyCode);
    if (!check.valid) {
      throw new ProblemException(
        400,
        'INVALID_AGENCY_CODE',
        'Invalid agency code',
        'Name the agency in the "agency" query parameter: groups of 0-9 and A-Z separated by dots, at most 35 characters.',
        check.errors.map((e) => ({ path: '/agency', code: e.code, message: e.message })),
      );
    }
    const period = parsePeriodKey(periodKey);
    if (!period) {
      throw new ProblemException(
        400,
        'INVALID_PERIOD',
        'Invalid period',
        'Name the period in the "period" query parameter: YYYY-MM-DD (day), YYYY-MM (month) or YYYY-Qn (quarter).',
        [{ path: '/period', code: 'PERIOD_FORMAT', message: 'Expected YYYY-MM-DD, YYYY-MM or YYYY-Qn' }],
      );
    }
    const report = await this.store.report(agencyCode, period);
    if (!report) {
      throw new ProblemException(
        404,
        'INDICATORS_NOT_FOUND',
        'No indicators for this agency and period',
        'No dossier of this agency was received, resolved, rated or pending in this period.',
      );
    }
    return { ...report, generatedAt: formatLocalDateTime(Date.now()) };
  }
}

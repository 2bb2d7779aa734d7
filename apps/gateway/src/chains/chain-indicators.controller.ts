import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChainIndicatorRepository, countChains } from '@lienthong/chains';
import { formatLocalDateTime, type ChainDefinitions } from '@lienthong/domain';
import { RequiresService } from '@lienthong/security';
import { CHAIN_DEFINITIONS } from './chains.tokens';
import { agencyPeriodQuery } from '../indicators/agency-period-query';

/**
 * Procedure chains counted per agency and period beside the Decision 766 scores (docs/indicators.md,
 * "Procedure chains"): a chain's timeliness against its steps' limits added up, and the data it reused.
 */
@ApiTags('indicators')
@ApiBearerAuth()
@Controller('v1')
export class ChainIndicatorsController {
  constructor(
    private readonly repository: ChainIndicatorRepository,
    @Inject(CHAIN_DEFINITIONS) private readonly definitions: ChainDefinitions,
  ) {}

  @Get('indicators/chains')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary:
      'Procedure chains on time and the data they reused, per agency and period (service indicators.read)',
    description:
      'Counts the chains whose parent dossier is the agency’s: started, completed (on time or late against the ' +
      'sum of the steps’ legal time limits, in working days, Vietnam time), stopped, failed, and still running past ' +
      'that limit at the period’s end (or now); and, for the chains started, the fields read once from the ' +
      'national databases and the fields steps took from earlier steps instead of asking the citizen. Totals and ' +
      'per chain code. Calendar periods in Asia/Ho_Chi_Minh time: YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY. Aggregate ' +
      'data, no purpose needed.',
  })
  @ApiQuery({ name: 'agency', required: true, example: '000.00.31.H56' })
  @ApiQuery({ name: 'period', required: true, example: '2026-12' })
  @ApiResponse({
    status: 200,
    description:
      '{agencyCode, period, totals: {started, completed, onTime, late, stopped, failed, overdueRunning, ' +
      'onTimeRatio, reuse: {nationalFields, stepFields}}, byChain: [{chainCode, ...}], generatedAt}',
  })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_AGENCY_CODE or INVALID_PERIOD' })
  async counts(@Query('agency') agency: unknown, @Query('period') periodKey: unknown) {
    const { agencyCode, period, start, end } = agencyPeriodQuery(agency, periodKey);
    const facts = await this.repository.facts(agencyCode, start, end);
    const counts = countChains(this.definitions, facts, { start, end }, new Date());
    return { agencyCode, period, ...counts, generatedAt: formatLocalDateTime(Date.now()) };
  }
}

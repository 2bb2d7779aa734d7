import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { formatLocalDateTime } from '@lienthong/domain';
import { CurrentCall, RequiresService, type CallContext } from '@lienthong/security';
import { HandoverService } from './handover.service';
import { agencyPeriodQuery } from '../indicators/agency-period-query';

const COMMON = [
  { status: 400, description: 'problem+json INVALID_DOSSIER_CODE or INVALID_BODY (per-field errors)' },
  { status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' },
  { status: 429, description: 'problem+json RATE_LIMITED' },
] as const;

/**
 * Non-boundary intake between agencies, for registered one-stop systems (service `dossier.events`): the
 * receiving agency's client hands a dossier over, the competent agency's client accepts or refuses it and
 * returns the result. Every step is on lgsp.dossier.handover.v1, keyed by the competent agency, and audited;
 * GET /v1/dossiers/{dossierCode} shows where it stands to both agencies.
 */
@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('v1/dossiers/:dossierCode/handover')
export class HandoverController {
  constructor(private readonly service: HandoverService) {}

  @Post()
  @HttpCode(201)
  @RequiresService('dossier.events')
  @ApiOperation({
    summary: 'Hand a non-boundary dossier over to the agency that resolves it (service dossier.events)',
    description:
      "For the receiving agency's client: the dossier must be known (its events accepted), of one of the " +
      "client's agencies, open, and of a procedure the catalogue opens to non-boundary intake " +
      '(`nonBoundary: true`); when the catalogue lists the competent agencies, the named agency must be one. ' +
      'Published on `lgsp.dossier.handover.v1` keyed by the competent agency. A refused hand-over may be made again.',
  })
  @ApiParam({ name: 'dossierCode', example: '000.31.05.H56-261206-0001' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['competentAgency'],
      additionalProperties: false,
      properties: { competentAgency: { type: 'string', example: '000.17.22.H56' } },
    },
  })
  @ApiResponse({ status: 201, description: 'Handed over: the hand-over, state HANDED_OVER' })
  @ApiResponse(COMMON[0])
  @ApiResponse(COMMON[1])
  @ApiResponse({
    status: 403,
    description:
      "problem+json SERVICE_NOT_ALLOWED, or AGENCY_NOT_ALLOWED (not a dossier of the client's agencies)",
  })
  @ApiResponse({ status: 409, description: 'problem+json HANDOVER_EXISTS (handed over and not refused)' })
  @ApiResponse({
    status: 422,
    description:
      'problem+json UNKNOWN_DOSSIER, NON_BOUNDARY_NOT_ALLOWED (the catalogue does not open the procedure to it), ' +
      'AGENCY_NOT_COMPETENT, HANDOVER_TO_SELF or DOSSIER_CLOSED',
  })
  @ApiResponse(COMMON[2])
  @ApiResponse({
    status: 503,
    description: 'problem+json DATABASE_UNAVAILABLE (nothing recorded) or OUTCOME_UNKNOWN (Retry-After)',
  })
  handOver(
    @Param('dossierCode') dossierCode: string,
    @Body() body: unknown,
    @CurrentCall() call: CallContext,
  ) {
    return this.service.handOver(dossierCode, body, this.caller(call));
  }

  @Post('decision')
  @HttpCode(200)
  @RequiresService('dossier.events')
  @ApiOperation({
    summary: 'Accept or refuse a dossier handed over to your agency (service dossier.events)',
    description:
      "For the competent agency's client only. A refusal needs a reason and returns the dossier to the " +
      'receiving agency (it may hand it over again). Published on `lgsp.dossier.handover.v1`.',
  })
  @ApiParam({ name: 'dossierCode', example: '000.31.05.H56-261206-0001' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['decision'],
      additionalProperties: false,
      properties: {
        decision: { type: 'string', enum: ['ACCEPT', 'REFUSE'] },
        reason: { type: 'string', maxLength: 1000, description: 'Required with REFUSE, refused with ACCEPT' },
      },
    },
  })
  @ApiResponse({ status: 200, description: 'Decided: the hand-over, state ACCEPTED or REFUSED' })
  @ApiResponse(COMMON[0])
  @ApiResponse(COMMON[1])
  @ApiResponse({
    status: 403,
    description:
      'problem+json SERVICE_NOT_ALLOWED, or AGENCY_NOT_ALLOWED (not a client of the competent agency)',
  })
  @ApiResponse({ status: 404, description: 'problem+json HANDOVER_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'problem+json HANDOVER_NOT_PENDING (already decided)' })
  @ApiResponse(COMMON[2])
  @ApiResponse({
    status: 503,
    description: 'problem+json DATABASE_UNAVAILABLE (nothing recorded) or OUTCOME_UNKNOWN (Retry-After)',
  })
  decide(@Param('dossierCode') dossierCode: string, @Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.service.decide(dossierCode, body, this.caller(call));
  }

  @Post('result')
  @HttpCode(200)
  @RequiresService('dossier.events')
  @ApiOperation({
    summary: 'Return the result of an accepted dossier to the receiving agency (service dossier.events)',
    description:
      "For the competent agency's client only, once it accepted the dossier; no body (or `{}`). The receiving " +
      'agency reads it on `lgsp.dossier.handover.v1` or GET /v1/dossiers/{dossierCode} and gives the result to ' +
      'the citizen where they filed (its RESULT_RETURNED status event).',
  })
  @ApiParam({ name: 'dossierCode', example: '000.31.05.H56-261206-0001' })
  @ApiResponse({ status: 200, description: 'Returned: the hand-over, state RESULT_RETURNED' })
  @ApiResponse(COMMON[0])
  @ApiResponse(COMMON[1])
  @ApiResponse({
    status: 403,
    description:
      'problem+json SERVICE_NOT_ALLOWED, or AGENCY_NOT_ALLOWED (not a client of the competent agency)',
  })
  @ApiResponse({ status: 404, description: 'problem+json HANDOVER_NOT_FOUND' })
  @ApiResponse({
    status: 409,
    description: 'problem+json HANDOVER_NOT_ACCEPTED (not accepted, or already returned)',
  })
  @ApiResponse(COMMON[2])
  @ApiResponse({
    status: 503,
    description: 'problem+json DATABASE_UNAVAILABLE (nothing recorded) or OUTCOME_UNKNOWN (Retry-After)',
  })
  returnResult(
    @Param('dossierCode') dossierCode: string,
    @Body() body: unknown,
    @CurrentCall() call: CallContext,
  ) {
    return this.service.returnResult(dossierCode, body, this.caller(call));
  }

  private caller(call: CallContext) {
    return {
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
    };
  }
}

/**
 * Non-boundary intake counted per agency and period, beside the Decision 766 scores (docs/indicators.md): the
 * hand-overs change no criterion, since the dossier stays the receiving agency's and counts there.
 */
@ApiTags('indicators')
@ApiBearerAuth()
@Controller('v1')
export class HandoverIndicatorsController {
  constructor(private readonly service: HandoverService) {}

  @Get('indicators/handovers')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary: 'Non-boundary dossiers handed over, per agency and period (service indicators.read)',
    description:
      'Counts the hand-overs of one agency: dossiers it received and handed over to another agency, dossiers ' +
      'handed over to it, and its acceptances, refusals and results returned, each by the time of its step. ' +
      'Calendar periods in Asia/Ho_Chi_Minh time: YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY. Aggregate data, no purpose needed.',
  })
  @ApiQuery({ name: 'agency', required: true, example: '000.17.22.H56' })
  @ApiQuery({ name: 'period', required: true, example: '2026-12' })
  @ApiResponse({
    status: 200,
    description:
      '{agencyCode, period, handedOver, received, accepted, refused, resultsReturned, generatedAt}',
  })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_AGENCY_CODE or INVALID_PERIOD' })
  async counts(@Query('agency') agency: unknown, @Query('period') periodKey: unknown) {
    const { agencyCode, period, start, end } = agencyPeriodQuery(agency, periodKey);
    const counts = await this.service.counts(agencyCode, start, end);
    return { agencyCode, period, ...counts, generatedAt: formatLocalDateTime(Date.now()) };
  }
}

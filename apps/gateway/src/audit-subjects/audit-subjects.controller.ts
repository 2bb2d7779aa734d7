import { Body, Controller, Header, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCall, RequiresService, type CallContext } from '@lienthong/security';
import { LookupDenialFilter } from '../lookups/lookup-audit';
import { AUDIT_SUBJECTS_BODY, AUDIT_SUBJECTS_RESPONSE } from '../lookups/lookups.openapi';
import { AuditSubjectsService } from './audit-subjects.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
@UseFilters(LookupDenialFilter)
export class AuditSubjectsController {
  constructor(private readonly subjects: AuditSubjectsService) {}

  @Post('subjects/lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequiresService('audit.subjects')
  @ApiOperation({
    summary: 'Who looked up this person or enterprise, when, why, with what result (admin clients only)',
    description:
      'The audit records of every lookup of the subject (match SUBJECT) or whose answer carried its data ' +
      '(match RELATED, e.g. as household head, legal representative or land holder), newest first. The ' +
      'identifier is in the body, never in the URL; the query is itself audited.',
  })
  @ApiBody({ schema: AUDIT_SUBJECTS_BODY })
  @ApiResponse({ status: 200, schema: AUDIT_SUBJECTS_RESPONSE })
  @ApiResponse({
    status: 400,
    description:
      'problem+json: INVALID_BODY, VALIDATION_FAILED, INVALID_PERSONAL_ID, INVALID_ENTERPRISE_CODE, PURPOSE_REQUIRED',
  })
  @ApiResponse({ status: 401, description: 'problem+json: UNAUTHENTICATED, INVALID_CREDENTIALS' })
  @ApiResponse({
    status: 403,
    description:
      'problem+json: ROLE_REQUIRED (not a DATA_PROTECTION_OFFICER), SERVICE_NOT_ALLOWED (not an admin client), PURPOSE_NOT_ALLOWED',
  })
  @ApiResponse({ status: 429, description: 'problem+json RATE_LIMITED, with Retry-After' })
  lookup(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.subjects.lookup(body, call);
  }
}

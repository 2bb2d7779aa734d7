import { Body, Controller, Header, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCall, RequiresService, type CallContext } from '@lienthong/security';
import { LookupDenialFilter } from './lookup-audit';
import { LookupService } from './lookup.service';
import {
  CITIZEN_LOOKUP_BODY,
  CITIZEN_VERIFY_BODY,
  ENTERPRISE_LOOKUP_BODY,
  LAND_LOOKUP_BODY,
  lookupResponse,
} from './lookups.openapi';

const COMMON_ERRORS = [
  {
    status: 400,
    description:
      'problem+json: INVALID_BODY, VALIDATION_FAILED, INVALID_<IDENTIFIER>, PURPOSE_REQUIRED, DOSSIER_CODE_REQUIRED',
  },
  { status: 401, description: 'problem+json: UNAUTHENTICATED (no credentials), INVALID_CREDENTIALS' },
  {
    status: 403,
    description:
      "problem+json: SERVICE_NOT_ALLOWED, PURPOSE_NOT_ALLOWED, AGENCY_NOT_ALLOWED (the dossierCode is not of the client's agencies), DOSSIER_CLOSED (a purpose that serves a dossier names a closed one)",
  },
  { status: 429, description: 'problem+json RATE_LIMITED, with Retry-After' },
  {
    status: 502,
    description:
      'problem+json: UPSTREAM_BAD_SIGNATURE, UPSTREAM_MALFORMED_RESPONSE (the answer is never passed on), UPSTREAM_AUTH_FAILED',
  },
  {
    status: 503,
    description:
      'problem+json with Retry-After: UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, UPSTREAM_CIRCUIT_OPEN (or the stale answer, for clients allowed it); UPSTREAM_NOT_CONFIGURED',
  },
] as const;

function commonErrors(): MethodDecorator {
  return (target, key, descriptor) => {
    for (const error of COMMON_ERRORS) ApiResponse(error)(target, key, descriptor);
  };
}

/**
 * The lookup API. Personal identifiers travel in POST bodies, never in URLs. Every request names its
 * purpose (and the dossier it serves); the caller receives only the fields its grant allows; every call is
 * audited. See LookupService for the pipeline.
 */
@ApiTags('lookups')
@ApiBearerAuth()
@Controller('v1')
@UseFilters(LookupDenialFilter)
export class LookupsController {
  constructor(private readonly lookups: LookupService) {}

  @Post('citizens/lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequiresService('citizen.lookup')
  @ApiOperation({
    summary: 'A citizen from the National Population Database, by personal ID',
    description:
      'Answered from the cache while the last verified answer is valid (POPULATION_VALIDITY_MS), otherwise from ' +
      'the upstream (signed SOAP over mutual TLS; an answer whose signature does not verify is refused).',
  })
  @ApiBody({ schema: CITIZEN_LOOKUP_BODY })
  @ApiResponse({ status: 200, schema: lookupResponse('citizen') })
  @ApiResponse({ status: 404, description: 'problem+json CITIZEN_NOT_FOUND' })
  @commonErrors()
  lookupCitizen(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.lookups.lookupCitizen(body, call);
  }

  @Post('citizens/verify')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequiresService('citizen.verify')
  @ApiOperation({
    summary: 'Whether the register agrees with a declared name and/or date of birth',
    description:
      'Per field MATCH, NO_MATCH or UNDETERMINED and `allMatch`; discloses nothing else. Never cached. ' +
      "Each claimed field must be in the client's field scope for citizen.verify (403 FIELD_NOT_ALLOWED).",
  })
  @ApiBody({ schema: CITIZEN_VERIFY_BODY })
  @ApiResponse({ status: 200, schema: lookupResponse('citizen verification') })
  @ApiResponse({ status: 403, description: 'problem+json FIELD_NOT_ALLOWED' })
  @ApiResponse({ status: 404, description: 'problem+json CITIZEN_NOT_FOUND' })
  @commonErrors()
  verifyCitizen(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.lookups.verifyCitizen(body, call);
  }

  @Post('enterprises/lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequiresService('enterprise.lookup')
  @ApiOperation({
    summary: 'An enterprise or dependent unit from the National Business Registration Database',
  })
  @ApiBody({ schema: ENTERPRISE_LOOKUP_BODY })
  @ApiResponse({ status: 200, schema: lookupResponse('enterprise') })
  @ApiResponse({ status: 404, description: 'problem+json ENTERPRISE_NOT_FOUND' })
  @commonErrors()
  lookupEnterprise(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.lookups.lookupEnterprise(body, call);
  }

  @Post('land-parcels/lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequiresService('land.lookup')
  @ApiOperation({
    summary: 'A land parcel from the National Land Database, by cadastral key or certificate number',
  })
  @ApiBody({ schema: LAND_LOOKUP_BODY })
  @ApiResponse({ status: 200, schema: lookupResponse('land-parcel') })
  @ApiResponse({ status: 404, description: 'problem+json LAND_PARCEL_NOT_FOUND' })
  @commonErrors()
  lookupLandParcel(@Body() body: unknown, @CurrentCall() call: CallContext) {
    return this.lookups.lookupLandParcel(body, call);
  }
}

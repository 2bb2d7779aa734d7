import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ChainRunner,
  ChainStartError,
  outboxChainEvents,
  ParentDossierStatusRepository,
  type ChainView,
} from '@lienthong/chains';
import { Outbox } from '@lienthong/messaging';
import { parseDossierCode, type ChainDefinitions } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { AccessPolicy, CurrentCall, denial, RequiresService, type CallContext } from '@lienthong/security';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { DossierStateRepository } from '@lienthong/dossiers';
import { Database } from '@lienthong/storage';
import { LookupService } from '../lookups/lookup.service';
import { CHAIN_DEFINITIONS } from './chains.tokens';
import {
  checkDossierCodeDate,
  checkRequestBody,
  refuseInvalid,
  requestBodySchema,
  type FieldRules,
} from '../request-body';
import { PopulationNationalData } from './population-national-data';

/** How a refused chain start is named (contracts/schemas/request-body.v1.json#/$defs/chainStart). */
const START_RULES: FieldRules = {
  '/parentDossierCode': ['INVALID', 'must be a dossier code'],
  '/chainCode': ['INVALID', 'must name a chain'],
  '/application': ['INVALID', 'must be an object of field values, by dotted field name'],
  '/application/*': ['INVALID', 'must be a text of at most 500 characters'],
};

/**
 * Procedure chains ("liên thông điện tử") for the one-stop system: start the chain of an application under
 * its parent dossier, and follow it step by step. The relay's chains role runs the steps.
 */
@ApiTags('chains')
@Controller('v1')
export class ChainsController {
  /** Where a chain moves its parent dossier's status, in the transaction of the chain's transition. */
  private readonly parentStatus: ParentDossierStatusRepository;

  constructor(
    private readonly database: Database,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    private readonly lookups: LookupService,
    private readonly outbox: Outbox,
    @Inject(CHAIN_DEFINITIONS) private readonly definitions: ChainDefinitions,
  ) {
    this.parentStatus = new ParentDossierStatusRepository(outbox, new DossierStateRepository(database));
  }

  @Post('chains')
  @HttpCode(201)
  @RequiresService('chains')
  @ApiOperation({
    summary: 'Start the procedure chain of an application (service chains)',
    description:
      'Records the application under its parent dossier code and reads what its steps need from the ' +
      'National Population Database (under the client’s citizen.lookup grant, purpose DOSSIER_PROCESSING), so ' +
      'nothing is asked of the citizen twice; the relay then runs the steps. Sending the same application ' +
      'again answers the same chain.',
  })
  @ApiBody({ schema: requestBodySchema('chainStart') })
  @ApiResponse({ status: 201, description: 'The chain, step by step' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_BODY or INVALID_DOSSIER_CODE' })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({
    status: 409,
    description: 'problem+json CHAIN_CONFLICT: another application under this code',
  })
  @ApiResponse({
    status: 422,
    description: 'problem+json UNKNOWN_CHAIN, APPLICATION_FIELD_MISSING or NATIONAL_DATA_MISSING',
  })
  async start(@Body() body: unknown, @CurrentCall() call: CallContext): Promise<ChainView> {
    const input = this.parse(body);
    const agencyCode = parseDossierCode(input.parentDossierCode)!.agencyCode;
    const entry: Omit<AuditEntry, 'outcome'> = {
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service: 'chains.start',
      dossierCode: input.parentDossierCode,
      subject: { kind: 'DOSSIER', identifier: input.parentDossierCode },
      upstream: 'dossier-store',
    };
    if (!this.policy.agencyAllowed(call.caller.clientId, agencyCode)) {
      this.audit.recordDetached({ ...entry, outcome: 'DENIED', outcomeCode: 'AGENCY_NOT_ALLOWED' });
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `Dossier ${input.parentDossierCode} is not of an agency this client acts for.`,
      );
    }
    const runner = new ChainRunner(this.database, this.definitions, {
      systems: new Map(),
      national: new PopulationNationalData(this.lookups, this.policy, call.caller),
      events: outboxChainEvents(this.outbox, '/lienthong/gateway'),
      parentStatus: this.parentStatus,
    });
    try {
      const view = await runner.start(
        { ...input, agencyCode, clientId: call.caller.clientId },
        { requestId: call.requestId },
      );
      this.audit.recordDetached({ ...entry, outcome: 'OK' });
      return view;
    } catch (error) {
      if (error instanceof ChainStartError) {
        this.audit.recordDetached({ ...entry, outcome: 'INVALID', outcomeCode: error.code });
        throw new ProblemException(
          error.code === 'CHAIN_CONFLICT' ? 409 : 422,
          error.code,
          error.code === 'CHAIN_CONFLICT' ? 'Another chain for this dossier' : 'Chain not started',
          error.message,
          error.fields.map((field) =>
            error.code === 'NATIONAL_DATA_MISSING'
              ? {
                  path: `/national/${field}`,
                  code: 'NOT_HELD',
                  message: 'is not held by the national database, or not in this client’s field scope',
                }
              : { path: `/application/${field}`, code: 'REQUIRED', message: 'is required' },
          ),
        );
      }
      this.audit.recordDetached({ ...entry, outcome: 'ERROR' });
      throw error;
    }
  }

  @Get('chains/:parentDossierCode')
  @RequiresService('chains')
  @ApiOperation({ summary: 'Where a procedure chain stands, step by step (service chains)' })
  @ApiParam({ name: 'parentDossierCode', example: '000.00.31.H29-261206-0001' })
  @ApiResponse({ status: 200, description: 'The chain, step by step' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_DOSSIER_CODE' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({ status: 404, description: 'problem+json CHAIN_NOT_FOUND' })
  async view(@Param('parentDossierCode') code: string, @CurrentCall() call: CallContext): Promise<ChainView> {
    const parsed = parseDossierCode(code);
    if (!parsed) throw invalidDossierCode();
    const runner = new ChainRunner(this.database, this.definitions, {
      systems: new Map(),
      national: { read: () => Promise.resolve({}) },
    });
    const view = await runner.view(code);
    const agency = view?.agencyCode ?? parsed.agencyCode;
    const allowed = this.policy.agencyAllowed(call.caller.clientId, agency);
    this.audit.recordDetached({
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service: 'chains.read',
      dossierCode: code,
      subject: { kind: 'DOSSIER', identifier: code },
      outcome: !allowed ? 'DENIED' : view ? 'OK' : 'NOT_FOUND',
      ...(!allowed ? { outcomeCode: 'AGENCY_NOT_ALLOWED' } : {}),
      upstream: 'dossier-store',
    });
    if (!allowed)
      throw denial('AGENCY_NOT_ALLOWED', `Dossier ${code} is not of an agency this client acts for.`);
    if (!view)
      throw new ProblemException(
        404,
        'CHAIN_NOT_FOUND',
        'Chain not found',
        'No chain was started for this dossier.',
      );
    return view;
  }

  private parse(body: unknown): {
    parentDossierCode: string;
    chainCode: string;
    application: Record<string, string>;
  } {
    const { object, errors } = checkRequestBody('chainStart', body, START_RULES);
    const { parentDossierCode, chainCode, application } = object;
    checkDossierCodeDate(object, 'parentDossierCode', errors, START_RULES);
    refuseInvalid(errors);
    return {
      parentDossierCode: parentDossierCode as string,
      chainCode: chainCode as string,
      application: application as Record<string, string>,
    };
  }
}

function invalidDossierCode(): ProblemException {
  return new ProblemException(400, 'INVALID_DOSSIER_CODE', 'Invalid dossier code', 'Not a dossier code.', [
    { path: '/parentDossierCode', code: 'DOSSIER_CODE_FORMAT', message: 'Not a dossier code' },
  ]);
}

import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { validateDossierCode } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { CurrentCall, RequiresService, type CallContext } from '@lienthong/security';
import { DossierEventsService, IngestResult, MAX_BATCH, SCOPE_REFUSALS } from './dossier-events.service';

const EVENT_SCHEMA_NOTE =
  'A dossier status event as in contracts/schemas/dossier-status-event.v1.json: eventId (UUID, the idempotency key), ' +
  'dossierCode, agencyCode, procedureCode, status, occurredAt, channel, applicant, and optional details.';

/**
 * Dossier status events over HTTP, for registered one-stop systems only: both routes are the service
 * `dossier.events` of the client registry, and each event, like each dossier read, must be of the
 * client's agencies. Events produced to a client's inbound topic take the same checks
 * (InboundDossierEventsConsumer).
 */
@ApiTags('dossiers')
@ApiBearerAuth()
@Controller('v1')
export class DossierEventsController {
  constructor(private readonly service: DossierEventsService) {}

  @Post('dossier-events')
  @HttpCode(202)
  @RequiresService('dossier.events')
  @ApiOperation({
    summary: 'Post one dossier status event, or a batch of up to 500 (service dossier.events)',
    description:
      `${EVENT_SCHEMA_NOTE} A batch is \`{"events": [...]}\`. Events are validated (schema, identifier formats, ` +
      "the status machine, no event older than the dossier's last accepted one) and published to " +
      '`lgsp.dossier.status.v1` keyed by dossier code. A repeated eventId returns the original outcome marked ' +
      'DUPLICATE and publishes nothing. In a batch, bad events are refused one by one and the good ones accepted. ' +
      "Only clients granted the service `dossier.events` may post; no purpose is needed. Each event's " +
      "`agencyCode` must be one of the client's agencies (AGENCY_NOT_ALLOWED), and an event never moves a " +
      'dossier to another agency (DOSSIER_AGENCY_CHANGE).',
  })
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'object', description: EVENT_SCHEMA_NOTE },
        {
          type: 'object',
          properties: { events: { type: 'array', maxItems: MAX_BATCH, items: { type: 'object' } } },
        },
      ],
    },
  })
  @ApiResponse({ status: 202, description: 'Every event accepted (or a duplicate of one accepted before)' })
  @ApiResponse({ status: 200, description: 'A single event that had already been accepted (DUPLICATE)' })
  @ApiResponse({
    status: 400,
    description: 'problem+json: the body or an event is malformed (per-event reasons)',
  })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' })
  @ApiResponse({
    status: 403,
    description:
      'problem+json SERVICE_NOT_ALLOWED, AGENCY_NOT_ALLOWED or DOSSIER_AGENCY_CHANGE (a batch: every refusal ' +
      'was one of these; `results` lists each event)',
  })
  @ApiResponse({ status: 413, description: 'problem+json BATCH_TOO_LARGE' })
  @ApiResponse({
    status: 422,
    description:
      'problem+json: events refused by the rules (status machine, stale event, UNKNOWN_PROCEDURE: a procedure the catalogue routes to no ministry); `results` lists each event',
  })
  @ApiResponse({ status: 429, description: 'problem+json RATE_LIMITED' })
  @ApiResponse({
    status: 503,
    description:
      'problem+json with Retry-After: DATABASE_UNAVAILABLE (nothing was recorded), or OUTCOME_UNKNOWN (the ' +
      'store stopped answering during the commit; send the same events again, recorded ones come back DUPLICATE)',
  })
  async post(
    @Body() body: unknown,
    @CurrentCall() call: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { items, batch } = this.itemsOf(body);
    const result = await this.service.ingest(items, {
      requestId: call.requestId,
      path: 'http',
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
    });
    if (!batch) {
      const [outcome] = result.results;
      if (outcome.outcome === 'REJECTED') {
        const schemaLike = outcome.code === 'INVALID_EVENT' || outcome.code === 'INVALID_IDENTIFIER';
        const forbidden = SCOPE_REFUSALS.has(outcome.code);
        throw new ProblemException(
          schemaLike ? 400 : forbidden ? 403 : 422,
          outcome.code,
          schemaLike
            ? 'Invalid dossier event'
            : forbidden
              ? 'Dossier event not allowed'
              : 'Dossier event refused',
          outcome.errors.map((e) => e.message).join('; '),
          outcome.errors,
          {},
          { results: result.results },
        );
      }
      if (outcome.outcome === 'DUPLICATE') void reply.status(200);
      return outcome;
    }
    if (result.rejected > 0) {
      const onlyShape = result.results.every(
        (r) => r.outcome !== 'REJECTED' || r.code === 'INVALID_EVENT' || r.code === 'INVALID_IDENTIFIER',
      );
      const onlyScope = result.results.every((r) => r.outcome !== 'REJECTED' || SCOPE_REFUSALS.has(r.code));
      throw new ProblemException(
        onlyShape ? 400 : onlyScope ? 403 : 422,
        result.accepted + result.duplicates > 0 ? 'BATCH_PARTIALLY_REJECTED' : 'BATCH_REJECTED',
        'Some dossier events were refused',
        `${result.rejected} of ${items.length} events refused; ${result.accepted} accepted, ${result.duplicates} duplicates. See results.`,
        undefined,
        {},
        {
          accepted: result.accepted,
          duplicates: result.duplicates,
          rejected: result.rejected,
          results: result.results,
        },
      );
    }
    return result satisfies IngestResult;
  }

  @Get('dossiers/:dossierCode')
  @RequiresService('dossier.events')
  @ApiOperation({
    summary: "A dossier's current status and history, for consumers without Kafka (service dossier.events)",
    description:
      "Readable by a client of the dossier's agency, and, once the dossier is handed over to another agency " +
      '(non-boundary intake) and unless that agency refused it, by a client of the competent agency. A dossier ' +
      'handed over carries `handover`: receivingAgency, competentAgency, state (HANDED_OVER, ACCEPTED, REFUSED, ' +
      'RESULT_RETURNED), handedOverAt, decidedAt, reason, resultReturnedAt.',
  })
  @ApiParam({ name: 'dossierCode', example: '000.17.22.H56-261031-0007' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_DOSSIER_CODE' })
  @ApiResponse({ status: 401, description: 'problem+json UNAUTHENTICATED or INVALID_CREDENTIALS' })
  @ApiResponse({
    status: 403,
    description:
      "problem+json SERVICE_NOT_ALLOWED, or AGENCY_NOT_ALLOWED (not a dossier of the client's agencies)",
  })
  @ApiResponse({ status: 404, description: 'problem+json DOSSIER_NOT_FOUND' })
  @ApiResponse({ status: 429, description: 'problem+json RATE_LIMITED' })
  async dossier(@Param('dossierCode') dossierCode: string, @CurrentCall() call: CallContext) {
    const check = validateDossierCode(dossierCode);
    if (!check.valid) {
      throw new ProblemException(
        400,
        'INVALID_DOSSIER_CODE',
        'Invalid dossier code',
        check.errors.map((e) => e.message).join('; '),
        check.errors.map((e) => ({ path: '/dossierCode', code: e.code, message: e.message })),
      );
    }
    const dossier = await this.service.dossierFor(dossierCode, {
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
    });
    if (!dossier)
      throw new ProblemException(
        404,
        'DOSSIER_NOT_FOUND',
        'Dossier not found',
        'No event has been accepted for this dossier.',
      );
    return dossier;
  }

  private itemsOf(body: unknown): { items: unknown[]; batch: boolean } {
    if (body === null || body === undefined || typeof body !== 'object') {
      throw new ProblemException(
        400,
        'INVALID_BODY',
        'Invalid request body',
        'Send one event object or {"events": [...]}.',
      );
    }
    const events = Array.isArray(body) ? body : (body as { events?: unknown }).events;
    if (events === undefined) return { items: [body], batch: false };
    if (!Array.isArray(events)) {
      throw new ProblemException(400, 'INVALID_BODY', 'Invalid request body', '"events" must be an array.');
    }
    if (events.length === 0)
      throw new ProblemException(400, 'EMPTY_BATCH', 'Empty batch', 'The batch holds no event.');
    if (events.length > MAX_BATCH) {
      throw new ProblemException(
        413,
        'BATCH_TOO_LARGE',
        'Batch too large',
        `A batch holds at most ${MAX_BATCH} events; this one has ${events.length}.`,
      );
    }
    return { items: events, batch: true };
  }
}

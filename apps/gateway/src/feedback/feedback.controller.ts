import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  FEEDBACK_STATUSES,
  FeedbackClient,
  feedbackErrors,
  FeedbackInbox,
  type FeedbackStatus,
  type FeedbackView,
} from '@lienthong/adapters/feedback';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { ProblemException } from '@lienthong/observability';
import { AccessPolicy, CurrentCall, denial, RequiresService, type CallContext } from '@lienthong/security';
import { FEEDBACK_CLIENT, FEEDBACK_CLOCK, FEEDBACK_INBOX } from './feedback.tokens';
import { checkRequestBody, refuseInvalid, requestBodySchema, type FieldRules } from '../request-body';

const AGENCY_CODE = /^[A-Za-z0-9.]{1,40}$/;
const ITEM_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/** How a refused answer is named (contracts/schemas/request-body.v1.json#/$defs/feedbackAnswer). */
const ANSWER_RULES: FieldRules = {
  '/content': ['INVALID', 'must be a text of 1 to 10000 characters'],
};

/**
 * Citizen feedback ("phản ánh, kiến nghị") routed from the national feedback system to the province's
 * agencies by the relay's feedback role: each agency lists its items with their answer deadline, and answers
 * them here; the gateway sends the answer to the national system and records whether it came in time.
 */
@ApiTags('feedback')
@Controller('v1/feedback')
export class FeedbackController {
  constructor(
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    @Inject(FEEDBACK_INBOX) private readonly inbox: FeedbackInbox,
    @Inject(FEEDBACK_CLIENT) private readonly client: FeedbackClient | undefined,
    @Inject(FEEDBACK_CLOCK) private readonly clock: () => Date,
  ) {}

  @Get()
  @RequiresService('feedback')
  @ApiOperation({
    summary: 'Citizen feedback items of an agency, with their answer deadline (service feedback)',
    description:
      'The items the national feedback system sent to the agency, soonest deadline first; `overdue` is true ' +
      'once the deadline passed without an answer, or when the answer came after it.',
  })
  @ApiQuery({ name: 'agency', required: true, example: '000.00.31.H56' })
  @ApiQuery({ name: 'status', required: false, enum: FEEDBACK_STATUSES })
  @ApiResponse({ status: 200, description: '{ items: [...] }' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_QUERY' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  async list(
    @Query('agency') agency: unknown,
    @Query('status') status: unknown,
    @CurrentCall() call: CallContext,
  ): Promise<{ items: FeedbackView[] }> {
    const errors: { path: string; code: string; message: string }[] = [];
    if (typeof agency !== 'string' || !AGENCY_CODE.test(agency)) {
      errors.push({ path: '/agency', code: 'INVALID', message: 'must be an agency code' });
    }
    if (status !== undefined && !(FEEDBACK_STATUSES as readonly unknown[]).includes(status)) {
      errors.push({
        path: '/status',
        code: 'INVALID',
        message: `must be one of ${FEEDBACK_STATUSES.join(', ')}`,
      });
    }
    if (errors.length > 0) {
      throw new ProblemException(
        400,
        'INVALID_QUERY',
        'Invalid query',
        'The query has invalid parameters.',
        errors,
      );
    }
    const agencyCode = agency as string;
    const entry = this.entry(call, 'feedback.list');
    if (!this.policy.agencyAllowed(call.caller.clientId, agencyCode)) {
      this.audit.recordDetached({ ...entry, outcome: 'DENIED', outcomeCode: 'AGENCY_NOT_ALLOWED' });
      throw denial('AGENCY_NOT_ALLOWED', `Agency ${agencyCode} is not one this client acts for.`);
    }
    const items = await this.inbox.list(
      { agencyCode, ...(status ? { status: status as FeedbackStatus } : {}) },
      this.clock(),
    );
    this.audit.recordDetached({ ...entry, outcome: 'OK' });
    return { items };
  }

  @Post(':id/answer')
  @HttpCode(200)
  @RequiresService('feedback')
  @ApiOperation({
    summary: 'Answer a citizen feedback item (service feedback)',
    description:
      'Sends the agency’s answer to the national feedback system and records it: ANSWERED_ON_TIME when ' +
      'sent by the deadline, ANSWERED_LATE after it.',
  })
  @ApiParam({ name: 'id', example: 'PAKN-2026-000123' })
  @ApiBody({ schema: requestBodySchema('feedbackAnswer') })
  @ApiResponse({ status: 200, description: 'The item, answered' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_BODY' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({ status: 404, description: 'problem+json FEEDBACK_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'problem+json FEEDBACK_ALREADY_ANSWERED or FEEDBACK_UNROUTED' })
  @ApiResponse({ status: 502, description: 'problem+json FEEDBACK_UPSTREAM_ERROR' })
  @ApiResponse({ status: 503, description: 'problem+json FEEDBACK_NOT_CONFIGURED' })
  async answer(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentCall() call: CallContext,
  ): Promise<FeedbackView> {
    const content = parseAnswer(body);
    if (!ITEM_ID.test(id)) throw notFound();
    const entry = this.entry(call, 'feedback.answer');
    const item = await this.inbox.get(id, this.clock());
    if (!item || !item.agencyCode || !this.policy.agencyAllowed(call.caller.clientId, item.agencyCode)) {
      // an item of another agency is not told apart from an unknown one
      this.audit.recordDetached({
        ...entry,
        outcome: item ? 'DENIED' : 'NOT_FOUND',
        ...(item ? { outcomeCode: 'AGENCY_NOT_ALLOWED' } : {}),
      });
      if (item)
        throw denial('AGENCY_NOT_ALLOWED', 'This feedback item is not of an agency this client acts for.');
      throw notFound();
    }
    if (item.status !== 'OPEN') {
      this.audit.recordDetached({ ...entry, outcome: 'INVALID', outcomeCode: 'FEEDBACK_ALREADY_ANSWERED' });
      throw new ProblemException(
        409,
        'FEEDBACK_ALREADY_ANSWERED',
        'Already answered',
        'This item was answered.',
      );
    }
    if (!this.client) {
      this.audit.recordDetached({ ...entry, outcome: 'ERROR', outcomeCode: 'FEEDBACK_NOT_CONFIGURED' });
      throw new ProblemException(
        503,
        'FEEDBACK_NOT_CONFIGURED',
        'Feedback system not configured',
        'FEEDBACK_URL is not set: answers cannot be sent.',
      );
    }
    const at = this.clock();
    const started = performance.now();
    try {
      await this.client.answer(
        id,
        { content, agencyCode: item.agencyCode, answeredAt: at },
        { requestId: call.requestId },
      );
    } catch (error) {
      const code = feedbackErrors.owns(error) ? error.code : 'FEEDBACK_ERROR';
      this.audit.recordDetached({
        ...entry,
        upstream: 'feedback-system',
        outcome: 'UPSTREAM_ERROR',
        outcomeCode: code,
        upstreamLatencyMs: Math.round(performance.now() - started),
      });
      throw new ProblemException(
        502,
        'FEEDBACK_UPSTREAM_ERROR',
        'Answer not delivered',
        `The national feedback system did not take the answer (${code}); send it again.`,
      );
    }
    const answered = await this.inbox.answered(id, content, at, call.caller.clientId);
    this.audit.recordDetached({
      ...entry,
      upstream: 'feedback-system',
      outcome: 'OK',
      outcomeCode: answered?.status ?? 'FEEDBACK_ALREADY_ANSWERED',
      upstreamLatencyMs: Math.round(performance.now() - started),
    });
    if (!answered) {
      throw new ProblemException(
        409,
        'FEEDBACK_ALREADY_ANSWERED',
        'Already answered',
        'This item was answered.',
      );
    }
    return answered;
  }

  private entry(call: CallContext, service: string): Omit<AuditEntry, 'outcome'> {
    return {
      requestId: call.requestId || `feedback-${randomUUID()}`,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service,
      subject: { kind: 'NONE' },
      upstream: 'feedback-system',
    };
  }
}

function notFound(): ProblemException {
  return new ProblemException(404, 'FEEDBACK_NOT_FOUND', 'Feedback item not found', 'No such feedback item.');
}

function parseAnswer(body: unknown): string {
  const { object, errors } = checkRequestBody('feedbackAnswer', body, ANSWER_RULES);
  refuseInvalid(errors);
  return object.content as string;
}

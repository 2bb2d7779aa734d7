import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamError } from '@lienthong/adapters/common';
import type { PaymentPlatformClient } from '@lienthong/adapters/payment-platform';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { parseDossierCode } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';
import { AccessPolicy, CurrentCall, denial, RequiresService, type CallContext } from '@lienthong/security';
import { PaymentsService, type PaymentRow } from './payments.service';
import { PAYMENT_PLATFORM, PAYMENT_SETTINGS, type PaymentSettings } from './payments.tokens';
import {
  checkDossierCodeDate,
  checkRequestBody,
  refuseInvalid,
  requestBodySchema,
  type FieldRules,
} from '../request-body';

/** How a refused payment order is named (contracts/schemas/request-body.v1.json#/$defs/paymentCreate). */
const CREATE_RULES: FieldRules = {
  '/dossierCode': ['INVALID', 'must be a dossier code'],
  '/amount': ['INVALID', 'must be a whole number of VND above 0'],
  '/feeDescription': ['INVALID', 'must be a text of 1 to 200 characters'],
  '/returnUrl': ['INVALID', 'must be an http(s) URL'],
};

/** What a payment looks like to the one-stop system. */
function view(payment: PaymentRow) {
  return {
    transactionNo: payment.transactionNo,
    orderId: payment.orderId,
    dossierCode: payment.dossierCode,
    amount: payment.amount,
    currency: 'VND',
    feeDescription: payment.feeDescription,
    paymentUrl: payment.paymentUrl,
    status: payment.status,
    createdAt: payment.createdAt,
  };
}

/**
 * Online payment of dossier fees through the national payment platform: the one-stop system opens a payment
 * (service `payments`), the platform notifies the result to the public callback, authenticated by its
 * checksum alone. Every exchange is audited (upstream payment-platform).
 */
@ApiTags('payments')
@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    @Inject(PAYMENT_PLATFORM) private readonly platform: PaymentPlatformClient | null,
    @Inject(PAYMENT_SETTINGS) private readonly settings: PaymentSettings,
  ) {}

  @Post()
  @HttpCode(201)
  @RequiresService('payments')
  @ApiOperation({
    summary: 'Open an online payment of a dossier fee (service payments)',
    description:
      'Opens the payment at the national payment platform and answers the URL to send the citizen to. The ' +
      'platform notifies the result to POST /v1/payments/callback; a confirmed payment is published on ' +
      'lgsp.payment.status.v1. The same pending fee again answers the same payment.',
  })
  @ApiBody({ schema: requestBodySchema('paymentCreate') })
  @ApiResponse({ status: 201, description: 'The payment, PENDING, with its paymentUrl' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_BODY' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({
    status: 502,
    description: 'problem+json PAYMENT_PLATFORM_REFUSED or PAYMENT_PLATFORM_UNAVAILABLE',
  })
  @ApiResponse({ status: 503, description: 'problem+json PAYMENT_PLATFORM_NOT_CONFIGURED' })
  async create(
    @Body() body: unknown,
    @CurrentCall() call: CallContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const input = parseCreate(body);
    const agencyCode = parseDossierCode(input.dossierCode)!.agencyCode;
    const entry: Omit<AuditEntry, 'outcome'> = {
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service: 'payments.create',
      dossierCode: input.dossierCode,
      subject: { kind: 'DOSSIER', identifier: input.dossierCode },
      upstream: 'payment-platform',
    };
    if (!this.policy.agencyAllowed(call.caller.clientId, agencyCode)) {
      this.audit.recordDetached({ ...entry, outcome: 'DENIED', outcomeCode: 'AGENCY_NOT_ALLOWED' });
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `Dossier ${input.dossierCode} is not of an agency this client acts for.`,
      );
    }
    if (!this.platform) {
      this.audit.recordDetached({
        ...entry,
        outcome: 'UPSTREAM_ERROR',
        outcomeCode: 'PAYMENT_PLATFORM_NOT_CONFIGURED',
      });
      throw notConfigured();
    }
    const notifyUrl =
      this.settings.notifyUrl ??
      `${request.protocol}://${request.headers.host ?? 'localhost'}/v1/payments/callback`;
    try {
      const { payment, created } = await this.payments.create(
        this.platform,
        { ...input, agencyCode, clientId: call.caller.clientId, notifyUrl },
        call.requestId,
      );
      this.audit.recordDetached({
        ...entry,
        outcome: 'OK',
        ...(created ? {} : { outcomeCode: 'PENDING_PAYMENT_AGAIN' }),
      });
      if (!created) void reply.code(200);
      return view(payment);
    } catch (error) {
      if (error instanceof UpstreamError) {
        const refused = !error.transient;
        const code = refused ? 'PAYMENT_PLATFORM_REFUSED' : 'PAYMENT_PLATFORM_UNAVAILABLE';
        this.audit.recordDetached({ ...entry, outcome: 'UPSTREAM_ERROR', outcomeCode: code });
        throw new ProblemException(
          502,
          code,
          refused ? 'The payment platform refused the payment' : 'The payment platform is unavailable',
          refused
            ? `The payment platform refused the request (${error.kind}).`
            : 'The payment platform did not answer; try again later.',
        );
      }
      this.audit.recordDetached({ ...entry, outcome: 'ERROR' });
      throw error;
    }
  }

  @Post('callback')
  @HttpCode(200)
  @ApiOperation({
    summary: "The payment platform's signed result notification (public; authenticated by its checksum)",
    description:
      'Verifies the merchant code and the HMAC-SHA256 checksum (contracts/upstream/payment-platform) and the ' +
      'signing time, then settles the payment once: the same notification again (same transaction and nonce) ' +
      'is answered 200 and changes nothing. Forged or stale notifications are refused 401.',
  })
  @ApiResponse({ status: 200, description: '`{code: "00"}`: recorded (or recorded before)' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_NOTIFICATION' })
  @ApiResponse({ status: 401, description: 'problem+json INVALID_SIGNATURE or STALE_NOTIFICATION' })
  @ApiResponse({ status: 404, description: 'problem+json PAYMENT_NOT_FOUND' })
  @ApiResponse({ status: 422, description: 'problem+json NOTIFICATION_MISMATCH' })
  @ApiResponse({ status: 503, description: 'problem+json PAYMENT_PLATFORM_NOT_CONFIGURED' })
  async callback(@Body() body: unknown, @Req() request: FastifyRequest) {
    const requestId = String(request.id);
    const transactionNo =
      body !== null &&
      typeof body === 'object' &&
      typeof (body as { transactionNo?: unknown }).transactionNo === 'string'
        ? ((body as { transactionNo: string }).transactionNo.slice(0, 64) as string)
        : undefined;
    const entry = (dossierCode?: string): Omit<AuditEntry, 'outcome'> => ({
      requestId,
      clientId: 'payment-platform',
      service: 'payments.callback',
      ...(dossierCode ? { dossierCode } : {}),
      subject: dossierCode ? { kind: 'DOSSIER', identifier: dossierCode } : { kind: 'NONE' },
      upstream: 'payment-platform',
    });
    if (!this.platform) {
      this.audit.recordDetached({
        ...entry(),
        outcome: 'DENIED',
        outcomeCode: 'PAYMENT_PLATFORM_NOT_CONFIGURED',
      });
      throw notConfigured();
    }
    const outcome = await this.payments.notify(body, requestId);
    switch (outcome.kind) {
      case 'INVALID':
        this.audit.recordDetached({ ...entry(), outcome: 'INVALID', outcomeCode: 'INVALID_NOTIFICATION' });
        throw new ProblemException(
          400,
          'INVALID_NOTIFICATION',
          'Invalid notification',
          `The notification is invalid: ${outcome.reason}.`,
        );
      case 'FORGED':
        this.audit.recordDetached({ ...entry(), outcome: 'DENIED', outcomeCode: 'INVALID_SIGNATURE' });
        throw new ProblemException(
          401,
          'INVALID_SIGNATURE',
          'Notification not authenticated',
          'The merchant code or the checksum of the notification is not the payment platform’s.',
        );
      case 'STALE':
        this.audit.recordDetached({ ...entry(), outcome: 'DENIED', outcomeCode: 'STALE_NOTIFICATION' });
        throw new ProblemException(
          401,
          'STALE_NOTIFICATION',
          'Notification too old',
          'The notification was signed outside the accepted window.',
        );
      case 'UNKNOWN_PAYMENT':
        this.audit.recordDetached({ ...entry(), outcome: 'NOT_FOUND', outcomeCode: 'PAYMENT_NOT_FOUND' });
        throw new ProblemException(
          404,
          'PAYMENT_NOT_FOUND',
          'Payment not found',
          `No payment ${transactionNo ?? ''} was opened here.`.trim(),
        );
      case 'MISMATCH':
        this.audit.recordDetached({
          ...entry(outcome.payment.dossierCode),
          outcome: 'INVALID',
          outcomeCode: 'NOTIFICATION_MISMATCH',
        });
        throw new ProblemException(
          422,
          'NOTIFICATION_MISMATCH',
          'Notification does not match the payment',
          'The order id or the amount differs from the payment opened.',
        );
      default:
        this.audit.recordDetached({
          ...entry(outcome.payment.dossierCode),
          outcome: 'OK',
          outcomeCode: outcome.kind === 'SETTLED' ? `PAYMENT_${outcome.payment.status}` : outcome.kind,
        });
        return {
          code: '00',
          message: outcome.kind === 'SETTLED' ? 'Confirm Success' : 'Already recorded',
          transactionNo: outcome.payment.transactionNo,
          status: outcome.payment.status,
        };
    }
  }
}

function notConfigured(): ProblemException {
  return new ProblemException(
    503,
    'PAYMENT_PLATFORM_NOT_CONFIGURED',
    'Online payment is not configured',
    'This gateway has no payment platform (PAYMENT_PLATFORM_URL).',
  );
}

function parseCreate(body: unknown): {
  dossierCode: string;
  amount: number;
  feeDescription: string;
  returnUrl: string;
} {
  const { object, errors } = checkRequestBody('paymentCreate', body, CREATE_RULES);
  const { dossierCode, amount, feeDescription, returnUrl } = object;
  checkDossierCodeDate(object, 'dossierCode', errors, CREATE_RULES);
  refuseInvalid(errors);
  return {
    dossierCode: dossierCode as string,
    amount: amount as number,
    feeDescription: (feeDescription as string).trim(),
    returnUrl: returnUrl as string,
  };
}

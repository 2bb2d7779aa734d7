import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  deliveryStateOf,
  POSTAL_SIGNATURE_HEADER,
  POSTAL_TIMESTAMP_HEADER,
  postalErrors,
  verifyPostalCallback,
  type PostalClient,
} from '@lienthong/adapters/postal';
import { AuditLog, type AuditEntry } from '@lienthong/audit';
import { formatLocalDateTime, parseDossierCode } from '@lienthong/domain';
import { ProblemException, type AppLogger } from '@lienthong/observability';
import { AccessPolicy, CurrentCall, denial, RequiresService, type CallContext } from '@lienthong/security';
import { GATEWAY_LOGGER } from '../lookups/lookup-audit';
import { DeliveryStore, orderFingerprint, type DeliveryView } from './delivery.store';
import { POSTAL_CLIENT, POSTAL_WEBHOOK_SECRET } from './deliveries.tokens';
import { rawCallbackBody } from './raw-callback-body';
import {
  checkDossierCodeDate,
  checkRequestBody,
  refuseInvalid,
  requestBodySchema,
  type FieldRules,
} from '../request-body';
import { agencyPeriodQuery } from '../indicators/agency-period-query';

const PHONE = /^(\+84|0)[0-9]{9,10}$/;
/** How a refused delivery order is named (contracts/schemas/request-body.v1.json#/$defs/deliveryOrder). */
const ORDER_RULES: FieldRules = {
  '/dossierCode': ['INVALID', 'must be a dossier code'],
  '/receiver': ['REQUIRED', 'must be an object: name, address, phone'],
  '/receiver/name': ['INVALID', 'must be a text of 1–200 characters'],
  '/receiver/address': ['INVALID', 'must be a text of 1–500 characters'],
  '/receiver/phone': ['INVALID', 'must be a Vietnamese phone number'],
  '/documents': ['INVALID', 'must be a whole number from 1 to 50'],
};
const OPERATOR_REFERENCE = /^[A-Za-z0-9.:-]{1,64}$/;
/** The operator's callbacks are audited under this client id (they carry no client credentials). */
export const POSTAL_OPERATOR_CLIENT = 'postal-operator';

interface DeliveryRequest {
  dossierCode: string;
  receiver: { name: string; address: string; phone: string };
  documents: number;
}

/** The postal delivery of dossier results ("trả kết quả qua dịch vụ bưu chính công ích"). */
@ApiTags('deliveries')
@Controller('v1')
export class DeliveriesController {
  constructor(
    private readonly store: DeliveryStore,
    private readonly policy: AccessPolicy,
    private readonly audit: AuditLog,
    @Inject(POSTAL_CLIENT) private readonly postal: PostalClient | null,
    @Inject(POSTAL_WEBHOOK_SECRET) private readonly webhookSecret: string,
    @Inject(GATEWAY_LOGGER) private readonly logger: AppLogger,
  ) {}

  @Post('deliveries')
  @HttpCode(201)
  @RequiresService('deliveries')
  @ApiOperation({
    summary: 'Send a dossier’s result to the citizen by post (service deliveries)',
    description:
      'Creates the delivery order with the public postal service (sender: the dossier’s agency; no cash on ' +
      'delivery) and records it; its tracking states then arrive by the operator’s signed callbacks and are ' +
      'published on lgsp.delivery.status.v1. The receiver’s name, address and phone go to the operator only: ' +
      'they are neither stored, logged nor published. Sending the same order again answers the same delivery.',
  })
  @ApiBody({ schema: requestBodySchema('deliveryOrder') })
  @ApiResponse({ status: 201, description: 'The delivery and its tracking history' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_BODY' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({ status: 409, description: 'problem+json DELIVERY_CONFLICT: another order for this dossier' })
  @ApiResponse({ status: 422, description: 'problem+json POSTAL_REFUSED: the operator refused the order' })
  @ApiResponse({
    status: 503,
    description: 'problem+json POSTAL_NOT_CONFIGURED or POSTAL_UNAVAILABLE (try again later)',
  })
  async create(@Body() body: unknown, @CurrentCall() call: CallContext): Promise<DeliveryView> {
    const input = this.parse(body);
    const agencyCode = parseDossierCode(input.dossierCode)!.agencyCode;
    const entry: Omit<AuditEntry, 'outcome'> = {
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service: 'deliveries.create',
      dossierCode: input.dossierCode,
      subject: { kind: 'DOSSIER', identifier: input.dossierCode },
      upstream: 'postal',
    };
    if (!this.policy.agencyAllowed(call.caller.clientId, agencyCode)) {
      this.audit.recordDetached({ ...entry, outcome: 'DENIED', outcomeCode: 'AGENCY_NOT_ALLOWED' });
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `Dossier ${input.dossierCode} is not of an agency this client acts for.`,
      );
    }
    const fingerprint = orderFingerprint(input);
    const earlier = await this.store.find(input.dossierCode);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        this.audit.recordDetached({ ...entry, outcome: 'INVALID', outcomeCode: 'DELIVERY_CONFLICT' });
        throw conflict();
      }
      this.audit.recordDetached({ ...entry, outcome: 'OK' });
      return (await this.store.view(input.dossierCode))!;
    }
    const postal = this.configured();
    const started = performance.now();
    let order;
    try {
      order = await postal.createOrder(
        {
          dossierCode: input.dossierCode,
          senderAgencyCode: agencyCode,
          receiver: input.receiver,
          documents: input.documents,
        },
        { requestId: call.requestId },
      );
    } catch (error) {
      const latency = Math.round(performance.now() - started);
      if (postalErrors.owns(error)) {
        const refused = error.kind === 'INVALID_REQUEST' || error.kind === 'CONFLICT';
        this.audit.recordDetached({
          ...entry,
          outcome: refused ? 'INVALID' : 'UPSTREAM_ERROR',
          outcomeCode: error.code,
          upstreamLatencyMs: latency,
        });
        if (error.kind === 'CONFLICT') throw conflict();
        if (refused) {
          throw new ProblemException(
            422,
            'POSTAL_REFUSED',
            'Order refused by the postal operator',
            'The postal operator refused the order as sent; check the receiver’s address and phone.',
          );
        }
        this.logger.warn(
          { requestId: call.requestId, err: { code: error.code, message: error.message } },
          'postal order not created',
        );
        throw new ProblemException(
          503,
          'POSTAL_UNAVAILABLE',
          'Postal operator unavailable',
          'The postal operator could not take the order now; send it again later (the same order is not created twice).',
        );
      }
      this.audit.recordDetached({ ...entry, outcome: 'ERROR' });
      throw error;
    }
    await this.store.created({
      dossierCode: input.dossierCode,
      agencyCode,
      clientId: call.caller.clientId,
      orderNumber: order.orderNumber,
      documents: input.documents,
      fingerprint,
      occurredAt: order.createdAt,
      requestId: call.requestId,
    });
    this.audit.recordDetached({
      ...entry,
      outcome: 'OK',
      upstreamLatencyMs: Math.round(performance.now() - started),
    });
    return (await this.store.view(input.dossierCode))!;
  }

  @Get('deliveries/:dossierCode')
  @RequiresService('deliveries')
  @ApiOperation({ summary: 'Where the postal delivery of a dossier’s result stands (service deliveries)' })
  @ApiParam({ name: 'dossierCode', example: '000.00.31.H56-261206-0001' })
  @ApiResponse({ status: 200, description: 'The delivery and its tracking history' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_DOSSIER_CODE' })
  @ApiResponse({ status: 403, description: 'problem+json SERVICE_NOT_ALLOWED or AGENCY_NOT_ALLOWED' })
  @ApiResponse({ status: 404, description: 'problem+json DELIVERY_NOT_FOUND' })
  async view(@Param('dossierCode') code: string, @CurrentCall() call: CallContext): Promise<DeliveryView> {
    const parsed = parseDossierCode(code);
    if (!parsed) {
      throw new ProblemException(400, 'INVALID_DOSSIER_CODE', 'Invalid dossier code', 'Not a dossier code.', [
        { path: '/dossierCode', code: 'DOSSIER_CODE_FORMAT', message: 'Not a dossier code' },
      ]);
    }
    const view = await this.store.view(code);
    const allowed = this.policy.agencyAllowed(call.caller.clientId, view?.agencyCode ?? parsed.agencyCode);
    this.audit.recordDetached({
      requestId: call.requestId,
      clientId: call.caller.clientId,
      credentialId: call.caller.credentialId,
      service: 'deliveries.read',
      dossierCode: code,
      subject: { kind: 'DOSSIER', identifier: code },
      outcome: !allowed ? 'DENIED' : view ? 'OK' : 'NOT_FOUND',
      ...(!allowed ? { outcomeCode: 'AGENCY_NOT_ALLOWED' } : {}),
      upstream: 'postal',
    });
    if (!allowed)
      throw denial('AGENCY_NOT_ALLOWED', `Dossier ${code} is not of an agency this client acts for.`);
    if (!view) {
      throw new ProblemException(
        404,
        'DELIVERY_NOT_FOUND',
        'Delivery not found',
        'No postal delivery was ordered for this dossier.',
      );
    }
    return view;
  }

  @Post('deliveries/callbacks')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Tracking callback of the postal operator (public; authenticated by its signature)',
    description:
      'The postal operator posts each tracking state of an order here, signed with HMAC-SHA256 under ' +
      'POSTAL_WEBHOOK_SECRET (`X-Postal-Timestamp`, `X-Postal-Signature` over `timestamp + "." + body`; ' +
      'contracts/upstream/postal). A state is applied once and only forward; a repeated or outdated one is ' +
      'acknowledged with `applied: false`. Every callback is audited.',
  })
  @ApiResponse({ status: 200, description: '{applied, status}' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_CALLBACK' })
  @ApiResponse({ status: 401, description: 'problem+json INVALID_SIGNATURE' })
  @ApiResponse({ status: 404, description: 'problem+json DELIVERY_NOT_FOUND: no such order' })
  async callback(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
  ): Promise<{ applied: boolean; outcome: string }> {
    const requestId = String(request.id);
    const entry = {
      requestId,
      clientId: POSTAL_OPERATOR_CLIENT,
      service: 'deliveries.callback',
      subject: { kind: 'DOSSIER' as const },
      upstream: 'postal' as const,
    };
    const check = verifyPostalCallback(
      this.webhookSecret,
      {
        timestamp: request.headers[POSTAL_TIMESTAMP_HEADER],
        signature: request.headers[POSTAL_SIGNATURE_HEADER],
      },
      rawCallbackBody(request),
    );
    if (check !== 'OK') {
      this.audit.recordDetached({ ...entry, outcome: 'DENIED', outcomeCode: 'INVALID_SIGNATURE' });
      throw new ProblemException(
        401,
        'INVALID_SIGNATURE',
        'Invalid callback signature',
        check === 'STALE'
          ? 'The callback’s timestamp is too far from the gateway’s clock.'
          : 'The callback is not signed by the postal operator.',
        undefined,
        {
          'www-authenticate':
            'PostalSignature realm="lienthong", headers="x-postal-timestamp x-postal-signature"',
        },
      );
    }
    const object =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const status = deliveryStateOf(object.trang_thai);
    const errors: { path: string; code: string; message: string }[] = [];
    if (typeof object.ma_van_don !== 'string' || !OPERATOR_REFERENCE.test(object.ma_van_don))
      errors.push({ path: '/ma_van_don', code: 'INVALID', message: 'must be a waybill number' });
    if (typeof object.ma_su_kien !== 'string' || !OPERATOR_REFERENCE.test(object.ma_su_kien))
      errors.push({ path: '/ma_su_kien', code: 'INVALID', message: 'must be an event id' });
    if (!status || status === 'CREATED')
      errors.push({ path: '/trang_thai', code: 'INVALID', message: 'must be a tracking state' });
    if (typeof object.thoi_gian !== 'string' || Number.isNaN(Date.parse(object.thoi_gian)))
      errors.push({ path: '/thoi_gian', code: 'INVALID', message: 'must be a date-time' });
    if (errors.length > 0) {
      this.audit.recordDetached({ ...entry, outcome: 'INVALID', outcomeCode: 'INVALID_CALLBACK' });
      throw new ProblemException(
        400,
        'INVALID_CALLBACK',
        'Invalid callback',
        'The callback has invalid fields.',
        errors,
      );
    }
    const result = await this.store.apply({
      orderNumber: object.ma_van_don as string,
      operatorEvent: object.ma_su_kien as string,
      status: status!,
      occurredAt: object.thoi_gian as string,
      requestId,
    });
    if (!result) {
      this.audit.recordDetached({ ...entry, outcome: 'NOT_FOUND', outcomeCode: 'DELIVERY_NOT_FOUND' });
      throw new ProblemException(
        404,
        'DELIVERY_NOT_FOUND',
        'Delivery not found',
        'No delivery has this waybill number.',
      );
    }
    this.audit.recordDetached({
      ...entry,
      dossierCode: result.dossierCode,
      subject: { kind: 'DOSSIER', identifier: result.dossierCode },
      outcome: 'OK',
      outcomeCode: result.outcome,
    });
    return { applied: result.outcome === 'APPLIED', outcome: result.outcome };
  }

  @Get('indicators/deliveries')
  @RequiresService('indicators.read')
  @ApiOperation({
    summary: 'Results sent by post, per agency and period (service indicators.read)',
    description:
      'Counts the postal deliveries of dossier results of one agency: ordered in the period (by order time), ' +
      'delivered and returned in it (by the operator’s time of the final state). Calendar periods in ' +
      'Asia/Ho_Chi_Minh time: YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY. Aggregate data, no purpose needed.',
  })
  @ApiQuery({ name: 'agency', required: true, example: '000.00.31.H56' })
  @ApiQuery({ name: 'period', required: true, example: '2026-12' })
  @ApiResponse({ status: 200, description: '{agencyCode, period, ordered, delivered, returned}' })
  @ApiResponse({ status: 400, description: 'problem+json INVALID_AGENCY_CODE or INVALID_PERIOD' })
  async indicators(@Query('agency') agency: unknown, @Query('period') periodKey: unknown) {
    const { agencyCode, period, start, end } = agencyPeriodQuery(agency, periodKey);
    const counts = await this.store.counts(agencyCode, start, end);
    return { agencyCode, period, ...counts, generatedAt: formatLocalDateTime(Date.now()) };
  }

  private configured(): PostalClient {
    if (!this.postal) {
      throw new ProblemException(
        503,
        'POSTAL_NOT_CONFIGURED',
        'Postal delivery not configured',
        'This gateway has no postal operator configured (POSTAL_URL).',
      );
    }
    return this.postal;
  }

  private parse(body: unknown): DeliveryRequest {
    const { object, errors } = checkRequestBody('deliveryOrder', body, ORDER_RULES);
    const refused = (path: string) => errors.some((error) => error.path === path);
    const { dossierCode, documents } = object;
    // what the schema cannot say: a real calendar date in the code, a phone number however it is spaced
    checkDossierCodeDate(object, 'dossierCode', errors, ORDER_RULES);
    const receiver = (object.receiver ?? {}) as Record<string, unknown>;
    const phone = typeof receiver.phone === 'string' ? receiver.phone.replace(/[\s.]/g, '') : '';
    // the message never repeats the value: a phone number is personal data
    if (!refused('/receiver') && !refused('/receiver/phone') && !PHONE.test(phone))
      errors.push({ path: '/receiver/phone', code: 'INVALID', message: ORDER_RULES['/receiver/phone'][1] });
    refuseInvalid(errors);
    return {
      dossierCode: dossierCode as string,
      receiver: {
        name: (receiver.name as string).trim(),
        address: (receiver.address as string).trim(),
        phone,
      },
      documents: documents as number,
    };
  }
}

function conflict(): ProblemException {
  return new ProblemException(
    409,
    'DELIVERY_CONFLICT',
    'Another delivery for this dossier',
    'A delivery with another receiver or document count was already ordered for this dossier.',
  );
}

import type { RawAnswer } from '@lienthong/adapters/common';
import {
  ChainSystemTransport,
  type ChainSystemError,
  jsonAnswer,
  type ChainSystemClientOptions,
} from '@lienthong/adapters/chain-systems';
import { paygovChecksum, paygovChecksumValid, paygovTime } from './paygov-signature';

/**
 * Client of the national payment platform of the National Public Service Portal (contracts/upstream/
 * payment-platform; simulated, the wire format is assumed): JSON over HTTPS, every request and answer
 * carrying an HMAC-SHA256 checksum with the merchant's secret key. On the transport the chain systems share
 * (connection pool, timeout, retries of transient failures, circuit breaker, metrics) and their error codes
 * (`CHAIN_SYSTEM_<kind>`): `kind` says whether to try again.
 */

export interface PaymentPlatformClientOptions extends ChainSystemClientOptions {
  merchantCode: string;
  secretKey: string;
}

export interface CreatePaymentRequest {
  /** The merchant's order id: one per dossier fee (1–64 of `A-Za-z0-9._:-`); the idempotency key. */
  orderId: string;
  dossierCode: string;
  /** Whole VND, > 0. */
  amount: number;
  feeDescription: string;
  /** Where the citizen's browser goes after paying. */
  returnUrl: string;
  /** Where the platform POSTs the signed result notification. */
  notifyUrl: string;
}

export interface CreatedPayment {
  transactionNo: string;
  paymentUrl: string;
}

export type PlatformPaymentStatus = 'PENDING' | 'SUCCESS' | 'FAILED';

export interface PlatformTransaction {
  transactionNo: string;
  orderId: string;
  amount: number;
  status: PlatformPaymentStatus;
  /** `yyyyMMddHHmmss`, Vietnam time, once paid or failed. */
  payDate?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const STATUSES: ReadonlySet<string> = new Set(['PENDING', 'SUCCESS', 'FAILED']);

export class PaymentPlatformClient {
  private readonly transport: ChainSystemTransport;

  constructor(private readonly options: PaymentPlatformClientOptions) {
    this.transport = new ChainSystemTransport('payment-platform', 'national payment platform', options);
  }

  /** Opens a payment of a dossier fee: the URL to send the citizen to and the platform's transaction id. */
  create(request: CreatePaymentRequest, ctx: { requestId: string }): Promise<CreatedPayment> {
    const t = this.transport;
    return t.calls.call('create', ctx, async (attempts, requestId) => {
      if (!ORDER_ID.test(request.orderId ?? '')) throw this.invalid('orderId');
      if (!Number.isSafeInteger(request.amount) || request.amount <= 0) throw this.invalid('amount');
      if (!request.feeDescription?.trim()) throw this.invalid('feeDescription');
      const { merchantCode, secretKey } = this.options;
      const requestTime = paygovTime();
      const fields = {
        merchantCode,
        orderId: request.orderId,
        amount: request.amount,
        currency: 'VND',
        orderInfo: `${request.dossierCode} ${request.feeDescription}`.slice(0, 255),
        returnUrl: request.returnUrl,
        notifyUrl: request.notifyUrl,
        requestTime,
      };
      const body = JSON.stringify({ ...fields, checksum: paygovChecksum(secretKey, Object.values(fields)) });
      return attempts(async (signal) => {
        const answer = await t.send(signal, {
          method: 'POST',
          path: `${t.basePath}/api/v1/orders`,
          headers: { 'content-type': JSON_TYPE, accept: 'application/json', 'x-request-id': requestId },
          body,
        });
        const json = this.verified(answer, ['code', 'transactionNo', 'orderId', 'paymentUrl']);
        if (typeof json.transactionNo !== 'string' || typeof json.paymentUrl !== 'string')
          throw t.error(
            'MALFORMED_RESPONSE',
            'the payment platform answered an order without its transaction',
          );
        return { transactionNo: json.transactionNo, paymentUrl: json.paymentUrl };
      });
    });
  }

  /** Where a transaction stands at the platform. */
  query(transactionNo: string, ctx: { requestId: string }): Promise<PlatformTransaction> {
    const t = this.transport;
    return t.calls.call('query', ctx, async (attempts, requestId) => {
      if (!ORDER_ID.test(transactionNo ?? '')) throw this.invalid('transactionNo');
      return attempts(async (signal) => {
        const answer = await t.send(signal, {
          method: 'GET',
          path: `${t.basePath}/api/v1/orders/${encodeURIComponent(transactionNo)}?${this.signedQuery({ transactionNo })}`,
          headers: { accept: 'application/json', 'x-request-id': requestId },
        });
        const json = this.verified(answer, ['code', 'transactionNo', 'orderId', 'amount', 'status']);
        return transactionOf(t, json);
      });
    });
  }

  /** Every transaction of one Vietnam calendar day (`YYYY-MM-DD`) as the platform settled it. */
  reconciliation(date: string, ctx: { requestId: string }): Promise<PlatformTransaction[]> {
    const t = this.transport;
    return t.calls.call('reconciliation', ctx, async (attempts, requestId) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? '')) throw this.invalid('date');
      const day = date.replace(/-/g, '');
      return attempts(async (signal) => {
        const answer = await t.send(signal, {
          method: 'GET',
          path: `${t.basePath}/api/v1/reconciliation?${this.signedQuery({ date: day })}`,
          headers: { accept: 'application/json', 'x-request-id': requestId },
        });
        const json = this.verified(answer, ['code', 'date', 'count']);
        if (!Array.isArray(json.transactions) || json.transactions.length !== json.count)
          throw t.error('MALFORMED_RESPONSE', 'the payment platform answered a list that does not add up');
        return json.transactions.map((item: unknown) =>
          transactionOf(t, (item ?? {}) as Record<string, unknown>),
        );
      });
    });
  }

  health() {
    return this.transport.health();
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private signedQuery(fields: Record<string, string>): string {
    const all = { merchantCode: this.options.merchantCode, ...fields, requestTime: paygovTime() };
    const checksum = paygovChecksum(this.options.secretKey, Object.values(all));
    return new URLSearchParams({ ...all, checksum }).toString();
  }

  /** A 200 answer with code `00` whose checksum over `signed` is the merchant's, as an object. */
  private verified(answer: RawAnswer, signed: string[]): Record<string, unknown> {
    const t = this.transport;
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(answer.body) as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const code = typeof json?.code === 'string' ? json.code : undefined;
    if (answer.status !== 200) throw t.failure(answer, code);
    const body = jsonAnswer(t, answer);
    if (code !== '00') {
      // the platform's refusals come as 200 with a code: 01 invalid, 02 unknown order, 97 checksum
      if (code === '97')
        throw t.error('AUTHENTICATION', 'the payment platform refused the checksum', { upstreamCode: code });
      if (code === '02')
        throw t.error('NOT_FOUND', 'the payment platform has no such transaction', { upstreamCode: code });
      if (code === '03')
        throw t.error('CONFLICT', 'the order id was used with other content', { upstreamCode: code });
      throw t.error('INVALID_REQUEST', `the payment platform refused the request (${code ?? 'no code'})`, {
        upstreamCode: code,
      });
    }
    const values = signed.map((field) => String(body[field] ?? ''));
    if (!paygovChecksumValid(this.options.secretKey, values, body.checksum))
      throw t.error(
        'MALFORMED_RESPONSE',
        'the payment platform answered with a checksum that does not match',
      );
    return body;
  }

  private invalid(field: string): ChainSystemError {
    return this.transport.error('INVALID_REQUEST', `${field} is missing or malformed`, { field });
  }
}

function transactionOf(t: ChainSystemTransport, json: Record<string, unknown>): PlatformTransaction {
  const { transactionNo, orderId, amount, status, payDate } = json;
  if (
    typeof transactionNo !== 'string' ||
    typeof orderId !== 'string' ||
    typeof amount !== 'number' ||
    typeof status !== 'string' ||
    !STATUSES.has(status)
  )
    throw t.error(
      'MALFORMED_RESPONSE',
      'the payment platform answered a transaction the contract does not define',
    );
  return {
    transactionNo,
    orderId,
    amount,
    status: status as PlatformPaymentStatus,
    ...(typeof payDate === 'string' && payDate !== '' ? { payDate } : {}),
  };
}

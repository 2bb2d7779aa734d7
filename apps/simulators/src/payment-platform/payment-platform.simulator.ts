import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, isObject, requestIdGenerator } from '../shared/fault-controls';
import { vietnamCompact } from '@lienthong/domain';

/**
 * Stand-in for the payment platform of the National Public Service Portal ("PayGov"). The real merchant
 * interface is not published; this wire format is the project's assumption (contracts/upstream/
 * payment-platform/README.md): JSON over HTTP, every request, answer and result notification carrying an
 * HMAC-SHA256 `checksum` with the merchant's secret key over named fields joined by `|`. Refusals are HTTP 200
 * with a `code` other than `00`.
 *
 *   POST /api/v1/orders                              open a payment of a dossier fee (idempotent on orderId)
 *   GET  /api/v1/orders/{transactionNo}?…            where a transaction stands
 *   GET  /api/v1/reconciliation?date=YYYYMMDD&…      every transaction settled that day (Vietnam time)
 *   GET  /pay/{transactionNo}                        the citizen's payment page (a stub)
 *   POST /__admin/orders/{transactionNo}/pay         settle it {status: SUCCESS|FAILED}: the signed result
 *                                                    notification goes to the order's notifyUrl
 *   POST /__admin/orders/{transactionNo}/notify      send the last notification again, unchanged (a replay)
 *   GET  /__admin/store                              orders and the notifications sent
 *   GET|POST|DELETE /__admin/faults                  shared fault controls
 *   POST /__admin/reset                              forget everything
 */

export const PAYMENT_PLATFORM_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  merchantCode: 'LIENTHONG',
  secretKey: 'lienthong-dev-payment-secret',
});

export const PaymentPlatformCode = Object.freeze({
  OK: '00',
  INVALID: '01',
  UNKNOWN_ORDER: '02',
  ORDER_REUSED: '03',
  BAD_CHECKSUM: '97',
  SYSTEM: '99',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface SimulatedOrder {
  transactionNo: string;
  orderId: string;
  amount: number;
  orderInfo: string;
  returnUrl: string;
  notifyUrl: string;
  status: 'PENDING' | 'SUCCESS' | 'FAILED';
  payDate?: string;
  createdAt: string;
  fingerprint: string;
}

export interface SentNotification {
  notification: Record<string, string | number>;
  delivery: { status: number; body: string } | { error: string };
}

export class PaymentPlatformStore {
  readonly orders = new Map<string, SimulatedOrder>();
  readonly byOrderId = new Map<string, string>();
  readonly notifications: SentNotification[] = [];
  sequence = 0;

  clear(): void {
    this.orders.clear();
    this.byOrderId.clear();
    this.notifications.length = 0;
    this.sequence = 0;
  }
}

export interface PaymentPlatformSimulatorOptions {
  port?: number;
  host?: string;
  merchantCode?: string;
  secretKey?: string;
  logger?: AppLogger;
}

export interface PaymentPlatformSimulator {
  url: string;
  store: PaymentPlatformStore;
  faults: FaultControls;
  merchantCode: string;
  secretKey: string;
  close(): Promise<void>;
}

function checksum(secret: string, values: readonly unknown[]): string {
  return createHmac('sha256', secret).update(values.map(String).join('|'), 'utf8').digest('hex');
}

/** `yyyyMMddHHmmss` in Vietnam time. */
function vnTime(at = new Date()): string {
  return vietnamCompact(at);
}

export function buildPaymentPlatformApp(parts: {
  store: PaymentPlatformStore;
  faults: FaultControls;
  merchantCode: string;
  secretKey: string;
  baseUrl: () => string;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, faults, merchantCode, secretKey, logger } = parts;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('pg'),
  });
  const answer = (reply: FastifyReply, body: Record<string, unknown>, signed: string[]) =>
    reply
      .code(200)
      .header('content-type', JSON_TYPE)
      .send({
        ...body,
        checksum: checksum(
          secretKey,
          signed.map((field) => body[field] ?? ''),
        ),
      });
  const refuse = (reply: FastifyReply, code: string, message: string) =>
    reply.code(200).header('content-type', JSON_TYPE).send({ code, message });
  installFaultControls(app, faults, {
    serverError: () => ({
      contentType: JSON_TYPE,
      body: JSON.stringify({ code: PaymentPlatformCode.SYSTEM, message: 'Hệ thống đang bận' }),
    }),
  });

  const authentic = (values: Record<string, unknown>, fields: string[]): boolean =>
    values.merchantCode === merchantCode &&
    typeof values.checksum === 'string' &&
    values.checksum ===
      checksum(
        secretKey,
        fields.map((field) => values[field] ?? ''),
      );

  const ORDER_FIELDS = [
    'merchantCode',
    'orderId',
    'amount',
    'currency',
    'orderInfo',
    'returnUrl',
    'notifyUrl',
    'requestTime',
  ];
  app.post('/api/v1/orders', async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    if (!authentic(body, ORDER_FIELDS))
      return refuse(reply, PaymentPlatformCode.BAD_CHECKSUM, 'Sai chữ ký hoặc mã đơn vị');
    const { orderId, amount, currency, orderInfo, returnUrl, notifyUrl } = body;
    if (
      typeof orderId !== 'string' ||
      !ORDER_ID.test(orderId) ||
      typeof amount !== 'number' ||
      !Number.isSafeInteger(amount) ||
      amount <= 0 ||
      currency !== 'VND' ||
      typeof orderInfo !== 'string' ||
      orderInfo === '' ||
      typeof returnUrl !== 'string' ||
      typeof notifyUrl !== 'string' ||
      !/^https?:\/\//.test(notifyUrl)
    )
      return refuse(reply, PaymentPlatformCode.INVALID, 'Dữ liệu không hợp lệ');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([orderId, amount, orderInfo, returnUrl, notifyUrl]))
      .digest('hex');
    const existing = store.byOrderId.get(orderId);
    let order = existing ? store.orders.get(existing) : undefined;
    if (order && order.fingerprint !== fingerprint)
      return refuse(reply, PaymentPlatformCode.ORDER_REUSED, 'Mã đơn hàng đã dùng cho giao dịch khác');
    if (!order) {
      const transactionNo = `PG${vnTime().slice(0, 8)}${String(++store.sequence).padStart(8, '0')}`;
      order = {
        transactionNo,
        orderId,
        amount,
        orderInfo,
        returnUrl,
        notifyUrl,
        status: 'PENDING',
        createdAt: new Date().toISOString(),
        fingerprint,
      };
      store.orders.set(transactionNo, order);
      store.byOrderId.set(orderId, transactionNo);
      logger?.info({ transactionNo }, 'payment platform simulator order');
    }
    return answer(
      reply,
      {
        code: PaymentPlatformCode.OK,
        message: 'Thành công',
        transactionNo: order.transactionNo,
        orderId,
        paymentUrl: `${parts.baseUrl()}/pay/${order.transactionNo}`,
      },
      ['code', 'transactionNo', 'orderId', 'paymentUrl'],
    );
  });

  const view = (order: SimulatedOrder) => ({
    transactionNo: order.transactionNo,
    orderId: order.orderId,
    amount: order.amount,
    status: order.status,
    ...(order.payDate ? { payDate: order.payDate } : {}),
  });

  app.get<{ Params: { transactionNo: string }; Querystring: Record<string, string> }>(
    '/api/v1/orders/:transactionNo',
    async (request, reply) => {
      const query = request.query ?? {};
      if (!authentic(query, ['merchantCode', 'transactionNo', 'requestTime']))
        return refuse(reply, PaymentPlatformCode.BAD_CHECKSUM, 'Sai chữ ký hoặc mã đơn vị');
      const order = store.orders.get(request.params.transactionNo);
      if (!order || query.transactionNo !== order.transactionNo)
        return refuse(reply, PaymentPlatformCode.UNKNOWN_ORDER, 'Không tìm thấy giao dịch');
      return answer(reply, { code: PaymentPlatformCode.OK, ...view(order) }, [
        'code',
        'transactionNo',
        'orderId',
        'amount',
        'status',
      ]);
    },
  );

  app.get<{ Querystring: Record<string, string> }>('/api/v1/reconciliation', async (request, reply) => {
    const query = request.query ?? {};
    if (!authentic(query, ['merchantCode', 'date', 'requestTime']))
      return refuse(reply, PaymentPlatformCode.BAD_CHECKSUM, 'Sai chữ ký hoặc mã đơn vị');
    if (!/^\d{8}$/.test(query.date ?? ''))
      return refuse(reply, PaymentPlatformCode.INVALID, 'Ngày không hợp lệ');
    const transactions = [...store.orders.values()]
      .filter((order) => order.payDate?.startsWith(query.date))
      .map(view);
    return answer(
      reply,
      { code: PaymentPlatformCode.OK, date: query.date, count: transactions.length, transactions },
      ['code', 'date', 'count'],
    );
  });

  app.get<{ Params: { transactionNo: string } }>('/pay/:transactionNo', async (request, reply) => {
    const order = store.orders.get(request.params.transactionNo);
    if (!order) return reply.code(404).send('Không tìm thấy giao dịch');
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .send(
        `<!doctype html><title>Thanh toán</title><p>Giao dịch ${order.transactionNo}: ${order.amount} VND (${order.status})</p>`,
      );
  });

  const deliver = async (notification: Record<string, string | number>, url: string) => {
    let sent: SentNotification;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': JSON_TYPE },
        body: JSON.stringify(notification),
        signal: AbortSignal.timeout(10_000),
      });
      sent = { notification, delivery: { status: response.status, body: await response.text() } };
    } catch (error) {
      sent = { notification, delivery: { error: (error as Error).message } };
    }
    store.notifications.push(sent);
    return sent;
  };

  app.post<{ Params: { transactionNo: string } }>(
    '/__admin/orders/:transactionNo/pay',
    async (request: FastifyRequest<{ Params: { transactionNo: string } }>, reply) => {
      const order = store.orders.get(request.params.transactionNo);
      if (!order) return reply.code(404).send({ error: 'no such transaction' });
      const status = isObject(request.body) && request.body.status === 'FAILED' ? 'FAILED' : 'SUCCESS';
      if (order.status !== 'PENDING') return reply.code(409).send({ error: `already ${order.status}` });
      order.status = status;
      order.payDate = vnTime();
      const unsigned = {
        merchantCode,
        transactionNo: order.transactionNo,
        orderId: order.orderId,
        amount: order.amount,
        status,
        payDate: order.payDate,
        nonce: randomUUID(),
        timestamp: Date.now(),
      };
      const notification = { ...unsigned, checksum: checksum(secretKey, Object.values(unsigned)) };
      return deliver(notification, order.notifyUrl);
    },
  );

  app.post<{ Params: { transactionNo: string } }>(
    '/__admin/orders/:transactionNo/notify',
    async (request, reply) => {
      const order = store.orders.get(request.params.transactionNo);
      const last = [...store.notifications]
        .reverse()
        .find((sent) => sent.notification.transactionNo === request.params.transactionNo);
      if (!order || !last)
        return reply.code(404).send({ error: 'nothing was notified for this transaction' });
      return deliver(last.notification, order.notifyUrl);
    },
  );

  app.get('/__admin/store', async () => ({
    orders: [...store.orders.values()],
    notifications: store.notifications,
  }));
  app.post('/__admin/reset', async () => {
    store.clear();
    faults.clear();
    return { reset: true };
  });
  app.setNotFoundHandler((_request, reply) =>
    reply
      .code(404)
      .header('content-type', JSON_TYPE)
      .send({ code: '404', message: 'Không có tài nguyên này' }),
  );
  app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .header('content-type', JSON_TYPE)
      .send({
        code: status === 500 ? PaymentPlatformCode.SYSTEM : PaymentPlatformCode.INVALID,
        message: 'Lỗi',
      });
  });
  return app;
}

export async function startPaymentPlatformSimulator(
  options: PaymentPlatformSimulatorOptions = {},
): Promise<PaymentPlatformSimulator> {
  const store = new PaymentPlatformStore();
  const faults = new FaultControls();
  const merchantCode = options.merchantCode ?? PAYMENT_PLATFORM_DEFAULTS.merchantCode;
  const secretKey = options.secretKey ?? PAYMENT_PLATFORM_DEFAULTS.secretKey;
  let url = '';
  const app = buildPaymentPlatformApp({
    store,
    faults,
    merchantCode,
    secretKey,
    baseUrl: () => url,
    logger: options.logger,
  });
  const host = options.host ?? PAYMENT_PLATFORM_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'payment platform simulator listening');
  return { url, store, faults, merchantCode, secretKey, close: () => app.close() };
}

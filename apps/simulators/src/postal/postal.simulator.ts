import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { request as httpRequest } from 'undici';
import {
  DELIVERY_STATES,
  POSTAL_SIGNATURE_HEADER,
  POSTAL_TIMESTAMP_HEADER,
  postalStateCode,
  signPostalCallback,
  type DeliveryState,
} from '@lienthong/adapters/postal';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, isObject, requestIdGenerator } from '../shared/fault-controls';
import { vietnamDateTime } from '@lienthong/domain';

/**
 * Stand-in for the public postal service's delivery API (VNPost "Bưu chính công ích"): REST/JSON
 * (snake_case) behind an API token, orders tracked through TAO_DON → DA_LAY_HANG → DANG_VAN_CHUYEN → DA_PHAT
 * or CHUYEN_HOAN, each change optionally called back to a webhook signed with HMAC-SHA256. The integration is
 * issued to provinces, not published; this wire format is the project's assumption. Contract:
 * contracts/upstream/postal/README.md.
 *
 *   POST /api/v1/don-hang                           create an order (idempotent by ma_khach_hang)  → 201
 *   GET  /api/v1/don-hang/{ma_van_don}/hanh-trinh   the order's state and tracking events
 *   POST /__admin/orders/{ma_van_don}/advance       {state: PICKED_UP|IN_TRANSIT|DELIVERED|RETURNED}:
 *                                                   records the event and calls the webhook back, answering
 *                                                   the callback's HTTP status
 *   GET|POST /__admin/webhook                       {url, secret}: where callbacks go (none by default)
 *   GET  /__admin/store                             the orders
 *   GET|POST|DELETE /__admin/faults                 shared fault controls (API routes only)
 *   POST /__admin/reset                             forget orders, webhook and faults
 */

export const POSTAL_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  token: 'lienthong-dev-postal-token',
  webhookSecret: 'lienthong-dev-postal-webhook-secret',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const REFERENCE = /^[A-Za-z0-9.-]{1,64}$/;
const PHONE = /^(\+84|0)[0-9]{9,10}$/;

export const PostalErrorCode = Object.freeze({
  UNAUTHORIZED: 'SAI_MA_TRUY_CAP',
  MISSING: 'THIEU_TRUONG_BAT_BUOC',
  INVALID: 'DU_LIEU_KHONG_HOP_LE',
  REFERENCE_REUSED: 'TRUNG_MA_KHACH_HANG',
  NO_SUCH_ORDER: 'KHONG_TIM_THAY_DON_HANG',
  NOT_FOUND: 'KHONG_TIM_THAY_TAI_NGUYEN',
  SYSTEM: 'LOI_HE_THONG',
});

/** Body of `POST /api/v1/don-hang`. */
export interface PostalOrderBody {
  ma_khach_hang: string;
  nguoi_gui: { ma_don_vi: string };
  nguoi_nhan: { ho_ten: string; dia_chi: string; so_dien_thoai: string };
  ma_ho_so: string;
  so_luong_tai_lieu: number;
  tien_thu_ho: number;
  loai_dich_vu?: string;
}

export interface PostalTrackingRecord {
  ma_su_kien: string;
  trang_thai: string;
  thoi_gian: string;
}

export interface SimulatedPostalOrder {
  ma_van_don: string;
  request: PostalOrderBody;
  fingerprint: string;
  trang_thai: string;
  thoi_gian_tao: string;
  hanh_trinh: PostalTrackingRecord[];
  /** HTTP status of each callback sent, in order (0: not delivered). */
  callbacks: number[];
}

export class PostalStore {
  readonly orders = new Map<string, SimulatedPostalOrder>();
  readonly byReference = new Map<string, string>();
  private sequence = 0;

  next(): number {
    return ++this.sequence;
  }

  byDossier(dossierCode: string): SimulatedPostalOrder | undefined {
    const number = this.byReference.get(dossierCode);
    return number ? this.orders.get(number) : undefined;
  }

  clear(): void {
    this.orders.clear();
    this.byReference.clear();
    this.sequence = 0;
  }
}

export interface PostalSimulatorOptions {
  port?: number;
  host?: string;
  token?: string;
  webhook?: { url: string; secret?: string };
  logger?: AppLogger;
}

export interface PostalSimulator {
  url: string;
  store: PostalStore;
  faults: FaultControls;
  webhook: { url?: string; secret: string };
  /** Records the next tracking state of an order and calls the webhook back; the callback's status. */
  advance(orderNumber: string, state: DeliveryState): Promise<{ callbackStatus: number | null }>;
  close(): Promise<void>;
}

const NEXT: Record<string, readonly DeliveryState[]> = {
  CREATED: ['PICKED_UP'],
  PICKED_UP: ['IN_TRANSIT', 'RETURNED'],
  IN_TRANSIT: ['IN_TRANSIT', 'DELIVERED', 'RETURNED'],
  DELIVERED: [],
  RETURNED: [],
};

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function vietnamTime(at = Date.now()): string {
  return vietnamDateTime(at);
}

function problemsOf(body: Record<string, unknown>): { truong: string; loi: string }[] {
  const problems: { truong: string; loi: string }[] = [];
  const get = (path: string) =>
    path.split('.').reduce<unknown>((node, part) => (isObject(node) ? node[part] : undefined), body);
  for (const path of [
    'ma_khach_hang',
    'nguoi_gui.ma_don_vi',
    'nguoi_nhan.ho_ten',
    'nguoi_nhan.dia_chi',
    'nguoi_nhan.so_dien_thoai',
    'ma_ho_so',
  ]) {
    const value = get(path);
    if (typeof value !== 'string' || value.trim() === '') problems.push({ truong: path, loi: 'bat_buoc' });
  }
  if (problems.length) return problems;
  if (!REFERENCE.test(body.ma_khach_hang as string))
    problems.push({ truong: 'ma_khach_hang', loi: 'sai_dinh_dang' });
  if (!PHONE.test(get('nguoi_nhan.so_dien_thoai') as string))
    problems.push({ truong: 'nguoi_nhan.so_dien_thoai', loi: 'sai_dinh_dang' });
  const count = body.so_luong_tai_lieu;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 50)
    problems.push({ truong: 'so_luong_tai_lieu', loi: 'sai_gia_tri' });
  if (body.tien_thu_ho !== 0) problems.push({ truong: 'tien_thu_ho', loi: 'chi_nhan_0' });
  return problems;
}

export function buildPostalApp(parts: {
  store: PostalStore;
  faults: FaultControls;
  token: string;
  advance: PostalSimulator['advance'];
  webhook: PostalSimulator['webhook'];
}): FastifyInstance {
  const { store, faults } = parts;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('vnpost'),
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(null, Symbol.for('unparseable'));
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });
  const error = (request: FastifyRequest, ma_loi: string, thong_bao: string, chi_tiet?: unknown) => ({
    ma_loi,
    thong_bao,
    ...(chi_tiet ? { chi_tiet } : {}),
    ma_truy_vet: String(request.id),
  });
  const sendError = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    details?: unknown,
  ) =>
    reply
      .code(status)
      .header('content-type', JSON_TYPE)
      .send(error(request, code, message, details));
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(error(request, PostalErrorCode.SYSTEM, 'Hệ thống đang bận, vui lòng thử lại sau')),
    }),
  });
  faults.set({ paths: ['/api/'] });

  const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !sameText(token, parts.token)) {
      return sendError(request, reply, 401, PostalErrorCode.UNAUTHORIZED, 'Mã truy cập không hợp lệ');
    }
    return undefined;
  };

  app.post('/api/v1/don-hang', { preHandler: authenticate }, async (request, reply) => {
    if (!isObject(request.body))
      return sendError(request, reply, 400, PostalErrorCode.INVALID, 'Nội dung phải là đối tượng JSON');
    const problems = problemsOf(request.body);
    if (problems.length) {
      const missing = problems.some((p) => p.loi === 'bat_buoc');
      return sendError(
        request,
        reply,
        400,
        missing ? PostalErrorCode.MISSING : PostalErrorCode.INVALID,
        missing ? 'Thiếu trường bắt buộc' : 'Dữ liệu không hợp lệ',
        problems,
      );
    }
    const body = request.body as unknown as PostalOrderBody;
    const print = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const earlier = store.byDossier(body.ma_khach_hang);
    if (earlier && earlier.fingerprint !== print) {
      return sendError(
        request,
        reply,
        409,
        PostalErrorCode.REFERENCE_REUSED,
        'Mã khách hàng đã dùng cho đơn khác',
      );
    }
    const order =
      earlier ??
      (() => {
        const created = vietnamTime();
        const number = `EH${String(store.next()).padStart(9, '0')}VN`;
        const fresh: SimulatedPostalOrder = {
          ma_van_don: number,
          request: body,
          fingerprint: print,
          trang_thai: 'TAO_DON',
          thoi_gian_tao: created,
          hanh_trinh: [{ ma_su_kien: `${number}-1`, trang_thai: 'TAO_DON', thoi_gian: created }],
          callbacks: [],
        };
        store.orders.set(number, fresh);
        store.byReference.set(body.ma_khach_hang, number);
        return fresh;
      })();
    return reply
      .code(earlier ? 200 : 201)
      .header('content-type', JSON_TYPE)
      .send({
        ma_van_don: order.ma_van_don,
        ma_khach_hang: order.request.ma_khach_hang,
        trang_thai: order.trang_thai,
        thoi_gian_tao: order.thoi_gian_tao,
      });
  });

  app.get<{ Params: { number: string } }>(
    '/api/v1/don-hang/:number/hanh-trinh',
    { preHandler: authenticate },
    async (request, reply) => {
      const order = store.orders.get(request.params.number);
      if (!order)
        return sendError(request, reply, 404, PostalErrorCode.NO_SUCH_ORDER, 'Không tìm thấy đơn hàng');
      return reply.code(200).header('content-type', JSON_TYPE).send({
        ma_van_don: order.ma_van_don,
        ma_khach_hang: order.request.ma_khach_hang,
        trang_thai: order.trang_thai,
        hanh_trinh: order.hanh_trinh,
      });
    },
  );

  app.post<{ Params: { number: string } }>('/__admin/orders/:number/advance', async (request, reply) => {
    const state = isObject(request.body) ? request.body.state : undefined;
    if (typeof state !== 'string' || !(DELIVERY_STATES as readonly string[]).includes(state)) {
      return reply.code(400).send({ message: `state must be one of ${DELIVERY_STATES.join(', ')}` });
    }
    if (!store.orders.has(request.params.number)) return reply.code(404).send({ message: 'no such order' });
    try {
      return await parts.advance(request.params.number, state as DeliveryState);
    } catch (failure) {
      return reply.code(409).send({ message: (failure as Error).message });
    }
  });
  app.get('/__admin/webhook', async () => ({ url: parts.webhook.url ?? null }));
  app.post('/__admin/webhook', async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    if (body.url !== null && (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url))) {
      return reply.code(400).send({ message: 'url must be an http(s) URL or null' });
    }
    parts.webhook.url = (body.url as string | null) ?? undefined;
    if (typeof body.secret === 'string' && body.secret) parts.webhook.secret = body.secret;
    return { url: parts.webhook.url ?? null };
  });
  app.get('/__admin/store', async () => ({ orders: [...store.orders.values()] }));
  app.post('/__admin/reset', async () => {
    store.clear();
    faults.clear();
    faults.set({ paths: ['/api/'] });
    parts.webhook.url = undefined;
    return { reset: true };
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, PostalErrorCode.NOT_FOUND, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((failure: { statusCode?: number }, request, reply) => {
    const status =
      failure.statusCode && failure.statusCode >= 400 && failure.statusCode < 500 ? failure.statusCode : 500;
    if (status === 500) return sendError(request, reply, 500, PostalErrorCode.SYSTEM, 'Hệ thống đang bận');
    return sendError(request, reply, status, PostalErrorCode.INVALID, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startPostalSimulator(options: PostalSimulatorOptions = {}): Promise<PostalSimulator> {
  const store = new PostalStore();
  const faults = new FaultControls();
  const webhook: PostalSimulator['webhook'] = {
    url: options.webhook?.url,
    secret: options.webhook?.secret ?? POSTAL_DEFAULTS.webhookSecret,
  };
  const advance: PostalSimulator['advance'] = async (orderNumber, state) => {
    const order = store.orders.get(orderNumber);
    if (!order) throw new Error(`no order ${orderNumber}`);
    const current = DELIVERY_STATES.find((s) => postalStateCode(s) === order.trang_thai)!;
    if (!NEXT[current].includes(state)) throw new Error(`an order ${current} cannot become ${state}`);
    const record: PostalTrackingRecord = {
      ma_su_kien: `${orderNumber}-${order.hanh_trinh.length + 1}`,
      trang_thai: postalStateCode(state),
      thoi_gian: vietnamTime(),
    };
    order.hanh_trinh.push(record);
    order.trang_thai = record.trang_thai;
    if (!webhook.url) return { callbackStatus: null };
    const body = JSON.stringify({
      ma_van_don: orderNumber,
      ma_khach_hang: order.request.ma_khach_hang,
      ...record,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const answer = await httpRequest(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': JSON_TYPE,
          [POSTAL_TIMESTAMP_HEADER]: String(timestamp),
          [POSTAL_SIGNATURE_HEADER]: signPostalCallback(webhook.secret, timestamp, body),
        },
        body,
      });
      await answer.body.text();
      order.callbacks.push(answer.statusCode);
      return { callbackStatus: answer.statusCode };
    } catch (failure) {
      options.logger?.warn({ err: { message: (failure as Error).message } }, 'postal callback not delivered');
      order.callbacks.push(0);
      return { callbackStatus: 0 };
    }
  };
  const app = buildPostalApp({
    store,
    faults,
    token: options.token ?? POSTAL_DEFAULTS.token,
    advance,
    webhook,
  });
  const host = options.host ?? POSTAL_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'postal simulator listening');
  return { url, store, faults, webhook, advance, close: () => app.close() };
}

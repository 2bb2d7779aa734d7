import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, isObject, requestIdGenerator } from '../shared/fault-controls';

/**
 * Stand-in for the national feedback system (Hệ thống tiếp nhận, trả lời phản ánh, kiến nghị of the National
 * Public Service Portal). The real system publishes no integration interface; this wire format is the
 * project's assumption. Contract: contracts/upstream/feedback/README.md.
 *
 *   GET  /api/pakn/v1/phan-anh?sau=<cursor>&soLuong=<n>   new items after the cursor, oldest first
 *   POST /api/pakn/v1/phan-anh/{ma}/xac-nhan              acknowledge receipt of an item
 *   POST /api/pakn/v1/phan-anh/{ma}/tra-loi               post the answer of an item
 *   POST /__admin/items                                   add items (as the citizens would)
 *   GET  /__admin/store                                   items, acknowledgements and answers
 *   GET|POST|DELETE /__admin/faults                       shared fault controls
 *   POST /__admin/reset                                   forget everything above
 *
 * Every service call carries the header `X-API-Key`.
 */
export const FEEDBACK_DEFAULTS = Object.freeze({ host: '127.0.0.1', apiKey: 'lienthong-feedback-dev-key' });

export const FEEDBACK_PATHS = Object.freeze({
  list: '/api/pakn/v1/phan-anh',
  acknowledge: '/api/pakn/v1/phan-anh/:ma/xac-nhan',
  answer: '/api/pakn/v1/phan-anh/:ma/tra-loi',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const ITEM_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const FeedbackError = Object.freeze({
  UNAUTHENTICATED: 'CHUA_XAC_THUC',
  INVALID: 'DU_LIEU_KHONG_HOP_LE',
  NOT_FOUND: 'KHONG_TIM_THAY',
  ALREADY_ANSWERED: 'DA_TRA_LOI',
  SYSTEM: 'LOI_HE_THONG',
});

/** One item as the national system lists it. */
export interface FeedbackWireItem {
  ma: string;
  /** sequence number: the cursor of the list */
  stt: number;
  thoiGianTiepNhan: string;
  maThuTuc?: string;
  maCoQuan?: string;
  noiDung: string;
  nguoiPhanAnh: { hoTen: string; soDienThoai?: string; email?: string };
}

export interface FeedbackAnswerRecord {
  noiDung: string;
  coQuanTraLoi: string;
  thoiGianTraLoi: string;
  at: string;
}

export class FeedbackStore {
  readonly items: FeedbackWireItem[] = [];
  readonly acknowledged = new Map<string, string>();
  readonly answers = new Map<string, FeedbackAnswerRecord>();
  private sequence = 0;

  add(item: Omit<FeedbackWireItem, 'stt'>): FeedbackWireItem {
    const stored = { ...item, stt: ++this.sequence };
    this.items.push(stored);
    return stored;
  }

  clear(): void {
    this.items.length = 0;
    this.acknowledged.clear();
    this.answers.clear();
  }
}

export interface FeedbackSimulator {
  url: string;
  store: FeedbackStore;
  faults: FaultControls;
  close(): Promise<void>;
}

export function buildFeedbackApp(parts: {
  store: FeedbackStore;
  faults: FaultControls;
  apiKey: string;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, faults, apiKey, logger } = parts;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('pakn'),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });
  const loi = (request: FastifyRequest, ma: string, thongBao: string) => ({
    loi: { ma, thongBao, maTruyVet: String(request.id) },
  });
  const sendError = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    ma: string,
    text: string,
  ) =>
    reply
      .code(status)
      .header('content-type', JSON_TYPE)
      .send(loi(request, ma, text));
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(loi(request, FeedbackError.SYSTEM, 'Hệ thống đang gặp sự cố')),
    }),
  });
  const requireKey = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers['x-api-key'] !== apiKey) {
      return sendError(request, reply, 401, FeedbackError.UNAUTHENTICATED, 'Khóa API không hợp lệ');
    }
    return undefined;
  };
  const itemOf = (request: FastifyRequest) => {
    const ma = (request.params as { ma?: string }).ma ?? '';
    return store.items.find((item) => item.ma === ma);
  };

  app.get(FEEDBACK_PATHS.list, { preHandler: requireKey }, async (request, reply) => {
    const query = request.query as { sau?: string; soLuong?: string };
    const after = query.sau === undefined || query.sau === '' ? 0 : Number(query.sau);
    const size = query.soLuong === undefined ? 50 : Number(query.soLuong);
    if (!Number.isInteger(after) || after < 0 || !Number.isInteger(size) || size < 1 || size > 100) {
      return sendError(request, reply, 400, FeedbackError.INVALID, 'sau, soLuong không hợp lệ');
    }
    const page = store.items.filter((item) => item.stt > after).slice(0, size);
    const last = page.at(-1);
    return reply.header('content-type', JSON_TYPE).send({
      duLieu: page,
      conTiep: store.items.some((item) => item.stt > (last?.stt ?? after)),
      conTro: String(last?.stt ?? after),
    });
  });

  app.post(FEEDBACK_PATHS.acknowledge, { preHandler: requireKey }, async (request, reply) => {
    const item = itemOf(request);
    if (!item) return sendError(request, reply, 404, FeedbackError.NOT_FOUND, 'Không có phản ánh này');
    if (!store.acknowledged.has(item.ma)) store.acknowledged.set(item.ma, new Date().toISOString());
    return reply.header('content-type', JSON_TYPE).send({ ma: item.ma, trangThai: 'DA_TIEP_NHAN' });
  });

  app.post(FEEDBACK_PATHS.answer, { preHandler: requireKey }, async (request, reply) => {
    const item = itemOf(request);
    if (!item) return sendError(request, reply, 404, FeedbackError.NOT_FOUND, 'Không có phản ánh này');
    const body = request.body;
    if (
      !isObject(body) ||
      typeof body.noiDung !== 'string' ||
      body.noiDung.trim() === '' ||
      typeof body.coQuanTraLoi !== 'string' ||
      typeof body.thoiGianTraLoi !== 'string' ||
      Number.isNaN(Date.parse(body.thoiGianTraLoi))
    ) {
      return sendError(request, reply, 400, FeedbackError.INVALID, 'noiDung, coQuanTraLoi, thoiGianTraLoi');
    }
    const earlier = store.answers.get(item.ma);
    if (earlier) {
      if (earlier.noiDung === body.noiDung) {
        return reply.header('content-type', JSON_TYPE).send({ ma: item.ma, trangThai: 'DA_TRA_LOI' });
      }
      return sendError(request, reply, 409, FeedbackError.ALREADY_ANSWERED, 'Phản ánh đã được trả lời');
    }
    store.answers.set(item.ma, {
      noiDung: body.noiDung,
      coQuanTraLoi: body.coQuanTraLoi,
      thoiGianTraLoi: body.thoiGianTraLoi,
      at: new Date().toISOString(),
    });
    logger?.info({ ma: item.ma }, 'feedback simulator answer');
    return reply.header('content-type', JSON_TYPE).send({ ma: item.ma, trangThai: 'DA_TRA_LOI' });
  });

  app.post('/__admin/items', async (request, reply) => {
    const list = Array.isArray(request.body) ? request.body : [request.body];
    const added: FeedbackWireItem[] = [];
    for (const entry of list) {
      if (
        !isObject(entry) ||
        typeof entry.ma !== 'string' ||
        !ITEM_ID.test(entry.ma) ||
        typeof entry.noiDung !== 'string' ||
        !isObject(entry.nguoiPhanAnh)
      ) {
        return reply.code(400).send({ error: 'invalid_item', message: 'ma, noiDung, nguoiPhanAnh' });
      }
      added.push(
        store.add({
          ...(entry as unknown as FeedbackWireItem),
          thoiGianTiepNhan:
            typeof entry.thoiGianTiepNhan === 'string' ? entry.thoiGianTiepNhan : new Date().toISOString(),
        }),
      );
    }
    return reply.code(201).send({ added });
  });
  app.get('/__admin/store', async () => ({
    items: store.items,
    acknowledged: Object.fromEntries(store.acknowledged),
    answers: Object.fromEntries(store.answers),
  }));
  app.post('/__admin/reset', async () => {
    store.clear();
    faults.clear();
    return { reset: true };
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, FeedbackError.NOT_FOUND, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500)
      return sendError(request, reply, 500, FeedbackError.SYSTEM, 'Hệ thống đang gặp sự cố');
    return sendError(request, reply, status, FeedbackError.INVALID, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startFeedbackSimulator(
  options: { port?: number; host?: string; apiKey?: string; logger?: AppLogger } = {},
): Promise<FeedbackSimulator> {
  const store = new FeedbackStore();
  const faults = new FaultControls();
  const app = buildFeedbackApp({
    store,
    faults,
    apiKey: options.apiKey ?? FEEDBACK_DEFAULTS.apiKey,
    logger: options.logger,
  });
  const host = options.host ?? FEEDBACK_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { url, store, faults, close: () => app.close() };
}

import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { validatePersonalId } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, isObject, requestIdGenerator } from '../shared/fault-controls';
import { OAuth2TokenStore, parseFormBodies, tokenEndpoint } from '../shared/oauth2-token.store';
import { registerRefusalAdmin, RefusalRules } from '../shared/refusal-rules';
import { isIsoDate, vietnamDate } from '@lienthong/calendar';

/**
 * Stand-in for the Ministry of Public Security's residence database (Cơ sở dữ liệu về cư trú), interface
 * `residence-v1` of deploy/config/chains.yaml: JSON REST behind an OAuth 2.0 client-credentials token, one
 * request id (`maYeuCau`) per application. The real interface is not public; this wire format is the project's
 * assumption. Contract: contracts/upstream/residence/README.md.
 *
 *   POST /oauth2/token                      form grant_type=client_credentials, HTTP Basic client auth
 *   POST /api/cu-tru/v1/thuong-tru          register a child's permanent residence (after birth registration)
 *   POST /api/cu-tru/v1/thuong-tru/xoa      delete the permanent residence of a deceased
 *   GET  /__admin/store                     registrations and deletions
 *   GET|POST|DELETE /__admin/refusals       refuse the request with this request id or personal ID
 *   GET|POST|DELETE /__admin/faults         shared fault controls
 *   POST /__admin/tokens/expire             every token issued so far expires now
 *   POST /__admin/reset                     forget everything above
 */

export const RESIDENCE_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  clientId: 'lienthong',
  clientSecret: 'lienthong-dev-secret',
  tokenTtlSeconds: 3600,
  scope: 'cu-tru.thuong-tru',
});

export const RESIDENCE_PATHS = Object.freeze({
  token: '/oauth2/token',
  register: '/api/cu-tru/v1/thuong-tru',
  delete: '/api/cu-tru/v1/thuong-tru/xoa',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const REALM = 'csdl-cu-tru';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Error codes of the `loi` answers (validation, authentication, system); refusals are answers, not errors. */
export const ResidenceError = Object.freeze({
  MISSING: 'THIEU_THONG_TIN',
  INVALID: 'DU_LIEU_KHONG_HOP_LE',
  UNAUTHENTICATED: 'CHUA_XAC_THUC',
  INVALID_TOKEN: 'TOKEN_KHONG_HOP_LE',
  REQUEST_REUSED: 'TRUNG_MA_YEU_CAU',
  NOT_FOUND: 'KHONG_TIM_THAY_TAI_NGUYEN',
  SYSTEM: 'LOI_HE_THONG',
});

/** Body of `POST /api/cu-tru/v1/thuong-tru`. */
export interface ResidenceRegistrationRequest {
  maYeuCau: string;
  congDan: { soDinhDanh: string; hoTen: string; ngaySinh: string };
  soGiayKhaiSinh: string;
  soDinhDanhChuHo: string;
  diaChiThuongTru: string;
}

/** Body of `POST /api/cu-tru/v1/thuong-tru/xoa`. */
export interface ResidenceDeletionRequest {
  maYeuCau: string;
  soDinhDanh: string;
  lyDo: 'CHET';
  soTrichLucKhaiTu: string;
  ngayCapTrichLuc: string;
}

export type ResidenceAnswer =
  | {
      maYeuCau: string;
      ketQua: 'DA_DANG_KY';
      soDinhDanh: string;
      diaChiThuongTru: string;
      ngayDangKy: string;
    }
  | { maYeuCau: string; ketQua: 'DA_XOA'; soDinhDanh: string; ngayXoa: string }
  | { maYeuCau: string; ketQua: 'TU_CHOI'; lyDoTuChoi: { ma: string; noiDung: string } };

export interface StoredResidenceRequest<T> {
  request: T;
  fingerprint: string;
  answer: ResidenceAnswer;
  at: string;
}

/** What the simulator stored, readable by tests. */
export class ResidenceStore {
  readonly registrations = new Map<string, StoredResidenceRequest<ResidenceRegistrationRequest>>();
  readonly deletions = new Map<string, StoredResidenceRequest<ResidenceDeletionRequest>>();
  /** Permanent residence by personal ID (registered here and not deleted). */
  readonly residents = new Map<string, string>();
  /** Personal IDs whose permanent residence was deleted. */
  readonly deleted = new Set<string>();

  clear(): void {
    this.registrations.clear();
    this.deletions.clear();
    this.residents.clear();
    this.deleted.clear();
  }
}

export interface ResidenceSimulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  logger?: AppLogger;
}

export interface ResidenceSimulator {
  url: string;
  close(): Promise<void>;
  store: ResidenceStore;
  faults: FaultControls;
  refusals: RefusalRules;
  tokens: OAuth2TokenStore;
}

interface Problem {
  truong: string;
  moTa: string;
}

function field(body: Record<string, unknown>, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split('.')) current = isObject(current) ? current[part] : undefined;
  return current;
}

function problemsOf(body: Record<string, unknown>, paths: string[], dates: string[]): Problem[] {
  const problems: Problem[] = [];
  for (const path of paths) {
    const value = field(body, path);
    if (typeof value !== 'string' || value.trim() === '') problems.push({ truong: path, moTa: 'bắt buộc' });
  }
  for (const path of dates) {
    const value = field(body, path);
    if (typeof value === 'string' && value !== '' && (!isIsoDate(value) || value > vietnamDate(Date.now()))) {
      problems.push({ truong: path, moTa: 'ngày theo dạng YYYY-MM-DD, không sau hôm nay' });
    }
  }
  const requestId = body.maYeuCau;
  if (typeof requestId === 'string' && requestId !== '' && !REQUEST_ID.test(requestId)) {
    problems.push({ truong: 'maYeuCau', moTa: 'tối đa 64 ký tự chữ, số, . _ : -' });
  }
  return problems;
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function refusal(maYeuCau: string, ma: string, noiDung: string): ResidenceAnswer {
  return { maYeuCau, ketQua: 'TU_CHOI', lyDoTuChoi: { ma, noiDung } };
}

export function buildResidenceApp(parts: {
  store: ResidenceStore;
  faults: FaultControls;
  refusals: RefusalRules;
  tokens: OAuth2TokenStore;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, faults, refusals, tokens, logger } = parts;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('ct'),
  });
  parseFormBodies(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });
  const loi = (request: FastifyRequest, ma: string, thongBao: string, chiTiet?: Problem[]) => ({
    loi: { ma, thongBao, ...(chiTiet ? { chiTiet } : {}), maTruyVet: String(request.id) },
  });
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(loi(request, ResidenceError.SYSTEM, 'Hệ thống đang gặp sự cố')),
    }),
  });
  const sendError = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    ma: string,
    thongBao: string,
    chiTiet?: Problem[],
  ) =>
    reply
      .code(status)
      .header('content-type', JSON_TYPE)
      .send(loi(request, ma, thongBao, chiTiet));

  app.post(RESIDENCE_PATHS.token, tokenEndpoint(tokens, { realm: REALM, scope: RESIDENCE_DEFAULTS.scope }));

  const requireToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (!header || !/^bearer /i.test(header)) {
      reply.header('www-authenticate', `Bearer realm="${REALM}"`);
      return sendError(request, reply, 401, ResidenceError.UNAUTHENTICATED, 'Thiếu access token');
    }
    const state = tokens.check(header.slice(7).trim());
    if (state !== 'valid') {
      reply.header('www-authenticate', `Bearer realm="${REALM}", error="invalid_token"`);
      return sendError(
        request,
        reply,
        401,
        ResidenceError.INVALID_TOKEN,
        state === 'expired' ? 'Access token đã hết hạn' : 'Access token không hợp lệ',
      );
    }
    return undefined;
  };

  const handle = <T extends { maYeuCau: string }>(
    required: string[],
    dates: string[],
    stored: Map<string, StoredResidenceRequest<T>>,
    decide: (body: T) => ResidenceAnswer,
    refusalKeys: (body: T) => string[],
  ) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isObject(request.body)) {
        return sendError(request, reply, 400, ResidenceError.INVALID, 'Nội dung phải là đối tượng JSON');
      }
      const problems = problemsOf(request.body, required, dates);
      if (problems.length > 0) {
        const missing = problems.some((problem) => problem.moTa === 'bắt buộc');
        return sendError(
          request,
          reply,
          400,
          missing ? ResidenceError.MISSING : ResidenceError.INVALID,
          missing ? 'Thiếu thông tin bắt buộc' : 'Dữ liệu không hợp lệ',
          problems,
        );
      }
      const body = request.body as unknown as T;
      const print = fingerprint(body);
      const earlier = stored.get(body.maYeuCau);
      if (earlier) {
        if (earlier.fingerprint !== print) {
          return sendError(
            request,
            reply,
            409,
            ResidenceError.REQUEST_REUSED,
            'Mã yêu cầu đã được dùng cho một yêu cầu khác',
          );
        }
        return reply.code(200).header('content-type', JSON_TYPE).send(earlier.answer);
      }
      const rule = refusals.find([body.maYeuCau, ...refusalKeys(body)]);
      const answer = rule ? refusal(body.maYeuCau, rule.code, rule.reason) : decide(body);
      stored.set(body.maYeuCau, { request: body, fingerprint: print, answer, at: new Date().toISOString() });
      logger?.info({ maYeuCau: body.maYeuCau, ketQua: answer.ketQua }, 'residence simulator request');
      return reply.code(200).header('content-type', JSON_TYPE).send(answer);
    };
  };

  app.post(
    RESIDENCE_PATHS.register,
    { preHandler: requireToken },
    handle<ResidenceRegistrationRequest>(
      [
        'maYeuCau',
        'congDan.soDinhDanh',
        'congDan.hoTen',
        'congDan.ngaySinh',
        'soGiayKhaiSinh',
        'soDinhDanhChuHo',
        'diaChiThuongTru',
      ],
      ['congDan.ngaySinh'],
      store.registrations,
      (body) => {
        const id = body.congDan.soDinhDanh;
        if (!validatePersonalId(id, { dateOfBirth: body.congDan.ngaySinh }).valid) {
          return refusal(
            body.maYeuCau,
            'SO_DINH_DANH_KHONG_HOP_LE',
            'Số định danh cá nhân của trẻ không đúng định dạng hoặc không khớp ngày sinh.',
          );
        }
        if (!validatePersonalId(body.soDinhDanhChuHo).valid) {
          return refusal(
            body.maYeuCau,
            'CHU_HO_KHONG_HOP_LE',
            'Số định danh cá nhân của chủ hộ không hợp lệ.',
          );
        }
        if (store.residents.has(id)) {
          return refusal(body.maYeuCau, 'DA_CO_THUONG_TRU', 'Công dân đã có nơi thường trú.');
        }
        store.residents.set(id, body.diaChiThuongTru);
        return {
          maYeuCau: body.maYeuCau,
          ketQua: 'DA_DANG_KY',
          soDinhDanh: id,
          diaChiThuongTru: body.diaChiThuongTru,
          ngayDangKy: vietnamDate(Date.now()),
        };
      },
      (body) => [body.congDan.soDinhDanh, body.soDinhDanhChuHo],
    ),
  );

  app.post(
    RESIDENCE_PATHS.delete,
    { preHandler: requireToken },
    handle<ResidenceDeletionRequest>(
      ['maYeuCau', 'soDinhDanh', 'lyDo', 'soTrichLucKhaiTu', 'ngayCapTrichLuc'],
      ['ngayCapTrichLuc'],
      store.deletions,
      (body) => {
        if (body.lyDo !== 'CHET') {
          return refusal(
            body.maYeuCau,
            'LY_DO_KHONG_HO_TRO',
            'Lý do xóa đăng ký thường trú không được hỗ trợ.',
          );
        }
        if (!validatePersonalId(body.soDinhDanh).valid) {
          return refusal(
            body.maYeuCau,
            'SO_DINH_DANH_KHONG_HOP_LE',
            'Số định danh cá nhân của người chết không đúng định dạng.',
          );
        }
        if (store.deleted.has(body.soDinhDanh)) {
          return refusal(body.maYeuCau, 'DA_XOA_THUONG_TRU', 'Đăng ký thường trú của người này đã được xóa.');
        }
        store.deleted.add(body.soDinhDanh);
        store.residents.delete(body.soDinhDanh);
        return {
          maYeuCau: body.maYeuCau,
          ketQua: 'DA_XOA',
          soDinhDanh: body.soDinhDanh,
          ngayXoa: vietnamDate(Date.now()),
        };
      },
      (body) => [body.soDinhDanh],
    ),
  );

  app.get('/__admin/store', async () => ({
    registrations: [...store.registrations.values()],
    deletions: [...store.deletions.values()],
  }));
  registerRefusalAdmin(app, refusals);
  app.post('/__admin/tokens/expire', async () => ({ expired: tokens.expireAll() }));
  app.post('/__admin/reset', async () => {
    store.clear();
    refusals.clear();
    faults.clear();
    tokens.expireAll();
    return { reset: true };
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, ResidenceError.NOT_FOUND, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500)
      return sendError(request, reply, 500, ResidenceError.SYSTEM, 'Hệ thống đang gặp sự cố');
    return sendError(request, reply, status, ResidenceError.INVALID, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startResidenceSimulator(
  options: ResidenceSimulatorOptions = {},
): Promise<ResidenceSimulator> {
  const store = new ResidenceStore();
  const faults = new FaultControls();
  const refusals = new RefusalRules();
  const tokens = new OAuth2TokenStore(
    options.clientId ?? RESIDENCE_DEFAULTS.clientId,
    options.clientSecret ?? RESIDENCE_DEFAULTS.clientSecret,
    options.tokenTtlSeconds ?? RESIDENCE_DEFAULTS.tokenTtlSeconds,
  );
  const app = buildResidenceApp({ store, faults, refusals, tokens, logger: options.logger });
  const host = options.host ?? RESIDENCE_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'residence simulator listening');
  return { url, store, faults, refusals, tokens, close: () => app.close() };
}

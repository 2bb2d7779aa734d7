import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { validatePersonalId } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, isObject, requestIdGenerator } from '../shared/fault-controls';
import { registerRefusalAdmin, RefusalRules } from '../shared/refusal-rules';
import { isIsoDate, vietnamDate } from '@lienthong/calendar';

/**
 * Stand-in for Vietnam Social Security's system (Hệ thống thông tin của Bảo hiểm xã hội Việt Nam), interface
 * `social-security-v1` of deploy/config/chains.yaml: JSON (snake_case) with every request signed by
 * HMAC-SHA256 under a shared secret, asynchronous — a request is accepted (202 with a file reference) and its
 * result fetched by polling. The real interface is not public; this wire format is the project's assumption.
 * Contract: contracts/upstream/social-security/README.md.
 *
 *   POST /api/v1/the-bhyt-tre-em          health-insurance card for a child under 6      → 202 {ma_ho_so}
 *   POST /api/v1/tro-cap-mai-tang         funeral allowance and survivor benefit         → 202 {ma_ho_so}
 *   GET  /api/v1/ho-so/{ma_ho_so}         DANG_XU_LY (Retry-After), then HOAN_THANH or TU_CHOI
 *   GET  /__admin/store                   the files and their results
 *   GET|POST /__admin/processing          {delayMs}: how long a file stays DANG_XU_LY
 *   GET|POST|DELETE /__admin/refusals     refuse the request with this request id or personal ID
 *   GET|POST|DELETE /__admin/faults       shared fault controls
 *   POST /__admin/reset                   forget files, refusals and faults
 *
 * Signature: `X-VSS-Client-Id`, `X-VSS-Timestamp` (Unix seconds) and `X-VSS-Signature`, the lowercase hex
 * HMAC-SHA256 of `timestamp + "\n" + METHOD + "\n" + path + "\n" + body` (body empty for GET); see
 * `signSocialSecurityRequest`.
 */

export const SOCIAL_SECURITY_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  clientId: 'lienthong',
  secret: 'lienthong-dev-hmac-secret',
  /** Largest accepted difference between the request's timestamp and the simulator's clock. */
  maxClockSkewSeconds: 300,
  /** How long a file stays in processing before its result can be fetched. */
  processingDelayMs: 1000,
  /** Statutory base salary (lương cơ sở) from 1 July 2024, Decree 73/2024/NĐ-CP. */
  baseSalaryVnd: 2_340_000,
  /** Province code of the social-insurance numbers issued (01: Hà Nội). */
  provinceCode: '01',
});

export const SOCIAL_SECURITY_PATHS = Object.freeze({
  card: '/api/v1/the-bhyt-tre-em',
  funeral: '/api/v1/tro-cap-mai-tang',
  file: '/api/v1/ho-so/',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** `ma_loi` of error answers. */
export const SocialSecurityError = Object.freeze({
  MISSING: 'THIEU_TRUONG_BAT_BUOC',
  INVALID: 'DU_LIEU_KHONG_HOP_LE',
  BAD_SIGNATURE: 'CHU_KY_KHONG_HOP_LE',
  STALE: 'YEU_CAU_HET_HAN',
  REQUEST_REUSED: 'TRUNG_MA_YEU_CAU',
  NO_SUCH_FILE: 'KHONG_TIM_THAY_HO_SO',
  NOT_FOUND: 'KHONG_TIM_THAY_TAI_NGUYEN',
  SYSTEM: 'LOI_HE_THONG',
});

export function signSocialSecurityRequest(
  secret: string,
  request: { method: string; path: string; body?: string; timestamp: number },
): string {
  return createHmac('sha256', secret)
    .update(`${request.timestamp}\n${request.method.toUpperCase()}\n${request.path}\n${request.body ?? ''}`)
    .digest('hex');
}

/** Body of `POST /api/v1/the-bhyt-tre-em`. */
export interface ChildCardRequest {
  ma_yeu_cau: string;
  tre_em: { so_dinh_danh: string; ho_ten: string; gioi_tinh: 'NAM' | 'NU'; ngay_sinh: string };
  so_giay_khai_sinh: string;
  noi_dang_ky_kcb_ban_dau: string;
  dia_chi: string;
}

/** Body of `POST /api/v1/tro-cap-mai-tang`. */
export interface FuneralAllowanceRequest {
  ma_yeu_cau: string;
  nguoi_chet: { so_dinh_danh: string };
  so_trich_luc_khai_tu: string;
  ngay_cap_trich_luc: string;
  nguoi_huong: { so_dinh_danh: string; tai_khoan_ngan_hang: string };
}

export type SocialSecurityResult =
  | { loai: 'THE_BHYT_TRE_EM'; ma_the: string; ma_so_bhxh: string; gia_tri_tu: string; gia_tri_den: string }
  | { loai: 'TRO_CAP_MAI_TANG'; so_quyet_dinh: string; ngay_quyet_dinh: string; so_tien: number };

export interface SocialSecurityFile {
  ma_ho_so: string;
  ma_yeu_cau: string;
  loai: 'THE_BHYT_TRE_EM' | 'TRO_CAP_MAI_TANG';
  request: ChildCardRequest | FuneralAllowanceRequest;
  fingerprint: string;
  acceptedAt: number;
  readyAt: number;
  /** Decided at acceptance, visible once `readyAt` has passed. */
  outcome:
    | { trang_thai: 'HOAN_THANH'; ket_qua: SocialSecurityResult }
    | { trang_thai: 'TU_CHOI'; ly_do: { ma: string; noi_dung: string } };
}

/** What the simulator stored, readable by tests. */
export class SocialSecurityStore {
  /** Files by reference (`ma_ho_so`). */
  readonly files = new Map<string, SocialSecurityFile>();
  /** Reference by request id, for idempotency. */
  readonly byRequestId = new Map<string, string>();
  /** Personal IDs holding a card issued here, and deceased whose allowance was decided. */
  readonly insuredChildren = new Set<string>();
  readonly decidedDeaths = new Set<string>();
  private sequence = 0;

  next(): number {
    return ++this.sequence;
  }

  clear(): void {
    this.files.clear();
    this.byRequestId.clear();
    this.insuredChildren.clear();
    this.decidedDeaths.clear();
    this.sequence = 0;
  }
}

export interface SocialSecuritySimulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  secret?: string;
  maxClockSkewSeconds?: number;
  processingDelayMs?: number;
  baseSalaryVnd?: number;
  logger?: AppLogger;
}

export interface SocialSecuritySimulator {
  url: string;
  close(): Promise<void>;
  store: SocialSecurityStore;
  faults: FaultControls;
  refusals: RefusalRules;
  /** Mutable: `settings.processingDelayMs = 0` makes new files ready at once. */
  settings: { processingDelayMs: number };
}

/** The day before the sixth birthday: the last day a child is covered as a child under 6. */
export function dayBeforeSixthBirthday(dateOfBirth: string): string {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  // 29 February rolls to 1 March in a common year, so a child born on 29 February is covered to 28 February
  const sixth = new Date(Date.UTC(year + 6, month - 1, day));
  return new Date(sixth.getTime() - 86_400_000).toISOString().slice(0, 10);
}

interface Problem {
  truong: string;
  loi: string;
}

function valueAt(body: Record<string, unknown>, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split('.')) current = isObject(current) ? current[part] : undefined;
  return current;
}

function problemsOf(
  body: Record<string, unknown>,
  paths: string[],
  ids: string[],
  dates: string[],
): Problem[] {
  const problems: Problem[] = [];
  for (const path of paths) {
    const value = valueAt(body, path);
    if (typeof value !== 'string' || value.trim() === '') problems.push({ truong: path, loi: 'bat_buoc' });
  }
  if (problems.length > 0) return problems;
  if (!REQUEST_ID.test(body.ma_yeu_cau as string))
    problems.push({ truong: 'ma_yeu_cau', loi: 'sai_dinh_dang' });
  for (const path of ids) {
    if (!validatePersonalId(valueAt(body, path) as string).valid)
      problems.push({ truong: path, loi: 'sai_dinh_dang' });
  }
  for (const path of dates) {
    const value = valueAt(body, path);
    if (!isIsoDate(value) || value > vietnamDate(Date.now()))
      problems.push({ truong: path, loi: 'sai_ngay' });
  }
  return problems;
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function sameHex(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function buildSocialSecurityApp(parts: {
  store: SocialSecurityStore;
  faults: FaultControls;
  refusals: RefusalRules;
  settings: { processingDelayMs: number };
  clientId: string;
  secret: string;
  maxClockSkewSeconds: number;
  baseSalaryVnd: number;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, faults, refusals, settings, logger } = parts;
  const rawBodies = new WeakMap<FastifyRequest, string>();
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('bhxh'),
  });
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request, body as string);
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
  const error = (request: FastifyRequest, ma_loi: string, thong_bao: string, chi_tiet?: Problem[]) => ({
    ma_loi,
    thong_bao,
    ...(chi_tiet ? { chi_tiet } : {}),
    ma_truy_vet: String(request.id),
  });
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(
        error(request, SocialSecurityError.SYSTEM, 'Hệ thống đang bận, vui lòng thử lại sau'),
      ),
    }),
  });
  const sendError = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    details?: Problem[],
  ) =>
    reply
      .code(status)
      .header('content-type', JSON_TYPE)
      .send(error(request, code, message, details));

  const verifySignature = async (request: FastifyRequest, reply: FastifyReply) => {
    const clientId = request.headers['x-vss-client-id'];
    const timestamp = request.headers['x-vss-timestamp'];
    const signature = request.headers['x-vss-signature'];
    if (typeof clientId !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') {
      return sendError(request, reply, 401, SocialSecurityError.BAD_SIGNATURE, 'Thiếu chữ ký yêu cầu');
    }
    const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
    if (!Number.isFinite(seconds) || Math.abs(Date.now() / 1000 - seconds) > parts.maxClockSkewSeconds) {
      return sendError(request, reply, 401, SocialSecurityError.STALE, 'Thời điểm ký yêu cầu không hợp lệ');
    }
    const expected = signSocialSecurityRequest(parts.secret, {
      method: request.method,
      path: request.url,
      body: rawBodies.get(request) ?? '',
      timestamp: seconds,
    });
    if (!sameHex(clientId, parts.clientId) || !sameHex(signature.toLowerCase(), expected)) {
      return sendError(request, reply, 401, SocialSecurityError.BAD_SIGNATURE, 'Chữ ký yêu cầu không hợp lệ');
    }
    return undefined;
  };

  const accept = <T extends ChildCardRequest | FuneralAllowanceRequest>(
    kind: SocialSecurityFile['loai'],
    required: string[],
    ids: string[],
    dates: string[],
    decide: (body: T) => SocialSecurityFile['outcome'],
    refusalKeys: (body: T) => string[],
  ) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isObject(request.body)) {
        return sendError(request, reply, 400, SocialSecurityError.INVALID, 'Nội dung phải là đối tượng JSON');
      }
      const problems = problemsOf(request.body, required, ids, dates);
      if (problems.length > 0) {
        const missing = problems.some((problem) => problem.loi === 'bat_buoc');
        return sendError(
          request,
          reply,
          400,
          missing ? SocialSecurityError.MISSING : SocialSecurityError.INVALID,
          missing ? 'Thiếu trường bắt buộc' : 'Dữ liệu không hợp lệ',
          problems,
        );
      }
      const body = request.body as unknown as T;
      const print = fingerprint(body);
      const earlierRef = store.byRequestId.get(body.ma_yeu_cau);
      let file = earlierRef ? store.files.get(earlierRef) : undefined;
      if (file && (file.fingerprint !== print || file.loai !== kind)) {
        return sendError(
          request,
          reply,
          409,
          SocialSecurityError.REQUEST_REUSED,
          'Mã yêu cầu đã dùng cho hồ sơ khác',
        );
      }
      if (!file) {
        const rule = refusals.find([body.ma_yeu_cau, ...refusalKeys(body)]);
        const now = Date.now();
        const reference = `HS${vietnamDate(Date.now()).replace(/-/g, '')}${String(store.next()).padStart(6, '0')}`;
        file = {
          ma_ho_so: reference,
          ma_yeu_cau: body.ma_yeu_cau,
          loai: kind,
          request: body,
          fingerprint: print,
          acceptedAt: now,
          readyAt: now + settings.processingDelayMs,
          outcome: rule
            ? { trang_thai: 'TU_CHOI', ly_do: { ma: rule.code, noi_dung: rule.reason } }
            : decide(body),
        };
        store.files.set(reference, file);
        store.byRequestId.set(body.ma_yeu_cau, reference);
        logger?.info({ kind, reference }, 'social-security simulator accepted a file');
      }
      return reply
        .code(202)
        .header('content-type', JSON_TYPE)
        .header('location', `${SOCIAL_SECURITY_PATHS.file}${file.ma_ho_so}`)
        .send({ ma_yeu_cau: file.ma_yeu_cau, ma_ho_so: file.ma_ho_so, trang_thai: 'DANG_XU_LY' });
    };
  };

  app.post(
    SOCIAL_SECURITY_PATHS.card,
    { preHandler: verifySignature },
    accept<ChildCardRequest>(
      'THE_BHYT_TRE_EM',
      [
        'ma_yeu_cau',
        'tre_em.so_dinh_danh',
        'tre_em.ho_ten',
        'tre_em.gioi_tinh',
        'tre_em.ngay_sinh',
        'so_giay_khai_sinh',
        'noi_dang_ky_kcb_ban_dau',
        'dia_chi',
      ],
      ['tre_em.so_dinh_danh'],
      ['tre_em.ngay_sinh'],
      (body) => {
        const child = body.tre_em;
        const validUntil = dayBeforeSixthBirthday(child.ngay_sinh);
        if (validUntil < vietnamDate(Date.now())) {
          return {
            trang_thai: 'TU_CHOI',
            ly_do: { ma: 'QUA_TUOI', noi_dung: 'Trẻ đã đủ 6 tuổi, không thuộc diện cấp thẻ trẻ em.' },
          };
        }
        if (store.insuredChildren.has(child.so_dinh_danh)) {
          return {
            trang_thai: 'TU_CHOI',
            ly_do: { ma: 'DA_CAP_THE', noi_dung: 'Trẻ đã được cấp thẻ bảo hiểm y tế.' },
          };
        }
        store.insuredChildren.add(child.so_dinh_danh);
        const insuranceNumber = `${SOCIAL_SECURITY_DEFAULTS.provinceCode}${String(store.insuredChildren.size).padStart(8, '0')}`;
        return {
          trang_thai: 'HOAN_THANH',
          ket_qua: {
            loai: 'THE_BHYT_TRE_EM',
            ma_the: `TE1${SOCIAL_SECURITY_DEFAULTS.provinceCode}${insuranceNumber}`,
            ma_so_bhxh: insuranceNumber,
            gia_tri_tu: child.ngay_sinh,
            gia_tri_den: validUntil,
          },
        };
      },
      (body) => [body.tre_em.so_dinh_danh],
    ),
  );

  app.post(
    SOCIAL_SECURITY_PATHS.funeral,
    { preHandler: verifySignature },
    accept<FuneralAllowanceRequest>(
      'TRO_CAP_MAI_TANG',
      [
        'ma_yeu_cau',
        'nguoi_chet.so_dinh_danh',
        'so_trich_luc_khai_tu',
        'ngay_cap_trich_luc',
        'nguoi_huong.so_dinh_danh',
        'nguoi_huong.tai_khoan_ngan_hang',
      ],
      ['nguoi_chet.so_dinh_danh', 'nguoi_huong.so_dinh_danh'],
      ['ngay_cap_trich_luc'],
      (body) => {
        const deceased = body.nguoi_chet.so_dinh_danh;
        if (store.decidedDeaths.has(deceased)) {
          return {
            trang_thai: 'TU_CHOI',
            ly_do: {
              ma: 'DA_GIAI_QUYET',
              noi_dung: 'Chế độ mai táng, tử tuất của người này đã được giải quyết.',
            },
          };
        }
        store.decidedDeaths.add(deceased);
        return {
          trang_thai: 'HOAN_THANH',
          ket_qua: {
            loai: 'TRO_CAP_MAI_TANG',
            so_quyet_dinh: `${store.decidedDeaths.size}/QĐ-BHXH`,
            ngay_quyet_dinh: vietnamDate(Date.now()),
            // funeral allowance: 10 times the base salary (assumed; survivor benefits are not computed)
            so_tien: 10 * parts.baseSalaryVnd,
          },
        };
      },
      (body) => [body.nguoi_chet.so_dinh_danh, body.nguoi_huong.so_dinh_danh],
    ),
  );

  app.get<{ Params: { reference: string } }>(
    `${SOCIAL_SECURITY_PATHS.file}:reference`,
    { preHandler: verifySignature },
    async (request, reply) => {
      const file = store.files.get(request.params.reference);
      if (!file)
        return sendError(request, reply, 404, SocialSecurityError.NO_SUCH_FILE, 'Không tìm thấy hồ sơ');
      const base = { ma_ho_so: file.ma_ho_so, ma_yeu_cau: file.ma_yeu_cau, loai: file.loai };
      const waitMs = file.readyAt - Date.now();
      if (waitMs > 0) {
        return reply
          .code(200)
          .header('content-type', JSON_TYPE)
          .header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
          .send({ ...base, trang_thai: 'DANG_XU_LY' });
      }
      return reply
        .code(200)
        .header('content-type', JSON_TYPE)
        .send({ ...base, ...file.outcome });
    },
  );

  app.get('/__admin/store', async () => ({ files: [...store.files.values()] }));
  app.get('/__admin/processing', async () => ({ delayMs: settings.processingDelayMs }));
  app.post('/__admin/processing', async (request, reply) => {
    const delayMs = isObject(request.body) ? request.body.delayMs : undefined;
    if (typeof delayMs !== 'number' || !(delayMs >= 0)) {
      return reply.code(400).send({ message: 'delayMs must be a non-negative number' });
    }
    settings.processingDelayMs = delayMs;
    return { delayMs };
  });
  registerRefusalAdmin(app, refusals);
  app.post('/__admin/reset', async () => {
    store.clear();
    refusals.clear();
    faults.clear();
    return { reset: true };
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, SocialSecurityError.NOT_FOUND, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((failure: { statusCode?: number }, request, reply) => {
    const status =
      failure.statusCode && failure.statusCode >= 400 && failure.statusCode < 500 ? failure.statusCode : 500;
    if (status === 500)
      return sendError(request, reply, 500, SocialSecurityError.SYSTEM, 'Hệ thống đang bận');
    return sendError(request, reply, status, SocialSecurityError.INVALID, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startSocialSecuritySimulator(
  options: SocialSecuritySimulatorOptions = {},
): Promise<SocialSecuritySimulator> {
  const d = SOCIAL_SECURITY_DEFAULTS;
  const store = new SocialSecurityStore();
  const faults = new FaultControls();
  const refusals = new RefusalRules();
  const settings = { processingDelayMs: options.processingDelayMs ?? d.processingDelayMs };
  const app = buildSocialSecurityApp({
    store,
    faults,
    refusals,
    settings,
    clientId: options.clientId ?? d.clientId,
    secret: options.secret ?? d.secret,
    maxClockSkewSeconds: options.maxClockSkewSeconds ?? d.maxClockSkewSeconds,
    baseSalaryVnd: options.baseSalaryVnd ?? d.baseSalaryVnd,
    logger: options.logger,
  });
  const host = options.host ?? d.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'social-security simulator listening');
  return { url, store, faults, refusals, settings, close: () => app.close() };
}

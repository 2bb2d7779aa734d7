import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createLogger, type AppLogger } from '@lienthong/observability';
import {
  DSTCODE_HEADER,
  IS_UPDATING_VALUES,
  MAX_ITEMS_PER_CALL,
  PORTAL_INTEGRATION_SERVICES,
  PORTAL_MESSAGES,
  PORTAL_PATHS,
  PORTAL_SHARE_SERVICES,
  PortalCode,
  type PortalCodeValue,
  type PortalServiceName,
} from './portal.codes';
import { parseFaultSettings, PortalFaults, PortalFaultSettingsError } from './portal.faults';
import { PortalStore, type PortalEvaluationRecord } from './portal.store';
import { DEFAULT_CATALOGUE_PAGE_SIZE, MAX_CATALOGUE_PAGE_SIZE, PortalCatalogue } from './portal.catalogue';
import { dossierItemProblems, isBlank, progressItemProblems } from './portal.validation';
import { registerTokenDialect } from './portal-token.routes';

/**
 * A stand-in for the National Public Service Portal's (Cổng DVCQG) sync API in the OpenCPS-era dialect the
 * independent integrations speak: every request carries the `dstcode` header; a login with username and
 * password answers a `session`; the integration endpoint serves DongBoHoSoMC (with `isUpdating`),
 * CapNhatTienDoHoSoMC and TraCuuHoSo, the sharing endpoint TraCuuTechID and LayKetQuaDanhGia (the portal's
 * own Decision 766 evaluation); `error_code` 0 on success; `yyyyMMddHHmmss` dates in Asia/Ho_Chi_Minh.
 *
 * It accepts what a real client sends and refuses what a real portal would: a login without the destination
 * code, a dossier created twice ("đã tồn tại") or updated before it exists ("không tồn tại"), a record
 * without its intake date, a MaDoiTuong that names no portal account. A DongBoHoSoMC item replaces the record
 * as a whole: a field sent blank is blank afterwards. The wire format, codes and the choices that are ours are
 * in contracts/upstream/public-service-portal/. Plain Fastify, no Nest: it starts in milliseconds and keeps
 * up with the pipeline's load tests.
 *
 * The same simulator serves the newer token-based dialect (portal-token.routes.ts, a synthetic shape assumed
 * from 2025 clients) on its own paths, over the same store and faults: one simulator for either deployment.
 */

export interface PortalSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  username?: string;
  password?: string;
  /** Unit code (mã đơn vị) the account belongs to: every call's `madonvi`. */
  unitCode?: string;
  /** Destination code every request must carry in its `dstcode` header. */
  dstcode?: string;
  /** Session lifetime (not announced to the client, as the portal does not); default 30 minutes. */
  sessionTtlMs?: number;
  /** Token-based dialect: the OAuth 2.0 client id and secret it accepts, and the tokens' lifetime. */
  clientId?: string;
  clientSecret?: string;
  /** Default 30 minutes. */
  tokenTtlMs?: number;
  logger?: AppLogger;
}

export interface PortalSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
  store: PortalStore;
  faults: PortalFaults;
  /** The national procedure catalogue it serves (seeded; `put`, `remove`, `reset`). */
  catalogue: PortalCatalogue;
  /** Sessions currently valid. */
  sessionCount(): number;
  /** Access tokens issued and not yet cleared (token-based dialect). */
  tokenCount(): number;
}

export const PORTAL_SIMULATOR_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  username: 'lienthong',
  password: 'lienthong-dev',
  unitCode: '000.00.00.H56',
  dstcode: 'DVCQG',
  sessionTtlMs: 30 * 60 * 1000,
  clientId: 'lienthong',
  clientSecret: 'lienthong-dev-secret',
  tokenTtlMs: 30 * 60 * 1000,
});

interface Session {
  unitCode: string;
  expiresAt: number;
}

type Body = Record<string, unknown>;

interface ItemResult {
  MaHoSo: unknown;
  error_code: PortalCodeValue;
  message: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function answer(code: PortalCodeValue, extra: Body = {}, message = PORTAL_MESSAGES[code]): Body {
  return { error_code: code, message, ...extra };
}

export async function startPortalSimulator(options: PortalSimulatorOptions = {}): Promise<PortalSimulator> {
  const config = { ...PORTAL_SIMULATOR_DEFAULTS, ...definedOnly(options) };
  const logger =
    options.logger ?? createLogger({ name: 'portal-simulator', level: process.env.LOG_LEVEL ?? 'warn' });
  const sessions = new Map<string, Session>();
  /** Token-based dialect: access token → expiry (epoch ms). */
  const tokens = new Map<string, number>();
  const store = new PortalStore();
  const catalogue = new PortalCatalogue();
  const faults = new PortalFaults(() => {
    sessions.clear();
    tokens.clear();
  });

  const app: FastifyInstance = fastify({
    logger: false,
    bodyLimit: 10 * 1024 * 1024,
    forceCloseConnections: true,
    keepAliveTimeout: 5000,
  });

  const isAdmin = (request: FastifyRequest) => request.url.startsWith('/__admin');

  app.addHook('onRequest', async (request, reply) => {
    if (isAdmin(request)) return;
    if (faults.isDown) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    const delay = faults.delayMs();
    if (delay > 0) await sleep(delay);
  });

  app.addHook('onResponse', async (request, reply) => {
    logger.debug(
      {
        method: request.method,
        path: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'portal simulator request',
    );
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error({ code: error.code }, 'portal simulator failed');
    if (request.url.startsWith(PORTAL_PATHS.api)) {
      // the token dialect answers problems (RFC 9457), a body it cannot parse included
      void reply
        .code(status)
        .type('application/problem+json; charset=utf-8')
        .send({
          type: 'about:blank',
          title: status === 500 ? 'Internal Server Error' : 'Bad Request',
          status,
          code: status === 500 ? 'SYSTEM_ERROR' : 'INVALID_REQUEST',
          detail: status === 500 ? 'Lỗi hệ thống' : 'Yêu cầu không hợp lệ',
        });
      return;
    }
    void reply
      .code(status)
      .send(status === 500 ? answer(PortalCode.SYSTEM_ERROR) : answer(PortalCode.INVALID_REQUEST));
  });

  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(answer(PortalCode.INVALID_REQUEST, {}, 'Không tìm thấy đường dẫn'));
  });

  const sessionOf = (token: unknown): Session | undefined => {
    if (typeof token !== 'string' || token === '') return undefined;
    const session = sessions.get(token);
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      sessions.delete(token);
      return undefined;
    }
    return session;
  };

  // --- login ------------------------------------------------------------------------------------------

  const dstcodeOf = (request: FastifyRequest) => request.headers[DSTCODE_HEADER];

  app.post(PORTAL_PATHS.login, async (request) => {
    if (dstcodeOf(request) !== config.dstcode) {
      return answer(PortalCode.UNIT_NOT_ALLOWED, {}, 'Thiếu hoặc sai mã định tuyến (dstcode)');
    }
    const body = request.body;
    if (!isObject(body)) return answer(PortalCode.INVALID_REQUEST);
    if (body.username !== config.username || body.password !== config.password) {
      return answer(PortalCode.LOGIN_FAILED);
    }
    if (sessions.size > 10_000) {
      for (const [token, session] of sessions) if (session.expiresAt <= Date.now()) sessions.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    sessions.set(token, { unitCode: config.unitCode, expiresAt: Date.now() + config.sessionTtlMs });
    store.countLogin();
    return answer(PortalCode.OK, { session: token });
  });

  // --- the integration and sharing endpoints ----------------------------------------------------------

  /** The configured faults' answer to a request (both dialects), or undefined to serve it. */
  const faulted = (reply: FastifyReply): FastifyReply | undefined => {
    const retryAfter = faults.takeRateLimit();
    if (retryAfter !== undefined) {
      return reply
        .code(429)
        .header('retry-after', String(Math.ceil(retryAfter)))
        .send(answer(PortalCode.TOO_MANY_REQUESTS));
    }
    const serverError = faults.takeServerError();
    if (serverError === 500) return reply.code(500).send(answer(PortalCode.SYSTEM_ERROR));
    if (serverError === 502) {
      return reply
        .code(502)
        .type('text/html; charset=utf-8')
        .send('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
    }
    if (serverError === 503) {
      return reply.code(503).header('retry-after', '1').type('text/plain').send('Service Unavailable');
    }
    if (faults.takeMalformed()) {
      return reply.code(200).type('application/json; charset=utf-8').send('{"error_code":0,"message":"Thà');
    }
    return undefined;
  };

  const serve =
    (endpoint: readonly string[]) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<Body | FastifyReply> => {
      const faultAnswer = faulted(reply);
      if (faultAnswer) return faultAnswer;
      if (dstcodeOf(request) !== config.dstcode) {
        return answer(PortalCode.UNIT_NOT_ALLOWED, {}, 'Thiếu hoặc sai mã định tuyến (dstcode)');
      }
      const body = request.body;
      if (!isObject(body)) return answer(PortalCode.INVALID_REQUEST);
      const session = sessionOf(body.session);
      if (!session) return answer(PortalCode.SESSION_EXPIRED);
      if (body.madonvi !== session.unitCode) return answer(PortalCode.UNIT_NOT_ALLOWED);
      const service = body.service;
      if (typeof service !== 'string' || !endpoint.includes(service)) {
        return answer(PortalCode.INVALID_REQUEST, {}, `Dịch vụ không được hỗ trợ: ${String(service)}`);
      }
      store.countServiceCall();
      switch (service as PortalServiceName) {
        case 'DongBoHoSoMC':
          return syncDossiers(body, session);
        case 'CapNhatTienDoHoSoMC':
          return updateProgress(body);
        case 'TraCuuHoSo':
          return lookUp(body);
        case 'TraCuuTechID':
          return lookUpAccount(body);
        case 'LayKetQuaDanhGia':
          return evaluation(body);
        case 'LayDanhSachTTHC':
          return listProcedures(body);
        case 'LayThuTuc':
          return readProcedure(body);
        case 'LayDanhMucLinhVuc':
          return answer(PortalCode.OK, { result: catalogue.sectors() });
        case 'LayDanhMucCoQuan':
          return answer(PortalCode.OK, { result: catalogue.agencies() });
      }
    };

  app.post(PORTAL_PATHS.integration, serve(PORTAL_INTEGRATION_SERVICES));
  app.post(PORTAL_PATHS.share, serve(PORTAL_SHARE_SERVICES));
  registerTokenDialect(app, { config, store, faults, tokens, faulted });

  const itemsOf = (body: Body): unknown[] | Body => {
    const data = body.data;
    if (!Array.isArray(data) || data.length === 0) {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Trường data phải là mảng không rỗng');
    }
    if (data.length > MAX_ITEMS_PER_CALL) {
      return answer(PortalCode.INVALID_REQUEST, {}, `Tối đa ${MAX_ITEMS_PER_CALL} phần tử mỗi lần gọi`);
    }
    return data;
  };

  /** The top-level answer says it all (the integrations read nothing else): the first refusal's message. */
  const summarise = (results: ItemResult[]): Body => {
    const refused = results.filter((r) => r.error_code !== PortalCode.OK);
    if (refused.length > 0) store.countRejected(refused.length);
    return refused.length === 0
      ? answer(PortalCode.OK, { result: results })
      : answer(PortalCode.INVALID_DATA, { result: results }, refused[0].message);
  };

  const refuse = (code: unknown, problems: string[]): ItemResult => ({
    MaHoSo: code ?? null,
    error_code: PortalCode.INVALID_DATA,
    message: problems.join('; '),
  });

  const syncDossiers = (body: Body, session: Session): Body => {
    const items = itemsOf(body);
    if (!Array.isArray(items)) return items;
    const isUpdating = body.isUpdating ?? 'False';
    if (typeof isUpdating !== 'string' || !(IS_UPDATING_VALUES as readonly string[]).includes(isUpdating)) {
      return answer(PortalCode.INVALID_REQUEST, {}, 'isUpdating phải là "True" hoặc "False"');
    }
    const results = items.map((item): ItemResult => {
      if (!isObject(item)) return refuse(null, ['phần tử phải là đối tượng']);
      const code = item.MaHoSo;
      if (typeof code === 'string' && faults.isRejected(code)) {
        return refuse(code, ['MaHoSo: hồ sơ bị từ chối tiếp nhận đồng bộ']);
      }
      const problems = dossierItemProblems(item);
      if (!isBlank(item.MaDoiTuong) && !store.isAccount(String(item.MaDoiTuong))) {
        problems.push('MaDoiTuong: không tìm thấy tài khoản trên Cổng Dịch vụ công quốc gia');
      }
      if (problems.length > 0) return refuse(code, problems);
      const exists = store.has(code as string);
      if (exists && isUpdating === 'False') {
        store.countExistenceRefusal();
        return refuse(code, [`Hồ sơ ${String(code)} đã tồn tại trên hệ thống`]);
      }
      if (!exists && isUpdating === 'True') {
        store.countExistenceRefusal();
        return refuse(code, [`Hồ sơ ${String(code)} không tồn tại trên hệ thống`]);
      }
      store.countSync(isUpdating as 'True' | 'False');
      const outcome = store.upsertDossier(item, session.unitCode);
      return {
        MaHoSo: code,
        error_code: PortalCode.OK,
        message: outcome === 'created' ? 'Thêm mới hồ sơ thành công' : 'Cập nhật hồ sơ thành công',
      };
    });
    return summarise(results);
  };

  const updateProgress = (body: Body): Body => {
    const items = itemsOf(body);
    if (!Array.isArray(items)) return items;
    const results = items.map((item): ItemResult => {
      if (!isObject(item)) return refuse(null, ['phần tử phải là đối tượng']);
      if (typeof item.MaHoSo === 'string' && faults.isRejected(item.MaHoSo)) {
        return refuse(item.MaHoSo, ['MaHoSo: hồ sơ bị từ chối tiếp nhận đồng bộ']);
      }
      const problems = progressItemProblems(item);
      if (problems.length === 0 && !store.has(item.MaHoSo as string)) {
        problems.push(`Hồ sơ ${String(item.MaHoSo)} không tồn tại trên hệ thống (gọi DongBoHoSoMC trước)`);
      }
      if (problems.length > 0) return refuse(item.MaHoSo, problems);
      const { duplicate } = store.applyProgress(item);
      return {
        MaHoSo: item.MaHoSo,
        error_code: PortalCode.OK,
        message: duplicate ? 'Thành công (đã ghi nhận trước đó)' : 'Thành công',
      };
    });
    return summarise(results);
  };

  /** TraCuuHoSo: the record, or error_code 0 with an empty result (OpenCPS tests the result's length). */
  const lookUp = (body: Body): Body => {
    const first = Array.isArray(body.data) ? body.data[0] : body.data;
    const code = body.mahoso ?? body.MaHoSo ?? (isObject(first) ? first.MaHoSo : undefined);
    if (typeof code !== 'string' || code === '') {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Thiếu mã hồ sơ (mahoso)');
    }
    store.countLookup();
    const record = store.lookup(code);
    return record
      ? answer(PortalCode.OK, { result: [record] })
      : answer(PortalCode.OK, { result: [] }, 'Không tìm thấy hồ sơ');
  };

  /** TraCuuTechID: the portal account of a tax code (or identity number), as `TECHNICALID`. */
  const lookUpAccount = (body: Body): Body => {
    const key = body.mstorcmnd;
    if (typeof key !== 'string' || key.trim() === '') {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Thiếu mã số thuế hoặc số giấy tờ (mstorcmnd)');
    }
    const id = store.account(key.trim());
    return id
      ? answer(PortalCode.OK, { result: [{ TECHNICALID: id, provider: body.provider ?? 'wso2is' }] })
      : answer(PortalCode.OK, { result: [] }, 'Không tìm thấy tài khoản');
  };

  /** LayKetQuaDanhGia: the evaluation set over the admin route for a unit and period. */
  const evaluation = (body: Body): Body => {
    const { madonvidanhgia, loaiky, ky } = body;
    if (typeof madonvidanhgia !== 'string' || typeof loaiky !== 'string' || typeof ky !== 'string') {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Thiếu madonvidanhgia, loaiky hoặc ky');
    }
    const found = store.evaluation(madonvidanhgia, loaiky, ky);
    return found
      ? answer(PortalCode.OK, {
          result: [
            {
              unitCode: found.unitCode,
              period: found.period,
              ...(found.totalScore !== undefined ? { totalScore: found.totalScore } : {}),
              groupScores: found.groupScores,
            },
          ],
        })
      : answer(PortalCode.OK, { result: [] }, 'Chưa có kết quả đánh giá');
  };

  /** LayDanhSachTTHC: `trang` (page, from 1) and `sobanghi` (page size) → codes and names, and `tongso`. */
  const listProcedures = (body: Body): Body => {
    const page = body.trang ?? 1;
    const size = body.sobanghi ?? DEFAULT_CATALOGUE_PAGE_SIZE;
    if (!Number.isInteger(page) || (page as number) < 1) {
      return answer(PortalCode.INVALID_REQUEST, {}, 'trang phải là số nguyên từ 1');
    }
    if (!Number.isInteger(size) || (size as number) < 1 || (size as number) > MAX_CATALOGUE_PAGE_SIZE) {
      return answer(PortalCode.INVALID_REQUEST, {}, `sobanghi phải từ 1 đến ${MAX_CATALOGUE_PAGE_SIZE}`);
    }
    const { items, total } = catalogue.page(page as number, size as number);
    return answer(PortalCode.OK, { result: items, tongso: total });
  };

  /** LayThuTuc: one procedure in full by `mathutuc`; error_code 0 with an empty result when unknown. */
  const readProcedure = (body: Body): Body => {
    const code = body.mathutuc;
    if (typeof code !== 'string' || code === '') {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Thiếu mã thủ tục (mathutuc)');
    }
    if (faults.isFailingProcedure(code)) return answer(PortalCode.SYSTEM_ERROR);
    const found = catalogue.procedure(code);
    return found
      ? answer(PortalCode.OK, { result: [found] })
      : answer(PortalCode.OK, { result: [] }, 'Không tìm thấy thủ tục');
  };

  // --- admin (never affected by faults) ------------------------------------------------------------

  app.get(PORTAL_PATHS.adminFaults, async () => faults.state());
  app.post(PORTAL_PATHS.adminFaults, async (request, reply) => {
    try {
      const state = faults.set(parseFaultSettings(request.body ?? {}));
      logger.info({ faults: state }, 'portal simulator faults set');
      return state;
    } catch (error) {
      if (error instanceof PortalFaultSettingsError) return reply.code(400).send({ message: error.message });
      throw error;
    }
  });
  app.delete(PORTAL_PATHS.adminFaults, async () => {
    faults.clear();
    logger.info('portal simulator faults cleared');
    return faults.state();
  });
  app.get<{ Params: { code: string } }>(PORTAL_PATHS.adminDossier, async (request, reply) => {
    const dossier = store.dossier(request.params.code);
    return dossier ?? reply.code(404).send({ message: 'dossier not held by the simulated portal' });
  });
  app.get('/__admin/dossiers', async () => ({ codes: store.codes() }));
  app.get(PORTAL_PATHS.adminStats, async () => ({
    ...store.stats(),
    sessions: sessions.size,
    tokens: tokens.size,
  }));
  app.post(PORTAL_PATHS.adminAccounts, async (request, reply) => {
    const body = request.body;
    if (!isObject(body) || !Object.values(body).every((v) => typeof v === 'string' && v !== '')) {
      return reply
        .code(400)
        .send({ message: 'a JSON object of tax code (or identity number) → TECHNICALID' });
    }
    for (const [key, id] of Object.entries(body)) store.addAccount(key, id as string);
    return { added: Object.keys(body).length };
  });
  app.get(PORTAL_PATHS.adminEvaluations, async () => ({ evaluations: store.allEvaluations() }));
  app.post(PORTAL_PATHS.adminEvaluations, async (request, reply) => {
    const parsed = parseEvaluation(request.body);
    if (typeof parsed === 'string') return reply.code(400).send({ message: parsed });
    store.setEvaluation(parsed);
    return parsed;
  });
  app.post(PORTAL_PATHS.adminReset, async () => {
    store.clear();
    catalogue.reset();
    sessions.clear();
    tokens.clear();
    faults.clear();
    return { reset: true };
  });

  await app.listen({ port: options.port ?? 0, host: config.host });
  const address = app.server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, unitCode: config.unitCode }, 'portal simulator listening');

  return {
    url,
    store,
    faults,
    catalogue,
    sessionCount: () => sessions.size,
    tokenCount: () => tokens.size,
    close: async () => {
      await app.close();
    },
  };
}

function definedOnly(options: PortalSimulatorOptions): Partial<typeof PORTAL_SIMULATOR_DEFAULTS> {
  const out: Record<string, unknown> = {};
  for (const key of [
    'host',
    'username',
    'password',
    'unitCode',
    'dstcode',
    'sessionTtlMs',
    'clientId',
    'clientSecret',
    'tokenTtlMs',
  ] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out as Partial<typeof PORTAL_SIMULATOR_DEFAULTS>;
}

const EVALUATION_PERIOD_KINDS = ['THANG', 'QUY', 'NAM'];

/** The admin route's evaluation: { unitCode, periodKind THANG|QUY|NAM, period, totalScore?, groupScores }. */
function parseEvaluation(body: unknown): PortalEvaluationRecord | string {
  if (!isObject(body)) return 'the evaluation must be a JSON object';
  const { unitCode, periodKind, period, totalScore, groupScores } = body;
  if (typeof unitCode !== 'string' || unitCode === '') return 'unitCode is required';
  if (typeof periodKind !== 'string' || !EVALUATION_PERIOD_KINDS.includes(periodKind))
    return `periodKind must be one of ${EVALUATION_PERIOD_KINDS.join(', ')}`;
  if (typeof period !== 'string' || !/^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/.test(period))
    return 'period must be YYYY-MM, YYYY-Qn or YYYY';
  if (totalScore !== undefined && typeof totalScore !== 'number') return 'totalScore must be a number';
  if (!Array.isArray(groupScores)) return 'groupScores must be an array';
  for (const group of groupScores as unknown[]) {
    if (!isObject(group) || typeof group.group !== 'string' || typeof group.score !== 'number')
      return 'each group score needs a group name and a numeric score';
    if (group.criteria !== undefined) {
      if (!Array.isArray(group.criteria)) return 'criteria must be an array';
      for (const c of group.criteria as unknown[]) {
        if (!isObject(c) || typeof c.code !== 'string' || typeof c.score !== 'number')
          return 'each criterion needs a code and a numeric score';
      }
    }
  }
  return {
    unitCode,
    periodKind,
    period,
    ...(totalScore !== undefined ? { totalScore } : {}),
    groupScores: structuredClone(groupScores) as PortalEvaluationRecord['groupScores'],
  };
}

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createLogger, type AppLogger } from '@lienthong/observability';
import {
  MAX_ITEMS_PER_CALL,
  PORTAL_MESSAGES,
  PORTAL_PATHS,
  PORTAL_SERVICES,
  PortalCode,
  type PortalCodeValue,
  type PortalServiceName,
  UNIT_CODE_HEADER,
  UNIT_CODE_HEADER_ALIAS,
} from './portal.codes';
import { parseFaultSettings, PortalFaults, PortalFaultSettingsError } from './portal.faults';
import { PortalStore } from './portal.store';
import { dossierItemProblems, isBlank, progressItemProblems } from './portal.validation';

/**
 * A stand-in for the National Public Service Portal's (Cổng DVCQG) dossier sync API, in the dialect seen in
 * public integrations: a session login with a unit code, one JSON service endpoint naming a `service`
 * (DongBoHoSoMC, CapNhatTienDoHoSoMC, TraCuuHoSo), `error_code` 0 on success, `yyyyMMddHHmmss` dates in
 * Asia/Ho_Chi_Minh and status codes 1–10. The wire format, error codes and the choices that are ours are in
 * contracts/upstream/public-service-portal/. Plain Fastify, no Nest: it starts in milliseconds and keeps up
 * with the pipeline's load tests.
 */

export interface PortalSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  username?: string;
  password?: string;
  /** Unit code (mã đơn vị) the account belongs to. */
  unitCode?: string;
  /** Session lifetime; default 30 minutes. */
  sessionTtlMs?: number;
  logger?: AppLogger;
}

export interface PortalSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
  store: PortalStore;
  faults: PortalFaults;
  /** Sessions currently valid. */
  sessionCount(): number;
}

export const PORTAL_SIMULATOR_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  username: 'lienthong',
  password: 'lienthong-dev',
  unitCode: '000.00.00.H56',
  sessionTtlMs: 30 * 60 * 1000,
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
  TrungLap?: boolean;
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
  const store = new PortalStore();
  const faults = new PortalFaults(() => sessions.clear());

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

  app.setErrorHandler((error: { statusCode?: number; code?: string }, _request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) logger.error({ code: error.code }, 'portal simulator failed');
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

  app.post(PORTAL_PATHS.login, async (request) => {
    const body = request.body;
    if (!isObject(body)) return answer(PortalCode.INVALID_REQUEST);
    if (body.username !== config.username || body.password !== config.password) {
      return answer(PortalCode.LOGIN_FAILED);
    }
    const header = request.headers[UNIT_CODE_HEADER] ?? request.headers[UNIT_CODE_HEADER_ALIAS];
    if (header !== config.unitCode) return answer(PortalCode.UNIT_NOT_ALLOWED);
    if (sessions.size > 10_000) {
      for (const [token, session] of sessions) if (session.expiresAt <= Date.now()) sessions.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    sessions.set(token, { unitCode: config.unitCode, expiresAt: Date.now() + config.sessionTtlMs });
    store.countLogin();
    return answer(PortalCode.OK, {
      session: token,
      expires_in: Math.max(1, Math.round(config.sessionTtlMs / 1000)),
    });
  });

  // --- services -----------------------------------------------------------------------------------------

  app.post(PORTAL_PATHS.service, async (request, reply: FastifyReply) => {
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

    const body = request.body;
    if (!isObject(body)) return answer(PortalCode.INVALID_REQUEST);
    const session = sessionOf(body.session);
    if (!session) return answer(PortalCode.SESSION_EXPIRED);
    if (!isBlank(body.madonvi) && body.madonvi !== session.unitCode)
      return answer(PortalCode.UNIT_NOT_ALLOWED);
    const service = body.service;
    if (typeof service !== 'string' || !(PORTAL_SERVICES as readonly string[]).includes(service)) {
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
    }
  });

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

  const summarise = (results: ItemResult[]): Body => {
    const refused = results.filter((r) => r.error_code !== PortalCode.OK).length;
    if (refused > 0) store.countRejected(refused);
    return answer(refused === 0 ? PortalCode.OK : PortalCode.INVALID_DATA, { result: results });
  };

  const refuse = (code: unknown, problems: string[]): ItemResult => ({
    MaHoSo: code ?? null,
    error_code: PortalCode.INVALID_DATA,
    message: problems.join('; '),
  });

  const syncDossiers = (body: Body, session: Session): Body => {
    const items = itemsOf(body);
    if (!Array.isArray(items)) return items;
    const results = items.map((item): ItemResult => {
      if (!isObject(item)) return refuse(null, ['phần tử phải là đối tượng']);
      if (typeof item.MaHoSo === 'string' && faults.isRejected(item.MaHoSo)) {
        return refuse(item.MaHoSo, ['MaHoSo: hồ sơ bị từ chối tiếp nhận đồng bộ']);
      }
      const problems = dossierItemProblems(item, typeof item.MaHoSo === 'string' && store.has(item.MaHoSo));
      if (problems.length > 0) return refuse(item.MaHoSo, problems);
      const outcome = store.upsertDossier(item, session.unitCode);
      return {
        MaHoSo: item.MaHoSo,
        error_code: PortalCode.OK,
        message: outcome === 'created' ? 'Đã tạo mới hồ sơ' : 'Đã cập nhật hồ sơ',
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
        problems.push('MaHoSo: hồ sơ chưa được đồng bộ (gọi DongBoHoSoMC trước)');
      }
      if (problems.length > 0) return refuse(item.MaHoSo, problems);
      const { duplicate } = store.applyProgress(item);
      return duplicate
        ? { MaHoSo: item.MaHoSo, error_code: PortalCode.OK, message: 'Đã ghi nhận trước đó', TrungLap: true }
        : { MaHoSo: item.MaHoSo, error_code: PortalCode.OK, message: 'Thành công' };
    });
    return summarise(results);
  };

  const lookUp = (body: Body): Body => {
    const first = Array.isArray(body.data) ? body.data[0] : body.data;
    const code = body.mahoso ?? body.MaHoSo ?? (isObject(first) ? first.MaHoSo : undefined);
    if (typeof code !== 'string' || code === '') {
      return answer(PortalCode.INVALID_REQUEST, {}, 'Thiếu mã hồ sơ (mahoso)');
    }
    const record = store.lookup(code);
    return record
      ? answer(PortalCode.OK, { result: [record] })
      : answer(PortalCode.OK, { result: [] }, 'Không tìm thấy hồ sơ');
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
  app.get(PORTAL_PATHS.adminStats, async () => ({ ...store.stats(), sessions: sessions.size }));
  app.post(PORTAL_PATHS.adminReset, async () => {
    store.clear();
    sessions.clear();
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
    sessionCount: () => sessions.size,
    close: async () => {
      await app.close();
    },
  };
}

function definedOnly(options: PortalSimulatorOptions): Partial<typeof PORTAL_SIMULATOR_DEFAULTS> {
  const out: Record<string, unknown> = {};
  for (const key of ['host', 'username', 'password', 'unitCode', 'sessionTtlMs'] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out as Partial<typeof PORTAL_SIMULATOR_DEFAULTS>;
}

import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppLogger } from '@lienthong/observability';
import { OAuth2TokenStore, parseFormBodies, tokenEndpoint } from '../shared/oauth2-token.store';
import { FaultControls, installFaultControls, requestIdGenerator } from '../shared/fault-controls';
import {
  parseScriptedFailures,
  ScriptedFailures,
  ScriptedFailureSettingsError,
} from './operations-center.failures';
import { OperationsCenterStore } from './operations-center.store';
import { asReport, reportProblems } from './operations-center.validation';
import {
  KetQua,
  type KetQuaTiepNhan,
  type KetQuaValue,
  type LoiWire,
  OPERATIONS_CENTER_PATHS as PATHS,
  thoiDiem,
} from './operations-center.wire';

/**
 * Stand-in for the Government operations center's indicator reporting API (Hệ thống thông tin chỉ đạo, điều
 * hành của Chính phủ): REST JSON behind an OAuth 2.0 client-credentials token endpoint, one report per unit,
 * period and version. Contract: contracts/upstream/operations-center/openapi.yaml.
 *
 *   POST /oauth2/token                    form grant_type=client_credentials, HTTP Basic client auth
 *   POST /api/v1/bao-cao-chi-so           submit one report
 *   GET  /__admin/reports, /__admin/stats accepted reports; counters (every attempt included)
 *   GET|POST|DELETE /__admin/faults       shared fault controls (outage, latency, error rate, malformed body)
 *   GET|POST|DELETE /__admin/failures     scripted failures: the next N submissions get 5xx or 429
 *   POST /__admin/tokens/expire           every token issued so far expires now
 *   POST /__admin/reset                   forget reports, counters, tokens, faults and failures
 */

export const OPERATIONS_CENTER_SIMULATOR_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  clientId: 'lienthong-relay',
  clientSecret: 'lienthong-dev-secret',
  tokenTtlSeconds: 3600,
  scope: 'bao-cao-chi-so',
});

const JSON_TYPE = 'application/json; charset=utf-8';
const REALM = 'ttdh-chinh-phu';

export interface OperationsCenterSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /** Unit codes the operations center knows; others get 404 KHONG_TIM_THAY_DON_VI. Default: every unit. */
  units?: string[];
  logger?: AppLogger;
}

export interface OperationsCenterSimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  close(): Promise<void>;
  store: OperationsCenterStore;
  /** Shared fault controls (outage, latency, error rate, malformed bodies, slow drip). */
  faults: FaultControls;
  /** Count-based failures of the report endpoint. */
  failures: ScriptedFailures;
  /** Issued tokens; `tokens.expireAll()` forces expiry, `tokens.ttlSeconds` sets the lifetime of new ones. */
  tokens: OAuth2TokenStore;
}

function loi(
  request: FastifyRequest,
  code: KetQuaValue,
  message: string,
  extra: Partial<LoiWire> = {},
): LoiWire {
  return { MaKetQua: code, ThongBao: message, MaYeuCau: String(request.id), ...extra };
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: KetQuaValue,
  message: string,
  extra: Partial<LoiWire> = {},
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', JSON_TYPE)
    .send(loi(request, code, message, extra));
}

export function buildOperationsCenterApp(parts: {
  store: OperationsCenterStore;
  tokens: OAuth2TokenStore;
  faults: FaultControls;
  failures: ScriptedFailures;
  units?: string[];
  scope?: string;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, tokens, faults, failures, logger } = parts;
  const units = parts.units ? new Set(parts.units) : undefined;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('ttdh'),
  });

  parseFormBodies(app);
  // Registered before the fault hooks, so an attempt that a fault swallows is counted too.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && request.url.split('?')[0] === PATHS.report) store.count('attempts');
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });

  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(
        loi(request, KetQua.SYSTEM_ERROR, 'Hệ thống đang gặp sự cố, vui lòng thử lại sau'),
      ),
    }),
  });

  app.post(
    PATHS.token,
    tokenEndpoint(tokens, {
      realm: REALM,
      scope: parts.scope ?? OPERATIONS_CENTER_SIMULATOR_DEFAULTS.scope,
      onIssued: () => store.count('tokensIssued'),
    }),
  );

  const requireToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (!header || !/^bearer /i.test(header)) {
      store.count('unauthorized');
      reply.header('www-authenticate', `Bearer realm="${REALM}"`);
      return sendError(request, reply, 401, KetQua.UNAUTHENTICATED, 'Thiếu access token');
    }
    const state = tokens.check(header.slice(7).trim());
    if (state !== 'valid') {
      store.count('unauthorized');
      const description =
        state === 'expired' ? 'The access token expired' : 'The access token is not recognised';
      reply.header(
        'www-authenticate',
        `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
      );
      return sendError(
        request,
        reply,
        401,
        KetQua.INVALID_TOKEN,
        'Access token không hợp lệ hoặc đã hết hạn',
      );
    }
    return undefined;
  };

  app.post(
    PATHS.report,
    {
      // scripted failures come first: they stand for the service failing whatever the request carries
      onRequest: async (request, reply) => {
        const retryAfter = failures.takeRateLimit();
        if (retryAfter !== undefined) {
          store.count('rateLimited');
          reply.header('retry-after', String(Math.ceil(retryAfter)));
          return sendError(request, reply, 429, KetQua.TOO_MANY_REQUESTS, 'Vượt quá tần suất gọi cho phép');
        }
        const status = failures.takeServerError();
        if (status === undefined) return undefined;
        store.count('serverErrors');
        if (status === 500) {
          return sendError(
            request,
            reply,
            500,
            KetQua.SYSTEM_ERROR,
            'Hệ thống đang gặp sự cố, vui lòng thử lại sau',
          );
        }
        if (status === 502) {
          return reply
            .code(502)
            .type('text/html; charset=utf-8')
            .send('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
        }
        return reply.code(503).header('retry-after', '1').type('text/plain').send('Service Unavailable');
      },
      preHandler: requireToken,
    },
    async (request, reply) => {
      const problems = reportProblems(request.body);
      if (problems.length > 0) {
        store.count('invalid');
        return sendError(request, reply, 422, KetQua.INVALID_DATA, 'Dữ liệu báo cáo không hợp lệ', {
          DanhSachLoi: problems,
        });
      }
      const report = asReport(request.body);
      if (units && !units.has(report.MaDonVi)) {
        store.count('unknownUnit');
        return sendError(request, reply, 404, KetQua.UNKNOWN_UNIT, 'Không tìm thấy đơn vị');
      }
      const judged = store.submit(report);
      switch (judged.outcome) {
        case 'accepted':
        case 'already-accepted': {
          const body: KetQuaTiepNhan = {
            MaKetQua: judged.outcome === 'accepted' ? KetQua.ACCEPTED : KetQua.ALREADY_ACCEPTED,
            ThongBao:
              judged.outcome === 'accepted' ? 'Đã tiếp nhận báo cáo' : 'Báo cáo đã được tiếp nhận trước đó',
            MaTiepNhan: judged.stored.MaTiepNhan,
            PhienBan: judged.stored.PhienBan,
            ThoiDiemTiepNhan: thoiDiem(new Date(judged.stored.ThoiDiemTiepNhan)),
          };
          return reply
            .code(judged.outcome === 'accepted' ? 201 : 200)
            .header('content-type', JSON_TYPE)
            .send(body);
        }
        case 'conflict':
          return sendError(
            request,
            reply,
            409,
            KetQua.VERSION_CONFLICT,
            `Phiên bản ${report.PhienBan} đã được tiếp nhận với nội dung khác`,
            { PhienBanHienTai: judged.currentVersion },
          );
        case 'superseded':
          return sendError(
            request,
            reply,
            409,
            KetQua.SUPERSEDED,
            `Đã tiếp nhận phiên bản ${judged.currentVersion}, mới hơn phiên bản ${report.PhienBan}`,
            { PhienBanHienTai: judged.currentVersion },
          );
      }
    },
  );

  // --- admin (never affected by faults) ------------------------------------------------------------

  app.get(PATHS.adminReports, async () => ({ reports: store.reports() }));
  app.get(PATHS.adminStats, async () => store.stats());
  app.get(PATHS.adminFailures, async () => failures.state());
  app.post(PATHS.adminFailures, async (request, reply) => {
    try {
      const state = failures.set(parseScriptedFailures(request.body ?? {}));
      logger?.info({ failures: state }, 'operations-center simulator failures set');
      return state;
    } catch (error) {
      if (error instanceof ScriptedFailureSettingsError)
        return reply.code(400).send({ message: error.message });
      throw error;
    }
  });
  app.delete(PATHS.adminFailures, async () => {
    failures.clear();
    return failures.state();
  });
  app.post(PATHS.adminTokensExpire, async () => ({ expired: tokens.expireAll() }));
  app.post(PATHS.adminReset, async () => {
    store.clear();
    tokens.expireAll();
    faults.clear();
    failures.clear();
    return { reset: true };
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, KetQua.NO_SUCH_RESOURCE, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) {
      logger?.error({ code: error.code }, 'operations-center simulator failed');
      return sendError(
        request,
        reply,
        500,
        KetQua.SYSTEM_ERROR,
        'Hệ thống đang gặp sự cố, vui lòng thử lại sau',
      );
    }
    if (request.url.split('?')[0] === PATHS.report) store.count('invalid');
    return sendError(request, reply, 400, KetQua.INVALID_REQUEST, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startOperationsCenterSimulator(
  options: OperationsCenterSimulatorOptions = {},
): Promise<OperationsCenterSimulator> {
  const defaults = OPERATIONS_CENTER_SIMULATOR_DEFAULTS;
  const store = new OperationsCenterStore();
  const tokens = new OAuth2TokenStore(
    options.clientId ?? defaults.clientId,
    options.clientSecret ?? defaults.clientSecret,
    options.tokenTtlSeconds ?? defaults.tokenTtlSeconds,
  );
  const faults = new FaultControls();
  const failures = new ScriptedFailures();
  const app = buildOperationsCenterApp({
    store,
    tokens,
    faults,
    failures,
    units: options.units,
    logger: options.logger,
  });
  const host = options.host ?? defaults.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'operations-center simulator listening');
  return {
    url,
    store,
    faults,
    failures,
    tokens,
    close: async () => {
      await app.close();
    },
  };
}

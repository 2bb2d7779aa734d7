import type { AddressInfo } from 'node:net';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, requestIdGenerator } from '../shared/fault-controls';
import { Seed } from '../shared/prng';
import { BusinessRegistryDataset } from './business-registry.dataset';
import { LoiWire } from './business-registry.wire';
import { OAuth2TokenStore, parseFormBodies, tokenEndpoint } from '../shared/oauth2-token.store';

/**
 * Stand-in for the National Business Registration Database's data-sharing API: REST JSON behind an
 * OAuth 2.0 client-credentials token endpoint. Contract: contracts/upstream/business-registry/openapi.yaml.
 *
 *   POST /oauth2/token                          form grant_type=client_credentials, HTTP Basic client auth
 *   GET  /api/v1/doanh-nghiep/{maSoDoanhNghiep} enterprise by 10-digit code
 *   GET  /api/v1/don-vi-phu-thuoc/{maSoDonVi}   branch or representative office by 13-character code
 *   GET|POST|DELETE /__admin/faults             fault controls (see shared/fault-controls.ts)
 *   POST /__admin/tokens/expire                 every token issued so far expires now
 */

export const BUSINESS_REGISTRY_DEFAULTS = {
  host: '127.0.0.1',
  clientId: 'lienthong-gateway',
  clientSecret: 'lienthong-dev-secret',
  tokenTtlSeconds: 3600,
  scope: 'tra-cuu-doanh-nghiep',
} as const;

const JSON_TYPE = 'application/json; charset=utf-8';
const REALM = 'csdlqg-dkdn';

export interface BusinessRegistrySimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: Seed;
  /** Number of enterprises. Default 200,000. */
  size?: number;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of access tokens. Default 3600. */
  tokenTtlSeconds?: number;
  logger?: AppLogger;
}

export interface RunningBusinessRegistrySimulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
  faults: FaultControls;
  dataset: BusinessRegistryDataset;
  /** Issued tokens; `tokens.expireAll()` forces expiry, `tokens.ttlSeconds` sets the lifetime of new ones. */
  tokens: OAuth2TokenStore;
}

function errorBody(request: FastifyRequest, maLoi: string, thongBao: string): LoiWire {
  return { maLoi, thongBao, maYeuCau: String(request.id) };
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  maLoi: string,
  thongBao: string,
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', JSON_TYPE)
    .send(errorBody(request, maLoi, thongBao));
}

export function buildBusinessRegistryApp(
  dataset: BusinessRegistryDataset,
  tokens: OAuth2TokenStore,
  faults: FaultControls,
  scope: string = BUSINESS_REGISTRY_DEFAULTS.scope,
): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('dkdn'),
  });

  parseFormBodies(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });

  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: JSON_TYPE,
      body: JSON.stringify(
        errorBody(request, 'LOI_HE_THONG', 'Hệ thống đang gặp sự cố, vui lòng thử lại sau'),
      ),
    }),
  });

  app.post('/oauth2/token', tokenEndpoint(tokens, { realm: REALM, scope: scope }));

  const requireToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (!header || !/^bearer /i.test(header)) {
      reply.header('www-authenticate', `Bearer realm="${REALM}"`);
      return sendError(request, reply, 401, 'CHUA_XAC_THUC', 'Thiếu access token');
    }
    const state = tokens.check(header.slice(7).trim());
    if (state !== 'valid') {
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
        'TOKEN_KHONG_HOP_LE',
        'Access token không hợp lệ hoặc đã hết hạn',
      );
    }
    return undefined;
  };

  app.get<{ Params: { ma: string } }>(
    '/api/v1/doanh-nghiep/:ma',
    { preHandler: requireToken },
    async (request, reply) => {
      const code = request.params.ma;
      if (!/^[0-9]{10}$/.test(code)) {
        const hint = /^[0-9]{10}-[0-9]{3}$/.test(code)
          ? '; mã số đơn vị phụ thuộc tra cứu tại /api/v1/don-vi-phu-thuoc/{maSoDonVi}'
          : '';
        return sendError(
          request,
          reply,
          400,
          'MA_SO_KHONG_HOP_LE',
          `Mã số doanh nghiệp phải gồm 10 chữ số${hint}`,
        );
      }
      const record = dataset.findEnterprise(code);
      if (!record) return sendError(request, reply, 404, 'KHONG_TIM_THAY', 'Không tìm thấy doanh nghiệp');
      return reply.header('content-type', JSON_TYPE).send(record);
    },
  );

  app.get<{ Params: { ma: string } }>(
    '/api/v1/don-vi-phu-thuoc/:ma',
    { preHandler: requireToken },
    async (request, reply) => {
      const code = request.params.ma;
      if (!/^[0-9]{10}-[0-9]{3}$/.test(code) || code.endsWith('-000')) {
        return sendError(
          request,
          reply,
          400,
          'MA_SO_KHONG_HOP_LE',
          'Mã số đơn vị phụ thuộc gồm 10 chữ số, dấu gạch ngang và 3 chữ số từ 001 đến 999',
        );
      }
      const record = dataset.findUnit(code);
      if (!record) return sendError(request, reply, 404, 'KHONG_TIM_THAY', 'Không tìm thấy đơn vị phụ thuộc');
      return reply.header('content-type', JSON_TYPE).send(record);
    },
  );

  app.post('/__admin/tokens/expire', async () => ({ expired: tokens.expireAll() }));

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'KHONG_TIM_THAY_TAI_NGUYEN', 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return status === 500
      ? sendError(request, reply, 500, 'LOI_HE_THONG', 'Hệ thống đang gặp sự cố, vui lòng thử lại sau')
      : sendError(request, reply, status, 'YEU_CAU_KHONG_HOP_LE', 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startBusinessRegistrySimulator(
  options: BusinessRegistrySimulatorOptions = {},
): Promise<RunningBusinessRegistrySimulator> {
  const dataset = new BusinessRegistryDataset({ seed: options.seed, size: options.size });
  const tokens = new OAuth2TokenStore(
    options.clientId ?? BUSINESS_REGISTRY_DEFAULTS.clientId,
    options.clientSecret ?? BUSINESS_REGISTRY_DEFAULTS.clientSecret,
    options.tokenTtlSeconds ?? BUSINESS_REGISTRY_DEFAULTS.tokenTtlSeconds,
  );
  const faults = new FaultControls();
  const app = buildBusinessRegistryApp(dataset, tokens, faults);
  const host = options.host ?? BUSINESS_REGISTRY_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info(
    { url, seed: dataset.seed, size: dataset.size },
    'business registry simulator listening',
  );
  return {
    url,
    faults,
    dataset,
    tokens,
    close: async () => {
      await app.close();
    },
  };
}

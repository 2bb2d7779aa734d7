import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, requestIdGenerator } from '../shared/fault-controls';
import { Seed } from '../shared/prng';
import { LandDataset } from './land.dataset';
import { errorDocument, resultDocument } from './land.xml';

/**
 * Stand-in for the National Land Database's lookup service: REST answering XML (UTF-8).
 * Contract: contracts/upstream/land/tra-cuu-dat-dai.xsd (documents) and README.md (routes).
 *
 *   GET /api/thua-dat?maXa=&soToBanDo=&soThuaDat=   parcel by commune code, map sheet and parcel number
 *   GET /api/giay-chung-nhan/{soPhatHanh}            parcel holding the certificate with this issue number
 *   GET|POST|DELETE /__admin/faults                  fault controls (see shared/fault-controls.ts)
 *
 * When an API key is configured, requests must carry it in `X-Api-Key`.
 */

export const LAND_DEFAULTS = { host: '127.0.0.1' } as const;

const XML_TYPE = 'application/xml; charset=utf-8';
const CADASTRAL_NO = /^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$/;
const CERTIFICATE_NO = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,29}$/;

export interface LandSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: Seed;
  /** Number of parcels. Default 300,000. */
  size?: number;
  /** Size of the business registry whose enterprises hold land. Default 200,000. */
  enterpriseCount?: number;
  /** When set, requests must send it in `X-Api-Key`. */
  apiKey?: string;
  logger?: AppLogger;
}

export interface RunningLandSimulator {
  url: string;
  close(): Promise<void>;
  faults: FaultControls;
  dataset: LandDataset;
}

function sendXml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', XML_TYPE).send(body);
}

function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
) {
  return sendXml(reply, status, errorDocument(code, message, String(request.id)));
}

function sameKey(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function buildLandApp(dataset: LandDataset, faults: FaultControls, apiKey?: string): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('dd'),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: XML_TYPE,
      body: errorDocument(
        'LOI_HE_THONG',
        'Hệ thống đang gặp sự cố, vui lòng thử lại sau',
        String(request.id),
      ),
    }),
  });

  const requireKey = async (request: FastifyRequest, reply: FastifyReply) => {
    if (apiKey !== undefined && !sameKey(request.headers['x-api-key'], apiKey)) {
      return sendError(request, reply, 401, 'CHUA_XAC_THUC', 'Thiếu hoặc sai khóa truy cập (X-Api-Key)');
    }
    return undefined;
  };

  app.get<{ Querystring: Record<string, unknown> }>(
    '/api/thua-dat',
    { preHandler: requireKey },
    async (request, reply) => {
      const { maXa, soToBanDo, soThuaDat } = request.query;
      if (typeof maXa !== 'string' || !/^[0-9]{5}$/.test(maXa) || maXa === '00000') {
        return sendError(request, reply, 400, 'DU_LIEU_KHONG_HOP_LE', 'maXa phải là mã xã gồm 5 chữ số');
      }
      if (typeof soToBanDo !== 'string' || !CADASTRAL_NO.test(soToBanDo)) {
        return sendError(request, reply, 400, 'DU_LIEU_KHONG_HOP_LE', 'soToBanDo không hợp lệ');
      }
      if (typeof soThuaDat !== 'string' || !CADASTRAL_NO.test(soThuaDat)) {
        return sendError(request, reply, 400, 'DU_LIEU_KHONG_HOP_LE', 'soThuaDat không hợp lệ');
      }
      const record = dataset.findParcel(maXa, soToBanDo, soThuaDat);
      if (!record) return sendError(request, reply, 404, 'KHONG_TIM_THAY', 'Không tìm thấy thửa đất');
      return sendXml(reply, 200, resultDocument(record, String(request.id), new Date()));
    },
  );

  app.get<{ Params: { so: string } }>(
    '/api/giay-chung-nhan/:so',
    { preHandler: requireKey },
    async (request, reply) => {
      const number = request.params.so.trim();
      if (!CERTIFICATE_NO.test(number)) {
        return sendError(
          request,
          reply,
          400,
          'DU_LIEU_KHONG_HOP_LE',
          'Số phát hành giấy chứng nhận không hợp lệ',
        );
      }
      const record = dataset.findByCertificate(number);
      if (!record) return sendError(request, reply, 404, 'KHONG_TIM_THAY', 'Không tìm thấy giấy chứng nhận');
      return sendXml(reply, 200, resultDocument(record, String(request.id), new Date()));
    },
  );

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, 'KHONG_TIM_THAY_TAI_NGUYEN', 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return status === 500
      ? sendError(request, reply, 500, 'LOI_HE_THONG', 'Hệ thống đang gặp sự cố, vui lòng thử lại sau')
      : sendError(request, reply, status, 'DU_LIEU_KHONG_HOP_LE', 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startLandSimulator(options: LandSimulatorOptions = {}): Promise<RunningLandSimulator> {
  const dataset = new LandDataset({
    seed: options.seed,
    size: options.size,
    enterpriseCount: options.enterpriseCount,
  });
  const faults = new FaultControls();
  const app = buildLandApp(dataset, faults, options.apiKey);
  const host = options.host ?? LAND_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url, seed: dataset.seed, size: dataset.size }, 'land simulator listening');
  return {
    url,
    faults,
    dataset,
    close: async () => {
      await app.close();
    },
  };
}

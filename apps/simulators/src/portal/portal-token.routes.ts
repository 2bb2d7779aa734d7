import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PORTAL_PATHS } from './portal.codes';
import type { PortalFaults } from './portal.faults';
import type { PortalStore } from './portal.store';
import {
  DOSSIER_DATE_FIELDS,
  dossierItemProblems,
  isBlank,
  PROGRESS_DATE_FIELDS,
  progressItemProblems,
} from './portal.validation';
import { fromVietnamCompact, vietnamCompact } from '@lienthong/domain';

/**
 * The simulated portal's token-based dialect (SYNTHETIC: the shape is assumed from 2025 clients, not confirmed;
 * contracts/upstream/public-service-portal/README.md). Served by the same simulator as the OpenCPS-era dialect,
 * told apart by path, over the same store, faults and refusal rules:
 *
 * - POST /oauth2/token, form `grant_type=client_credentials`, HTTP Basic client authentication → a bearer token
 *   with `expires_in`. Wrong credentials 401 `invalid_client`; another grant 400 `unsupported_grant_type`.
 * - Under /api/v2, every request needs a live bearer token (else 401 INVALID_TOKEN with WWW-Authenticate):
 *   POST /dossiers creates and answers the code the portal issues (MaHoSoQuocGia); a dossier it holds is 409
 *   DOSSIER_EXISTS naming its code. PUT /dossiers/{code} replaces the record; POST /dossiers/{code}/progress
 *   adds a step (a repeated step is acknowledged, not appended); GET /dossiers/{code} reads it back; an
 *   unknown code is 404 DOSSIER_NOT_FOUND. GET /evaluations answers the unit's evaluation for a period.
 * - Dates must be ISO 8601 with seconds and an offset (or null); anything else, the OpenCPS rules (required
 *   fields, codes, MaDoiTuong naming a known account) and a MaDonVi other than the account's are 422
 *   INVALID_DOSSIER with `errors[]`. Failures are RFC 9457 problem+json with a stable `code`.
 */

export interface TokenDialectConfig {
  clientId: string;
  clientSecret: string;
  unitCode: string;
  tokenTtlMs: number;
}

type Body = Record<string, unknown>;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** ISO 8601 with offset → `yyyyMMddHHmmss` Vietnam time (the store's form), or undefined when it is none. */
export function compactFromIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [month, day, hour, minute, second] = m.slice(2, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  return vietnamCompact(ms);
}

/** `yyyyMMddHHmmss` Vietnam time → ISO 8601 with +07:00; blank → null. */
function isoFromCompact(value: unknown): string | null {
  return fromVietnamCompact(value) ?? null;
}

/** The item with its ISO dates in the store's form, and the date fields that were not ISO 8601. */
function compactDates(item: Body, fields: readonly string[]): { item: Body; problems: string[] } {
  const out: Body = { ...item };
  const problems: string[] = [];
  for (const field of fields) {
    const value = item[field];
    if (isBlank(value)) {
      out[field] = '';
      continue;
    }
    const compact = compactFromIso(value);
    if (compact === undefined) problems.push(`${field}: phải là ngày giờ ISO 8601 có múi giờ`);
    else out[field] = compact;
  }
  return { item: out, problems };
}

function isoDates(record: Body, fields: readonly string[]): Body {
  const out: Body = { ...record };
  for (const field of fields) if (field in out) out[field] = isoFromCompact(out[field]);
  return out;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

function problem(
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extra: Body = {},
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, code, detail, ...extra });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 6749 section 2.3.1: id and secret form-urlencoded, then Basic-encoded. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return undefined;
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, at)), secret: decode(decoded.slice(at + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Registers the token dialect on the simulator's Fastify app. `faulted` answers the configured faults (rate
 * limit, server errors, malformed bodies) for a request, or undefined to go on; the session-expiry fault
 * clears `tokens` as it clears the other dialect's sessions.
 */
export function registerTokenDialect(
  app: FastifyInstance,
  deps: {
    config: TokenDialectConfig;
    store: PortalStore;
    faults: PortalFaults;
    tokens: Map<string, number>;
    faulted: (reply: FastifyReply) => FastifyReply | undefined;
  },
): void {
  const { config, store, faults, tokens, faulted } = deps;
  const api = PORTAL_PATHS.api;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.post(PORTAL_PATHS.token, async (request, reply) => {
    const faultAnswer = faulted(reply);
    if (faultAnswer) return faultAnswer;
    const credentials = basicCredentials(request.headers.authorization);
    if (
      !credentials ||
      credentials.id !== config.clientId ||
      !sameSecret(credentials.secret, config.clientSecret)
    ) {
      return reply
        .code(401)
        .header('www-authenticate', 'Basic realm="portal"')
        .send({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const body = isObject(request.body) ? request.body : {};
    if (body.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type' });
    }
    if (tokens.size > 10_000) {
      for (const [token, expiresAt] of tokens) if (expiresAt <= Date.now()) tokens.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, Date.now() + config.tokenTtlMs);
    store.countToken();
    return reply.header('cache-control', 'no-store').send({
      access_token: token,
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.floor(config.tokenTtlMs / 1000)),
    });
  });

  /** A live bearer token, else the 401 a real API answers. Faults come first, as on the other dialect. */
  const guard = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const faultAnswer = faulted(reply);
    if (faultAnswer) return faultAnswer;
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const expiresAt = m ? tokens.get(m[1]) : undefined;
    if (m && expiresAt !== undefined && expiresAt <= Date.now()) tokens.delete(m[1]);
    if (!m || expiresAt === undefined || expiresAt <= Date.now()) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return problem(reply, 401, 'INVALID_TOKEN', 'Thiếu hoặc hết hạn mã truy cập (access token)');
    }
    store.countServiceCall();
    return undefined;
  };

  /** The checks of a dossier body: the OpenCPS rules on the record in the store's form, plus ISO dates. */
  const dossierProblems = (body: Body): { item: Body; problems: string[] } => {
    const { item, problems } = compactDates(body, DOSSIER_DATE_FIELDS);
    delete item.MaDonVi;
    if (body.MaDonVi !== config.unitCode) problems.push('MaDonVi: không phải đơn vị của ứng dụng kết nối');
    // a date already refused as not ISO 8601 is not reported again by the record's own checks
    const refusedDates = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
    problems.push(...dossierItemProblems(item).filter((p) => !refusedDates.has(p.slice(0, p.indexOf(':')))));
    if (!isBlank(item.MaDoiTuong) && !store.isAccount(String(item.MaDoiTuong))) {
      problems.push('MaDoiTuong: không tìm thấy tài khoản trên Cổng Dịch vụ công quốc gia');
    }
    if (typeof item.MaHoSo === 'string' && faults.isRejected(item.MaHoSo)) {
      problems.push('MaHoSo: hồ sơ bị từ chối tiếp nhận đồng bộ');
    }
    return { item, problems };
  };

  const invalid = (reply: FastifyReply, problems: string[]) => {
    store.countRejected();
    return problem(reply, 422, 'INVALID_DOSSIER', problems[0], {
      errors: problems.map((p) => {
        const at = p.indexOf(':');
        return { field: at > 0 ? p.slice(0, at) : '', message: at > 0 ? p.slice(at + 1).trim() : p };
      }),
    });
  };

  const notFound = (reply: FastifyReply, code: string) =>
    problem(reply, 404, 'DOSSIER_NOT_FOUND', `Không tìm thấy hồ sơ có mã ${code} trên Cổng`);

  app.post(`${api}/dossiers`, async (request, reply) => {
    const refused = guard(request, reply);
    if (refused) return refused;
    if (!isObject(request.body))
      return problem(reply, 400, 'INVALID_REQUEST', 'Nội dung phải là đối tượng JSON');
    const { item, problems } = dossierProblems(request.body);
    if (problems.length > 0) return invalid(reply, problems);
    const dossierCode = item.MaHoSo as string;
    if (store.has(dossierCode)) {
      store.countExistenceRefusal();
      return problem(reply, 409, 'DOSSIER_EXISTS', `Hồ sơ ${dossierCode} đã tồn tại trên hệ thống`, {
        MaHoSoQuocGia: store.issuePortalCode(dossierCode, config.unitCode),
      });
    }
    store.countSync('False');
    store.upsertDossier(item, config.unitCode);
    const portalCode = store.issuePortalCode(dossierCode, config.unitCode);
    return reply.code(201).send({ MaHoSoQuocGia: portalCode, MaHoSo: dossierCode });
  });

  app.put<{ Params: { code: string } }>(`${api}/dossiers/:code`, async (request, reply) => {
    const refused = guard(request, reply);
    if (refused) return refused;
    const dossierCode = store.dossierOfPortalCode(request.params.code);
    if (!dossierCode) {
      store.countExistenceRefusal();
      return notFound(reply, request.params.code);
    }
    if (!isObject(request.body))
      return problem(reply, 400, 'INVALID_REQUEST', 'Nội dung phải là đối tượng JSON');
    const { item, problems } = dossierProblems(request.body);
    if (item.MaHoSo !== dossierCode) problems.unshift(`MaHoSo: không khớp hồ sơ ${request.params.code}`);
    if (problems.length > 0) return invalid(reply, problems);
    store.countSync('True');
    store.upsertDossier(item, config.unitCode);
    return { MaHoSoQuocGia: request.params.code, MaHoSo: dossierCode };
  });

  app.post<{ Params: { code: string } }>(`${api}/dossiers/:code/progress`, async (request, reply) => {
    const refused = guard(request, reply);
    if (refused) return refused;
    const dossierCode = store.dossierOfPortalCode(request.params.code);
    if (!dossierCode) return notFound(reply, request.params.code);
    if (!isObject(request.body))
      return problem(reply, 400, 'INVALID_REQUEST', 'Nội dung phải là đối tượng JSON');
    const { item, problems } = compactDates(request.body, PROGRESS_DATE_FIELDS);
    if (!isBlank(item.MaHoSo) && item.MaHoSo !== dossierCode) {
      problems.push(`MaHoSo: không khớp hồ sơ ${request.params.code}`);
    }
    item.MaHoSo = dossierCode;
    if (faults.isRejected(dossierCode)) problems.push('MaHoSo: hồ sơ bị từ chối tiếp nhận đồng bộ');
    const refusedDates = new Set(problems.map((p) => p.slice(0, p.indexOf(':'))));
    problems.push(...progressItemProblems(item).filter((p) => !refusedDates.has(p.slice(0, p.indexOf(':')))));
    if (problems.length > 0) return invalid(reply, problems);
    const { duplicate } = store.applyProgress(item);
    return reply.code(duplicate ? 200 : 201).send({ MaHoSoQuocGia: request.params.code, duplicate });
  });

  app.get<{ Params: { code: string } }>(`${api}/dossiers/:code`, async (request, reply) => {
    const refused = guard(request, reply);
    if (refused) return refused;
    const dossierCode = store.dossierOfPortalCode(request.params.code);
    const record = dossierCode ? store.lookup(dossierCode) : undefined;
    if (!record) return notFound(reply, request.params.code);
    store.countLookup();
    const steps = Array.isArray(record.QuaTrinhXuLy) ? (record.QuaTrinhXuLy as Body[]) : [];
    return {
      ...isoDates(record, DOSSIER_DATE_FIELDS),
      MaDonVi: store.dossier(dossierCode as string)?.unitCode ?? config.unitCode,
      MaHoSoQuocGia: request.params.code,
      QuaTrinhXuLy: steps.map((step) => isoDates(step, PROGRESS_DATE_FIELDS)),
    };
  });

  app.get<{ Querystring: Record<string, string | undefined> }>(
    `${api}/evaluations`,
    async (request, reply) => {
      const refused = guard(request, reply);
      if (refused) return refused;
      const { MaDonViDanhGia: unit, LoaiKy: kind, Ky: period } = request.query;
      if (!unit || !kind || !period) {
        return problem(reply, 400, 'INVALID_REQUEST', 'Thiếu MaDonViDanhGia, LoaiKy hoặc Ky');
      }
      const found = store.evaluation(unit, kind, period);
      if (!found) return problem(reply, 404, 'EVALUATION_NOT_FOUND', 'Chưa có kết quả đánh giá');
      return {
        result: [
          {
            unitCode: found.unitCode,
            period: found.period,
            ...(found.totalScore !== undefined ? { totalScore: found.totalScore } : {}),
            groupScores: found.groupScores,
          },
        ],
      };
    },
  );
}

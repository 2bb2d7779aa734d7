import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { parseStringPromise, processors } from 'xml2js';
import { isKnownBirthRegistrationCode, validatePersonalId } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import { FaultControls, installFaultControls, requestIdGenerator } from '../shared/fault-controls';
import { registerRefusalAdmin, RefusalRules } from '../shared/refusal-rules';
import { isIsoDate, vietnamDate } from '@lienthong/calendar';

/**
 * Stand-in for the Ministry of Justice's civil-status registration system (Hệ thống thông tin đăng ký và quản
 * lý hộ tịch), interface `civil-status-v1` of deploy/config/chains.yaml: XML over HTTP, HTTP Basic
 * authentication, one transaction id (`maGiaoDich`) per application. The real interface is not public; this
 * wire format is the project's assumption. Contract: contracts/upstream/civil-status/README.md.
 *
 *   POST /hotich/v1/khai-sinh            YeuCauDangKyKhaiSinh → KetQuaDangKy (child's personal ID, birth certificate)
 *   POST /hotich/v1/khai-tu              YeuCauDangKyKhaiTu   → KetQuaDangKy (death certificate)
 *   GET  /__admin/store                  what was registered
 *   GET|POST|DELETE /__admin/refusals    refuse the application with this transaction id or personal ID
 *   GET|POST|DELETE /__admin/faults      shared fault controls
 *   POST /__admin/reset                  forget registrations, refusals and faults
 */

export const CIVIL_STATUS_NAMESPACE = 'urn:vn:gov:moj:hotich:1.0';

export const CIVIL_STATUS_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  username: 'lienthong',
  password: 'lienthong-dev',
  /** Birth-registration code (PPP) of the personal IDs issued: 001 Hà Nội. */
  registrationCode: '001',
});

const XML_TYPE = 'application/xml; charset=utf-8';
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
const TRANSACTION_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const REALM = 'hotich';

/** Error codes of `Loi` documents. */
export const CivilStatusError = Object.freeze({
  INVALID: 'DU_LIEU_KHONG_HOP_LE',
  UNAUTHENTICATED: 'CHUA_XAC_THUC',
  TRANSACTION_REUSED: 'TRUNG_MA_GIAO_DICH',
  NOT_FOUND: 'KHONG_TIM_THAY_TAI_NGUYEN',
  SYSTEM: 'LOI_HE_THONG',
});

export interface BirthRegistration {
  transactionId: string;
  child: {
    fullName: string;
    sex: 'NAM' | 'NU';
    dateOfBirth: string;
    placeOfBirth: string;
    ethnicity: string;
    nationality: string;
  };
  mother: { personalId: string; fullName?: string; dateOfBirth?: string; residence?: string };
  father?: { personalId: string; fullName?: string; dateOfBirth?: string };
  declarant: { personalId: string; relationship: string };
}

export interface DeathRegistration {
  transactionId: string;
  deceased: {
    personalId: string;
    fullName?: string;
    dateOfBirth?: string;
    dateOfDeath: string;
    placeOfDeath: string;
    causeOfDeath: string;
    residence?: string;
  };
  declarant: { personalId: string; relationship: string };
}

export type CivilStatusOutcome =
  | { status: 'DA_DANG_KY'; personalId?: string; certificateNumber: string; issuedOn: string }
  | { status: 'TU_CHOI'; reasonCode: string; reason: string };

export interface StoredRegistration<T> {
  request: T;
  /** Fingerprint of the request: the same transaction id with other content is refused. */
  fingerprint: string;
  outcome: CivilStatusOutcome;
  at: string;
}

/** What the simulator registered, readable by tests. */
export class CivilStatusStore {
  readonly births = new Map<string, StoredRegistration<BirthRegistration>>();
  readonly deaths = new Map<string, StoredRegistration<DeathRegistration>>();
  /** Personal IDs issued, to never issue one twice. */
  readonly issuedPersonalIds = new Set<string>();
  /** Personal IDs of registered deaths, to never register one death twice. */
  readonly deceased = new Set<string>();
  private sequence = 0;

  nextSequence(): number {
    return ++this.sequence;
  }

  clear(): void {
    this.births.clear();
    this.deaths.clear();
    this.issuedPersonalIds.clear();
    this.deceased.clear();
    this.sequence = 0;
  }
}

export interface CivilStatusSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  username?: string;
  password?: string;
  /** Birth-registration code (PPP) of the personal IDs issued. Default 001. */
  registrationCode?: string;
  logger?: AppLogger;
}

export interface CivilStatusSimulator {
  url: string;
  close(): Promise<void>;
  store: CivilStatusStore;
  faults: FaultControls;
  refusals: RefusalRules;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function el(name: string, value: string | undefined): string {
  return value === undefined ? '' : `  <${name}>${escapeXml(value)}</${name}>\n`;
}

export function civilStatusErrorDocument(
  code: string,
  message: string,
  requestId: string,
  fields: string[] = [],
): string {
  return (
    XML_DECLARATION +
    `<Loi xmlns="${CIVIL_STATUS_NAMESPACE}">\n` +
    el('MaLoi', code) +
    el('MoTa', message) +
    fields.map((field) => `  <TruongLoi>${escapeXml(field)}</TruongLoi>\n`).join('') +
    el('MaYeuCau', requestId) +
    '</Loi>\n'
  );
}

function resultDocument(
  kind: 'KHAI_SINH' | 'KHAI_TU',
  transactionId: string,
  outcome: CivilStatusOutcome,
): string {
  let body = '';
  if (outcome.status === 'DA_DANG_KY') {
    body += el('SoDinhDanh', outcome.personalId);
    body += el(kind === 'KHAI_SINH' ? 'SoGiayKhaiSinh' : 'SoTrichLucKhaiTu', outcome.certificateNumber);
    body += el('NgayCap', outcome.issuedOn);
  } else {
    body += el('MaLyDo', outcome.reasonCode);
    body += el('LyDo', outcome.reason);
  }
  return (
    XML_DECLARATION +
    `<KetQuaDangKy xmlns="${CIVIL_STATUS_NAMESPACE}" loai="${kind}" maGiaoDich="${escapeXml(transactionId)}" ` +
    `trangThai="${outcome.status}">\n` +
    body +
    '</KetQuaDangKy>\n'
  );
}

type XmlNode = Record<string, unknown>;

function text(node: unknown, path: string): string | undefined {
  let current: unknown = node;
  for (const part of path.split('/')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as XmlNode)[part];
  }
  if (typeof current === 'string') return current.trim() === '' ? undefined : current.trim();
  if (typeof current === 'object' && current !== null && typeof (current as XmlNode)._ === 'string') {
    return ((current as XmlNode)._ as string).trim() || undefined;
  }
  return undefined;
}

class InvalidRequest extends Error {
  constructor(
    message: string,
    readonly fields: string[],
  ) {
    super(message);
  }
}

function required(node: unknown, paths: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const path of paths) {
    const value = text(node, path);
    if (value === undefined) missing.push(path);
    else values[path] = value;
  }
  if (missing.length > 0) throw new InvalidRequest('Thiếu thông tin bắt buộc', missing);
  return values;
}

function checkPersonalIds(fields: [string, string | undefined][]): void {
  const bad = fields.filter(([, value]) => value !== undefined && !validatePersonalId(value).valid);
  if (bad.length > 0) {
    throw new InvalidRequest(
      'Số định danh cá nhân không hợp lệ',
      bad.map(([path]) => path),
    );
  }
}

function checkDates(fields: [string, string | undefined][], today: string): void {
  const bad = fields.filter(([, value]) => value !== undefined && (!isIsoDate(value) || value > today));
  if (bad.length > 0)
    throw new InvalidRequest(
      'Ngày không hợp lệ',
      bad.map(([path]) => path),
    );
}

function parseBirth(root: XmlNode, transactionId: string, today: string): BirthRegistration {
  const v = required(root, [
    'TreEm/HoTen',
    'TreEm/GioiTinh',
    'TreEm/NgaySinh',
    'TreEm/NoiSinh',
    'TreEm/DanToc',
    'TreEm/QuocTich',
    'Me/SoDinhDanh',
    'NguoiYeuCau/SoDinhDanh',
    'NguoiYeuCau/QuanHe',
  ]);
  const sex = v['TreEm/GioiTinh'];
  if (sex !== 'NAM' && sex !== 'NU') throw new InvalidRequest('Giới tính là NAM hoặc NU', ['TreEm/GioiTinh']);
  const fatherId = text(root, 'Cha/SoDinhDanh');
  checkPersonalIds([
    ['Me/SoDinhDanh', v['Me/SoDinhDanh']],
    ['Cha/SoDinhDanh', fatherId],
    ['NguoiYeuCau/SoDinhDanh', v['NguoiYeuCau/SoDinhDanh']],
  ]);
  checkDates([['TreEm/NgaySinh', v['TreEm/NgaySinh']]], today);
  return {
    transactionId,
    child: {
      fullName: v['TreEm/HoTen'],
      sex,
      dateOfBirth: v['TreEm/NgaySinh'],
      placeOfBirth: v['TreEm/NoiSinh'],
      ethnicity: v['TreEm/DanToc'],
      nationality: v['TreEm/QuocTich'],
    },
    mother: {
      personalId: v['Me/SoDinhDanh'],
      fullName: text(root, 'Me/HoTen'),
      dateOfBirth: text(root, 'Me/NgaySinh'),
      residence: text(root, 'Me/NoiCuTru'),
    },
    father: fatherId
      ? { personalId: fatherId, fullName: text(root, 'Cha/HoTen'), dateOfBirth: text(root, 'Cha/NgaySinh') }
      : undefined,
    declarant: { personalId: v['NguoiYeuCau/SoDinhDanh'], relationship: v['NguoiYeuCau/QuanHe'] },
  };
}

function parseDeath(root: XmlNode, transactionId: string, today: string): DeathRegistration {
  const v = required(root, [
    'NguoiChet/SoDinhDanh',
    'NguoiChet/NgayChet',
    'NguoiChet/NoiChet',
    'NguoiChet/NguyenNhan',
    'NguoiYeuCau/SoDinhDanh',
    'NguoiYeuCau/QuanHe',
  ]);
  checkPersonalIds([
    ['NguoiChet/SoDinhDanh', v['NguoiChet/SoDinhDanh']],
    ['NguoiYeuCau/SoDinhDanh', v['NguoiYeuCau/SoDinhDanh']],
  ]);
  checkDates([['NguoiChet/NgayChet', v['NguoiChet/NgayChet']]], today);
  return {
    transactionId,
    deceased: {
      personalId: v['NguoiChet/SoDinhDanh'],
      fullName: text(root, 'NguoiChet/HoTen'),
      dateOfBirth: text(root, 'NguoiChet/NgaySinh'),
      dateOfDeath: v['NguoiChet/NgayChet'],
      placeOfDeath: v['NguoiChet/NoiChet'],
      causeOfDeath: v['NguoiChet/NguyenNhan'],
      residence: text(root, 'NguoiChet/NoiCuTru'),
    },
    declarant: { personalId: v['NguoiYeuCau/SoDinhDanh'], relationship: v['NguoiYeuCau/QuanHe'] },
  };
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/** A personal ID for a child born on `dateOfBirth`: PPP, century-and-sex digit, YY, six sequence digits. */
function issuePersonalId(
  store: CivilStatusStore,
  code: string,
  sex: 'NAM' | 'NU',
  dateOfBirth: string,
): string {
  const year = Number(dateOfBirth.slice(0, 4));
  const g = 2 * Math.floor((year - 1900) / 100) + (sex === 'NU' ? 1 : 0);
  for (;;) {
    const serial = (store.nextSequence() * 7919) % 1_000_000;
    const id = `${code}${g}${dateOfBirth.slice(2, 4)}${String(serial).padStart(6, '0')}`;
    if (!store.issuedPersonalIds.has(id)) {
      store.issuedPersonalIds.add(id);
      return id;
    }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function buildCivilStatusApp(parts: {
  store: CivilStatusStore;
  faults: FaultControls;
  refusals: RefusalRules;
  username: string;
  password: string;
  registrationCode: string;
  logger?: AppLogger;
}): FastifyInstance {
  const { store, faults, refusals, logger } = parts;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    requestIdHeader: false,
    genReqId: requestIdGenerator('ht'),
  });
  for (const type of ['application/xml', 'text/xml']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });
  installFaultControls(app, faults, {
    serverError: (request) => ({
      contentType: XML_TYPE,
      body: civilStatusErrorDocument(CivilStatusError.SYSTEM, 'Hệ thống đang gặp sự cố', String(request.id)),
    }),
  });

  const sendError = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: string,
    message: string,
    fields: string[] = [],
  ) =>
    reply
      .code(status)
      .header('content-type', XML_TYPE)
      .send(civilStatusErrorDocument(code, message, String(request.id), fields));

  const authenticated = (request: FastifyRequest): boolean => {
    const header = request.headers.authorization;
    if (!header || !/^basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    return (
      sameSecret(decoded.slice(0, colon), parts.username) &&
      sameSecret(decoded.slice(colon + 1), parts.password)
    );
  };

  const register = <T extends BirthRegistration | DeathRegistration>(
    kind: 'KHAI_SINH' | 'KHAI_TU',
    rootName: string,
    parse: (root: XmlNode, transactionId: string, today: string) => T,
    registered: Map<string, StoredRegistration<T>>,
    decide: (request: T, today: string) => CivilStatusOutcome,
    refusalKeys: (request: T) => string[],
  ) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      if (!authenticated(request)) {
        reply.header('www-authenticate', `Basic realm="${REALM}"`);
        return sendError(request, reply, 401, CivilStatusError.UNAUTHENTICATED, 'Sai tài khoản kết nối');
      }
      if (typeof request.body !== 'string') {
        return sendError(request, reply, 415, CivilStatusError.INVALID, 'Yêu cầu phải là tài liệu XML');
      }
      let document: XmlNode;
      try {
        document = (await parseStringPromise(request.body, {
          explicitArray: false,
          tagNameProcessors: [processors.stripPrefix],
        })) as XmlNode;
      } catch {
        return sendError(request, reply, 400, CivilStatusError.INVALID, 'Tài liệu XML không đọc được');
      }
      const root = document?.[rootName] as XmlNode | undefined;
      if (!root || typeof root !== 'object') {
        return sendError(request, reply, 400, CivilStatusError.INVALID, `Cần tài liệu ${rootName}`);
      }
      const transactionId = text(root, '$/maGiaoDich');
      if (!transactionId || !TRANSACTION_ID.test(transactionId)) {
        return sendError(request, reply, 400, CivilStatusError.INVALID, 'Thiếu hoặc sai mã giao dịch', [
          '@maGiaoDich',
        ]);
      }
      const today = vietnamDate(Date.now());
      let parsed: T;
      try {
        parsed = parse(root, transactionId, today);
      } catch (error) {
        if (error instanceof InvalidRequest) {
          return sendError(request, reply, 400, CivilStatusError.INVALID, error.message, error.fields);
        }
        throw error;
      }
      const print = fingerprint(parsed);
      const earlier = registered.get(transactionId);
      if (earlier) {
        if (earlier.fingerprint !== print) {
          return sendError(
            request,
            reply,
            409,
            CivilStatusError.TRANSACTION_REUSED,
            'Mã giao dịch đã được dùng cho một yêu cầu khác',
          );
        }
        return reply
          .code(200)
          .header('content-type', XML_TYPE)
          .send(resultDocument(kind, transactionId, earlier.outcome));
      }
      const rule = refusals.find([transactionId, ...refusalKeys(parsed)]);
      const outcome: CivilStatusOutcome = rule
        ? { status: 'TU_CHOI', reasonCode: rule.code, reason: rule.reason }
        : decide(parsed, today);
      registered.set(transactionId, {
        request: parsed,
        fingerprint: print,
        outcome,
        at: new Date().toISOString(),
      });
      logger?.info({ kind, transactionId, status: outcome.status }, 'civil-status simulator registration');
      return reply
        .code(200)
        .header('content-type', XML_TYPE)
        .send(resultDocument(kind, transactionId, outcome));
    };
  };

  app.post(
    '/hotich/v1/khai-sinh',
    register(
      'KHAI_SINH',
      'YeuCauDangKyKhaiSinh',
      parseBirth,
      store.births,
      (birth, today) => {
        const year = today.slice(0, 4);
        return {
          status: 'DA_DANG_KY',
          personalId: issuePersonalId(
            store,
            parts.registrationCode,
            birth.child.sex,
            birth.child.dateOfBirth,
          ),
          certificateNumber: `${String(store.births.size + 1).padStart(6, '0')}/${year}/KS`,
          issuedOn: today,
        };
      },
      (birth) => [birth.mother.personalId, ...(birth.father ? [birth.father.personalId] : [])],
    ),
  );
  app.post(
    '/hotich/v1/khai-tu',
    register(
      'KHAI_TU',
      'YeuCauDangKyKhaiTu',
      parseDeath,
      store.deaths,
      (death, today) => {
        if (store.deceased.has(death.deceased.personalId)) {
          return {
            status: 'TU_CHOI',
            reasonCode: 'DA_DANG_KY_KHAI_TU',
            reason: 'Người này đã được đăng ký khai tử trước đó.',
          };
        }
        store.deceased.add(death.deceased.personalId);
        return {
          status: 'DA_DANG_KY',
          certificateNumber: `${String(store.deceased.size).padStart(6, '0')}/${today.slice(0, 4)}/KT`,
          issuedOn: today,
        };
      },
      (death) => [death.deceased.personalId],
    ),
  );

  app.get('/__admin/store', async () => ({
    births: [...store.births.values()],
    deaths: [...store.deaths.values()],
  }));
  registerRefusalAdmin(app, refusals);
  app.post('/__admin/reset', async () => {
    store.clear();
    refusals.clear();
    faults.clear();
    return { reset: true };
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 404, CivilStatusError.NOT_FOUND, 'Không có tài nguyên này'),
  );
  app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500)
      return sendError(request, reply, 500, CivilStatusError.SYSTEM, 'Hệ thống đang gặp sự cố');
    return sendError(request, reply, status, CivilStatusError.INVALID, 'Yêu cầu không hợp lệ');
  });
  return app;
}

export async function startCivilStatusSimulator(
  options: CivilStatusSimulatorOptions = {},
): Promise<CivilStatusSimulator> {
  const registrationCode = options.registrationCode ?? CIVIL_STATUS_DEFAULTS.registrationCode;
  if (!isKnownBirthRegistrationCode(registrationCode)) {
    throw new RangeError(`${registrationCode} is not a birth-registration code`);
  }
  const store = new CivilStatusStore();
  const faults = new FaultControls();
  const refusals = new RefusalRules();
  const app = buildCivilStatusApp({
    store,
    faults,
    refusals,
    username: options.username ?? CIVIL_STATUS_DEFAULTS.username,
    password: options.password ?? CIVIL_STATUS_DEFAULTS.password,
    registrationCode,
    logger: options.logger,
  });
  const host = options.host ?? CIVIL_STATUS_DEFAULTS.host;
  await app.listen({ port: options.port ?? 0, host });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url }, 'civil-status simulator listening');
  return { url, store, faults, refusals, close: () => app.close() };
}

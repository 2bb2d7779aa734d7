import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  AdapterHealth,
  DEFAULT_RESILIENCE,
  RawAnswer,
  ResilienceOptions,
  retryAfterMs,
  upstreamPool,
  diagnosis,
  type RunAttempts,
  type UpstreamCallContext,
  type UpstreamDiagnosis,
} from '@lienthong/adapters/common';
import type { LandParcel } from '@lienthong/contracts';
import { validateCommuneCode } from '@lienthong/domain';
import {
  RESERVED_LAND_CERTIFICATE,
  type LandAdapter,
  type LandCallContext,
  type LandMethod,
  type ParcelKey,
} from './land.adapter';
import { landErrors, type LandError } from './land.errors';
import { cadastralKey, certificateKey, landProvenance, toLandParcel } from './land.mapping';
import { LAND_CLIENT_DEFAULTS, LandClientOptions } from './land.options';
import { LAND_ERROR_CODES, LAND_PATHS, WireParcel, XmlNode } from './land.wire';
import { parseLandDocument } from './land.xml';

const CADASTRAL_NO = /^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$/;
const CERTIFICATE_NO = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,29}$/;

type Lookup = 'PARCEL' | 'CERTIFICATE';

/**
 * Client of the National Land Database's lookup service: REST answering XML (UTF-8), parsed with xml2js,
 * over an undici Pool (keep-alive, `connections` sockets: this is a lookup hot path). Reads only, so every
 * call runs under the resilience policy (timeout per attempt, retries with jitter on transient errors,
 * circuit breaker, bulkhead). Inputs are validated before anything is sent, and an answer about another
 * parcel or certificate than the one asked for is refused.
 */
export class LandClient implements LandAdapter {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly apiKey?: string;
  private readonly calls: AdapterCalls<LandError, LandMethod>;
  private readonly ttlMs: number;
  private readonly clock: () => Date;
  readonly adapter = landErrors.adapter;

  constructor(options: LandClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the land database base URL must be http:// or https://');
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.ttlMs = options.validityTtlMs ?? LAND_CLIENT_DEFAULTS.validityTtlMs;
    this.clock = options.clock ?? (() => new Date());
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? LAND_CLIENT_DEFAULTS.connections,
        connect: options.ca ? { ca: options.ca } : undefined,
        maxResponseBytes: LAND_CLIENT_DEFAULTS.maxResponseBytes,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.calls = new AdapterCalls({
      adapter: this.adapter,
      upstream: landErrors.upstream,
      title: 'land',
      resilience,
      logger: options.logger,
      errors: landErrors.kit(),
    });
  }

  async lookupParcel(key: ParcelKey, ctx: LandCallContext): Promise<LandParcel> {
    return this.landCall(
      'lookupParcel',
      'PARCEL',
      ctx,
      () => {
        const communeCode = key?.communeCode;
        if (typeof communeCode !== 'string' || !validateCommuneCode(communeCode).valid) {
          throw landErrors.invalidRequest('communeCode', 'adapter');
        }
        const mapSheetNo = cadastralNo(key.mapSheetNo, 'mapSheetNo');
        const parcelNo = cadastralNo(key.parcelNo, 'parcelNo');
        const query = new URLSearchParams({ maXa: communeCode, soToBanDo: mapSheetNo, soThuaDat: parcelNo });
        return `${this.basePath}${LAND_PATHS.parcel}?${query.toString()}`;
      },
      (parcel) =>
        parcel.communeCode === key.communeCode &&
        cadastralKey(parcel.mapSheetNo) === cadastralKey(key.mapSheetNo.trim()) &&
        cadastralKey(parcel.parcelNo) === cadastralKey(key.parcelNo.trim()),
    );
  }

  async lookupByCertificate(certificateNo: string, ctx: LandCallContext): Promise<LandParcel> {
    const number =
      typeof certificateNo === 'string' ? certificateNo.trim().replace(/\s+/g, ' ').toUpperCase() : '';
    return this.landCall(
      'lookupByCertificate',
      'CERTIFICATE',
      ctx,
      () => {
        if (!CERTIFICATE_NO.test(number)) throw landErrors.invalidRequest('certificateNo', 'adapter');
        return `${this.basePath}${LAND_PATHS.certificate}${encodeURIComponent(number)}`;
      },
      (parcel) =>
        (parcel.certificates ?? []).some((c) => certificateKey(c.certificateNo) === certificateKey(number)),
    );
  }

  call<T>(
    method: LandMethod,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Looks up a certificate number no one holds: LAND_PARCEL_NOT_FOUND proves key, call and parsing. */
  diagnose(ctx: LandCallContext): Promise<UpstreamDiagnosis> {
    return diagnosis(() => this.lookupByCertificate(RESERVED_LAND_CERTIFICATE, ctx));
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async landCall(
    method: LandMethod,
    lookup: Lookup,
    ctx: LandCallContext,
    pathOf: () => string,
    answersTheQuestion: (parcel: LandParcel) => boolean,
  ): Promise<LandParcel> {
    return this.call(method, ctx, async (attempts, requestId) => {
      const path = pathOf();
      const parcelNode = await attempts(async (signal) => {
        const answer = await this.send(path, requestId, signal);
        return interpret(answer, lookup);
      });
      const parcel = toLandParcel(parcelNode as WireParcel, landProvenance(this.clock(), this.ttlMs));
      if (!answersTheQuestion(parcel)) {
        throw landErrors.malformed(
          lookup === 'PARCEL'
            ? 'the answer describes another parcel'
            : 'the answer describes a parcel without the certificate asked for',
        );
      }
      return parcel;
    });
  }

  private send(path: string, requestId: string, signal: AbortSignal): Promise<RawAnswer> {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path,
        method: 'GET',
        headers: {
          accept: 'application/xml',
          'x-request-id': requestId,
          ...(this.apiKey !== undefined ? { 'x-api-key': this.apiKey } : {}),
        },
        signal,
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    });
  }
}

function parcelNotFound(lookup: Lookup): LandError {
  return landErrors.notFound(
    lookup === 'PARCEL'
      ? 'no parcel with this commune, map sheet and parcel number in the National Land Database'
      : 'no parcel with this certificate number in the National Land Database',
    { lookup },
  );
}

function authFailed(status: number): LandError {
  return landErrors.authentication(
    status === 403 ? 'FORBIDDEN' : 'KEY_REJECTED',
    `the land database refused the gateway's credentials (HTTP ${status})`,
    { status },
  );
}

function cadastralNo(value: unknown, field: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (!CADASTRAL_NO.test(trimmed)) throw landErrors.invalidRequest(field, 'adapter');
  return trimmed;
}

/** The ThuaDat element of the answer, or the typed error its status and body mean. */
async function interpret(answer: RawAnswer, lookup: Lookup): Promise<XmlNode> {
  const { status } = answer;
  if (status === 200) {
    const document = await parseLandDocument(answer.body, status);
    const parcel = document.root === 'KetQuaTraCuu' ? document.node.ThuaDat : undefined;
    if (parcel === null || typeof parcel !== 'object' || Array.isArray(parcel)) {
      throw landErrors.malformed('the answer holds no single ThuaDat element', { status });
    }
    return parcel as XmlNode;
  }
  let upstreamCode: string | undefined;
  try {
    const document = await parseLandDocument(answer.body, status);
    if (document.root === 'Loi' && typeof document.node.MaLoi === 'string')
      upstreamCode = document.node.MaLoi;
  } catch {
    // not the contract's error document (a proxy's page, a cut-off body): judged by the status alone
  }
  if (status === 404 && upstreamCode === LAND_ERROR_CODES.notFound) throw parcelNotFound(lookup);
  if (status === 400) {
    throw landErrors.invalidRequest(
      lookup === 'PARCEL' ? undefined : 'certificateNo',
      'upstream',
      `the land database refused the request (${upstreamCode ?? 'HTTP 400'})`,
    );
  }
  if (status === 401 || status === 403) throw authFailed(status);
  const retryAfter = retryAfterMs(answer);
  throw landErrors.unavailable(
    'HTTP_STATUS',
    `the land database answered HTTP ${status}${upstreamCode ? ` (${upstreamCode})` : ''}`,
    { status, ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) },
  );
}

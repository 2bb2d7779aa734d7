import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  type AdapterHealth,
  type UpstreamCallContext,
  type UpstreamAdapter,
  type UpstreamDiagnosis,
  header,
  type RawAnswer,
  retryAfterMs,
  type RunAttempts,
  upstreamPool,
} from '@lienthong/adapters/common';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { toPortalCode } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import {
  portalErrors,
  PortalError,
  PortalItemRejection,
  portalUnavailable,
  portalSlowDown,
  portalRejected,
  portalAuthFailed,
} from './portal.errors';
import {
  fromPortalEvaluation,
  PORTAL_PERIOD_KINDS,
  type PortalEvaluation,
  type PortalEvaluationPeriod,
} from './portal.evaluation';
import {
  fromPortalDossierRecord,
  parsePortalErrorCode,
  statusOf,
  toPortalDossierItem,
  toPortalProgressItem,
  type PortalDossierExtras,
  type PortalDossierView,
} from './portal.mapping';
import {
  checkEvent,
  mapped,
  PORTAL_ADAPTER as ADAPTER,
  portalAdapterCalls,
  portalResilience,
  refuseIdentifiers,
  slowDownPassesThrough,
  withRequestId,
  type PortalMethod as Method,
} from './portal.calls';
import { portalExchangeErrors, portalRequestDuration, type PortalOutcome } from './portal.metrics';
import {
  checkedPortalHeaders,
  PORTAL_CLIENT_DEFAULTS,
  type PublicServicePortalClientOptions,
} from './portal.options';
import {
  ALREADY_EXISTS,
  DEFAULT_PORTAL_PATHS,
  DOES_NOT_EXIST,
  endpointOf,
  PORTAL_DSTCODE_HEADER,
  PORTAL_OK,
  type PortalCatalogueService,
  type PortalDossierItem,
  type PortalDossierRecordWire,
  type PortalIsUpdating,
  type PortalOperation,
  type PortalPaths,
  type PortalService,
  type PortalTechIdRecord,
} from './portal.wire';

export type { PublicServicePortalClientOptions } from './portal.options';

/** Outcome of syncing one event. */
export interface PortalSyncResult {
  dossierCode: string;
  portalStatusCode: number;
  /** True when this sync created the dossier on the portal (isUpdating "False"). */
  created: boolean;
}

/** The portal as the relay and the gateway see it. */
export interface PublicServicePortal extends UpstreamAdapter<Method> {
  /**
   * Pushes one canonical status event: TraCuuHoSo (does the portal hold the dossier?), DongBoHoSoMC with the
   * full record and `isUpdating` set from that answer, then CapNhatTienDoHoSoMC with the step. Safe to repeat.
   */
  syncDossier(
    event: DossierStatusEvent,
    extra?: PortalDossierExtras,
    ctx?: { requestId?: string },
  ): Promise<PortalSyncResult>;
  /** Reads a dossier back; null when the portal does not hold it. */
  getDossier(dossierCode: string, ctx?: { requestId?: string }): Promise<PortalDossierView | null>;
  /** The portal's own Decision 766 evaluation of a unit for a period (LayKetQuaDanhGia); null when it has none. */
  getEvaluation(
    agencyCode: string,
    period: PortalEvaluationPeriod,
    ctx?: { requestId?: string },
  ): Promise<PortalEvaluation | null>;
  /** Logs in unless a live session is cached: a cheap readiness probe. */
  ping(ctx?: { requestId?: string }): Promise<void>;
}

interface Session {
  token: string;
  obtainedAt: number;
  /** When to log in again before using it. */
  refreshAt: number;
}

/**
 * One call of the client's API (a sync is several exchanges): a refusal is answered by a new login only when the
 * session predates the call, and at most once per call.
 */
interface CallState {
  startedAt: number;
  loggedInAgain: boolean;
}

const newCall = (): CallState => ({ startedAt: Date.now(), loggedInAgain: false });

type Body = Record<string, unknown>;

/** A parsed answer of the integration or sharing endpoint: error_code 0 or not, the message, the body. */
interface Answer {
  code: number;
  message: string;
  body: Body;
}

const SESSION_REFUSED = Symbol('session-refused');

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Client of the National Public Service Portal's sync API in the OpenCPS-era dialect
 * (contracts/upstream/public-service-portal), over an undici Pool under the resilience policy every upstream
 * adapter shares (libs/adapters/common: timeout per attempt, a quick retry of transient failures, circuit
 * breaker, bulkhead).
 *
 * - Session: logs in lazily (username and password, `dstcode` header), shares one in-flight login between
 *   concurrent callers, and keeps the session until it is refused or `sessionMaxAgeMs` has passed. The portal
 *   knows error_code 0 and "not 0": a non-zero answer on a session older than the call is answered by one new
 *   login and one repeat (the calls are idempotent), as is HTTP 401.
 * - Sync: TraCuuHoSo decides `isUpdating` and gives the record whose values the full record carries forward
 *   (skipped for a dossier this client stored within `recentRecordTtlMs`: it knows that record); an "already
 *   exists" answer (a dossier created meanwhile) is sent again as an update, a "does not exist" answer as a
 *   creation, and neither is a failure.
 * - Failures are typed (portal.errors.ts): transient ones (unavailable, slow down) for the relay's retry topic,
 *   permanent ones (rejected, auth) for its dead-letter topic. An open circuit is a slow-down error whose
 *   `retryAfterMs` is what remains of its open time; an HTTP 429 is neither retried within the call nor
 *   counted against the circuit (the portal answered, and the relay waits its Retry-After).
 * - Never logs request or response bodies; never sends the applicant's personal ID (checked before sending).
 */
export class PublicServicePortalClient implements PublicServicePortal {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly paths: PortalPaths;
  private readonly headers: Record<string, string>;
  private readonly calls: AdapterCalls<PortalError, Method>;
  readonly adapter = ADAPTER;
  private readonly logger?: AppLogger;
  private readonly sessionMaxAgeMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly retryableCodes: ReadonlySet<number>;
  private readonly techIds = new Map<string, { id: string; until: number }>();
  /** Records this client stored on the portal lately (a DongBoHoSoMC item is the record the portal keeps). */
  private readonly recent = new Map<string, { record: PortalDossierRecordWire; until: number }>();
  private readonly recentTtlMs: number;
  private session: Session | undefined;
  private loginInFlight: Promise<Session> | undefined;
  private loginsSoFar = 0;

  constructor(private readonly options: PublicServicePortalClientOptions) {
    for (const key of ['baseUrl', 'username', 'password', 'unitCode', 'dstcode'] as const) {
      if (!options[key]) throw new Error(`PublicServicePortalClient: ${key} is required`);
    }
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the portal base URL must be http:// or https://');
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.paths = { ...DEFAULT_PORTAL_PATHS, ...options.paths };
    for (const [name, path] of Object.entries(this.paths)) {
      if (!path.startsWith('/')) throw new Error(`the portal ${name} path must start with /`);
    }
    this.headers = checkedPortalHeaders(options.headers);
    this.logger = options.logger?.child({ component: ADAPTER });
    this.sessionMaxAgeMs = options.sessionMaxAgeMs ?? PORTAL_CLIENT_DEFAULTS.sessionMaxAgeMs;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? PORTAL_CLIENT_DEFAULTS.defaultRetryAfterMs;
    this.retryableCodes = new Set(options.retryableErrorCodes ?? []);
    this.recentTtlMs = options.recentRecordTtlMs ?? PORTAL_CLIENT_DEFAULTS.recentRecordTtlMs;
    const resilience = portalResilience(options.timeoutMs, options.resilience);
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? PORTAL_CLIENT_DEFAULTS.connections,
        connect: options.ca ? { ca: options.ca } : undefined,
        maxResponseBytes: PORTAL_CLIENT_DEFAULTS.maxResponseBytes,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.calls = portalAdapterCalls(resilience, this.logger, this.defaultRetryAfterMs);
  }

  async syncDossier(
    event: DossierStatusEvent,
    extra: PortalDossierExtras = {},
    ctx: { requestId?: string } = {},
  ): Promise<PortalSyncResult> {
    return this.call('syncDossier', withRequestId(ctx), async (policy) => {
      const attempts = slowDownPassesThrough(policy);
      checkEvent(event);
      const call = newCall();
      const stored =
        this.recentRecord(event.dossierCode) ?? (await this.lookUp(event.dossierCode, attempts, call));
      const portalAccountId = extra.portalAccountId ?? (await this.portalAccountOf(event, attempts, call));
      const item = mapped(() =>
        toPortalDossierItem(
          event,
          { ...extra, ...(portalAccountId ? { portalAccountId } : {}) },
          stored ?? undefined,
        ),
      );
      const step = mapped(() => toPortalProgressItem(event, extra));
      refuseIdentifiers(event, [item, step]);

      let isUpdating: PortalIsUpdating = stored ? 'True' : 'False';
      let answer = await attempts((signal) =>
        this.service('DongBoHoSoMC', { isUpdating, data: [item] }, signal, call),
      );
      // Created or deleted meanwhile (another writer, a lost answer): send it again the other way round, once.
      // The C# clients read "already exists" even beside error_code 0.
      const flip =
        (isUpdating === 'False' && ALREADY_EXISTS.test(answer.message)) ||
        (isUpdating === 'True' && answer.code !== PORTAL_OK && DOES_NOT_EXIST.test(answer.message));
      if (flip) {
        isUpdating = isUpdating === 'False' ? 'True' : 'False';
        this.logger?.info(
          { dossierCode: event.dossierCode, isUpdating },
          'portal answered that the dossier does or does not exist; sending it again the other way',
        );
        answer = await attempts((signal) =>
          this.service('DongBoHoSoMC', { isUpdating, data: [item] }, signal, call),
        );
      }
      if (answer.code !== PORTAL_OK) this.recent.delete(event.dossierCode);
      this.refuseUnlessOk('DongBoHoSoMC', answer);
      this.remember(item);

      const progress = await attempts((signal) =>
        this.service('CapNhatTienDoHoSoMC', { data: [step] }, signal, call),
      );
      this.refuseUnlessOk('CapNhatTienDoHoSoMC', progress);
      this.logger?.debug(
        { dossierCode: event.dossierCode, status: event.status, isUpdating },
        'dossier synced to the portal',
      );
      return {
        dossierCode: event.dossierCode,
        portalStatusCode: toPortalCode(statusOf(event)),
        created: isUpdating === 'False',
      };
    });
  }

  async getDossier(dossierCode: string, ctx: { requestId?: string } = {}): Promise<PortalDossierView | null> {
    return this.call('getDossier', withRequestId(ctx), async (policy) => {
      const attempts = slowDownPassesThrough(policy);
      const wire = await this.lookUp(dossierCode, attempts, newCall());
      return wire ? fromPortalDossierRecord(wire) : null;
    });
  }

  async getEvaluation(
    agencyCode: string,
    period: PortalEvaluationPeriod,
    ctx: { requestId?: string } = {},
  ): Promise<PortalEvaluation | null> {
    return this.call('getEvaluation', withRequestId(ctx), async (policy) => {
      const attempts = slowDownPassesThrough(policy);
      const call = newCall();
      const answer = await attempts((signal) =>
        this.service(
          'LayKetQuaDanhGia',
          { madonvidanhgia: agencyCode, loaiky: PORTAL_PERIOD_KINDS[period.kind], ky: period.key },
          signal,
          call,
        ),
      );
      this.refuseUnlessOk('LayKetQuaDanhGia', answer);
      const results = Array.isArray(answer.body.result) ? answer.body.result : [];
      return fromPortalEvaluation(results[0], agencyCode, period) ?? null;
    });
  }

  /**
   * One call of a national catalogue service (LayDanhSachTTHC, LayThuTuc, LayDanhMucLinhVuc, LayDanhMucCoQuan)
   * under the client's session and policy: the answer's body when error_code is 0, a typed error otherwise.
   * The catalogue client (portal-catalogue.client.ts) reads the bodies.
   */
  async catalogueCall(
    service: PortalCatalogueService,
    payload: Record<string, unknown> = {},
    ctx: { requestId?: string } = {},
  ): Promise<Record<string, unknown>> {
    return this.call('readCatalogue', withRequestId(ctx), async (policy) => {
      const attempts = slowDownPassesThrough(policy);
      const call = newCall();
      const answer = await attempts((signal) => this.service(service, payload, signal, call));
      this.refuseUnlessOk(service, answer);
      return answer.body;
    });
  }

  async ping(ctx: { requestId?: string } = {}): Promise<void> {
    await this.call('ping', withRequestId(ctx), (policy) =>
      slowDownPassesThrough(policy)(async (signal) => {
        await this.currentSession(signal);
      }),
    );
  }

  call<T>(
    method: Method,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Logs in unless a live session is cached: reads no dossier, writes none. */
  async diagnose(ctx: UpstreamCallContext): Promise<UpstreamDiagnosis> {
    await this.ping(ctx);
    return { answer: 'answered', detail: 'Answered: the portal opened a session.' };
  }

  /** Logins sent so far (a session is reused until refused or too old). */
  get logins(): number {
    return this.loginsSoFar;
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    this.session = undefined;
    this.techIds.clear();
    this.recent.clear();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  // --- the steps ----------------------------------------------------------------------------------------

  /**
   * The record this client stored for the dossier within `recentRecordTtlMs`: the portal holds it (isUpdating
   * "True") and it is what TraCuuHoSo would answer, so the lookup is skipped for a dossier's events that come in
   * a burst. A portal that lost it answers "không tồn tại", and the item goes again as a creation.
   */
  private recentRecord(dossierCode: string): PortalDossierRecordWire | undefined {
    const entry = this.recent.get(dossierCode);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.record;
    this.recent.delete(dossierCode);
    return undefined;
  }

  private remember(item: PortalDossierItem): void {
    if (this.recentTtlMs <= 0) return;
    this.recent.delete(item.MaHoSo);
    if (this.recent.size >= PORTAL_CLIENT_DEFAULTS.recentRecordCacheSize) {
      this.recent.delete(this.recent.keys().next().value as string);
    }
    this.recent.set(item.MaHoSo, {
      record: item as unknown as PortalDossierRecordWire,
      until: Date.now() + this.recentTtlMs,
    });
  }

  /** TraCuuHoSo: the record the portal holds, or null. */
  private async lookUp(
    dossierCode: string,
    attempts: RunAttempts,
    call: CallState,
  ): Promise<PortalDossierRecordWire | null> {
    const answer = await attempts((signal) =>
      this.service('TraCuuHoSo', { mahoso: dossierCode }, signal, call),
    );
    // "not found" may come as error_code 0 with an empty result or as a refusal saying so
    if (answer.code !== PORTAL_OK && DOES_NOT_EXIST.test(answer.message)) return null;
    this.refuseUnlessOk('TraCuuHoSo', answer);
    const records = Array.isArray(answer.body.result) ? answer.body.result : [];
    return records.find((r): r is PortalDossierRecordWire => isObject(r) && r.MaHoSo === dossierCode) ?? null;
  }

  /**
   * MaDoiTuong: the portal account id of an enterprise that lodged online, found with TraCuuTechID by its
   * enterprise code (cached). A citizen's account is never looked up: that would send the personal ID.
   */
  private async portalAccountOf(
    event: DossierStatusEvent,
    attempts: RunAttempts,
    call: CallState,
  ): Promise<string | undefined> {
    const code = event.applicant.enterpriseCode;
    if (this.options.techIdLookup === false || event.channel !== 'ONLINE' || !code) return undefined;
    if (event.applicant.kind === 'CITIZEN') return undefined;
    const cached = this.techIds.get(code);
    if (cached && cached.until > Date.now()) return cached.id || undefined;
    const answer = await attempts((signal) =>
      this.service('TraCuuTechID', { provider: 'wso2is', mstorcmnd: code }, signal, call),
    );
    const first = Array.isArray(answer.body.result)
      ? (answer.body.result[0] as PortalTechIdRecord)
      : undefined;
    const id =
      answer.code === PORTAL_OK && isObject(first) && typeof first.TECHNICALID === 'string'
        ? first.TECHNICALID.trim()
        : '';
    if (this.techIds.size >= PORTAL_CLIENT_DEFAULTS.techIdCacheSize) {
      this.techIds.delete(this.techIds.keys().next().value as string);
    }
    this.techIds.set(code, {
      id,
      until: Date.now() + (id ? PORTAL_CLIENT_DEFAULTS.techIdTtlMs : PORTAL_CLIENT_DEFAULTS.techIdMissTtlMs),
    });
    return id || undefined;
  }

  private refuseUnlessOk(service: PortalService, answer: Answer): void {
    if (answer.code === PORTAL_OK) return;
    throw this.fail(
      service,
      portalRejected(service, answer.code, answer.message, itemRejections(answer.body)),
      String(answer.code),
    );
  }

  // --- session ---------------------------------------------------------------------------------------

  private async currentSession(signal: AbortSignal): Promise<Session> {
    const session = this.session;
    if (session && Date.now() < session.refreshAt) return session;
    this.loginInFlight ??= this.login(signal).finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  private async login(signal: AbortSignal): Promise<Session> {
    this.loginsSoFar += 1;
    const answer = await this.exchange(
      'login',
      this.paths.login,
      {
        username: this.options.username,
        password: this.options.password,
      },
      signal,
    );
    if (answer === SESSION_REFUSED) {
      throw this.fail(
        'login',
        portalAuthFailed('login', undefined, 'the portal refused the login (HTTP 401)'),
        'HTTP_401',
      );
    }
    if (answer.code !== PORTAL_OK) {
      throw this.fail(
        'login',
        portalAuthFailed(
          'login',
          answer.code,
          `the portal refused the login (error_code ${answer.code}): ${answer.message}`,
        ),
        String(answer.code),
      );
    }
    const token = answer.body.session;
    if (typeof token !== 'string' || token === '') {
      throw this.fail(
        'login',
        portalUnavailable('login', 'MALFORMED', 'the portal answered the login without a session'),
        'MALFORMED',
      );
    }
    // The integrations' portal announces no lifetime; honour one if it does.
    const announced =
      typeof answer.body.expires_in === 'number' && answer.body.expires_in > 0
        ? answer.body.expires_in * 1000 * 0.9
        : Infinity;
    const now = Date.now();
    const session = { token, obtainedAt: now, refreshAt: now + Math.min(this.sessionMaxAgeMs, announced) };
    this.session = session;
    this.logger?.info('logged in to the portal');
    return session;
  }

  /** Forgets `session` unless another caller has already replaced it. */
  private dropSession(session: Session): void {
    if (this.session === session) this.session = undefined;
  }

  // --- calls -------------------------------------------------------------------------------------------

  /**
   * One service call with a session. A refusal (HTTP 401, or a non-zero error_code other than the existence
   * answers) on a session older than the call is answered by one new login and one repeat (once per call).
   */
  private async service(
    service: PortalService,
    payload: Body,
    signal: AbortSignal,
    call: CallState,
  ): Promise<Answer> {
    const path = endpointOf(service) === 'share' ? this.paths.share : this.paths.integration;
    const send = (session: Session) =>
      this.exchange(
        service,
        path,
        { session: session.token, madonvi: this.options.unitCode, service, ...payload },
        signal,
      );
    let session = await this.currentSession(signal);
    let answer = await send(session);
    const stale = (a: Answer | typeof SESSION_REFUSED) =>
      a === SESSION_REFUSED ||
      (a.code !== PORTAL_OK && !ALREADY_EXISTS.test(a.message) && !DOES_NOT_EXIST.test(a.message));
    if (stale(answer) && !call.loggedInAgain && session.obtainedAt < call.startedAt) {
      call.loggedInAgain = true;
      this.logger?.info({ service }, 'portal refused the session or the call; logging in again once');
      this.dropSession(session);
      session = await this.currentSession(signal);
      answer = await send(session);
    }
    if (answer === SESSION_REFUSED) {
      this.dropSession(session);
      throw this.fail(
        service,
        portalUnavailable(service, 'SESSION_REJECTED', 'the portal refused a fresh session', {
          status: 401,
        }),
        'HTTP_401',
      );
    }
    if (answer.code !== PORTAL_OK && this.retryableCodes.has(answer.code)) {
      throw this.fail(
        service,
        portalUnavailable(
          service,
          'PORTAL_ERROR',
          `the portal answered ${service} with error_code ${answer.code}: ${answer.message}`,
          { portalErrorCode: answer.code },
        ),
        String(answer.code),
      );
    }
    return answer;
  }

  /**
   * One HTTP exchange: the parsed envelope (error_code 0 or not), SESSION_REFUSED for an HTTP 401 on a service
   * call, or a typed error for anything else. Records its duration and outcome.
   */
  private async exchange(
    operation: PortalOperation,
    path: string,
    body: Body,
    signal: AbortSignal,
  ): Promise<Answer | typeof SESSION_REFUSED> {
    const stopTimer = portalRequestDuration.startTimer({ service: operation });
    const done = (outcome: PortalOutcome) => stopTimer({ outcome });
    let raw: RawAnswer;
    try {
      raw = await this.calls.exchange(signal, async () => {
        const response = await this.dispatcher.request({
          origin: this.origin,
          path: this.basePath + path,
          method: 'POST',
          headers: {
            ...this.headers,
            'content-type': 'application/json; charset=utf-8',
            accept: 'application/json',
            [PORTAL_DSTCODE_HEADER]: this.options.dstcode,
          },
          body: JSON.stringify(body),
          signal,
        });
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      });
    } catch (error) {
      done('unavailable');
      if (portalErrors.owns(error)) {
        error.details.operation ??= operation;
        const reason = error.details.reason;
        throw this.fail(
          operation,
          error,
          reason === 'TIMEOUT' ? 'TIMEOUT' : reason === 'MALFORMED' ? 'MALFORMED' : 'NETWORK',
        );
      }
      throw error;
    }

    const { status } = raw;
    if (status === 429) {
      done('rate_limited');
      throw this.fail(
        operation,
        portalSlowDown(operation, retryAfterMs(raw) ?? this.defaultRetryAfterMs),
        'HTTP_429',
      );
    }
    if (status >= 500 || status === 408) {
      done('unavailable');
      throw this.fail(
        operation,
        portalUnavailable(operation, 'HTTP_STATUS', `the portal answered HTTP ${status} to ${operation}`, {
          status,
        }),
        `HTTP_${status}`,
      );
    }
    const parsed = parseBody(raw.body);
    const code = parsed ? parsePortalErrorCode(parsed.error_code) : undefined;
    if (status === 401 && operation !== 'login') {
      done('session_expired');
      portalExchangeErrors.inc({ service: operation, code: 'HTTP_401' });
      return SESSION_REFUSED;
    }
    if (status === 401 || status === 403) {
      done('auth_failed');
      throw this.fail(
        operation,
        portalAuthFailed(operation, code, `the portal refused ${operation} with HTTP ${status}`),
        `HTTP_${status}`,
      );
    }
    if (!parsed || code === undefined) {
      if (status >= 400) {
        done('rejected');
        throw this.fail(operation, portalRejected(operation, undefined, `HTTP ${status}`), `HTTP_${status}`);
      }
      done('unavailable');
      throw this.fail(
        operation,
        portalUnavailable(
          operation,
          'MALFORMED',
          `the portal answered ${operation} with a body that is not its JSON envelope (HTTP ${status}, ${
            header(raw, 'content-type') ?? 'no content type'
          })`,
          { status },
        ),
        'MALFORMED',
      );
    }
    const message = typeof parsed.message === 'string' ? parsed.message.normalize('NFC') : '';
    if (code !== PORTAL_OK) {
      done('refused');
      portalExchangeErrors.inc({ service: operation, code: String(code) });
    } else {
      done('ok');
    }
    return { code, message, body: parsed };
  }

  /** Counts and logs a failure (codes and messages only), and returns it for throwing. */
  private fail(operation: PortalOperation, error: PortalError, code: string): PortalError {
    portalExchangeErrors.inc({ service: operation, code });
    this.logger?.warn(
      { service: operation, code, errorCode: error.code, transient: error.transient },
      error.message,
    );
    return error;
  }
}

function parseBody(data: string): Body | undefined {
  if (data.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function itemRejections(body: Body): PortalItemRejection[] {
  if (!Array.isArray(body.result)) return [];
  const out: PortalItemRejection[] = [];
  for (const item of body.result) {
    if (!isObject(item) || !('error_code' in item)) continue;
    const code = parsePortalErrorCode(item.error_code);
    if (code === PORTAL_OK) continue;
    out.push({
      dossierCode: typeof item.MaHoSo === 'string' ? item.MaHoSo : null,
      portalErrorCode: code,
      message: typeof item.message === 'string' ? item.message : '',
    });
  }
  return out;
}

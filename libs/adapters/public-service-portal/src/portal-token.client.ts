import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  type AdapterHealth,
  type RunAttempts,
  type UpstreamCallContext,
  type UpstreamDiagnosis,
  ClientCredentialsTokens,
  header,
  parseJsonObject,
  type RawAnswer,
  retryAfterMs,
  type UpstreamClientOptions,
  upstreamPool,
} from '@lienthong/adapters/common';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { toPortalCode } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import {
  checkEvent,
  mapped,
  PORTAL_ADAPTER,
  portalAdapterCalls,
  portalResilience,
  refuseIdentifiers,
  slowDownPassesThrough,
  withRequestId,
  type PortalMethod,
} from './portal.calls';
import { InMemoryPortalDossierCodes, type PortalDossierCodes } from './portal-dossier-codes';
import {
  portalErrors,
  PortalError,
  portalUnavailable,
  portalSlowDown,
  portalRejected,
  portalAuthFailed,
} from './portal.errors';
import { fromPortalEvaluation, PORTAL_PERIOD_KINDS, type PortalEvaluation } from './portal.evaluation';
import type { PortalEvaluationPeriod } from './portal.evaluation';
import {
  fromPortalDossierRecord,
  statusOf,
  toPortalDossierItem,
  toPortalProgressItem,
  type PortalDossierExtras,
  type PortalDossierView,
} from './portal.mapping';
import { portalExchangeErrors, portalRequestDuration, type PortalOutcome } from './portal.metrics';
import { checkedPortalHeaders, PORTAL_CLIENT_DEFAULTS } from './portal.options';
import { fromTokenRecord, toTokenProgress, toTokenRecord } from './portal-token.mapping';
import {
  DEFAULT_PORTAL_TOKEN_PATHS,
  PORTAL_CODE_FIELD,
  PORTAL_TOKEN_PROBLEMS,
  PORTAL_TOKEN_RESOURCES,
  type PortalTokenDossierRecord,
  type PortalTokenPaths,
  type PortalTokenProblem,
} from './portal-token.wire';
import type { PortalDossierItem, PortalDossierRecordWire, PortalTokenOperation } from './portal.wire';
import type { PublicServicePortal, PortalSyncResult } from './public-service-portal.client';

/** Besides these: resilience, ca, connections, logger, clock, dispatcher (UpstreamClientOptions). */
export interface TokenPortalClientOptions extends UpstreamClientOptions {
  /** Base URL of the API; the token and API paths are appended to it. */
  baseUrl: string;
  /** OAuth 2.0 client id and secret of the province's connection (client-credentials grant). */
  clientId: string;
  clientSecret: string;
  /** Scope asked for with the token, when the portal wants one. */
  scope?: string;
  /** Unit code (mã đơn vị) of the province, sent as MaDonVi in every dossier body. */
  unitCode: string;
  paths?: Partial<PortalTokenPaths>;
  /** More headers sent with every request; they cannot replace Authorization or the transport's. */
  headers?: Readonly<Record<string, string>>;
  /** Deadline of one HTTP exchange, connection included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Wait suggested by a 429 that carries no usable Retry-After. Default 1 000 ms. */
  defaultRetryAfterMs?: number;
  /** A dossier this client stored within this time skips its read-back before the next sync. Default 10 min. */
  recentRecordTtlMs?: number;
  /** A token is renewed this long before it expires (capped at a tenth of its lifetime). Default 60 s. */
  tokenRefreshMarginMs?: number;
  /** Where the portal's dossier codes are kept; default in memory (lost on restart: give the relay's store). */
  dossierCodes?: PortalDossierCodes;
}

export const PORTAL_TOKEN_CLIENT_DEFAULTS = Object.freeze({
  tokenRefreshMarginMs: 60_000,
  /** Lifetime assumed when the token endpoint omits `expires_in`. */
  defaultTokenLifetimeMs: 5 * 60_000,
  /** Longest portal dossier code kept (the column's bound). */
  maxPortalCodeLength: 64,
});

type Body = Record<string, unknown>;

/** An answer that passed the screening: a 2xx with its JSON object, or a 4xx with its problem (if any). */
interface Screened {
  status: number;
  body: Body | undefined;
}

/**
 * Client of the portal's token-based dialect (portal-token.wire.ts; the shape is assumed from 2025 clients),
 * beside the OpenCPS-era one and behind the same interface, over the same undici pool and resilience policy.
 *
 * - Token: client credentials at the token endpoint, cached until shortly before it expires, one request shared
 *   by concurrent callers (libs/adapters/common). A 401 drops the token, fetches a fresh one and repeats the
 *   exchange once; a fresh token refused at once is transient (SESSION_REJECTED), as a fresh session is in the
 *   other dialect.
 * - Sync: a dossier without a portal code is created (POST) and the code the portal issues is kept in
 *   `dossierCodes` before anything else is sent; a dossier with one is updated (PUT) with its full record, built
 *   from what the portal holds (read back unless this client stored it lately). A 409 on a creation (created
 *   meanwhile, an answer lost) adopts the code the portal names and updates; a 404 on an update forgets the
 *   code and creates. Then the step is added (POST .../progress); the portal acknowledges a repeated step.
 * - Failures are the same typed errors as the other dialect: 429 slow down (its Retry-After), 5xx, 408,
 *   timeouts and bodies that are not JSON transient, other 4xx rejections with the problem's code, 403 auth.
 * - Never logs bodies; never sends the applicant's personal ID (checked before sending).
 */
export class TokenPortalClient implements PublicServicePortal {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly paths: PortalTokenPaths;
  private readonly headers: Record<string, string>;
  private readonly calls: AdapterCalls<PortalError, PortalMethod>;
  readonly adapter = PORTAL_ADAPTER;
  private readonly tokens: ClientCredentialsTokens;
  private readonly logger?: AppLogger;
  private readonly defaultRetryAfterMs: number;
  private readonly recentTtlMs: number;
  private readonly codes: PortalDossierCodes;
  private readonly recent = new Map<string, { record: PortalDossierRecordWire; until: number }>();

  constructor(private readonly options: TokenPortalClientOptions) {
    for (const key of ['baseUrl', 'clientId', 'clientSecret', 'unitCode'] as const) {
      if (!options[key]) throw new Error(`TokenPortalClient: ${key} is required`);
    }
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the portal base URL must be http:// or https://');
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.paths = { ...DEFAULT_PORTAL_TOKEN_PATHS, ...options.paths };
    for (const [name, path] of Object.entries(this.paths)) {
      if (!path.startsWith('/')) throw new Error(`the portal ${name} path must start with /`);
    }
    this.headers = checkedPortalHeaders(options.headers);
    if ('authorization' in this.headers) {
      throw new Error(
        'portal header "Authorization" is set by the adapter (the bearer token) and cannot be configured',
      );
    }
    this.logger = options.logger?.child({ component: PORTAL_ADAPTER, dialect: 'token-2025' });
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? PORTAL_CLIENT_DEFAULTS.defaultRetryAfterMs;
    this.recentTtlMs = options.recentRecordTtlMs ?? PORTAL_CLIENT_DEFAULTS.recentRecordTtlMs;
    this.codes = options.dossierCodes ?? new InMemoryPortalDossierCodes();
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
    this.tokens = new ClientCredentialsTokens({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope,
      refreshMarginMs: options.tokenRefreshMarginMs ?? PORTAL_TOKEN_CLIENT_DEFAULTS.tokenRefreshMarginMs,
      defaultLifetimeMs: PORTAL_TOKEN_CLIENT_DEFAULTS.defaultTokenLifetimeMs,
      errors: {
        clientRejected: (status, oauthError) =>
          this.fail(
            'token',
            portalAuthFailed(
              'token',
              undefined,
              `the portal token endpoint refused the client credentials (HTTP ${status}${oauthError ? `, ${oauthError}` : ''})`,
            ),
            `HTTP_${status}`,
          ),
        grantRejected: (status, oauthError) =>
          this.fail(
            'token',
            portalAuthFailed(
              'token',
              undefined,
              `the portal token endpoint refused the grant (${oauthError})`,
            ),
            `HTTP_${status}`,
          ),
        unavailable: (status) =>
          this.fail(
            'token',
            portalUnavailable('token', 'HTTP_STATUS', `the portal token endpoint answered HTTP ${status}`, {
              status,
            }),
            `HTTP_${status}`,
          ),
        malformed: (message) =>
          this.fail('token', portalUnavailable('token', 'MALFORMED', `portal: ${message}`), 'MALFORMED'),
      },
    });
  }

  async syncDossier(
    event: DossierStatusEvent,
    extra: PortalDossierExtras = {},
    ctx: { requestId?: string } = {},
  ): Promise<PortalSyncResult> {
    return this.call('syncDossier', withRequestId(ctx), async (policy, requestId) => {
      const attempts = slowDownPassesThrough(policy);
      checkEvent(event, 'createDossier');
      const { dossierCode } = event;
      let portalCode = await this.kept(() => this.codes.get(dossierCode));
      let stored = portalCode ? this.recentRecord(dossierCode) : undefined;
      if (portalCode && !stored) {
        const held = await attempts((signal) => this.read(portalCode as string, signal, requestId));
        if (held) stored = fromTokenRecord(held);
        else
          portalCode = await this.forget(
            dossierCode,
            'the portal does not know the dossier code kept for it',
          );
      }
      const item = mapped(() => toPortalDossierItem(event, extra, stored), 'createDossier');
      const record = toTokenRecord(item, this.options.unitCode);
      const step = toTokenProgress(mapped(() => toPortalProgressItem(event, extra), 'addProgress'));
      refuseIdentifiers(event, [record, step], 'createDossier');

      let created = false;
      if (portalCode) {
        const updated = await attempts((signal) =>
          this.update(portalCode as string, record, signal, requestId),
        );
        if (!updated) {
          portalCode = await this.forget(
            dossierCode,
            'the portal refused an update of an unknown dossier code',
          );
        }
      }
      if (!portalCode) {
        const answer = await attempts((signal) => this.create(record, signal, requestId));
        portalCode = answer.portalCode;
        // kept before anything else is sent: a crash after this point leaves an update, never a second creation
        const issued = portalCode;
        await this.kept(() => this.codes.set(dossierCode, issued));
        if (answer.existed) {
          this.logger?.info(
            { dossierCode },
            'the portal already held the dossier; updating it under its code',
          );
          const code = portalCode;
          const updated = await attempts((signal) => this.update(code, record, signal, requestId));
          if (!updated)
            throw this.rejected('updateDossier', 404, { code: PORTAL_TOKEN_PROBLEMS.dossierNotFound });
        } else {
          created = true;
        }
      }
      this.remember(item);
      const code = portalCode;
      await attempts((signal) => this.addProgress(code, step, signal, requestId));
      this.logger?.debug({ dossierCode, status: event.status, created }, 'dossier synced to the portal');
      return { dossierCode, portalStatusCode: toPortalCode(statusOf(event)), created };
    });
  }

  async getDossier(dossierCode: string, ctx: { requestId?: string } = {}): Promise<PortalDossierView | null> {
    return this.call('getDossier', withRequestId(ctx), async (policy, requestId) => {
      const portalCode = await this.kept(() => this.codes.get(dossierCode));
      if (!portalCode) return null;
      const held = await slowDownPassesThrough(policy)((signal) => this.read(portalCode, signal, requestId));
      return held ? fromPortalDossierRecord(fromTokenRecord(held)) : null;
    });
  }

  async getEvaluation(
    agencyCode: string,
    period: PortalEvaluationPeriod,
    ctx: { requestId?: string } = {},
  ): Promise<PortalEvaluation | null> {
    return this.call('getEvaluation', withRequestId(ctx), async (policy, requestId) => {
      const query = new URLSearchParams({
        MaDonViDanhGia: agencyCode,
        LoaiKy: PORTAL_PERIOD_KINDS[period.kind],
        Ky: period.key,
      });
      const answer = await slowDownPassesThrough(policy)((signal) =>
        this.send(
          'readEvaluation',
          'GET',
          `${this.paths.api}${PORTAL_TOKEN_RESOURCES.evaluations}?${query.toString()}`,
          undefined,
          signal,
          requestId,
        ),
      );
      if (answer.status === 404) return null;
      if (answer.status !== 200) throw this.rejected('readEvaluation', answer.status, answer.body);
      const results = Array.isArray(answer.body?.result) ? answer.body.result : [];
      return fromPortalEvaluation(results[0], agencyCode, period) ?? null;
    });
  }

  /** Fetches a token unless one is cached: a cheap readiness probe. */
  async ping(ctx: { requestId?: string } = {}): Promise<void> {
    await this.call('ping', withRequestId(ctx), (policy) =>
      slowDownPassesThrough(policy)(async (signal) => {
        await this.token(signal);
      }),
    );
  }

  call<T>(
    method: PortalMethod,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Fetches an access token unless one is cached: reads no dossier, writes none. */
  async diagnose(ctx: UpstreamCallContext): Promise<UpstreamDiagnosis> {
    await this.ping(ctx);
    return { answer: 'answered', detail: 'Answered: the portal issued an access token.' };
  }

  /** Token requests sent so far (a cached token is reused until shortly before it expires). */
  get tokenFetches(): number {
    return this.tokens.fetches;
  }

  async close(): Promise<void> {
    this.tokens.clear();
    this.recent.clear();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  // --- the resources ------------------------------------------------------------------------------------

  /** POST /dossiers: the code the portal issued, or (409) the code of the dossier it already holds. */
  private async create(
    record: PortalTokenDossierRecord,
    signal: AbortSignal,
    requestId: string,
  ): Promise<{ portalCode: string; existed: boolean }> {
    const path = this.paths.api + PORTAL_TOKEN_RESOURCES.dossiers;
    const answer = await this.send('createDossier', 'POST', path, record, signal, requestId);
    const named = answer.body?.[PORTAL_CODE_FIELD];
    const portalCode =
      typeof named === 'string' &&
      named !== '' &&
      named.length <= PORTAL_TOKEN_CLIENT_DEFAULTS.maxPortalCodeLength
        ? named
        : undefined;
    if (answer.status === 201 || answer.status === 200) {
      if (!portalCode)
        throw this.malformed(
          'createDossier',
          `the portal created the dossier without a usable ${PORTAL_CODE_FIELD}`,
        );
      return { portalCode, existed: false };
    }
    if (answer.status === 409 && answer.body?.code === PORTAL_TOKEN_PROBLEMS.dossierExists && portalCode) {
      return { portalCode, existed: true };
    }
    throw this.rejected('createDossier', answer.status, answer.body);
  }

  /** PUT /dossiers/{code} with the full record: true when applied, false when the portal knows no such code. */
  private async update(
    portalCode: string,
    record: PortalTokenDossierRecord,
    signal: AbortSignal,
    requestId: string,
  ): Promise<boolean> {
    const path = this.paths.api + PORTAL_TOKEN_RESOURCES.dossier(portalCode);
    const answer = await this.send('updateDossier', 'PUT', path, record, signal, requestId);
    if (answer.status === 200 || answer.status === 204) return true;
    if (answer.status === 404) return false;
    throw this.rejected('updateDossier', answer.status, answer.body);
  }

  private async addProgress(
    portalCode: string,
    step: Body,
    signal: AbortSignal,
    requestId: string,
  ): Promise<void> {
    const path = this.paths.api + PORTAL_TOKEN_RESOURCES.progress(portalCode);
    const answer = await this.send('addProgress', 'POST', path, step, signal, requestId);
    if (answer.status === 200 || answer.status === 201 || answer.status === 204) return;
    throw this.rejected('addProgress', answer.status, answer.body);
  }

  /** GET /dossiers/{code}: the record the portal holds, or null for an unknown code. */
  private async read(portalCode: string, signal: AbortSignal, requestId: string): Promise<Body | null> {
    const path = this.paths.api + PORTAL_TOKEN_RESOURCES.dossier(portalCode);
    const answer = await this.send('readDossier', 'GET', path, undefined, signal, requestId);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw this.rejected('readDossier', answer.status, answer.body);
    if (!answer.body || typeof answer.body.MaHoSo !== 'string') {
      throw this.malformed('readDossier', 'the portal answered a read-back without the dossier record');
    }
    return answer.body;
  }

  private async forget(dossierCode: string, why: string): Promise<undefined> {
    this.logger?.info({ dossierCode }, `${why}; creating the dossier again`);
    this.recent.delete(dossierCode);
    await this.kept(() => this.codes.delete(dossierCode));
    return undefined;
  }

  /** A call of the code store; its failure is transient (the event waits on the retry topic), never a rejection. */
  private async kept<T>(use: () => Promise<T>): Promise<T> {
    try {
      return await use();
    } catch (error) {
      throw this.fail(
        'createDossier',
        portalUnavailable(
          undefined,
          'CODE_STORE',
          `the store of the portal's dossier codes failed (${(error as Error)?.name ?? 'error'})`,
          {},
          { cause: error },
        ),
        'CODE_STORE',
      );
    }
  }

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

  // --- token and exchanges -----------------------------------------------------------------------------

  private token(signal: AbortSignal): Promise<string> {
    return this.tokens.token(() => this.fetchToken(signal));
  }

  private async fetchToken(signal: AbortSignal): Promise<RawAnswer> {
    const stopTimer = portalRequestDuration.startTimer({ service: 'token' });
    try {
      const raw = await this.calls.exchange(signal, async () => {
        const response = await this.dispatcher.request({
          origin: this.origin,
          path: this.basePath + this.paths.token,
          method: 'POST',
          headers: {
            ...this.headers,
            authorization: this.tokens.authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: this.tokens.requestBody(),
          signal,
        });
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      });
      if (raw.status === 429) {
        stopTimer({ outcome: 'rate_limited' });
        throw this.fail(
          'token',
          portalSlowDown('token', retryAfterMs(raw) ?? this.defaultRetryAfterMs),
          'HTTP_429',
        );
      }
      stopTimer({ outcome: raw.status === 200 ? 'ok' : raw.status >= 500 ? 'unavailable' : 'auth_failed' });
      return raw;
    } catch (error) {
      if (portalErrors.owns(error) && error.code !== 'PORTAL_RATE_LIMITED') {
        stopTimer({ outcome: 'unavailable' });
        error.details.operation ??= 'token';
      }
      throw error;
    }
  }

  /**
   * One exchange with a bearer token, and with a fresh one once more when the portal answers 401. Transient
   * and auth failures are thrown; any other answer comes back screened for the caller to read.
   */
  private async send(
    operation: PortalTokenOperation,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: Body | undefined,
    signal: AbortSignal,
    requestId: string,
  ): Promise<Screened> {
    const token = await this.token(signal);
    let raw = await this.exchange(operation, method, path, body, token, signal, requestId);
    if (raw.status === 401) {
      this.tokens.invalidate(token);
      this.logger?.info(
        { service: operation, challenge: header(raw, 'www-authenticate') },
        'portal refused the access token; renewing it once',
      );
      const renewed = await this.token(signal);
      raw = await this.exchange(operation, method, path, body, renewed, signal, requestId);
      if (raw.status === 401) {
        this.tokens.invalidate(renewed);
        throw this.fail(
          operation,
          portalUnavailable(
            operation,
            'SESSION_REJECTED',
            'the portal refused a freshly issued access token',
            {
              status: 401,
            },
          ),
          'HTTP_401',
        );
      }
    }
    return this.screen(operation, raw);
  }

  private async exchange(
    operation: PortalTokenOperation,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: Body | undefined,
    token: string,
    signal: AbortSignal,
    requestId: string,
  ): Promise<RawAnswer> {
    const stopTimer = portalRequestDuration.startTimer({ service: operation });
    try {
      const raw = await this.calls.exchange(signal, async () => {
        const response = await this.dispatcher.request({
          origin: this.origin,
          path: this.basePath + path,
          method,
          headers: {
            ...this.headers,
            authorization: `Bearer ${token}`,
            accept: 'application/json, application/problem+json',
            'x-request-id': requestId,
            ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal,
        });
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      });
      stopTimer({ outcome: outcomeOf(raw.status) });
      return raw;
    } catch (error) {
      stopTimer({ outcome: 'unavailable' });
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
  }

  /** Throws what is transient or an auth failure; returns a 2xx with its JSON object, or another 4xx. */
  private screen(operation: PortalTokenOperation, raw: RawAnswer): Screened {
    const { status } = raw;
    if (status === 429) {
      throw this.fail(
        operation,
        portalSlowDown(operation, retryAfterMs(raw) ?? this.defaultRetryAfterMs),
        'HTTP_429',
      );
    }
    if (status >= 500 || status === 408) {
      throw this.fail(
        operation,
        portalUnavailable(operation, 'HTTP_STATUS', `the portal answered HTTP ${status} to ${operation}`, {
          status,
        }),
        `HTTP_${status}`,
      );
    }
    if (status === 403) {
      throw this.fail(
        operation,
        portalAuthFailed(operation, undefined, `the portal refused ${operation} with HTTP 403`),
        'HTTP_403',
      );
    }
    const parsed = raw.body.trim() === '' ? undefined : parseJsonObject(raw.body);
    if (status >= 200 && status < 300 && status !== 204 && !parsed) {
      throw this.malformed(
        operation,
        `the portal answered ${operation} with a body that is not JSON (HTTP ${status}, ${
          header(raw, 'content-type') ?? 'no content type'
        })`,
      );
    }
    if (status >= 300 && status < 400) {
      throw this.malformed(operation, `the portal answered ${operation} with HTTP ${status}`);
    }
    return { status, body: parsed };
  }

  private malformed(operation: PortalTokenOperation, message: string): PortalError {
    return this.fail(operation, portalUnavailable(operation, 'MALFORMED', message), 'MALFORMED');
  }

  /** A 4xx (other than 401, 403, 408, 429) as a permanent rejection naming the problem's stable code. */
  private rejected(
    operation: PortalTokenOperation,
    status: number,
    body: PortalTokenProblem | Body | undefined,
  ) {
    const problem = (body ?? {}) as PortalTokenProblem;
    const code = typeof problem.code === 'string' ? problem.code : `HTTP ${status}`;
    const detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : '';
    const fields = Array.isArray(problem.errors)
      ? problem.errors
          .filter((e) => typeof e === 'object' && e !== null)
          .map((e) => `${String(e.field ?? '?')}: ${String(e.message ?? '')}`)
      : [];
    return this.fail(
      operation,
      portalRejected(operation, undefined, [`${code}${detail ? ` ${detail}` : ''}`, ...fields].join('; ')),
      `HTTP_${status}`,
    );
  }

  /** Logs a failure (codes and messages only), and returns it for throwing. */
  private fail(operation: PortalTokenOperation, error: PortalError, code: string): PortalError {
    portalExchangeErrors.inc({ service: operation, code });
    this.logger?.warn(
      { service: operation, code, errorCode: error.code, transient: error.transient },
      error.message,
    );
    return error;
  }
}

function outcomeOf(status: number): PortalOutcome {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'session_expired';
  if (status === 403) return 'auth_failed';
  if (status >= 500 || status === 408) return 'unavailable';
  if (status >= 400) return 'refused';
  return 'ok';
}

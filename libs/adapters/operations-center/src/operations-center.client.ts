import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  type AdapterHealth,
  ClientCredentialsTokens,
  DEFAULT_RESILIENCE,
  header,
  parseJsonObject,
  type RawAnswer,
  REQUEST_ID_PATTERN,
  type ResilienceOptions,
  retryAfterMs,
  type RunAttempts,
  type UpstreamAdapter,
  type UpstreamCallContext,
  type UpstreamDiagnosis,
  upstreamPool,
  invalidRequestMessage,
} from '@lienthong/adapters/common';
import { type IndicatorReport, validate } from '@lienthong/contracts';
import type { AppLogger } from '@lienthong/observability';
import { operationsCenterErrors, OperationsCenterError, ReportProblem } from './operations-center.errors';
import { OperationsCenterMappingError, toWireReport } from './operations-center.mapping';
import { reportSubmissions } from './operations-center.metrics';
import {
  OPERATIONS_CENTER_CLIENT_DEFAULTS,
  type OperationsCenterClientOptions,
} from './operations-center.options';
import { operationsCenterTokens } from './operations-center.token';
import { OPERATIONS_CENTER_PATHS, OPERATIONS_CENTER_RESULT_CODES as CODES } from './operations-center.wire';

const ADAPTER = 'operations-center';

/** The client's calls: the `method` label of the shared metrics. */
export type OperationsCenterMethod = 'submitReport' | 'ping';

/** What the operations center made of a report. */
export interface ReportSubmission {
  /**
   * accepted: first receipt of this version; already-accepted: the same version and content was accepted before
   * (a repeat, harmless); superseded: the operations center holds a higher version for the agency and period.
   */
  outcome: 'accepted' | 'already-accepted' | 'superseded';
  /** The version that was submitted. */
  version: number;
  /** The operations center's receipt (MaTiepNhan) of an accepted version. */
  receiptId?: string;
  /** For superseded: the highest version the operations center accepted. */
  currentVersion?: number;
}

/** The operations center as the relay sees it. */
export interface OperationsCenter extends UpstreamAdapter<OperationsCenterMethod> {
  /** Submits one revision of an agency's report. Safe to repeat: the same version and content is acknowledged. */
  submitReport(report: IndicatorReport, ctx?: { requestId?: string }): Promise<ReportSubmission>;
  /** Fetches an access token unless one is cached: a cheap readiness probe. */
  ping(ctx?: { requestId?: string }): Promise<void>;
}

/**
 * Client of the Government operations center's indicator reporting API (contracts/upstream/operations-center):
 * REST JSON behind an OAuth 2.0 client-credentials token endpoint, over an undici Pool.
 *
 * - Tokens are cached until shortly before they expire; concurrent callers share one token request. An answer
 *   401 means the token was refused (expired early, revoked): it is dropped, a fresh one fetched and the call
 *   repeated once; a fresh token refused again is an auth failure.
 * - A submission is idempotent per (unit, period, version), so every call runs under the resilience policy of
 *   libs/adapters/common (timeout per attempt, a few quick retries of transient errors, circuit breaker,
 *   bulkhead); the token fetch is part of the attempt. Longer waits are the relay's (its retry topic).
 * - Failures are the shared upstream errors (operations-center.errors.ts), with a `kind` and a `transient` flag. A superseded version is not a
 *   failure: a newer revision is already there.
 * - Never logs report values; only codes, versions and statuses.
 */
export class OperationsCenterClient implements OperationsCenter {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly tokenUrl: URL;
  private readonly tokens: ClientCredentialsTokens;
  private readonly calls: AdapterCalls<OperationsCenterError, OperationsCenterMethod>;
  private readonly logger?: AppLogger;
  readonly adapter = ADAPTER;

  constructor(options: OperationsCenterClientOptions) {
    for (const key of ['baseUrl', 'clientId', 'clientSecret'] as const) {
      if (!options[key]) throw new Error(`OperationsCenterClient: ${key} is required`);
    }
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the operations center base URL must be http:// or https://');
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.tokenUrl = new URL(
      options.tokenUrl ?? `${this.origin}${this.basePath}${OPERATIONS_CENTER_PATHS.token}`,
    );
    if (this.tokenUrl.origin !== this.origin) {
      throw new Error('the operations center token endpoint must be on the API origin');
    }
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.logger = options.logger;
    this.tokens = operationsCenterTokens({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope,
      refreshMarginMs: options.tokenRefreshMarginMs ?? OPERATIONS_CENTER_CLIENT_DEFAULTS.tokenRefreshMarginMs,
      defaultLifetimeMs: OPERATIONS_CENTER_CLIENT_DEFAULTS.defaultTokenLifetimeMs,
    });
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? OPERATIONS_CENTER_CLIENT_DEFAULTS.connections,
        connect: options.ca ? { ca: options.ca } : undefined,
        maxResponseBytes: OPERATIONS_CENTER_CLIENT_DEFAULTS.maxResponseBytes,
        connectTimeoutMs: resilience.timeoutMs,
      });
    this.calls = new AdapterCalls({
      adapter: ADAPTER,
      upstream: operationsCenterErrors.upstream,
      title: 'operations center',
      resilience,
      logger: options.logger,
      errors: {
        ...operationsCenterErrors.kit(),
        network: (message, cause) =>
          operationsCenterErrors.unavailable('NETWORK', message, { endpoint: 'api' }, cause),
      },
    });
  }

  async submitReport(report: IndicatorReport, ctx: { requestId?: string } = {}): Promise<ReportSubmission> {
    try {
      const submission = await this.call('submitReport', withRequestId(ctx), async (attempts, requestId) => {
        const body = JSON.stringify(wireBodyOf(report));
        const path = this.basePath + OPERATIONS_CENTER_PATHS.report;
        return attempts(async (signal) => {
          const answer = await this.postWithToken(path, body, requestId, signal);
          return interpret(answer, report.version);
        });
      });
      reportSubmissions.inc({ outcome: submission.outcome.replace('-', '_'), code: '' });
      this.logger?.debug(
        { adapter: ADAPTER, outcome: submission.outcome, version: submission.version },
        'indicator report submitted to the operations center',
      );
      return submission;
    } catch (error) {
      reportSubmissions.inc({ outcome: 'failed', code: (error as OperationsCenterError).code ?? 'UNKNOWN' });
      throw error;
    }
  }

  async ping(ctx: { requestId?: string } = {}): Promise<void> {
    await this.call('ping', withRequestId(ctx), (attempts) =>
      attempts((signal) => this.tokens.token(() => this.fetchToken(signal))),
    );
  }

  call<T>(
    method: OperationsCenterMethod,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Fetches an access token unless one is cached: reads no report, writes none. */
  async diagnose(ctx: UpstreamCallContext): Promise<UpstreamDiagnosis> {
    await this.ping(ctx);
    return { answer: 'answered', detail: 'Answered: the token endpoint issued an access token.' };
  }

  /** Token requests sent so far (a cached token is reused until shortly before it expires). */
  get tokenFetches(): number {
    return this.tokens.fetches;
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    this.tokens.clear();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** POST with a bearer token; a 401 drops the token and repeats the call once with a fresh one. */
  private async postWithToken(path: string, body: string, requestId: string, signal: AbortSignal) {
    const token = await this.tokens.token(() => this.fetchToken(signal));
    const first = await this.send(path, body, token, requestId, signal);
    if (first.status !== 401) return first;
    this.tokens.invalidate(token);
    this.logger?.info(
      { adapter: ADAPTER, challenge: header(first, 'www-authenticate') },
      'operations center refused the access token; renewing',
    );
    const renewed = await this.tokens.token(() => this.fetchToken(signal));
    const second = await this.send(path, body, renewed, requestId, signal);
    if (second.status === 401) {
      this.tokens.invalidate(renewed);
      throw operationsCenterErrors.authentication(
        'TOKEN_REJECTED',
        'the operations center refused a freshly issued access token',
        { status: 401 },
      );
    }
    return second;
  }

  private fetchToken(signal: AbortSignal): Promise<RawAnswer> {
    return this.calls
      .exchange(signal, async () => {
        const response = await this.dispatcher.request({
          origin: this.origin,
          path: this.tokenUrl.pathname + this.tokenUrl.search,
          method: 'POST',
          headers: {
            authorization: this.tokens.authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: this.tokens.requestBody(),
          signal,
        });
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      })
      .catch((error: unknown) => {
        if (!operationsCenterErrors.owns(error)) throw error;
        if (error.kind === 'TIMEOUT')
          throw operationsCenterErrors.timeout(error.details.timeoutMs ?? 0, 'token');
        if (error.kind === 'UNAVAILABLE' && error.details.reason === 'NETWORK') {
          throw operationsCenterErrors.unavailable(
            'NETWORK',
            error.message,
            { endpoint: 'token' },
            { cause: error },
          );
        }
        throw error;
      });
  }

  private send(path: string, body: string, token: string, requestId: string, signal: AbortSignal) {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path,
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          'x-request-id': requestId,
        },
        body,
        signal,
      });
      return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    });
  }
}

function withRequestId(ctx: { requestId?: string }): { requestId: string } {
  const given = ctx.requestId;
  return { requestId: typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID() };
}

/** The wire body, after the report is checked against its contract (a refusal names paths and codes only). */
function wireBodyOf(report: IndicatorReport) {
  const checked = validate('indicator-report', report);
  if (!checked.ok) {
    throw invalidReport(
      'adapter',
      checked.errors.map((e) => ({ field: e.path, message: e.code })),
      'the report does not match the indicator-report contract',
    );
  }
  try {
    return toWireReport(report);
  } catch (error) {
    if (error instanceof OperationsCenterMappingError) {
      throw invalidReport('adapter', [], error.message);
    }
    throw error;
  }
}

function invalidReport(
  source: 'adapter' | 'upstream',
  problems: readonly ReportProblem[] = [],
  message?: string,
): OperationsCenterError {
  return operationsCenterErrors.invalidRequest(
    'report',
    source,
    (message ?? invalidRequestMessage('report', source)) +
      problems.map((p) => `; ${p.field || '/'}: ${p.message}`).join(''),
    { problems },
  );
}

function versionConflict(version: number, currentVersion: number | undefined): OperationsCenterError {
  return operationsCenterErrors.conflict(
    `the operations center holds version ${version} of this report with other content (XUNG_DOT_PHIEN_BAN)` +
      (currentVersion !== undefined ? `; its latest version is ${currentVersion}` : ''),
    { version, ...(currentVersion !== undefined ? { currentVersion } : {}) },
  );
}

function unitNotFound(): OperationsCenterError {
  return operationsCenterErrors.notFound(
    'the operations center does not know this unit (KHONG_TIM_THAY_DON_VI)',
  );
}

function problemsOf(body: Record<string, unknown> | undefined): ReportProblem[] {
  const list = body?.DanhSachLoi;
  if (!Array.isArray(list)) return [];
  return list
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => ({
      field: typeof item.Truong === 'string' ? item.Truong : '',
      message: typeof item.MoTa === 'string' ? item.MoTa : '',
    }));
}

/** The submission's outcome, or the typed error its status and body mean. */
function interpret(answer: RawAnswer, version: number): ReportSubmission {
  const { status } = answer;
  const body = parseJsonObject(answer.body);
  const code = typeof body?.MaKetQua === 'string' ? body.MaKetQua : undefined;
  const currentVersion = Number.isInteger(body?.PhienBanHienTai)
    ? (body?.PhienBanHienTai as number)
    : undefined;
  if (status === 200 || status === 201) {
    const receiptId = typeof body?.MaTiepNhan === 'string' ? body.MaTiepNhan : undefined;
    if (status === 201 && code === CODES.accepted) return { outcome: 'accepted', version, receiptId };
    if (status === 200 && code === CODES.alreadyAccepted)
      return { outcome: 'already-accepted', version, receiptId };
    throw operationsCenterErrors.malformed(
      `the operations center answered HTTP ${status} without a receipt it documents (${code ?? 'no MaKetQua'})`,
      { status },
    );
  }
  if (status === 409 && code === CODES.superseded) return { outcome: 'superseded', version, currentVersion };
  if (status === 409 && code === CODES.versionConflict) throw versionConflict(version, currentVersion);
  if (status === 422 || (status === 400 && code !== undefined)) {
    throw invalidReport(
      'upstream',
      problemsOf(body),
      `the operations center refused the report (${code ?? `HTTP ${status}`})`,
    );
  }
  if (status === 404 && code === CODES.unknownUnit) throw unitNotFound();
  if (status === 403) {
    throw operationsCenterErrors.authentication(
      'FORBIDDEN',
      'the operations center refused access to the report endpoint',
      {
        status,
      },
    );
  }
  const retryAfter = retryAfterMs(answer);
  throw operationsCenterErrors.unavailable(
    'HTTP_STATUS',
    `the operations center answered HTTP ${status}${code ? ` (${code})` : ''}`,
    { status, endpoint: 'api', ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) },
  );
}

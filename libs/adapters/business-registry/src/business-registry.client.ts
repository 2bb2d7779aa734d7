import { Agent as HttpsAgent } from 'node:https';
import type { Dispatcher } from 'undici';
import {
  AdapterCalls,
  AdapterHealth,
  DEFAULT_RESILIENCE,
  diagnosis,
  header,
  RawAnswer,
  ResilienceOptions,
  retryAfterMs,
  type RunAttempts,
  type UpstreamCallContext,
  type UpstreamDiagnosis,
  upstreamPool,
} from '@lienthong/adapters/common';
import type { Enterprise } from '@lienthong/contracts';
import { validateEnterpriseCode } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import {
  RESERVED_ENTERPRISE_CODE,
  type BusinessRegistryAdapter,
  type BusinessRegistryCallContext,
  type BusinessRegistryMethod,
} from './business-registry.adapter';
import { businessRegistryErrors, BusinessRegistryError } from './business-registry.errors';
import {
  businessRegistryProvenance,
  parseJsonObject,
  toDependentUnit,
  toEnterprise,
} from './business-registry.mapping';
import {
  BUSINESS_REGISTRY_CLIENT_DEFAULTS,
  BusinessRegistryClientOptions,
} from './business-registry.options';
import {
  BUSINESS_REGISTRY_ERROR_CODES,
  BUSINESS_REGISTRY_PATHS,
  WireDependentUnit,
  WireEnterprise,
} from './business-registry.wire';
import { OAuth2TokenProvider } from './oauth2-token.provider';

const ADAPTER = 'business-registry';

type CodeKind = 'ENTERPRISE' | 'DEPENDENT_UNIT';

/**
 * Client of the National Business Registration Database's lookup API: REST JSON behind an OAuth 2.0
 * client-credentials token endpoint. Data calls go over an undici Pool (keep-alive, `connections` sockets:
 * this is the lookup hot path); tokens come from OAuth2TokenProvider (axios, cached until shortly before
 * they expire, one request shared by concurrent callers). An answer 401 means the token was refused
 * (expired early, revoked): the token is dropped, a fresh one fetched and the call repeated once.
 *
 * Reads only, so every call runs under the resilience policy (timeout per attempt, retries with jitter on
 * transient errors, circuit breaker, bulkhead); the token fetch is part of the attempt. Codes are checked
 * locally first: a malformed code is refused without a call; a code that fails the check digit is looked
 * up and the record carries `checkDigitWarning: true`.
 */
export class BusinessRegistryClient implements BusinessRegistryAdapter {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly tokens: OAuth2TokenProvider;
  private readonly calls: AdapterCalls<BusinessRegistryError, BusinessRegistryMethod>;
  private readonly ttlMs: number;
  private readonly clock: () => Date;
  private readonly logger?: AppLogger;
  readonly adapter = ADAPTER;

  constructor(options: BusinessRegistryClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error('the business registry base URL must be http:// or https://');
    }
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const resilience: ResilienceOptions = { ...DEFAULT_RESILIENCE, ...options.resilience };
    this.ttlMs = options.validityTtlMs ?? BUSINESS_REGISTRY_CLIENT_DEFAULTS.validityTtlMs;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger;
    this.tokens = new OAuth2TokenProvider({
      tokenUrl: options.tokenUrl ?? `${this.origin}${this.basePath}${BUSINESS_REGISTRY_PATHS.token}`,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope,
      timeoutMs: resilience.timeoutMs,
      refreshMarginMs: options.tokenRefreshMarginMs ?? BUSINESS_REGISTRY_CLIENT_DEFAULTS.tokenRefreshMarginMs,
      httpsAgent: options.ca ? new HttpsAgent({ ca: options.ca }) : undefined,
    });
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      upstreamPool(this.origin, {
        connections: options.connections ?? BUSINESS_REGISTRY_CLIENT_DEFAULTS.connections,
        maxResponseBytes: BUSINESS_REGISTRY_CLIENT_DEFAULTS.maxResponseBytes,
        connectTimeoutMs: resilience.timeoutMs,
        connect: options.ca ? { ca: options.ca } : undefined,
      });
    this.calls = new AdapterCalls({
      adapter: ADAPTER,
      upstream: businessRegistryErrors.upstream,
      title: 'business registry',
      resilience,
      logger: options.logger,
      errors: {
        ...businessRegistryErrors.kit(),
        network: (message, cause) =>
          businessRegistryErrors.unavailable('NETWORK', message, { endpoint: 'api' }, cause),
      },
    });
  }

  async lookupEnterprise(enterpriseCode: string, ctx: BusinessRegistryCallContext): Promise<Enterprise> {
    return this.call('lookupEnterprise', ctx, async (attempts, requestId) => {
      const kind = checkCode(enterpriseCode);
      const path =
        this.basePath +
        (kind === 'ENTERPRISE' ? BUSINESS_REGISTRY_PATHS.enterprise : BUSINESS_REGISTRY_PATHS.dependentUnit) +
        encodeURIComponent(enterpriseCode);
      const body = await attempts(async (signal) => {
        const answer = await this.getWithToken(path, requestId, signal);
        return interpret(answer, kind);
      });
      const provenance = businessRegistryProvenance(this.clock(), this.ttlMs);
      const enterprise =
        kind === 'ENTERPRISE'
          ? toEnterprise(body as WireEnterprise, provenance)
          : toDependentUnit(body as WireDependentUnit, provenance);
      if (enterprise.enterpriseCode !== enterpriseCode) {
        throw businessRegistryErrors.malformed('the answer describes another enterprise code');
      }
      return enterprise;
    });
  }

  call<T>(
    method: BusinessRegistryMethod,
    ctx: UpstreamCallContext | undefined,
    body: (attempts: RunAttempts, requestId: string) => Promise<T>,
  ): Promise<T> {
    return this.calls.call(method, ctx, body);
  }

  health(): AdapterHealth {
    return this.calls.health();
  }

  /** Looks up an enterprise code no one holds: ENTERPRISE_NOT_FOUND proves token, call and parsing. */
  diagnose(ctx: BusinessRegistryCallContext): Promise<UpstreamDiagnosis> {
    return diagnosis(() => this.lookupEnterprise(RESERVED_ENTERPRISE_CODE, ctx));
  }

  /** Token requests sent so far (a cached token is reused until shortly before it expires). */
  get tokenFetches(): number {
    return this.tokens.fetches;
  }

  /** Closes the connection pool (not an injected dispatcher). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** GET with a bearer token; a 401 drops the token and repeats the call once with a fresh one. */
  private async getWithToken(path: string, requestId: string, signal: AbortSignal): Promise<RawAnswer> {
    const token = await this.tokens.token(signal);
    const first = await this.send(path, token, requestId, signal);
    if (first.status !== 401) return first;
    this.tokens.invalidate(token);
    this.logger?.info(
      { adapter: ADAPTER, challenge: header(first, 'www-authenticate') },
      'access token refused; renewing',
    );
    const renewed = await this.tokens.token(signal);
    const second = await this.send(path, renewed, requestId, signal);
    if (second.status === 401) {
      this.tokens.invalidate(renewed);
      throw businessRegistryErrors.authentication(
        'TOKEN_REJECTED',
        'the business registry refused a freshly issued access token',
        {
          status: 401,
        },
      );
    }
    return second;
  }

  private send(path: string, token: string, requestId: string, signal: AbortSignal): Promise<RawAnswer> {
    return this.calls.exchange(signal, async () => {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path,
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'x-request-id': requestId },
        signal,
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body };
    });
  }
}

function enterpriseNotFound(subject: CodeKind): BusinessRegistryError {
  return businessRegistryErrors.notFound(
    subject === 'ENTERPRISE'
      ? 'no enterprise with this code in the National Business Registration Database'
      : 'no dependent unit with this code in the National Business Registration Database',
    { subject },
  );
}

/** Validates the code locally; only a malformed code is refused (a failed check digit is a warning). */
function checkCode(code: string): CodeKind {
  const result = typeof code === 'string' ? validateEnterpriseCode(code) : undefined;
  if (!result?.valid || !result.kind) {
    throw businessRegistryErrors.invalidRequest('enterpriseCode', 'adapter');
  }
  return result.kind;
}

function errorCodeOf(answer: RawAnswer): string | undefined {
  try {
    const value = JSON.parse(answer.body) as { maLoi?: unknown };
    return typeof value?.maLoi === 'string' ? value.maLoi : undefined;
  } catch {
    return undefined;
  }
}

/** The answer's JSON object, or the typed error its status and body mean. */
function interpret(answer: RawAnswer, kind: CodeKind): Record<string, unknown> {
  const { status } = answer;
  if (status === 200) return parseJsonObject(answer.body, status);
  const upstreamCode = errorCodeOf(answer);
  if (status === 404 && upstreamCode === BUSINESS_REGISTRY_ERROR_CODES.notFound) {
    throw enterpriseNotFound(kind);
  }
  if (status === 400) {
    throw businessRegistryErrors.invalidRequest(
      'enterpriseCode',
      'upstream',
      `the business registry refused the request (${upstreamCode ?? 'HTTP 400'})`,
    );
  }
  if (status === 403) {
    throw businessRegistryErrors.authentication(
      'FORBIDDEN',
      'the business registry refused access to this resource',
      {
        status,
      },
    );
  }
  const retryAfter = retryAfterMs(answer);
  throw businessRegistryErrors.unavailable(
    'HTTP_STATUS',
    `the business registry answered HTTP ${status}${upstreamCode ? ` (${upstreamCode})` : ''}`,
    { status, endpoint: 'api', ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) },
  );
}

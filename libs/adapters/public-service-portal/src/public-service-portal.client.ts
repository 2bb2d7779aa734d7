import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { validate, type DossierStatusEvent } from '@lienthong/contracts';
import { toPortalCode } from '@lienthong/domain';
import { createLogger, type AppLogger } from '@lienthong/observability';
import {
  PortalAuthError,
  PortalError,
  PortalRateLimitedError,
  PortalRejectedError,
  PortalUnavailableError,
  type PortalItemRejection,
} from './portal.errors';
import {
  fromPortalDossierRecord,
  parsePortalErrorCode,
  statusOf,
  toPortalDossierItem,
  toPortalProgressItem,
  type PortalDossierExtras,
  type PortalDossierView,
} from './portal.mapping';
import { portalErrors, portalRequestDuration, type PortalOutcome } from './portal.metrics';
import {
  DEFAULT_PORTAL_PATHS,
  PORTAL_ERROR_CODES as CODE,
  PORTAL_UNIT_CODE_HEADER,
  type PortalDossierRecordWire,
  type PortalItemResult,
  type PortalOperation,
  type PortalService,
} from './portal.wire';

export interface PublicServicePortalClientOptions {
  /** e.g. `https://dichvucong.gov.vn/lgsp` or the simulator's URL; paths are appended to it. */
  baseUrl: string;
  username: string;
  password: string;
  /** Unit code (mã đơn vị) of the province's account, sent at login and with every call. */
  unitCode: string;
  /** Deadline of one HTTP exchange, connection included. Default 10 000 ms. */
  timeoutMs?: number;
  logger?: AppLogger;
  /** Override the login and service paths (public integrations configure both). */
  paths?: { login?: string; service?: string };
  /** Wait suggested by a 429 that carries no usable Retry-After. Default 1 000 ms. */
  defaultRetryAfterMs?: number;
  /** Keep-alive sockets per host. Default 16. */
  maxSockets?: number;
  /** PEM CA certificate(s) the portal's TLS server certificate must chain to (a pinned CA). */
  ca?: string | string[];
}

/** Outcome of syncing one event. */
export interface PortalSyncResult {
  dossierCode: string;
  portalStatusCode: number;
  /** True when the portal already held this progress entry (a redelivery): acknowledged, not applied again. */
  duplicate: boolean;
}

/** The portal as the relay sees it. */
export interface PublicServicePortal {
  /** Pushes one canonical status event (dossier upsert, then its progress entry). Safe to repeat. */
  syncDossier(event: DossierStatusEvent, extra?: PortalDossierExtras): Promise<PortalSyncResult>;
  /** Reads a dossier back; null when the portal does not hold it. */
  getDossier(dossierCode: string): Promise<PortalDossierView | null>;
  /** Logs in unless a live session is cached: a cheap readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface Session {
  token: string;
  /** When to log in again before using it (expiry minus a margin); Infinity when the portal gave no lifetime. */
  refreshAt: number;
}

type Body = Record<string, unknown>;

const SESSION_EXPIRED = Symbol('session-expired');

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Client of the National Public Service Portal's dossier sync API (see contracts/upstream/public-service-portal).
 *
 * - Session: logs in lazily, caches the session for its announced lifetime (minus a margin), and shares one
 *   in-flight login between concurrent callers. When a call answers "session expired" (error_code -2, or
 *   HTTP 401) it logs in again once and repeats the call; a second refusal is reported as unavailable.
 * - Failures become typed errors (portal.errors.ts): transient ones (unavailable, rate limited) for the
 *   relay's retry topic, permanent ones (rejected, auth) for the dead-letter topic. No retry here besides
 *   the session refresh: the relay owns retries and their delays.
 * - Never logs request or response bodies: they carry the applicant's name and identifiers.
 */
export class PublicServicePortalClient implements PublicServicePortal {
  private readonly http: AxiosInstance;
  private readonly logger: AppLogger;
  private readonly timeoutMs: number;
  private readonly defaultRetryAfterMs: number;
  private readonly paths: { login: string; service: string };
  private readonly agents: { http: http.Agent; https: https.Agent };
  private session: Session | undefined;
  private loginInFlight: Promise<Session> | undefined;

  constructor(private readonly options: PublicServicePortalClientOptions) {
    for (const key of ['baseUrl', 'username', 'password', 'unitCode'] as const) {
      if (!options[key]) throw new Error(`PublicServicePortalClient: ${key} is required`);
    }
    this.logger = (options.logger ?? createLogger({ name: 'public-service-portal' })).child({
      component: 'public-service-portal',
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.defaultRetryAfterMs = options.defaultRetryAfterMs ?? 1000;
    this.paths = {
      login: options.paths?.login ?? DEFAULT_PORTAL_PATHS.login,
      service: options.paths?.service ?? DEFAULT_PORTAL_PATHS.service,
    };
    const maxSockets = options.maxSockets ?? 16;
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets, ...(options.ca ? { ca: options.ca } : {}) }),
    };
    this.http = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      httpAgent: this.agents.http,
      httpsAgent: this.agents.https,
      headers: { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  async syncDossier(event: DossierStatusEvent, extra: PortalDossierExtras = {}): Promise<PortalSyncResult> {
    const checked = validate('dossier-status-event', event);
    if (!checked.ok) {
      throw new PortalRejectedError(
        'DongBoHoSoMC',
        undefined,
        `event does not match the dossier-status-event contract: ${checked.errors
          .map((e) => `${e.path || '/'} ${e.code}`)
          .join('; ')}`,
        [],
        'INVALID_EVENT',
      );
    }
    let dossierItem;
    let progressItem;
    try {
      dossierItem = toPortalDossierItem(event, extra);
      progressItem = toPortalProgressItem(event, extra);
    } catch (error) {
      throw new PortalRejectedError('DongBoHoSoMC', undefined, (error as Error).message, [], 'INVALID_EVENT');
    }
    await this.callService('DongBoHoSoMC', { data: [dossierItem] });
    const answer = await this.callService('CapNhatTienDoHoSoMC', { data: [progressItem] });
    const items = Array.isArray(answer.result) ? (answer.result as PortalItemResult[]) : [];
    const duplicate = items.some((item) => isObject(item) && item.TrungLap === true);
    this.logger.debug(
      { dossierCode: event.dossierCode, eventId: event.eventId, status: event.status, duplicate },
      'dossier synced to the portal',
    );
    return { dossierCode: event.dossierCode, portalStatusCode: toPortalCode(statusOf(event)), duplicate };
  }

  async getDossier(dossierCode: string): Promise<PortalDossierView | null> {
    const answer = await this.callService('TraCuuHoSo', { mahoso: dossierCode });
    const records = Array.isArray(answer.result) ? answer.result : [];
    const record = records.find((r): r is PortalDossierRecordWire => isObject(r) && r.MaHoSo === dossierCode);
    return record ? fromPortalDossierRecord(record) : null;
  }

  async ping(): Promise<void> {
    await this.currentSession();
  }

  async close(): Promise<void> {
    this.session = undefined;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  // --- session ---------------------------------------------------------------------------------------

  private async currentSession(): Promise<Session> {
    const session = this.session;
    if (session && Date.now() < session.refreshAt) return session;
    this.loginInFlight ??= this.login().finally(() => {
      this.loginInFlight = undefined;
    });
    return this.loginInFlight;
  }

  private async login(): Promise<Session> {
    const body = await this.exchange(
      'login',
      this.paths.login,
      { username: this.options.username, password: this.options.password },
      { [PORTAL_UNIT_CODE_HEADER]: this.options.unitCode },
    );
    if (body === SESSION_EXPIRED || typeof body.session !== 'string' || body.session === '') {
      throw this.fail(
        'login',
        new PortalUnavailableError('login', 'malformed-response', 'portal login answered without a session'),
        'MALFORMED',
      );
    }
    const lifetimeMs =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 0;
    const margin = Math.min(30_000, lifetimeMs / 10);
    const session = {
      token: body.session,
      refreshAt: lifetimeMs > 0 ? Date.now() + lifetimeMs - margin : Infinity,
    };
    this.session = session;
    this.logger.info({ lifetimeSeconds: lifetimeMs / 1000 || undefined }, 'logged in to the portal');
    return session;
  }

  /** Forgets `session` unless another caller has already replaced it. */
  private dropSession(session: Session): void {
    if (this.session === session) this.session = undefined;
  }

  // --- calls -------------------------------------------------------------------------------------------

  /** One service call, with the session refreshed and the call repeated once if the portal says it expired. */
  private async callService(service: PortalService, payload: Body): Promise<Body> {
    const send = (session: Session) =>
      this.exchange(service, this.paths.service, {
        session: session.token,
        madonvi: this.options.unitCode,
        service,
        ...payload,
      });
    let session = await this.currentSession();
    let answer = await send(session);
    if (answer !== SESSION_EXPIRED) return answer;

    this.logger.info({ service }, 'portal session expired; logging in again');
    this.dropSession(session);
    session = await this.currentSession();
    answer = await send(session);
    if (answer !== SESSION_EXPIRED) return answer;
    this.dropSession(session);
    throw new PortalUnavailableError(service, 'session-rejected', 'portal refused a fresh session', {
      portalErrorCode: CODE.SESSION_EXPIRED,
    });
  }

  /**
   * One HTTP exchange: returns the parsed body when error_code is 0, SESSION_EXPIRED when the portal wants a
   * new session, and throws a typed error for anything else. Records its duration and any error.
   */
  private async exchange(
    operation: PortalOperation,
    path: string,
    body: Body,
    headers: Record<string, string> = {},
  ): Promise<Body | typeof SESSION_EXPIRED> {
    const stopTimer = portalRequestDuration.startTimer({ service: operation });
    const done = (outcome: PortalOutcome) => stopTimer({ outcome });

    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: AxiosResponse<string>;
    try {
      response = await this.http.post<string>(path, body, { headers, signal });
    } catch (error) {
      done('unavailable');
      const timedOut = signal.aborted || (error as { code?: string }).code === 'ECONNABORTED';
      throw this.fail(
        operation,
        new PortalUnavailableError(
          operation,
          timedOut ? 'timeout' : 'network',
          timedOut
            ? `portal did not answer ${operation} within ${this.timeoutMs} ms`
            : `portal unreachable for ${operation}: ${(error as { code?: string }).code ?? (error as Error).message}`,
          {},
          { cause: error },
        ),
        timedOut ? 'TIMEOUT' : 'NETWORK',
      );
    }

    const status = response.status;
    if (status === 429) {
      done('rate_limited');
      throw this.fail(
        operation,
        new PortalRateLimitedError(operation, this.retryAfterMs(response.headers['retry-after'])),
        'HTTP_429',
      );
    }
    if (status >= 500 || status === 408) {
      done('unavailable');
      throw this.fail(
        operation,
        new PortalUnavailableError(
          operation,
          'http-status',
          `portal answered HTTP ${status} to ${operation}`,
          {
            status,
          },
        ),
        `HTTP_${status}`,
      );
    }

    const parsed = parseBody(response.data);
    const errorCode = parsed ? parsePortalErrorCode(parsed.error_code) : undefined;
    const portalMessage = parsed && typeof parsed.message === 'string' ? parsed.message : '';

    if (status === 401 && operation !== 'login' && errorCode !== CODE.LOGIN_FAILED) {
      done('session_expired');
      portalErrors.inc({ service: operation, code: 'HTTP_401' });
      return SESSION_EXPIRED;
    }
    if (status === 401 || status === 403) {
      done('auth_failed');
      throw this.fail(
        operation,
        new PortalAuthError(
          operation,
          errorCode,
          `portal refused ${operation} with HTTP ${status} ${portalMessage}`,
        ),
        `HTTP_${status}`,
      );
    }
    if (!parsed || errorCode === undefined) {
      if (status >= 400) {
        done('rejected');
        throw this.fail(
          operation,
          new PortalRejectedError(operation, undefined, `HTTP ${status}`, [], 'PORTAL_REJECTED'),
          `HTTP_${status}`,
        );
      }
      done('unavailable');
      throw this.fail(
        operation,
        new PortalUnavailableError(
          operation,
          'malformed-response',
          `portal answered ${operation} with a body that is not its JSON envelope (HTTP ${status})`,
          { status },
        ),
        'MALFORMED',
      );
    }

    switch (errorCode) {
      case CODE.OK: {
        const refused = itemRejections(parsed);
        if (refused.length === 0) {
          done('ok');
          return parsed;
        }
        done('rejected');
        throw this.fail(
          operation,
          new PortalRejectedError(operation, CODE.INVALID_DATA, portalMessage, refused),
          String(CODE.INVALID_DATA),
        );
      }
      case CODE.SESSION_EXPIRED:
        if (operation !== 'login') {
          done('session_expired');
          portalErrors.inc({ service: operation, code: String(errorCode) });
          return SESSION_EXPIRED;
        }
        break;
      case CODE.TOO_MANY_REQUESTS:
        done('rate_limited');
        throw this.fail(
          operation,
          new PortalRateLimitedError(operation, this.retryAfterMs(response.headers['retry-after'])),
          String(errorCode),
        );
      case CODE.LOGIN_FAILED:
      case CODE.UNIT_NOT_ALLOWED:
        done('auth_failed');
        throw this.fail(
          operation,
          new PortalAuthError(
            operation,
            errorCode,
            `portal refused ${operation} (error_code ${errorCode}): ${portalMessage}`,
          ),
          String(errorCode),
        );
      case CODE.INVALID_DATA:
      case CODE.INVALID_REQUEST:
        done('rejected');
        throw this.fail(
          operation,
          new PortalRejectedError(operation, errorCode, portalMessage, itemRejections(parsed)),
          String(errorCode),
        );
    }
    // SYSTEM_ERROR, and codes the contract does not list: assume the portal's trouble, not ours.
    done('unavailable');
    throw this.fail(
      operation,
      new PortalUnavailableError(
        operation,
        'portal-error',
        `portal answered ${operation} with error_code ${errorCode}: ${portalMessage}`,
        { status, portalErrorCode: errorCode },
      ),
      String(errorCode),
    );
  }

  /** Counts and logs a failure (codes and messages only), and returns it for throwing. */
  private fail<E extends PortalError>(operation: PortalOperation, error: E, code: string): E {
    portalErrors.inc({ service: operation, code });
    this.logger.warn(
      { service: operation, code, errorCode: error.code, transient: error.transient },
      error.message,
    );
    return error;
  }

  private retryAfterMs(header: unknown): number {
    const value = Array.isArray(header) ? header[0] : header;
    if (typeof value === 'string' && value.trim() !== '') {
      const seconds = Number(value.trim());
      if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
      const date = Date.parse(value);
      if (Number.isFinite(date)) return Math.max(0, date - Date.now());
    }
    return this.defaultRetryAfterMs;
  }
}

function parseBody(data: unknown): Body | undefined {
  if (isObject(data)) return data;
  if (typeof data !== 'string' || data.trim() === '') return undefined;
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
    if (code === CODE.OK) continue;
    out.push({
      dossierCode: typeof item.MaHoSo === 'string' ? item.MaHoSo : null,
      portalErrorCode: code,
      message: typeof item.message === 'string' ? item.message : '',
    });
  }
  return out;
}

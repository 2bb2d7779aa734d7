import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError } from 'axios';
import { ClientCredentialsTokens, untilAborted } from '@lienthong/adapters/common';
import { businessRegistryErrors, BusinessRegistryError } from './business-registry.errors';

export interface OAuth2TokenProviderOptions {
  /** Token endpoint, e.g. `http://127.0.0.1:9301/oauth2/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Timeout of one token request. */
  timeoutMs: number;
  /**
   * A token is renewed this long before it expires, so it does not expire in flight; capped at a tenth of its
   * lifetime. Default 30 s.
   */
  refreshMarginMs?: number;
  /** Lifetime assumed when the endpoint omits `expires_in`. Default 300 s. */
  defaultLifetimeMs?: number;
  httpAgent?: HttpAgent;
  httpsAgent?: HttpsAgent;
  now?: () => number;
}

/**
 * OAuth 2.0 client-credentials tokens for the business registry: the shared token cache of
 * @lienthong/adapters/common (kept until shortly before expiry, one request shared by concurrent callers),
 * with the token request sent by axios — a rare call where its features matter more than speed — and this
 * adapter's errors.
 */
export class OAuth2TokenProvider {
  private readonly tokens: ClientCredentialsTokens;

  constructor(private readonly options: OAuth2TokenProviderOptions) {
    this.tokens = new ClientCredentialsTokens({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: options.scope,
      refreshMarginMs: options.refreshMarginMs ?? 30_000,
      defaultLifetimeMs: options.defaultLifetimeMs ?? 300_000,
      now: options.now,
      errors: {
        clientRejected: (status, oauthError) =>
          businessRegistryErrors.authentication(
            'CLIENT_REJECTED',
            `the token endpoint refused the gateway's client credentials${oauthError ? ` (${oauthError})` : ''}`,
            { status, ...(oauthError ? { oauthError } : {}) },
          ),
        grantRejected: (status, oauthError) =>
          businessRegistryErrors.authentication(
            'GRANT_REJECTED',
            `the token endpoint refused the grant (${oauthError})`,
            {
              status,
              oauthError,
            },
          ),
        unavailable: (status) =>
          businessRegistryErrors.unavailable('HTTP_STATUS', `the token endpoint answered HTTP ${status}`, {
            status,
            endpoint: 'token',
          }),
        malformed: (message) => businessRegistryErrors.malformed(message),
      },
    });
  }

  /** Token requests actually sent, for health and tests. */
  get fetches(): number {
    return this.tokens.fetches;
  }

  /** A valid access token; `signal` ends this caller's wait (the shared request goes on for the others). */
  token(signal?: AbortSignal): Promise<string> {
    return raceAbort(
      this.tokens.token(() => this.post()),
      signal,
      this.options.timeoutMs,
    );
  }

  /** Drops a token the API refused, so that the next call fetches a new one. */
  invalidate(value: string): void {
    this.tokens.invalidate(value);
  }

  private async post(): Promise<{ status: number; body: string }> {
    try {
      const response = await axios.post<string>(this.options.tokenUrl, this.tokens.requestBody(), {
        headers: {
          authorization: this.tokens.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        timeout: this.options.timeoutMs,
        responseType: 'text',
        transformResponse: (data: string) => data,
        validateStatus: () => true,
        maxRedirects: 0,
        httpAgent: this.options.httpAgent,
        httpsAgent: this.options.httpsAgent,
      });
      const body = typeof response.data === 'string' ? response.data : String(response.data ?? '');
      return { status: response.status, body };
    } catch (error) {
      throw transportError(error, this.options.timeoutMs);
    }
  }
}

function transportError(error: unknown, timeoutMs: number): BusinessRegistryError {
  const code = error instanceof AxiosError ? error.code : (error as { code?: string })?.code;
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return businessRegistryErrors.timeout(timeoutMs, 'token');
  return businessRegistryErrors.unavailable(
    'NETWORK',
    `connection to the token endpoint failed (${code ?? 'UNKNOWN'})`,
    { endpoint: 'token' },
    { cause: error },
  );
}

/** Waits for `promise` unless `signal` aborts first (the shared request itself goes on for the others). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  if (!signal) return promise;
  return untilAborted(promise, signal, () => businessRegistryErrors.timeout(timeoutMs, 'token'));
}

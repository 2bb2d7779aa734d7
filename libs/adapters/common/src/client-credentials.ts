import type { RawAnswer } from './upstream-http';

/**
 * How an adapter names what went wrong at its OAuth 2.0 token endpoint: each adapter raises its own typed
 * errors (its `adapter` label, its codes), so the shared token cache asks it for them.
 */
export interface TokenEndpointErrors {
  /** The endpoint refused the client id or secret (401, or 400 invalid_client / unauthorized_client). */
  clientRejected(status: number, oauthError?: string): Error;
  /** The endpoint refused the grant (400 invalid_grant, unsupported_grant_type, invalid_scope, invalid_request). */
  grantRejected(status: number, oauthError: string): Error;
  /** Any other status. */
  unavailable(status: number): Error;
  /** A 200 without a usable bearer token. */
  malformed(message: string): Error;
}

export interface ClientCredentialsOptions {
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** A token is renewed this long before it expires; capped at a tenth of its lifetime. */
  refreshMarginMs: number;
  /** Lifetime assumed when the endpoint omits `expires_in`. */
  defaultLifetimeMs: number;
  errors: TokenEndpointErrors;
  now?: () => number;
}

interface CachedToken {
  value: string;
  /** Renew from this instant (epoch ms). */
  renewAt: number;
}

const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);
const GRANT_ERRORS = new Set(['invalid_grant', 'unsupported_grant_type', 'invalid_scope', 'invalid_request']);

/** RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are Basic-encoded. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

/** A JSON object, or undefined for anything else (invalid JSON, an array, a scalar). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Access tokens of the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4), kept until shortly before
 * they expire. The token request is sent by the adapter (`fetch`), with its own HTTP client and inside its own
 * timeout; concurrent callers share one in-flight request. A token the API refused is dropped with
 * `invalidate` so the next `token()` fetches a fresh one.
 */
export class ClientCredentialsTokens {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  private readonly now: () => number;
  /** `Authorization` header of a token request (HTTP Basic client authentication). */
  readonly authorization: string;
  /** Token requests actually sent, for health and tests. */
  fetches = 0;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.now = options.now ?? Date.now;
    this.authorization = `Basic ${Buffer.from(
      `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`,
    ).toString('base64')}`;
  }

  /** The form body of a token request. */
  requestBody(): string {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.options.scope) body.set('scope', this.options.scope);
    return body.toString();
  }

  /** The current token, or the answer of one token request shared by every caller waiting for it. */
  token(fetch: () => Promise<Pick<RawAnswer, 'status' | 'body'>>): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.renewAt) return Promise.resolve(cached.value);
    this.inflight ??= (async () => {
      this.fetches++;
      return this.accept(await fetch());
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight.then((token) => token.value);
  }

  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }

  clear(): void {
    this.cached = undefined;
  }

  private accept({ status, body }: Pick<RawAnswer, 'status' | 'body'>): CachedToken {
    const parsed = parseJsonObject(body);
    const { errors } = this.options;
    if (status === 200) return this.store(parsed);
    const oauthError = typeof parsed?.error === 'string' ? parsed.error : undefined;
    if (status === 401 || (status === 400 && oauthError && CLIENT_ERRORS.has(oauthError))) {
      throw errors.clientRejected(status, oauthError);
    }
    if (status === 400 && oauthError && GRANT_ERRORS.has(oauthError)) {
      throw errors.grantRejected(status, oauthError);
    }
    throw errors.unavailable(status);
  }

  private store(parsed: Record<string, unknown> | undefined): CachedToken {
    const { access_token: value, token_type: type, expires_in: expiresIn } = parsed ?? {};
    if (typeof value !== 'string' || value === '') {
      throw this.options.errors.malformed('the token endpoint answered without an access_token');
    }
    if (typeof type !== 'string' || type.toLowerCase() !== 'bearer') {
      throw this.options.errors.malformed('the token endpoint answered a token that is not a bearer token');
    }
    const lifetimeMs =
      typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : this.options.defaultLifetimeMs;
    const margin = Math.min(this.options.refreshMarginMs, lifetimeMs / 10);
    const token = { value, renewAt: this.now() + lifetimeMs - margin };
    this.cached = token;
    return token;
  }
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Access tokens of the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4): opaque random strings
 * held in memory until they expire. `expireAll()` lets a test force every issued token to expire now.
 */
export class OAuth2TokenStore {
  private readonly tokens = new Map<string, number>();
  private issuedSinceSweep = 0;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    /** Lifetime of new tokens, seconds. */
    public ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when an HTTP Basic `Authorization` header names this client with its secret. */
  authenticateClient(authorization: string | undefined): boolean {
    if (!authorization || !/^basic /i.test(authorization)) return false;
    let decoded: string;
    try {
      decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    } catch {
      return false;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // RFC 6749 section 2.3.1: client id and secret are form-urlencoded before Basic encoding.
    let id: string;
    let secret: string;
    try {
      id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return false;
    }
    return safeEqual(id, this.clientId) && safeEqual(secret, this.clientSecret);
  }

  issue(): { accessToken: string; expiresIn: number } {
    if (++this.issuedSinceSweep >= 1000) this.sweep();
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, this.now() + this.ttlSeconds * 1000);
    return { accessToken, expiresIn: this.ttlSeconds };
  }

  /** 'valid', 'expired' (known but past its lifetime) or 'unknown'. */
  check(token: string): 'valid' | 'expired' | 'unknown' {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    if (expiresAt <= this.now()) return 'expired';
    return 'valid';
  }

  /** Makes every token issued so far expire now. */
  expireAll(): number {
    const now = this.now();
    for (const token of this.tokens.keys()) this.tokens.set(token, now);
    return this.tokens.size;
  }

  get size(): number {
    return this.tokens.size;
  }

  /** Forgets tokens that expired more than an hour ago. */
  private sweep(): void {
    this.issuedSinceSweep = 0;
    const horizon = this.now() - 3_600_000;
    for (const [token, expiresAt] of this.tokens) if (expiresAt < horizon) this.tokens.delete(token);
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Parses `application/x-www-form-urlencoded` bodies (OAuth 2.0 token requests) into a plain object. */
export function parseFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
}

/**
 * The token endpoint of the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) over `tokens`: HTTP Basic
 * client authentication, RFC 6749 error answers, never cached. `onIssued` lets a simulator count issued tokens.
 */
export function tokenEndpoint(
  tokens: OAuth2TokenStore,
  options: { realm: string; scope: string; onIssued?: () => void },
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (!tokens.authenticateClient(request.headers.authorization)) {
      return reply
        .code(401)
        .header('www-authenticate', `Basic realm="${options.realm}"`)
        .send({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const body = (request.body ?? {}) as Record<string, string>;
    if (typeof body !== 'object' || !body.grant_type) {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'grant_type is required' });
    }
    if (body.grant_type !== 'client_credentials') {
      return reply
        .code(400)
        .send({ error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported' });
    }
    const issued = tokens.issue();
    options.onIssued?.();
    return {
      access_token: issued.accessToken,
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      scope: options.scope,
    };
  };
}

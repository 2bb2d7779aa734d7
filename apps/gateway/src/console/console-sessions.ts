import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemException } from '@lienthong/observability';
import { denial, SessionAuthenticator, type Caller, type ClientRole } from '@lienthong/security';

/** The session cookie: scoped to the console's paths, never sent to the API. */
export const SESSION_COOKIE = 'lt_console';
export const CONSOLE_PATH = '/console';
/** The header every state-changing console request carries (double-checked against the session). */
export const CSRF_HEADER = 'x-csrf-token';
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 15 * 60_000;
/** …and in any case this long after sign-in. */
export const SESSION_MAX_MS = 8 * 60 * 60_000;
const MAX_SESSIONS = 1_000;

export interface ConsoleSession {
  caller: Caller;
  roles: readonly ClientRole[];
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function csrfRefused(detail: string): ProblemException {
  return denial('CSRF_REFUSED', detail);
}

/**
 * The console's sign-in sessions, held in the gateway's memory (a restart signs everybody out): an API key
 * or client certificate is exchanged once for a random session id in an HttpOnly, SameSite=Strict cookie
 * scoped to /console (Secure over HTTPS). Sessions end after 15 idle minutes, 8 hours after sign-in, or at
 * sign-out. Each has its own CSRF token, which every state-changing request must send in X-CSRF-Token; a
 * request whose Origin is not the gateway's own is refused as well.
 */
@Injectable()
export class ConsoleSessions extends SessionAuthenticator {
  private readonly sessions = new Map<string, ConsoleSession>();
  /** Wall clock (ms); a test may replace it. */
  now: () => number = Date.now;

  /** The caller of a console API request signed in with a session cookie; undefined for anything else. */
  authenticate(request: FastifyRequest): Caller | undefined {
    const path = request.url.split('?')[0];
    if (!path.startsWith(`${CONSOLE_PATH}/api/`)) return undefined;
    const session = this.find(request);
    if (!session) return undefined;
    if (!SAFE_METHODS.has(request.method)) this.checkCsrf(request, session);
    return session.caller;
  }

  /** The live session of a request's cookie, its idle timer restarted. */
  find(request: FastifyRequest): ConsoleSession | undefined {
    const id = cookieOf(request, SESSION_COOKIE);
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.lastSeenAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  /** Opens a session for an authenticated caller and sets its cookie on the reply. */
  open(
    request: FastifyRequest,
    reply: FastifyReply,
    caller: Caller,
    roles: readonly ClientRole[],
  ): ConsoleSession {
    this.expire();
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: ConsoleSession = {
      caller,
      roles,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    this.sessions.set(id, session);
    reply.header('set-cookie', cookie(id, request.protocol === 'https', SESSION_IDLE_MS / 1000));
    return session;
  }

  /** Ends the request's session (CSRF-checked) and clears its cookie. */
  close(request: FastifyRequest, reply: FastifyReply): void {
    const id = cookieOf(request, SESSION_COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (id && session) {
      this.checkCsrf(request, session);
      this.sessions.delete(id);
    }
    reply.header('set-cookie', cookie('', request.protocol === 'https', 0));
  }

  /** Refuses a request sent from another origin (sign-in included: no login CSRF). */
  checkOrigin(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const host = request.headers.host;
    let sent: string | undefined;
    try {
      sent = new URL(origin).host;
    } catch {
      sent = undefined;
    }
    if (!host || sent !== host) throw csrfRefused('The request comes from another origin.');
  }

  private checkCsrf(request: FastifyRequest, session: ConsoleSession): void {
    this.checkOrigin(request);
    const token = request.headers[CSRF_HEADER];
    if (typeof token !== 'string' || !sameToken(token, session.csrfToken)) {
      throw csrfRefused(`Send the session's CSRF token in the ${CSRF_HEADER} header.`);
    }
  }

  private expire(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeenAt > SESSION_IDLE_MS || now - session.createdAt > SESSION_MAX_MS)
        this.sessions.delete(id);
    }
    // bounded: the oldest sessions give way first
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

function cookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    `Path=${CONSOLE_PATH}`,
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditLog } from '@lienthong/audit';
import { ProblemException } from '@lienthong/observability';
import {
  ClientRegistry,
  denial,
  RateLimiter,
  SessionAuthenticator,
  type ClientRole,
} from '@lienthong/security';
import { ConsoleSessions, type ConsoleSession } from './console-sessions';

/** The roles that may sign in to the console. */
const CONSOLE_ROLES: readonly ClientRole[] = ['OPERATOR', 'DATA_PROTECTION_OFFICER'];

export interface SessionView {
  clientId: string;
  name: string;
  roles: readonly ClientRole[];
  via: 'api-key' | 'mtls';
  csrfToken: string;
}

function view(session: ConsoleSession): SessionView {
  return {
    clientId: session.caller.clientId,
    name: session.caller.name,
    roles: session.roles,
    via: session.caller.via,
    csrfToken: session.csrfToken,
  };
}

/**
 * Sign-in and sign-out. POST /console/session exchanges an API key (in the body) or, without one, the
 * connection's client certificate for a session cookie; only a client holding the OPERATOR or
 * DATA_PROTECTION_OFFICER role may sign in; each sign-in of a registered client is audited. Public routes in
 * the table (they authenticate by themselves).
 */
@ApiExcludeController()
@Controller('console/session')
export class ConsoleSessionController {
  constructor(
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(SessionAuthenticator) private readonly sessions: ConsoleSessions,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  /** A sign-in of a known client, granted or refused for its roles, is an audit record (console.signin). */
  @Post()
  async signIn(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
  ): Promise<SessionView> {
    this.sessions.checkOrigin(request);
    const apiKey =
      typeof body === 'object' && body !== null ? (body as { apiKey?: unknown }).apiKey : undefined;
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '')) {
      throw new ProblemException(400, 'INVALID_REQUEST', 'Invalid sign-in', 'apiKey must be a string.');
    }
    const caller = this.registry.authenticate(
      apiKey
        ? { headers: { authorization: `Bearer ${apiKey}` }, raw: request.raw }
        : { headers: { ...request.headers, authorization: undefined }, raw: request.raw },
    );
    await this.limiter.enforce(caller);
    const roles = (this.registry.client(caller.clientId)?.roles ?? []).filter((role) =>
      CONSOLE_ROLES.includes(role),
    );
    await this.audit.recordAndWait({
      requestId: String(request.id),
      clientId: caller.clientId,
      credentialId: caller.credentialId,
      service: 'console.signin',
      upstream: 'gateway',
      subject: { kind: 'NONE' },
      outcome: roles.length ? 'OK' : 'DENIED',
      ...(roles.length ? {} : { outcomeCode: 'ROLE_REQUIRED' }),
    });
    if (roles.length === 0) {
      throw denial(
        'ROLE_REQUIRED',
        `The console needs the OPERATOR or DATA_PROTECTION_OFFICER role, which client "${caller.clientId}" lacks.`,
      );
    }
    return view(this.sessions.open(request, reply, caller, roles));
  }

  @Get()
  current(@Req() request: FastifyRequest): SessionView {
    const session = this.sessions.find(request);
    if (!session) {
      throw denial('UNAUTHENTICATED', 'Sign in to the console.');
    }
    return view(session);
  }

  @Delete()
  @HttpCode(204)
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): void {
    this.sessions.close(request, reply);
  }
}

import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy } from './access-policy';
import { ClientRegistry } from './client-registry';
import type { AccessScope, Caller, ClientRole } from './clients.types';
import { RateLimiter } from './rate-limiter';
import { denial } from './security.errors';
import { SessionAuthenticator } from './session-authenticator';
import { SERVICES, type ServiceName } from './services';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by AccessGuard: who is calling. */
    caller?: Caller;
    /** Set by AccessGuard: the service, purpose, dossier and field scope of this request. */
    access?: AccessScope;
  }
}

export const REQUIRED_SERVICE = 'lienthong:required-service';

/**
 * The routes that are not services of the client registry, by Fastify route pattern (`/docs/assets/:file`):
 * the one short list anyone may call, and the routes that need a role. Every other route needs the
 * service its handler declares with @RequiresService; a route with neither is refused (deny by default).
 */
export interface RouteAccess {
  public: readonly string[];
  /** A role the caller's client must hold; with a @RequiresService the service is checked as well. */
  roles: Readonly<Record<string, ClientRole>>;
}

export const ROUTE_ACCESS = 'lienthong:route-access';

/** What the guard needs to know of a dossier a request declares; the gateway's dossier store answers. */
export interface KnownDossier {
  agencyCode: string;
  /** In a terminal status (resolved and returned, refused, withdrawn, stopped). */
  closed: boolean;
}

/** Optional provider: where the guard looks up a declared dossier. Without it only the code is checked. */
export abstract class DossierDirectory {
  abstract find(dossierCode: string): Promise<KnownDossier | undefined>;
  /** These dossiers just changed: answer the next question about them from the store. */
  abstract forget(dossierCodes: Iterable<string>): void;
}

/**
 * The gateway's one global guard, deny by default. A public route passes; any other authenticates the
 * caller (401; a browser session of the {@link SessionAuthenticator}, when one is provided, first) and applies its rate limit (429); a role route needs the role (403 ROLE_REQUIRED); a
 * service route is authorised by the access policy with the purpose and dossier code the JSON body names
 * (`purpose`, `dossierCode`) and, where the gateway knows that dossier, it must be of the caller's
 * agencies (403 AGENCY_NOT_ALLOWED) and, for a purpose that serves a dossier, not closed (403
 * DOSSIER_CLOSED). It leaves `request.caller` and, once everything passed, `request.access` for the
 * controller. Refusals are problem+json. Kafka handlers are not HTTP routes and are left alone.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
    @Inject(ROUTE_ACCESS) private readonly routes: RouteAccess,
    @Optional() @Inject(DossierDirectory) private readonly dossiers?: DossierDirectory,
    @Optional() @Inject(SessionAuthenticator) private readonly sessions?: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions?.url ?? '';
    if (this.routes.public.includes(route)) return true;
    const caller = this.sessions?.authenticate(request) ?? this.registry.authenticate(request);
    request.caller = caller;
    await this.limiter.enforce(caller);
    const role = this.routes.roles[route];
    if (role !== undefined && !this.policy.hasRole(caller, role)) {
      throw denial(
        'ROLE_REQUIRED',
        `This route needs the ${role} role, which client "${caller.clientId}" lacks.`,
      );
    }
    const service = this.reflector.getAllAndOverride<ServiceName | undefined>(REQUIRED_SERVICE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!service) {
      if (role !== undefined) return true;
      throw denial('ROUTE_NOT_ALLOWED', 'This route is not granted to any client.');
    }
    const body = request.body;
    const declared =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as { purpose?: unknown; dossierCode?: unknown })
        : {};
    const access = this.policy.authorize(caller, service, {
      purpose: declared.purpose,
      dossierCode: declared.dossierCode,
    });
    await this.checkKnownDossier(caller, access);
    request.access = access;
    return true;
  }

  private async checkKnownDossier(caller: Caller, access: AccessScope): Promise<void> {
    if (!this.dossiers || access.dossierCode === undefined || !SERVICES[access.service].bindsDossier) return;
    const dossier = await this.dossiers.find(access.dossierCode);
    if (!dossier) return;
    if (!this.policy.agencyAllowed(caller.clientId, dossier.agencyCode)) {
      throw denial(
        'AGENCY_NOT_ALLOWED',
        `Dossier ${access.dossierCode} belongs to an agency client "${caller.clientId}" does not act for.`,
      );
    }
    const servesDossier = access.purpose && this.registry.purpose(access.purpose)?.requiresDossierCode;
    if (dossier.closed && servesDossier) {
      throw denial(
        'DOSSIER_CLOSED',
        `Dossier ${access.dossierCode} is closed: purpose ${access.purpose} serves only a dossier in progress.`,
      );
    }
  }
}

/** Marks a route (or a controller) as the given service; the global {@link AccessGuard} enforces it. */
export function RequiresService(service: ServiceName): MethodDecorator & ClassDecorator {
  return SetMetadata(REQUIRED_SERVICE, service);
}

/** The access scope AccessGuard decided for this request. */
export const CurrentAccess = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccessScope => {
    const access = context.switchToHttp().getRequest<FastifyRequest>().access;
    if (!access) throw new Error('@CurrentAccess() needs @RequiresService(...) on the route');
    return access;
  },
);

/** The authenticated caller of this request. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<FastifyRequest>().caller;
  if (!caller) throw new Error('@CurrentCaller() needs @RequiresService(...) on the route');
  return caller;
});

/** Who is calling, within which scope, in which exchange: what a guarded route hands its service. */
export interface CallContext {
  caller: Caller;
  access: AccessScope;
  /** The exchange's X-Request-Id. */
  requestId: string;
}

/** The caller, access scope and request id of this request, decided by AccessGuard. */
export const CurrentCall = createParamDecorator((_data: unknown, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  if (!request.caller || !request.access) {
    throw new Error('@CurrentCall() needs @RequiresService(...) on the route');
  }
  return { caller: request.caller, access: request.access, requestId: String(request.id) };
});

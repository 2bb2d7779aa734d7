import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccessPolicy } from './access-policy';
import { ClientRegistry } from './client-registry';
import type { AccessScope, Caller } from './clients.types';
import { RateLimiter } from './rate-limiter';
import type { ServiceName } from './services';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by LookupGuard: who is calling. */
    caller?: Caller;
    /** Set by LookupGuard: the service, purpose, dossier and field scope of this request. */
    access?: AccessScope;
  }
}

export const REQUIRED_SERVICE = 'lienthong:required-service';

/**
 * Authenticates the caller, applies its rate limit and authorises the route's service with the purpose
 * and dossier code the JSON body names (`purpose`, `dossierCode`), then leaves `request.caller` and
 * `request.access` for the controller. Refusals are problem+json (401, 429, 403, 400).
 */
@Injectable()
export class LookupGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ClientRegistry) private readonly registry: ClientRegistry,
    @Inject(RateLimiter) private readonly limiter: RateLimiter,
    @Inject(AccessPolicy) private readonly policy: AccessPolicy,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const service = this.reflector.getAllAndOverride<ServiceName | undefined>(REQUIRED_SERVICE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!service) throw new Error('LookupGuard is used on a route without @RequiresService(...)');
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const caller = this.registry.authenticate(request);
    request.caller = caller;
    this.limiter.enforce(caller);
    const body = request.body;
    const declared =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as { purpose?: unknown; dossierCode?: unknown })
        : {};
    request.access = this.policy.authorize(caller, service, {
      purpose: declared.purpose,
      dossierCode: declared.dossierCode,
    });
    return true;
  }
}

/** Marks a route (or a controller) as the given service and guards it with {@link LookupGuard}. */
export function RequiresService(service: ServiceName): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SERVICE, service), UseGuards(LookupGuard));
}

/** The access scope LookupGuard decided for this request. */
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

/** The caller, access scope and request id of this request, decided by LookupGuard. */
export const CurrentCall = createParamDecorator((_data: unknown, context: ExecutionContext): CallContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  if (!request.caller || !request.access) {
    throw new Error('@CurrentCall() needs @RequiresService(...) on the route');
  }
  return { caller: request.caller, access: request.access, requestId: String(request.id) };
});

import type { RouteAccess } from '@lienthong/security';

/** The public routes of the gateway: liveness, and a readiness probe that says 200 or 503 and nothing else. */
export const PUBLIC_ROUTES = ['/health/live', '/health/probe'] as const;

/** Operations routes: what they show (broker details, client and agency labels, the API) is for operators. */
export const OPERATIONS_ROUTES = [
  '/',
  '/metrics',
  '/health/ready',
  '/health/adapters',
  '/docs',
  '/docs/json',
  '/docs/assets/:file',
] as const;

/**
 * Who may call the gateway's routes that are not a service of the client registry (docs/security/access.md).
 * Every other route needs the service its handler declares; the global AccessGuard denies the rest.
 */
export const GATEWAY_ROUTE_ACCESS: RouteAccess = Object.freeze({
  public: PUBLIC_ROUTES,
  roles: Object.freeze({
    ...Object.fromEntries(OPERATIONS_ROUTES.map((route) => [route, 'OPERATOR' as const])),
    // the audit log of who looked up whom: the data-protection officer, with the audit.subjects grant too
    '/v1/audit/subjects/lookup': 'DATA_PROTECTION_OFFICER' as const,
  }),
});

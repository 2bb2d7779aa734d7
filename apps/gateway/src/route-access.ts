import type { RouteAccess } from '@lienthong/security';

/** The public routes of the gateway: liveness, and a readiness probe that says 200 or 503 and nothing else. */
export const PUBLIC_ROUTES = ['/health/live', '/health/probe'] as const;

/**
 * The national payment platform's result notifications: authenticated by the platform's checksum alone
 * (contracts/upstream/payment-platform), never by a client credential; each one is audited.
 */
export const PAYMENT_CALLBACK_ROUTES = ['/v1/payments/callback'] as const;

/**
 * The operations console's page, its assets and its sign-in route: they carry no data (the session route
 * authenticates by itself, and only OPERATOR or DATA_PROTECTION_OFFICER clients get a session).
 */
/**
 * The postal operator's tracking callbacks: no client credentials, authenticated by their signature alone
 * (401 INVALID_SIGNATURE otherwise, with a `PostalSignature` challenge).
 */
export const SIGNED_CALLBACK_ROUTES = ['/v1/deliveries/callbacks'] as const;

export const CONSOLE_PUBLIC_ROUTES = ['/console', '/console/assets/:file', '/console/session'] as const;

/** The console's data and actions: operators only, with a session cookie or the usual credentials. */
export const CONSOLE_OPERATOR_ROUTES = [
  '/console/api/overview',
  '/console/api/upstreams/:name',
  '/console/api/upstreams/:name/check',
  '/console/api/dead-letters',
  '/console/api/dead-letters/:id',
  '/console/api/dead-letters/replay',
  '/console/api/replays/:id',
  '/console/api/scorecard',
  '/console/api/scorecard/dossiers',
  '/console/api/portal-sync/gaps',
  '/console/api/portal-sync/again',
  '/console/api/certificates',
] as const;

/** The console's data-protection page: who looked up a person, and the audit chain's state. */
export const CONSOLE_DATA_PROTECTION_ROUTES = [
  '/console/api/data-protection/lookups',
  '/console/api/data-protection/audit-chain',
] as const;

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
  public: [...PUBLIC_ROUTES, ...CONSOLE_PUBLIC_ROUTES, ...PAYMENT_CALLBACK_ROUTES, ...SIGNED_CALLBACK_ROUTES],
  roles: Object.freeze({
    ...Object.fromEntries(
      [...OPERATIONS_ROUTES, ...CONSOLE_OPERATOR_ROUTES].map((route) => [route, 'OPERATOR' as const]),
    ),
    // the audit log of who looked up whom: the data-protection officer, with the audit.subjects grant too
    '/v1/audit/subjects/lookup': 'DATA_PROTECTION_OFFICER' as const,
    ...Object.fromEntries(
      CONSOLE_DATA_PROTECTION_ROUTES.map((route) => [route, 'DATA_PROTECTION_OFFICER' as const]),
    ),
    // a call to the national portal for each request: operators, with the indicators.read grant too
    '/v1/indicators/reconcile': 'OPERATOR' as const,
  }),
});

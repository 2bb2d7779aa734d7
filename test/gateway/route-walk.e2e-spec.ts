/**
 * Deny by default, checked on the real gateway: every route Nest registered, with every method it
 * answers, is called without credentials and must answer 401 unless it is on the one public list.
 * Every answer, public or refused, carries the security headers.
 */
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import {
  CONSOLE_PUBLIC_ROUTES,
  PAYMENT_CALLBACK_ROUTES,
  PUBLIC_ROUTES,
  SIGNED_CALLBACK_ROUTES,
} from '../../apps/gateway/src/route-access';
import { testEnv } from '../support/http';

interface Route {
  method: string;
  /** The Fastify route pattern, e.g. `/v1/dossiers/:dossierCode`. */
  url: string;
}

/** A value for each path parameter, so the call reaches the route's handler side of the router. */
const SAMPLE_PARAMS: Record<string, string> = {
  dossierCode: '000.17.22.H56-261031-0007',
  id: '9b2e4c1a-5d3f-4a6b-8c7d-0e1f2a3b4c5d',
  file: 'swagger-ui.css',
};

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');

/** Every handler of every controller in the app, as Nest maps it (controller path + method path). */
function routesOf(gateway: RunningGateway): Route[] {
  const routes: Route[] = [];
  for (const module of gateway.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!type) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, type) ?? ''].flat() as string[];
      const prototype = type.prototype as Record<string, unknown>;
      const names = new Set<string>();
      for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
        for (const name of Object.getOwnPropertyNames(p)) names.add(name);
      }
      for (const name of names) {
        const handler = name === 'constructor' ? undefined : prototype[name];
        if (typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (paths === undefined || method === undefined) continue;
        for (const prefix of prefixes) {
          for (const path of [paths].flat()) {
            routes.push({ method: RequestMethod[method], url: join(prefix, path) });
          }
        }
      }
    }
  }
  return routes;
}

/**
 * Every route Fastify serves, from its route tree (`printRoutes`), HEAD left out (Fastify adds one per
 * GET): a route registered on Fastify directly, past Nest and its guard, shows here and not in Nest's.
 */
function fastifyRoutes(gateway: RunningGateway): Route[] {
  const tree = gateway.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: Route[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    // the root line is indented by one level ("└── /"), every level below by one more
    const depth = match[1].length / 4 - 1;
    stack.length = depth;
    const url = (depth > 0 ? stack[depth - 1] : '') + match[2];
    stack[depth] = url;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, url });
    }
  }
  return routes;
}

const sortedNames = (routes: Route[]) => routes.map((route) => `${route.method} ${route.url}`).sort();

describe('every gateway route without credentials', () => {
  let gateway: RunningGateway;
  let routes: Route[];

  beforeAll(async () => {
    gateway = await startGateway({ env: testEnv() });
    routes = routesOf(gateway);
  }, 60_000);

  afterAll(() => gateway?.close());

  it('finds the routes Nest registered, and Fastify serves no other', () => {
    const fastify = gateway.app.getHttpAdapter().getInstance();
    expect(sortedNames(fastifyRoutes(gateway))).toEqual(sortedNames(routes));
    // the walk would prove nothing if it missed the API, the operations routes or the docs
    expect(routes.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/citizens/lookup',
        'POST /v1/dossier-events',
        'GET /v1/dossiers/:dossierCode',
        'POST /v1/documents/:id/revoke',
        'POST /v1/audit/subjects/lookup',
        'GET /metrics',
        'GET /health/ready',
        'GET /health/adapters',
        'GET /docs',
        'GET /docs/json',
        'GET /docs/assets/:file',
        'GET /',
      ]),
    );
    for (const route of routes) {
      expect([route, fastify.hasRoute({ method: route.method as 'GET', url: route.url })]).toEqual([
        route,
        true,
      ]);
    }
  });

  it('answers 401 on every route but the public ones, with security headers on every answer', async () => {
    const open: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:([A-Za-z]+)/g, (_match, name: string) => SAMPLE_PARAMS[name] ?? 'x');
      const response = await fetch(`${gateway.url}${url}`, {
        method: route.method,
        ...(route.method === 'GET' || route.method === 'HEAD'
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: '{}' }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      // the console's page, assets and sign-in route hold no data (test/console covers what they answer); the
      // payment platform's callback authenticates by its checksum (below, and test/payments)
      const publicRoute = (
        [...PUBLIC_ROUTES, ...CONSOLE_PUBLIC_ROUTES, ...PAYMENT_CALLBACK_ROUTES] as readonly string[]
      ).includes(route.url);
      if (response.status !== 401 && !publicRoute)
        open.push(`${route.method} ${route.url} -> ${response.status}`);
      // an upstream's callbacks carry no client credentials: their signature is the challenge
      const signedRoute = (SIGNED_CALLBACK_ROUTES as readonly string[]).includes(route.url);
      if (!publicRoute)
        expect([route.url, response.headers.get('www-authenticate')]).toEqual([
          route.url,
          expect.stringContaining(signedRoute ? 'PostalSignature' : 'Bearer'),
        ]);
      expect([route.url, response.headers.get('x-content-type-options')]).toEqual([route.url, 'nosniff']);
      expect([route.url, response.headers.get('content-security-policy')]).toEqual([
        route.url,
        expect.stringContaining("default-src 'self'"),
      ]);
    }
    expect(open).toEqual([]);
  });

  it('keeps the public list short: liveness and a readiness probe that reveals nothing', async () => {
    expect([...PUBLIC_ROUTES].sort()).toEqual(['/health/live', '/health/probe']);
    expect([...CONSOLE_PUBLIC_ROUTES].sort()).toEqual([
      '/console',
      '/console/assets/:file',
      '/console/session',
    ]);
    // the payment callback: nothing without the platform's checksum
    expect([...PAYMENT_CALLBACK_ROUTES]).toEqual(['/v1/payments/callback']);
    const callback = await fetch(`${gateway.url}/v1/payments/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(callback.status).toBeGreaterThanOrEqual(400);
    expect(callback.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect([...SIGNED_CALLBACK_ROUTES]).toEqual(['/v1/deliveries/callbacks']);
    const probe = await fetch(`${gateway.url}/health/probe`);
    expect([200, 503]).toContain(probe.status);
    expect(Object.keys((await probe.json()) as object)).toEqual(['status']);
  });
});

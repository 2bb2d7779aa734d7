import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '@lienthong/security';
import { ProblemException } from '@lienthong/observability';
import { parseFilter } from './console-api.controller';
import { quantileOf } from './console-overview';
import { ConsoleSessions, SESSION_IDLE_MS } from './console-sessions';

const caller: Caller = Object.freeze({
  clientId: 'ops',
  name: 'Vận hành',
  kind: 'ADMIN',
  admin: false,
  via: 'api-key',
  credentialId: 'k1',
});

function request(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
  protocol: 'http' | 'https' = 'http',
) {
  return {
    url,
    method,
    headers: { host: 'gw.example:3000', ...headers },
    protocol,
  } as unknown as FastifyRequest;
}

function reply() {
  const headers: Record<string, string> = {};
  const value = {
    headers,
    header(name: string, v: string) {
      headers[name] = v;
      return value;
    },
  };
  return value as typeof value & FastifyReply;
}

function problemCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return (error as ProblemException).code;
  }
  return undefined;
}

describe('console sessions', () => {
  function signedIn(protocol: 'http' | 'https' = 'http') {
    const sessions = new ConsoleSessions();
    let now = 1_000_000;
    sessions.now = () => now;
    const answer = reply();
    const session = sessions.open(request('/console/session', 'POST', {}, protocol), answer, caller, [
      'OPERATOR',
    ]);
    const cookie = answer.headers['set-cookie'];
    const id = /^lt_console=([^;]+);/.exec(cookie)![1];
    return { sessions, session, cookie, id, advance: (ms: number) => (now += ms) };
  }

  it('sets an HttpOnly, SameSite=Strict cookie scoped to /console, Secure over HTTPS', () => {
    expect(signedIn().cookie).toMatch(
      /^lt_console=[\w-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=900$/,
    );
    expect(signedIn('https').cookie).toMatch(/; Secure$/);
  });

  it('authenticates console API reads by cookie, and nothing outside /console/api', () => {
    const { sessions, id } = signedIn();
    const cookie = { cookie: `other=1; lt_console=${id}` };
    expect(sessions.authenticate(request('/console/api/overview', 'GET', cookie))).toBe(caller);
    expect(sessions.authenticate(request('/v1/citizens/lookup', 'POST', cookie))).toBeUndefined();
    expect(sessions.authenticate(request('/metrics', 'GET', cookie))).toBeUndefined();
    expect(
      sessions.authenticate(request('/console/api/overview', 'GET', { cookie: 'lt_console=forged' })),
    ).toBeUndefined();
  });

  it('refuses a state-changing request without the CSRF token or from another origin', () => {
    const { sessions, session, id } = signedIn();
    const url = '/console/api/dead-letters/replay';
    const cookie = `lt_console=${id}`;
    expect(problemCode(() => sessions.authenticate(request(url, 'POST', { cookie })))).toBe('CSRF_REFUSED');
    expect(
      problemCode(() =>
        sessions.authenticate(request(url, 'POST', { cookie, 'x-csrf-token': 'x'.repeat(32) })),
      ),
    ).toBe('CSRF_REFUSED');
    expect(
      problemCode(() =>
        sessions.authenticate(
          request(url, 'POST', { cookie, 'x-csrf-token': session.csrfToken, origin: 'https://evil.example' }),
        ),
      ),
    ).toBe('CSRF_REFUSED');
    expect(
      sessions.authenticate(
        request(url, 'POST', { cookie, 'x-csrf-token': session.csrfToken, origin: 'http://gw.example:3000' }),
      ),
    ).toBe(caller);
  });

  it('ends a session after 15 idle minutes, and at sign-out', () => {
    const first = signedIn();
    const read = (s: ConsoleSessions, id: string) =>
      s.authenticate(request('/console/api/overview', 'GET', { cookie: `lt_console=${id}` }));
    first.advance(SESSION_IDLE_MS - 1);
    expect(read(first.sessions, first.id)).toBe(caller);
    first.advance(SESSION_IDLE_MS + 1);
    expect(read(first.sessions, first.id)).toBeUndefined();

    const second = signedIn();
    const out = reply();
    second.sessions.close(
      request('/console/session', 'DELETE', {
        cookie: `lt_console=${second.id}`,
        'x-csrf-token': second.session.csrfToken,
      }),
      out,
    );
    expect(out.headers['set-cookie']).toMatch(/^lt_console=; .*Max-Age=0/);
    expect(read(second.sessions, second.id)).toBeUndefined();
  });
});

describe('overview quantiles', () => {
  it('interpolates inside the bucket, as histogram_quantile does', () => {
    // 10 calls: 5 under 10 ms, 4 more under 100 ms, 1 more under 1 s
    const buckets = new Map([
      [0.01, 5],
      [0.1, 9],
      [1, 10],
      [Infinity, 10],
    ]);
    expect(quantileOf(buckets, 0.5)).toBe(10);
    expect(quantileOf(buckets, 0.99)).toBe(910);
    expect(quantileOf(new Map([[Infinity, 0]]), 0.5)).toBeNull();
  });
});

describe('dead-letter filter', () => {
  it('takes ids, a reason code, a topic and a time range, and refuses anything else as problem+json', () => {
    expect(
      parseFilter({
        ids: '0-12,2-7',
        code: 'PORTAL_REJECTED',
        topic: 'lgsp.dossier.status.v1',
        since: '2026-11-01T00:00:00+07:00',
      }),
    ).toEqual({
      ids: ['0-12', '2-7'],
      code: 'PORTAL_REJECTED',
      sourceTopic: 'lgsp.dossier.status.v1',
      since: new Date('2026-10-31T17:00:00Z'),
      until: undefined,
    });
    expect(problemCode(() => parseFilter({ ids: ['0-1', 'drop table'] }))).toBe('INVALID_FILTER');
    expect(problemCode(() => parseFilter({ since: 'yesterday' }))).toBe('INVALID_FILTER');
    expect(problemCode(() => parseFilter({ code: 'lower' }))).toBe('INVALID_FILTER');
  });
});

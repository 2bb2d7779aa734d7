import { ClientCredentialsTokens, TokenEndpointErrors } from './client-credentials';

class Refused extends Error {
  constructor(
    readonly kind: string,
    readonly status: number,
    readonly oauthError?: string,
  ) {
    super(kind);
  }
}

const errors: TokenEndpointErrors = {
  clientRejected: (status, oauthError) => new Refused('client', status, oauthError),
  grantRejected: (status, oauthError) => new Refused('grant', status, oauthError),
  unavailable: (status) => new Refused('unavailable', status),
  malformed: (message) => new Refused(`malformed: ${message}`, 200),
};

function tokens(now: { t: number }) {
  return new ClientCredentialsTokens({
    clientId: 'gw client',
    clientSecret: 's3cret:+',
    scope: 'read',
    refreshMarginMs: 30_000,
    defaultLifetimeMs: 300_000,
    errors,
    now: () => now.t,
  });
}

const ok = (value: string, expiresIn?: number) => ({
  status: 200,
  body: JSON.stringify({ access_token: value, token_type: 'Bearer', expires_in: expiresIn }),
});

describe('ClientCredentialsTokens', () => {
  it('builds the RFC 6749 request: Basic over form-encoded id and secret, grant and scope in the body', () => {
    const cache = tokens({ t: 0 });
    expect(Buffer.from(cache.authorization.replace('Basic ', ''), 'base64').toString()).toBe(
      'gw+client:s3cret%3A%2B',
    );
    expect(cache.requestBody()).toBe('grant_type=client_credentials&scope=read');
  });

  it('keeps a token until its refresh margin, sharing one request among concurrent callers', async () => {
    const now = { t: 0 };
    const cache = tokens(now);
    let sent = 0;
    const fetch = async () => ok(`t${++sent}`, 3600);
    expect(await Promise.all([cache.token(fetch), cache.token(fetch), cache.token(fetch)])).toEqual([
      't1',
      't1',
      't1',
    ]);
    now.t = 3_569_999;
    expect(await cache.token(fetch)).toBe('t1');
    now.t = 3_570_000;
    expect(await cache.token(fetch)).toBe('t2');
    cache.invalidate('t2');
    expect(await cache.token(fetch)).toBe('t3');
    expect(cache.fetches).toBe(3);
  });

  it('caps the margin at a tenth of a short lifetime and assumes the default lifetime when none is given', async () => {
    const now = { t: 0 };
    const cache = tokens(now);
    let sent = 0;
    expect(await cache.token(async () => ok(`short${++sent}`, 10))).toBe('short1');
    now.t = 8_999;
    expect(await cache.token(async () => ok(`short${++sent}`))).toBe('short1');
    now.t = 9_000;
    expect(await cache.token(async () => ok(`default${++sent}`))).toBe('default2');
    now.t = 9_000 + 269_999;
    expect(await cache.token(async () => ok('never'))).toBe('default2');
  });

  it.each([
    [401, '', 'client', undefined],
    [400, '{"error":"invalid_client"}', 'client', 'invalid_client'],
    [400, '{"error":"invalid_scope"}', 'grant', 'invalid_scope'],
    [400, '{"error":"something_else"}', 'unavailable', undefined],
    [503, 'busy', 'unavailable', undefined],
  ])('classifies HTTP %i %s as %s', async (status, body, kind, oauthError) => {
    const failure = await tokens({ t: 0 })
      .token(async () => ({ status, body }))
      .catch((error: Refused) => error);
    expect(failure).toMatchObject({ kind, status, oauthError });
  });

  it.each([
    ['{"token_type":"Bearer"}', 'without an access_token'],
    ['{"access_token":"x","token_type":"mac"}', 'not a bearer token'],
    ['not json', 'without an access_token'],
  ])('refuses a 200 answer %s', async (body, reason) => {
    const cache = tokens({ t: 0 });
    const failure = await cache.token(async () => ({ status: 200, body })).catch((error: Refused) => error);
    expect((failure as Refused).kind).toContain(reason);
    expect(await cache.token(async () => ok('after'))).toBe('after');
  });
});

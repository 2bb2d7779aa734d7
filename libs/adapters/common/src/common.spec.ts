import { AdapterCalls, AdapterErrorKit } from './adapter-calls';
import { AdapterError, type UpstreamErrorKind } from './adapter-errors';
import { RecentCalls } from './adapter-health';
import { DEFAULT_RESILIENCE, ResiliencePolicy } from './resilience';
import { header, RawAnswer, retryAfterMs } from './upstream-http';

/** What the adapters' own specs do not reach: the generic branches, with a minimal error family. */
type TestCode = 'T_NOT_FOUND' | 'T_INVALID' | 'T_UNAVAILABLE' | 'T_TIMEOUT' | 'T_MALFORMED';
const TEST_KINDS: Record<TestCode, UpstreamErrorKind> = {
  T_NOT_FOUND: 'NOT_FOUND',
  T_INVALID: 'INVALID_REQUEST',
  T_UNAVAILABLE: 'UNAVAILABLE',
  T_TIMEOUT: 'TIMEOUT',
  T_MALFORMED: 'MALFORMED_RESPONSE',
};

class TestError extends AdapterError<TestCode> {
  readonly adapter = 'test';
  get kind(): UpstreamErrorKind {
    return TEST_KINDS[this.code];
  }

  constructor(
    readonly code: TestCode,
    readonly transient: boolean,
    message: string,
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const kit: AdapterErrorKit<TestError> = {
  base: TestError,
  codes: { notFound: 'T_NOT_FOUND', invalidRequest: 'T_INVALID', unavailable: 'T_UNAVAILABLE' },
  invalidRequest: (field) => new TestError('T_INVALID', false, field),
  unavailable: (reason, message, _details, options) =>
    new TestError('T_UNAVAILABLE', true, message, reason, options),
  network: (message, options) => new TestError('T_UNAVAILABLE', true, message, 'NETWORK', options),
  timeout: (timeoutMs) => new TestError('T_TIMEOUT', true, `${timeoutMs} ms`),
  malformed: (message, options) => new TestError('T_MALFORMED', true, message, undefined, options),
};

const calls = new AdapterCalls<TestError, 'get'>({
  adapter: 'common-spec',
  upstream: 'test upstream',
  title: 'test',
  resilience: { ...DEFAULT_RESILIENCE, retries: 0 },
  errors: kit,
});
const ctx = { requestId: 'spec-1' };

describe('AdapterCalls', () => {
  it('turns an unexpected failure into an unavailable error of the adapter', async () => {
    const failure = calls.call('get', ctx, async () => {
      throw new RangeError('boom');
    });
    await expect(failure).rejects.toMatchObject({ code: 'T_UNAVAILABLE', reason: 'NETWORK' });
    await expect(failure).rejects.toThrow('unexpected failure: RangeError');
  });

  it('maps transport failures by their undici code', async () => {
    const send = (code: string) =>
      calls.call('get', ctx, (attempts) =>
        attempts((signal) =>
          calls.exchange(signal, () => Promise.reject(Object.assign(new Error(code), { code }))),
        ),
      );
    await expect(send('UND_ERR_RES_EXCEEDED_MAX_SIZE')).rejects.toMatchObject({ code: 'T_MALFORMED' });
    await expect(send('UND_ERR_HEADERS_TIMEOUT')).rejects.toMatchObject({ code: 'T_TIMEOUT' });
    await expect(send('ECONNRESET')).rejects.toThrow('connection to the test upstream failed (ECONNRESET)');
  });

  it('builds a policy with a sampling breaker', () => {
    const policy = new ResiliencePolicy({
      ...DEFAULT_RESILIENCE,
      breaker: { kind: 'sampling', threshold: 0.5, durationMs: 10_000, minimumRps: 1 },
    });
    expect(policy.circuit).toBe('closed');
  });
});

describe('RecentCalls', () => {
  it('forgets calls older than the window', () => {
    let now = 0;
    const recent = new RecentCalls(4, 1_000, () => now);
    recent.record(100, true);
    now = 2_000;
    recent.record(10, false);
    recent.record(30, false);
    expect(recent.snapshot()).toEqual({ p50: 30, p99: 30, errorRate: 0, count: 2 });
  });
});

describe('upstream answers', () => {
  const answer = (headers: RawAnswer['headers']): RawAnswer => ({ status: 503, headers, body: '' });

  it('joins repeated headers', () => {
    expect(header(answer({ via: ['a', 'b'] }), 'via')).toBe('a, b');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs(answer({ 'retry-after': '3' }))).toBe(3_000);
    const at = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(answer({ 'retry-after': at }))).toBeGreaterThan(50_000);
    expect(retryAfterMs(answer({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(answer({}))).toBeUndefined();
  });
});

import { metricsRegistry } from '@lienthong/observability';
import { AdapterCalls } from './adapter-calls';
import {
  isTransientUpstreamError,
  UpstreamError,
  UpstreamErrors,
  upstreamRetryAfterMs,
} from './adapter-errors';
import { RecentCalls } from './adapter-health';
import { DEFAULT_RESILIENCE, ResiliencePolicy } from './resilience';
import { diagnosis } from './upstream-adapter';
import { header, RawAnswer, retryAfterMs } from './upstream-http';

/** What the adapters' own specs do not reach: the generic branches, with a minimal error family. */
const errors = new UpstreamErrors({
  adapter: 'common-spec',
  upstream: 'test upstream',
  codes: {
    T_NOT_FOUND: 'NOT_FOUND',
    T_INVALID: 'INVALID_REQUEST',
    T_UNAVAILABLE: 'UNAVAILABLE',
    T_RATE_LIMITED: 'UNAVAILABLE',
    T_TIMEOUT: 'TIMEOUT',
    T_MALFORMED: 'MALFORMED_RESPONSE',
  },
});

const calls = new AdapterCalls<UpstreamError, 'get'>({
  adapter: 'common-spec',
  upstream: 'test upstream',
  title: 'test',
  resilience: { ...DEFAULT_RESILIENCE, retries: 0 },
  errors: errors.kit(),
});
const ctx = { requestId: 'spec-1' };

describe('AdapterCalls', () => {
  it('turns an unexpected failure into an unavailable error of the adapter', async () => {
    const failure = calls.call('get', ctx, async () => {
      throw new RangeError('boom');
    });
    await expect(failure).rejects.toMatchObject({
      code: 'T_UNAVAILABLE',
      kind: 'UNAVAILABLE',
      transient: true,
      details: { reason: 'NETWORK' },
    });
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

  it("labels each call's outcome by the kind of its error, whatever the adapter's code", async () => {
    const outcomes = async () =>
      (await metricsRegistry.getSingleMetric('lgsp_adapter_duration_seconds')!.get()).values
        .filter(
          (v) =>
            v.labels.adapter === 'common-spec' &&
            (v as { metricName?: string }).metricName?.endsWith('_count'),
        )
        .reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v.labels.outcome)]: v.value }), {});
    const before = await outcomes();
    const fail = (error: Error) =>
      calls
        .call('get', ctx, async () => {
          throw error;
        })
        .catch(() => undefined);
    await fail(errors.notFound('nobody'));
    await fail(errors.invalidRequest('name', 'upstream'));
    await fail(errors.error('T_RATE_LIMITED', 'circuit open', { reason: 'CIRCUIT_OPEN' }));
    await fail(errors.unavailable('HTTP_STATUS', 'HTTP 503'));
    const after = await outcomes();
    const added = (outcome: string) => (after[outcome] ?? 0) - (before[outcome] ?? 0);
    expect(['not_found', 'invalid', 'short_circuit', 'error'].map(added)).toEqual([1, 1, 1, 1]);
  });

  it('builds a policy with a sampling breaker', () => {
    const policy = new ResiliencePolicy({
      ...DEFAULT_RESILIENCE,
      breaker: { kind: 'sampling', threshold: 0.5, durationMs: 10_000, minimumRps: 1 },
    });
    expect(policy.circuit).toBe('closed');
  });
});

describe('UpstreamErrors', () => {
  it('gives each code its kind, and the first code of a kind to the shared helpers', () => {
    expect(errors.error('T_RATE_LIMITED', 'slow down', { retryAfterMs: 2_000 })).toMatchObject({
      adapter: 'common-spec',
      code: 'T_RATE_LIMITED',
      kind: 'UNAVAILABLE',
      transient: true,
    });
    expect(errors.unavailable('NETWORK', 'down')).toMatchObject({ code: 'T_UNAVAILABLE' });
    expect(errors.invalidRequest('name', 'upstream')).toMatchObject({
      code: 'T_INVALID',
      kind: 'INVALID_REQUEST',
      transient: false,
      details: { field: 'name', source: 'upstream' },
      message: 'invalid request: name (refused by the upstream)',
    });
    expect(errors.timeout(250, 'token').message).toBe(
      'the test upstream token endpoint did not answer within 250 ms',
    );
  });

  it('tells its own errors, transient ones and a requested wait from anything else', () => {
    const slowDown = errors.error('T_RATE_LIMITED', 'slow down', { retryAfterMs: 2_000 });
    const other = new UpstreamError('elsewhere', 'X_NOT_FOUND', 'NOT_FOUND', 'no');
    expect(errors.owns(slowDown)).toBe(true);
    expect(errors.owns(other)).toBe(false);
    expect(errors.owns(new Error('plain'))).toBe(false);
    expect(isTransientUpstreamError(slowDown)).toBe(true);
    expect(isTransientUpstreamError(other)).toBe(false);
    expect(upstreamRetryAfterMs(slowDown)).toBe(2_000);
    expect(upstreamRetryAfterMs(other)).toBeUndefined();
  });
});

describe('diagnosis', () => {
  it('passes an answer and the not-found of an identifier no one holds, and fails anything else', async () => {
    await expect(diagnosis(async () => ({}))).resolves.toMatchObject({ answer: 'answered' });
    await expect(
      diagnosis(async () => {
        throw errors.notFound('nobody');
      }),
    ).resolves.toEqual({
      answer: 'T_NOT_FOUND',
      detail: 'Answered T_NOT_FOUND, as expected for an identifier no one holds.',
    });
    await expect(
      diagnosis(async () => {
        throw errors.timeout(100);
      }),
    ).rejects.toMatchObject({ code: 'T_TIMEOUT', kind: 'TIMEOUT' });
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

import { businessRegistryErrors } from '@lienthong/adapters/business-registry';
import { landErrors } from '@lienthong/adapters/land';
import { populationErrors } from '@lienthong/adapters/population';
import { ProblemException } from '@lienthong/observability';
import { mapLookupError, retryAfterSeconds, UpstreamNotConfiguredError } from './lookup-errors';

const options = { retryAfterMs: 5_000 };

function mapped(error: unknown) {
  const failure = mapLookupError(error, options);
  return {
    status: failure.problem?.status,
    code: failure.problem?.code,
    outcome: failure.outcome,
    outcomeCode: failure.outcomeCode,
    staleEligible: failure.staleEligible,
    upstreamCalled: failure.upstreamCalled,
    retryAfter: failure.problem?.headers['Retry-After'],
  };
}

describe('mapLookupError', () => {
  it.each([
    [populationErrors.notFound('no citizen'), 'CITIZEN_NOT_FOUND'],
    [businessRegistryErrors.notFound('no enterprise', { subject: 'ENTERPRISE' }), 'ENTERPRISE_NOT_FOUND'],
    [landErrors.notFound('no parcel', { lookup: 'PARCEL' }), 'LAND_PARCEL_NOT_FOUND'],
  ])('answers 404 with the adapter’s code for %p', (error, code) => {
    expect(mapped(error)).toMatchObject({
      status: 404,
      code,
      outcome: 'NOT_FOUND',
      outcomeCode: code,
      staleEligible: false,
      upstreamCalled: true,
    });
  });

  it('answers 503 with Retry-After for an unavailable or slow upstream, and allows a stale answer', () => {
    expect(mapped(populationErrors.unavailable('NETWORK', 'connection reset'))).toEqual({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      outcome: 'UPSTREAM_ERROR',
      outcomeCode: 'UPSTREAM_UNAVAILABLE',
      staleEligible: true,
      upstreamCalled: true,
      retryAfter: '5',
    });
    expect(mapped(populationErrors.timeout(3000))).toMatchObject({
      status: 503,
      code: 'UPSTREAM_TIMEOUT',
      staleEligible: true,
      retryAfter: '5',
    });
    expect(mapped(landErrors.timeout(3000))).toMatchObject({ status: 503, code: 'UPSTREAM_TIMEOUT' });
    // The upstream's own Retry-After wins over the default.
    expect(
      mapped(businessRegistryErrors.unavailable('HTTP_STATUS', '429', { status: 429, retryAfterMs: 12_500 })),
    ).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE', retryAfter: '13' });
  });

  it('names an open circuit, which made no upstream call, and gives its remaining time as Retry-After', () => {
    expect(
      mapped(populationErrors.unavailable('CIRCUIT_OPEN', 'circuit open', { retryAfterMs: 1_200 })),
    ).toEqual({
      status: 503,
      code: 'UPSTREAM_CIRCUIT_OPEN',
      outcome: 'UPSTREAM_ERROR',
      outcomeCode: 'UPSTREAM_CIRCUIT_OPEN',
      staleEligible: true,
      upstreamCalled: false,
      retryAfter: '2',
    });
    expect(mapped(populationErrors.unavailable('BULKHEAD_FULL', 'full'))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      upstreamCalled: false,
    });
  });

  it('refuses a bad signature or a malformed answer with 502 and never allows stale data for it', () => {
    const signature = mapLookupError(
      populationErrors.badSignature('DIGEST_MISMATCH', 'digest mismatch'),
      options,
    );
    expect(signature.problem).toMatchObject({ status: 502, code: 'UPSTREAM_BAD_SIGNATURE' });
    expect(signature.staleEligible).toBe(false);
    expect(signature.outcome).toBe('UPSTREAM_ERROR');
    expect(mapped(populationErrors.malformed('truncated'))).toMatchObject({
      status: 502,
      code: 'UPSTREAM_MALFORMED_RESPONSE',
      staleEligible: false,
    });
    expect(mapped(landErrors.malformed('bad xml'))).toMatchObject({
      code: 'UPSTREAM_MALFORMED_RESPONSE',
    });
  });

  it("answers 502 UPSTREAM_AUTH_FAILED when an upstream refuses the gateway's own credentials", () => {
    for (const error of [
      populationErrors.authentication('SIGNATURE_REJECTED', 'refused', {
        upstreamCode: 'CHU_KY_KHONG_HOP_LE',
      }),
      businessRegistryErrors.authentication('CLIENT_REJECTED', 'invalid_client'),
      landErrors.authentication('KEY_REJECTED', 'HTTP 401', { status: 401 }),
    ]) {
      expect(mapped(error)).toMatchObject({
        status: 502,
        code: 'UPSTREAM_AUTH_FAILED',
        staleEligible: false,
      });
    }
  });

  it('separates a request the adapter refused (400) from one the upstream refused (422)', () => {
    const local = mapLookupError(populationErrors.invalidRequest('personalId', 'adapter'), options);
    expect(local.problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(local.problem?.errors).toEqual([
      { path: '/personalId', code: 'INVALID', message: 'is not valid' },
    ]);
    expect(local.outcome).toBe('INVALID');
    expect(local.upstreamCalled).toBe(false);
    expect(mapped(populationErrors.invalidRequest(undefined, 'upstream'))).toMatchObject({
      status: 422,
      code: 'UPSTREAM_REJECTED_REQUEST',
      outcome: 'INVALID',
    });
  });

  it('answers 503 UPSTREAM_NOT_CONFIGURED without Retry-After for an upstream without URL', () => {
    expect(mapped(new UpstreamNotConfiguredError('land'))).toEqual({
      status: 503,
      code: 'UPSTREAM_NOT_CONFIGURED',
      outcome: 'UPSTREAM_ERROR',
      outcomeCode: 'UPSTREAM_NOT_CONFIGURED',
      staleEligible: false,
      upstreamCalled: false,
      retryAfter: undefined,
    });
  });

  it('keeps problems raised by the gateway and derives their outcome from the status', () => {
    const forbidden = new ProblemException(403, 'FIELD_NOT_ALLOWED', 'Field not allowed');
    expect(mapLookupError(forbidden, options)).toMatchObject({
      problem: forbidden,
      outcome: 'DENIED',
      outcomeCode: 'FIELD_NOT_ALLOWED',
    });
    expect(mapLookupError(new ProblemException(400, 'INVALID_PERSONAL_ID', 'x'), options).outcome).toBe(
      'INVALID',
    );
    expect(mapLookupError(new ProblemException(429, 'RATE_LIMITED', 'x'), options).outcome).toBe('DENIED');
  });

  it('leaves an unexpected failure to the global filter (500) and records it as ERROR', () => {
    expect(mapLookupError(new TypeError('bug'), options)).toEqual({
      outcome: 'ERROR',
      outcomeCode: 'INTERNAL',
      staleEligible: false,
      upstreamCalled: false,
    });
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(0)).toBe('1');
    expect(retryAfterSeconds(1)).toBe('1');
    expect(retryAfterSeconds(1_001)).toBe('2');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, Element } from '@xmldom/xmldom';
import { MockAgent } from 'undici';
import { validate } from '@lienthong/contracts';
import { metricsRegistry } from '@lienthong/observability';
import { createDevPki, DevPkiMaterial, readXml, XmlSignatureVerifier } from '@lienthong/pki';
import { PopulationError, PopulationClient, PopulationClientOptions, populationErrors } from './index';
import { recordedSample, recordedSignerCertificate } from './testing/population-fixtures';

/**
 * The client against recorded answers of the population simulator. undici's MockAgent stands in for the
 * connection pool (nock sees only node's http modules, not undici's sockets; population.client.nock.spec.ts
 * replays the same samples through nock over a NodeHttpDispatcher): the request is built, signed and sent
 * through the client's real code path, and the recorded bytes come back.
 */

const ORIGIN = 'https://csdlqg.test';
const ENDPOINT = `${ORIGIN}/ws/congdan`;
const NOW = new Date('2026-01-15T02:30:05Z');

async function failure(promise: Promise<unknown>): Promise<PopulationError> {
  try {
    await promise;
  } catch (error) {
    if (populationErrors.owns(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('PopulationClient on recorded wire samples', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let agent: MockAgent;
  let client: PopulationClient;
  let sent: { body: string; headers: Record<string, string> }[];

  function options(overrides: Partial<PopulationClientOptions> = {}): PopulationClientOptions {
    const gateway = pki.get('gateway');
    return {
      endpoint: ENDPOINT,
      tls: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
      requestSigning: { privateKey: gateway.keyPem, certificatePem: gateway.certPem },
      upstreamSigningCertificates: recordedSignerCertificate(),
      clock: () => NOW,
      dispatcher: agent,
      resilience: {
        timeoutMs: 300,
        retries: 1,
        retryInitialDelayMs: 1,
        retryMaxDelayMs: 5,
        breaker: { kind: 'consecutive', failures: 3 },
        halfOpenAfterMs: 200,
      },
      ...overrides,
    };
  }

  /** Answers the next `times` requests with a recorded sample (or any body), recording what was sent. */
  function answer(body: string, status: number, times = 1, delayMs = 0): void {
    const scope = agent
      .get(ORIGIN)
      .intercept({ path: '/ws/congdan', method: 'POST' })
      .reply((request) => {
        sent.push({ body: String(request.body), headers: request.headers as Record<string, string> });
        return {
          statusCode: status,
          data: body,
          responseOptions: { headers: { 'content-type': 'text/xml; charset=utf-8' } },
        };
      })
      .times(times);
    if (delayMs > 0) scope.delay(delayMs);
  }

  const replay = (file: string, times = 1) => {
    const sample = recordedSample(file);
    answer(sample.body, sample.status, times);
    return sample;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-population-client-'));
    pki = createDevPki(dir, { agencies: [] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    sent = [];
    client = new PopulationClient(options());
  });
  afterEach(async () => {
    await client.close();
    await agent.close();
  });

  it('maps a recorded lookup to the canonical citizen, with provenance and validity', async () => {
    const sample = replay('lookup-ok.xml');
    const citizen = await client.lookupCitizen(sample.personalId, { requestId: sample.requestId });
    expect(validate('citizen', citizen).ok).toBe(true);
    expect(citizen).toEqual({
      personalId: '083094732927',
      legacyIdCard: '276402595',
      fullName: 'Nguyễn Thành Nghĩa',
      dateOfBirth: '1994-03-11',
      sex: 'MALE',
      nationality: 'VN',
      ethnicity: 'Kinh',
      religion: 'Không',
      placeOfOrigin: {
        communeCode: '28621',
        communeName: 'Xã Hậu Kim',
        provinceCode: '86',
        provinceName: 'Tỉnh Vĩnh Long',
      },
      permanentResidence: {
        detail: 'Ấp 1',
        communeCode: '26251',
        communeName: 'Xã Kim Châu',
        provinceCode: '79',
        provinceName: 'Thành phố Hồ Chí Minh',
      },
      currentResidence: {
        detail: 'Ấp 10',
        communeCode: '26275',
        communeName: 'Xã Cường Đông',
        provinceCode: '79',
        provinceName: 'Thành phố Hồ Chí Minh',
      },
      fatherName: 'Nguyễn Đức Đạt',
      motherName: 'Nguyễn Ngọc An',
      spouseName: 'Hoàng Thị Nhung',
      householdHead: { fullName: 'Nguyễn Thành Nghĩa', personalId: '083094732927', relationship: 'Chủ hộ' },
      provenance: {
        source: 'CSDLQG_DAN_CU',
        retrievedAt: '2026-01-15T09:30:05+07:00',
        validUntil: '2026-01-16T09:30:05+07:00',
      },
    });
  });

  it('sends a request signed with the gateway key, with its SOAPAction and the caller code', async () => {
    const sample = replay('lookup-ok.xml');
    await client.lookupCitizen(sample.personalId, { requestId: sample.requestId });
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.soapaction).toBe('"urn:vn:csdlqg:dancu:v1#TraCuuThongTinCongDan"');
    const doc = new DOMParser().parseFromString(sent[0].body, 'text/xml');
    const payload = doc.getElementsByTagNameNS(
      'urn:vn:csdlqg:dancu:v1',
      'TraCuuThongTinCongDan',
    )[0] as Element;
    new XmlSignatureVerifier({ trustedCertificates: pki.get('gateway').certPem }).verifyEnveloped(payload);
    expect(payload.textContent).toContain(sample.personalId);
    expect(payload.textContent).toContain('000.00.00.H56');
    expect(payload.textContent).toContain('20260115093005');
  });

  it('verifies the recorded answers on their exact bytes, without re-canonicalising them', () => {
    const verifier = new XmlSignatureVerifier({ trustedCertificates: recordedSignerCertificate() });
    for (const file of ['lookup-ok.xml', 'verify-ok.xml', 'fault-not-found.xml']) {
      const document = readXml(recordedSample(file).body);
      expect(document.reader).toBe('canonical');
      let payload = document.root.children[0].children[0];
      if (payload.localName === 'Fault') payload = payload.children[2].children[0];
      expect(verifier.verify(document, payload).path).toBe('bytes');
    }
  });

  it('keeps a birth date the register holds only in part', async () => {
    const sample = replay('lookup-ok-year-only.xml');
    const citizen = await client.lookupCitizen(sample.personalId, { requestId: sample.requestId });
    expect(citizen.dateOfBirth).toBe('1956');
    expect(citizen.sex).toBe('FEMALE');
  });

  it('returns per-field verification results without any other data', async () => {
    const sample = replay('verify-ok.xml');
    const result = await client.verifyCitizen(sample.personalId, sample.claims!, {
      requestId: sample.requestId,
    });
    expect(result).toEqual({
      personalId: sample.personalId,
      fields: { fullName: 'MATCH', dateOfBirth: 'NO_MATCH' },
      allMatch: false,
      provenance: expect.objectContaining({ source: 'CSDLQG_DAN_CU' }),
    });
  });

  it.each([
    ['fault-not-found.xml', 'CITIZEN_NOT_FOUND', 'NOT_FOUND'],
    ['fault-invalid.xml', 'POPULATION_INVALID_REQUEST', 'INVALID_REQUEST'],
    ['fault-request-rejected.xml', 'POPULATION_REQUEST_REJECTED', 'AUTHENTICATION'],
    ['lookup-tampered.xml', 'POPULATION_BAD_SIGNATURE', 'BAD_SIGNATURE'],
    ['lookup-unexpected-signer.xml', 'POPULATION_BAD_SIGNATURE', 'BAD_SIGNATURE'],
  ])('turns %s into %s without retrying', async (file, code, kind) => {
    const sample = replay(file as string);
    const error = await failure(
      client.lookupCitizen(recordedSample('lookup-ok.xml').personalId, { requestId: sample.requestId }),
    );
    expect(error).toMatchObject({ adapter: 'population', code, kind, transient: false });
    expect(sent).toHaveLength(1);
  });

  it('names the reason of a refused signature: altered content, or a certificate other than the pinned one', async () => {
    const personalId = recordedSample('lookup-ok.xml').personalId;
    replay('lookup-tampered.xml');
    expect(await failure(client.lookupCitizen(personalId, { requestId: 'fixture-lookup-1' }))).toMatchObject({
      details: { reason: 'DIGEST_MISMATCH' },
    });
    replay('lookup-unexpected-signer.xml');
    expect(await failure(client.lookupCitizen(personalId, { requestId: 'fixture-lookup-1' }))).toMatchObject({
      details: { reason: 'UNTRUSTED_CERTIFICATE' },
    });
  });

  it('refuses a genuine signed answer that belongs to another request', async () => {
    const sample = replay('lookup-ok.xml');
    const error = await failure(client.lookupCitizen(sample.personalId, { requestId: 'someone-else' }));
    expect(error).toMatchObject({ code: 'POPULATION_BAD_SIGNATURE', details: { reason: 'REQUEST_BINDING' } });
  });

  it('retries a truncated answer once, then reports it as malformed', async () => {
    const sample = replay('lookup-truncated.xml', 2);
    const error = await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'POPULATION_MALFORMED_RESPONSE' });
    expect(sent).toHaveLength(2);
  });

  it('retries HE_THONG_BAN and succeeds when the next attempt does', async () => {
    replay('fault-busy.xml');
    const ok = replay('lookup-ok.xml');
    const citizen = await client.lookupCitizen(ok.personalId, { requestId: ok.requestId });
    expect(citizen.personalId).toBe(ok.personalId);
    expect(sent).toHaveLength(2);
  });

  it('reports HE_THONG_BAN as unavailable after the retries', async () => {
    const busy = replay('fault-busy.xml', 2);
    const error = await failure(
      client.lookupCitizen(recordedSample('lookup-ok.xml').personalId, { requestId: busy.requestId }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE' });
    expect(error).toMatchObject({ transient: true, details: { reason: 'BUSY' } });
    expect(sent).toHaveLength(2);
  });

  it('reports a proxy error page as unavailable', async () => {
    answer('<html><body>502 Bad Gateway</body></html>', 502, 2);
    const error = await failure(
      client.lookupCitizen(recordedSample('lookup-ok.xml').personalId, { requestId: 'r-1' }),
    );
    expect(error).toMatchObject({ code: 'POPULATION_UNAVAILABLE', details: { reason: 'HTTP_STATUS' } });
  });

  it('gives up on an answer slower than the timeout', async () => {
    const sample = recordedSample('lookup-ok.xml');
    answer(sample.body, 200, 2, 1_000);
    const started = Date.now();
    const error = await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'POPULATION_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('checks its input before sending anything', async () => {
    const valid = recordedSample('lookup-ok.xml').personalId;
    const cases: Promise<unknown>[] = [
      client.lookupCitizen('079185', { requestId: 'r-1' }),
      client.lookupCitizen('999090012345', { requestId: 'r-1' }),
      client.lookupCitizen(valid, { requestId: 'not a request id' }),
      client.verifyCitizen(valid, {}, { requestId: 'r-1' }),
      client.verifyCitizen(valid, { dateOfBirth: '1990-02-30' }, { requestId: 'r-1' }),
      client.verifyCitizen(valid, { fullName: 'An\u0000' }, { requestId: 'r-1' }),
    ];
    for (const call of cases) {
      const error = await failure(call);
      expect(error).toMatchObject({ code: 'POPULATION_INVALID_REQUEST' });
      expect(error).toMatchObject({ details: { source: 'adapter' } });
      expect(error.message).not.toContain(valid);
    }
    expect(sent).toHaveLength(0);
  });

  it('opens the circuit after consecutive failures, fails fast, then closes after a good trial call', async () => {
    const sample = recordedSample('lookup-ok.xml');
    let upstreamDown = true;
    agent
      .get(ORIGIN)
      .intercept({ path: '/ws/congdan', method: 'POST' })
      .reply((request) => {
        sent.push({ body: String(request.body), headers: request.headers as Record<string, string> });
        return upstreamDown
          ? { statusCode: 503, data: '<html>down</html>' }
          : { statusCode: 200, data: sample.body };
      })
      .persist();
    for (let i = 0; i < 2; i++)
      await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(client.health().circuit).toBe('open');
    const attempts = sent.length;
    const fast = await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(fast).toMatchObject({ code: 'POPULATION_UNAVAILABLE', details: { reason: 'CIRCUIT_OPEN' } });
    expect(fast.details.retryAfterMs).toBeGreaterThan(0);
    expect(sent.length).toBe(attempts);

    upstreamDown = false;
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(
      client.lookupCitizen(sample.personalId, { requestId: sample.requestId }),
    ).resolves.toBeDefined();
    expect(client.health().circuit).toBe('closed');
  });

  it('reports health and the adapter metrics with stable labels', async () => {
    const sample = replay('lookup-ok.xml');
    await client.lookupCitizen(sample.personalId, { requestId: sample.requestId });
    replay('fault-not-found.xml');
    await failure(client.lookupCitizen(sample.personalId, { requestId: 'fixture-notfound-1' }));
    const health = client.health();
    expect(health).toMatchObject({ adapter: 'population', circuit: 'closed', errorRate: 0, recentCalls: 2 });
    expect(health.recentLatencyMsP50).toBeGreaterThanOrEqual(0);

    const metrics = await metricsRegistry.getMetricsAsJSON();
    const errors = metrics.find((m) => m.name === 'lgsp_adapter_errors_total')!;
    expect(errors.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { adapter: 'population', method: 'lookupCitizen', code: 'CITIZEN_NOT_FOUND' },
        }),
      ]),
    );
    const duration = metrics.find((m) => m.name === 'lgsp_adapter_duration_seconds')!;
    expect(
      duration.values.some((v) => v.labels.outcome === 'not_found' && v.labels.adapter === 'population'),
    ).toBe(true);
    const circuit = metrics.find((m) => m.name === 'lgsp_adapter_circuit_state')!;
    expect(circuit.values).toEqual([
      expect.objectContaining({ labels: { adapter: 'population' }, value: 0 }),
    ]);
  });
});

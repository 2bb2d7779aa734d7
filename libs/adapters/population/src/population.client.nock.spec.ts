import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, Element } from '@xmldom/xmldom';
import { validate } from '@lienthong/contracts';
import { createDevPki, DEV_PKI_NAMES, DevPkiMaterial, XmlSignatureVerifier } from '@lienthong/pki';
import { useNock } from '../../common/src/testing/load-nock';
import { NodeHttpDispatcher } from '../../common/src/testing/node-http-dispatcher';
import { PopulationError, PopulationClient, populationErrors } from './index';
import { recordedSample, recordedSignerCertificate } from './testing/population-fixtures';

/**
 * The client's real code path — envelope built and signed, sent with `dispatcher.request` as on its undici
 * Pool — over node's https module through NodeHttpDispatcher, so nock replays the recorded answers of the
 * population simulator (test-fixtures/) and records what was sent.
 */
const nock = useNock();
const ORIGIN = 'https://csdlqg.test';
const PATH = '/ws/congdan';
const NOW = new Date('2026-01-15T02:30:05Z');
const NS = 'urn:vn:csdlqg:dancu:v1';

interface Sent {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

async function failure(promise: Promise<unknown>): Promise<PopulationError> {
  try {
    await promise;
  } catch (error) {
    if (populationErrors.owns(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('PopulationClient through nock (recorded wire samples)', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let dispatcher: NodeHttpDispatcher;
  let client: PopulationClient;
  let sent: Sent[];

  /** Answers the next `times` requests with a recorded sample, recording each request. */
  function replay(file: string, times = 1) {
    const sample = recordedSample(file);
    const scope = nock(ORIGIN)
      .post(PATH)
      .times(times)
      .reply(function (_path, body) {
        sent.push({ body: String(body), headers: this.req.headers });
        return [sample.status, sample.body, { 'content-type': 'text/xml; charset=utf-8' }];
      });
    return { sample, scope };
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-population-nock-'));
    pki = createDevPki(dir, { agencies: [] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function newClient(timeoutMs = 2_000): PopulationClient {
    const gateway = pki.get(DEV_PKI_NAMES.gateway);
    return new PopulationClient({
      endpoint: `${ORIGIN}${PATH}`,
      tls: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
      requestSigning: { privateKey: gateway.keyPem, certificatePem: gateway.certPem },
      upstreamSigningCertificates: recordedSignerCertificate(),
      clock: () => NOW,
      dispatcher,
      resilience: { timeoutMs, retries: 1, retryInitialDelayMs: 1, retryMaxDelayMs: 5 },
    });
  }

  beforeEach(() => {
    const gateway = pki.get(DEV_PKI_NAMES.gateway);
    dispatcher = new NodeHttpDispatcher({
      tls: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
    });
    sent = [];
    client = newClient();
  });
  afterEach(async () => {
    await client.close();
    await dispatcher.destroy();
  });

  it('maps a recorded lookup to the canonical citizen, having sent a request signed with the gateway key', async () => {
    const { sample, scope } = replay('lookup-ok.xml');

    const citizen = await client.lookupCitizen(sample.personalId, { requestId: sample.requestId });

    expect(scope.isDone()).toBe(true);
    expect(validate('citizen', citizen).ok).toBe(true);
    expect(citizen).toMatchObject({
      personalId: '083094732927',
      legacyIdCard: '276402595',
      fullName: 'Nguyễn Thành Nghĩa',
      dateOfBirth: '1994-03-11',
      sex: 'MALE',
      nationality: 'VN',
      permanentResidence: { communeCode: '26251', provinceCode: '79' },
      householdHead: { fullName: 'Nguyễn Thành Nghĩa', personalId: '083094732927', relationship: 'Chủ hộ' },
      provenance: {
        source: 'CSDLQG_DAN_CU',
        retrievedAt: '2026-01-15T09:30:05+07:00',
        validUntil: '2026-01-16T09:30:05+07:00',
      },
    });

    expect(sent).toHaveLength(1);
    expect(sent[0].headers).toMatchObject({
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '"urn:vn:csdlqg:dancu:v1#TraCuuThongTinCongDan"',
    });
    const request = new DOMParser().parseFromString(sent[0].body, 'text/xml');
    const payload = request.getElementsByTagNameNS(NS, 'TraCuuThongTinCongDan')[0] as Element;
    const gatewayCert = pki.get(DEV_PKI_NAMES.gateway).certPem;
    expect(() =>
      new XmlSignatureVerifier({ trustedCertificates: gatewayCert }).verifyEnveloped(payload),
    ).not.toThrow();
    expect(payload.getElementsByTagNameNS(NS, 'SoDinhDanh')[0]?.textContent).toBe(sample.personalId);
    expect(payload.getElementsByTagNameNS(NS, 'MaYeuCau')[0]?.textContent).toBe(sample.requestId);
  });

  it('turns the recorded KHONG_TIM_THAY fault into CITIZEN_NOT_FOUND, without retrying', async () => {
    const { sample } = replay('fault-not-found.xml');
    const error = await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'CITIZEN_NOT_FOUND' });
    expect(error.code).toBe('CITIZEN_NOT_FOUND');
    expect(sent).toHaveLength(1);
  });

  it('turns the recorded DU_LIEU_KHONG_HOP_LE fault into an invalid request refused by the upstream', async () => {
    const { sample } = replay('fault-invalid.xml');
    const personalId = recordedSample('lookup-ok.xml').personalId;
    const error = await failure(client.lookupCitizen(personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'POPULATION_INVALID_REQUEST' });
    expect(error).toMatchObject({ code: 'POPULATION_INVALID_REQUEST', details: { source: 'upstream' } });
    expect(sent).toHaveLength(1);
  });

  it('retries a truncated answer once, then reports it as malformed', async () => {
    const { sample, scope } = replay('lookup-truncated.xml', 2);
    const error = await failure(client.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'POPULATION_MALFORMED_RESPONSE' });
    expect(error.code).toBe('POPULATION_MALFORMED_RESPONSE');
    expect(scope.isDone()).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('refuses an answer altered after signing as POPULATION_BAD_SIGNATURE and passes none of its data on', async () => {
    const { sample } = replay('lookup-tampered.xml');
    expect(sample.body).toContain('Nguyễn Thành Nghĩah');
    const personalId = recordedSample('lookup-ok.xml').personalId;

    const error = await failure(client.lookupCitizen(personalId, { requestId: sample.requestId }));

    expect(error).toMatchObject({
      code: 'POPULATION_BAD_SIGNATURE',
      kind: 'BAD_SIGNATURE',
      details: { reason: 'DIGEST_MISMATCH' },
      transient: false,
    });
    const carried = `${error.message} ${JSON.stringify(error)}`;
    expect(carried).not.toContain('Nghĩa');
    expect(carried).not.toContain(personalId);
    expect(sent).toHaveLength(1);
  });

  it('gives up on an answer slower than the timeout, aborting each attempt', async () => {
    const sample = recordedSample('lookup-ok.xml');
    const scope = nock(ORIGIN).post(PATH).times(2).delay(3_000).reply(200, sample.body);
    const slow = newClient(150);
    const started = performance.now();
    const error = await failure(slow.lookupCitizen(sample.personalId, { requestId: sample.requestId }));
    expect(error).toMatchObject({ code: 'POPULATION_TIMEOUT' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(scope.isDone()).toBe(true);
    expect(dispatcher.pending).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent, Pool } from 'undici';
import { createLogger } from '@lienthong/observability';
import { createDevPki, DevPkiMaterial } from '@lienthong/pki';
import { PopulationSimulator, startPopulationSimulator } from '@lienthong/simulators';
import { PopulationClient, populationClientOptionsFromDevPki } from './index';

/**
 * An independent implementation agrees with ours: xmlsec1 (Debian package `xmlsec1`, libxmlsec1 on
 * OpenSSL) verifies a signed answer of the population simulator and a signed request of the gateway's
 * adapter. Both ways: the certificate in KeyInfo chained to the dev CA (`--trusted-pem ca.crt`), and the
 * signer's certificate pinned (`--pubkey-cert-pem <signer>.crt --enabled-key-data rsa`, KeyInfo ignored).
 * The payload's `Id` attribute is declared to xmlsec1 with `--id-attr:Id <namespace>:<element>`.
 *
 * xmlsec1 must be on PATH (`apt-get install -y xmlsec1`): the spec fails without it, unless
 * LGSP_TEST_SKIP_XMLSEC=1.
 */

const NAMESPACE = 'urn:vn:csdlqg:dancu:v1';
const skip = process.env.LGSP_TEST_SKIP_XMLSEC === '1';

function xmlsec1(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('xmlsec1', args, { encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

(skip ? describe.skip : describe)('XML signatures cross-checked with xmlsec1', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let simulator: PopulationSimulator;
  let pool: Pool;

  const verifyChained = (file: string, element: string) =>
    xmlsec1([
      '--verify',
      '--trusted-pem',
      pki.ca.certPath,
      '--enabled-reference-uris',
      'same-doc',
      `--id-attr:Id`,
      `${NAMESPACE}:${element}`,
      file,
    ]);
  const verifyPinned = (file: string, element: string, certPath: string) =>
    xmlsec1([
      '--verify',
      '--pubkey-cert-pem',
      certPath,
      '--enabled-key-data',
      'rsa',
      '--enabled-reference-uris',
      'same-doc',
      `--id-attr:Id`,
      `${NAMESPACE}:${element}`,
      file,
    ]);

  beforeAll(async () => {
    const probe = spawnSync('xmlsec1', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        'xmlsec1 is not on PATH: install it (apt-get install -y xmlsec1) or set LGSP_TEST_SKIP_XMLSEC=1',
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'lgsp-xmlsec-'));
    pki = createDevPki(join(dir, 'pki'), { agencies: [] });
    simulator = await startPopulationSimulator({
      pkiDir: join(dir, 'pki'),
      size: 10_000,
      logger: createLogger({ name: 'population-simulator', level: 'silent' }),
    });
    const gateway = pki.get('gateway');
    pool = new Pool(simulator.url, {
      connect: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
    });
  });

  afterAll(async () => {
    await pool?.close();
    await simulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The request the adapter sends for a lookup, captured at its dispatcher. */
  async function adapterRequest(personalId: string): Promise<string> {
    const agent = new MockAgent();
    let request = '';
    agent
      .get(new URL(simulator.url).origin)
      .intercept({ path: '/ws/congdan', method: 'POST' })
      .reply((options) => {
        request = String(options.body);
        return { statusCode: 500, data: '' };
      });
    const capturing = new PopulationClient(
      populationClientOptionsFromDevPki(join(dir, 'pki'), simulator.serviceUrl, {
        dispatcher: agent,
        resilience: { retries: 0 },
      }),
    );
    await capturing.lookupCitizen(personalId, { requestId: 'xmlsec-1' }).catch(() => undefined);
    await agent.close();
    return request;
  }

  /** The simulator's answer to a request, over mutual TLS. */
  async function simulatorAnswer(request: string): Promise<string> {
    const response = await pool.request({
      path: '/ws/congdan',
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: request,
    });
    return response.body.text();
  }

  it('accepts a signed lookup answer of the simulator, and refuses it once altered', async () => {
    const record = simulator.dataset.citizenAt(11);
    const answer = await simulatorAnswer(await adapterRequest(record.personalId));
    const file = join(dir, 'answer.xml');
    writeFileSync(file, answer);
    const element = 'TraCuuThongTinCongDanResponse';
    const signer = pki.get('population-signer').certPath;

    const chained = verifyChained(file, element);
    expect(chained.output).toContain('OK');
    expect(chained.status).toBe(0);
    expect(verifyPinned(file, element, signer).status).toBe(0);
    expect(verifyPinned(file, element, pki.get('gateway').certPath).status).not.toBe(0);

    const altered = join(dir, 'answer-altered.xml');
    writeFileSync(
      altered,
      answer.replace(`<HoVaTen>${record.fullName}</HoVaTen>`, '<HoVaTen>Người Khác</HoVaTen>'),
    );
    expect(verifyChained(altered, element).status).not.toBe(0);
  });

  it('accepts a signed fault detail of the simulator', async () => {
    simulator.faults.set({ errorRate: 1 });
    try {
      const answer = await simulatorAnswer(await adapterRequest(simulator.dataset.citizenAt(12).personalId));
      expect(answer).toContain('HE_THONG_BAN');
      const file = join(dir, 'fault.xml');
      writeFileSync(file, answer);
      expect(verifyChained(file, 'LoiNghiepVu').status).toBe(0);
    } finally {
      simulator.faults.clear();
    }
  });

  it('accepts a signed request of the gateway’s adapter', async () => {
    const request = await adapterRequest(simulator.dataset.citizenAt(13).personalId);
    const file = join(dir, 'request.xml');
    writeFileSync(file, request);
    expect(verifyChained(file, 'TraCuuThongTinCongDan').status).toBe(0);
    expect(verifyPinned(file, 'TraCuuThongTinCongDan', pki.get('gateway').certPath).status).toBe(0);
  });
});

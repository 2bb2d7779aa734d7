import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { DOMParser, Element } from '@xmldom/xmldom';
import { Pool } from 'undici';
import { repoRoot } from '@lienthong/config';
import { createLogger } from '@lienthong/observability';
import {
  createDevPki,
  DevPkiMaterial,
  textElement,
  XmlSignatureError,
  XmlSignatureVerifier,
  XmlSigner,
} from '@lienthong/pki';
import { PopulationSimulator, startPopulationSimulator } from './population.simulator';
import { POPULATION_NAMESPACE, SOAP_ENVELOPE_NAMESPACE } from './population.wire';

/**
 * A structural check against contracts/upstream/population/csdlqg-dancu.xsd: element names, order and
 * required children of every sequence, and the patterns/enumerations of simple types. Enough to keep the
 * simulator (and the adapter's requests) on the published contract without an XSD engine.
 */
class ContractChecker {
  private readonly elements = new Map<string, Element>();
  private readonly complexTypes = new Map<string, Element>();
  private readonly simpleTypes = new Map<string, Element>();

  constructor(xsd: string) {
    const schema = new DOMParser().parseFromString(xsd, 'text/xml').documentElement!;
    for (const child of children(schema)) {
      const name = child.getAttribute('name') ?? '';
      if (child.localName === 'element') this.elements.set(name, child);
      if (child.localName === 'complexType') this.complexTypes.set(name, child);
      if (child.localName === 'simpleType') this.simpleTypes.set(name, child);
    }
  }

  check(element: Element): string[] {
    const declaration = this.elements.get(element.localName ?? '');
    if (!declaration || element.namespaceURI !== POPULATION_NAMESPACE)
      return [`${element.localName} is not a global element`];
    return this.checkAgainst(element, declaration, element.localName ?? '');
  }

  private checkAgainst(element: Element, declaration: Element, path: string): string[] {
    const typeName = (declaration.getAttribute('type') ?? '').replace(/^.*:/, '');
    const complex =
      children(declaration).find((c) => c.localName === 'complexType') ?? this.complexTypes.get(typeName);
    if (!complex) return this.checkSimple(element, typeName, path);
    const sequence = children(complex).find((c) => c.localName === 'sequence');
    const particles = sequence ? children(sequence) : [];
    const actual = children(element);
    const problems: string[] = [];
    let position = 0;
    for (const particle of particles) {
      const ref = particle.getAttribute('ref');
      const name = ref ? ref.replace(/^.*:/, '') : (particle.getAttribute('name') ?? '');
      const optional = particle.getAttribute('minOccurs') === '0';
      const next = actual[position];
      if (next && next.localName === name) {
        if (!ref) problems.push(...this.checkAgainst(next, particle, `${path}/${name}`));
        position++;
      } else if (!optional) {
        problems.push(`${path}: missing ${name}`);
      }
    }
    if (position < actual.length) problems.push(`${path}: unexpected ${actual[position].localName}`);
    for (const attribute of children(complex).filter((c) => c.localName === 'attribute')) {
      if (
        attribute.getAttribute('use') === 'required' &&
        !element.hasAttribute(attribute.getAttribute('name')!)
      ) {
        problems.push(`${path}: missing attribute ${attribute.getAttribute('name')}`);
      }
    }
    return problems;
  }

  private checkSimple(element: Element, typeName: string, path: string): string[] {
    const value = element.textContent ?? '';
    if (children(element).length > 0) return [`${path}: expected text`];
    const type = this.simpleTypes.get(typeName);
    if (!type) return [];
    const restriction = children(type).find((c) => c.localName === 'restriction')!;
    const facets = children(restriction);
    const problems: string[] = [];
    for (const facet of facets.filter((f) => f.localName === 'pattern')) {
      if (!new RegExp(`^(?:${facet.getAttribute('value')})$`, 'u').test(value))
        problems.push(`${path}: pattern`);
    }
    const enumeration = facets
      .filter((f) => f.localName === 'enumeration')
      .map((f) => f.getAttribute('value'));
    if (enumeration.length > 0 && !enumeration.includes(value)) problems.push(`${path}: not in enumeration`);
    const max = facets.find((f) => f.localName === 'maxLength');
    if (max && [...value].length > Number(max.getAttribute('value'))) problems.push(`${path}: too long`);
    return problems;
  }
}

function children(node: Element): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function payloadOf(xml: string): Element {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const body = children(doc.documentElement!).find((e) => e.localName === 'Body')!;
  return children(body)[0];
}

/** The signed business payload of an answer: the response element, or the fault's LoiNghiepVu. */
function signedPart(xml: string): Element {
  const part = payloadOf(xml);
  if (part.localName !== 'Fault') return part;
  const detail = children(part).find((e) => e.localName === 'detail')!;
  return children(detail)[0];
}

function field(element: Element, name: string): string | undefined {
  return children(element).find((e) => e.localName === name)?.textContent ?? undefined;
}

describe('population simulator', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let simulator: PopulationSimulator;
  let pool: Pool;
  let gatewaySigner: XmlSigner;
  let responseVerifier: XmlSignatureVerifier;
  let contract: ContractChecker;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-population-sim-'));
    pki = createDevPki(dir, { agencies: ['000.00.14.H56'] });
    simulator = await startPopulationSimulator({
      pkiDir: dir,
      seed: 'spec',
      size: 50_000,
      logger: createLogger({ name: 'population-simulator', level: 'silent' }),
    });
    const gateway = pki.get('gateway');
    pool = new Pool(simulator.url, {
      connect: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem },
    });
    gatewaySigner = new XmlSigner({ privateKey: gateway.keyPem, certificatePem: gateway.certPem });
    responseVerifier = new XmlSignatureVerifier({
      trustedCertificates: pki.get('population-signer').certPem,
    });
    contract = new ContractChecker(
      readFileSync(join(repoRoot(), 'contracts/upstream/population/csdlqg-dancu.xsd'), 'utf8'),
    );
  });

  afterAll(async () => {
    await pool.close();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => simulator.faults.clear());

  function envelope(
    operation: string,
    fields: Record<string, string | undefined>,
    signer: XmlSigner | null = gatewaySigner,
  ): string {
    const content =
      textElement('MaYeuCau', fields.MaYeuCau ?? 'spec-1') +
      textElement('MaDonViYeuCau', '000.00.00.H56') +
      textElement('ThoiGianYeuCau', '20260115093000') +
      textElement('SoDinhDanh', fields.SoDinhDanh) +
      textElement('HoVaTen', fields.HoVaTen) +
      textElement('NgayThangNamSinh', fields.NgayThangNamSinh);
    const payload = signer
      ? signer.signElement({ localName: operation, namespace: POPULATION_NAMESPACE, id: 'YC-1', content })
      : `<${operation} xmlns="${POPULATION_NAMESPACE}" Id="YC-1">${content}</${operation}>`;
    return `<soap:Envelope xmlns:soap="${SOAP_ENVELOPE_NAMESPACE}"><soap:Body>${payload}</soap:Body></soap:Envelope>`;
  }

  async function post(
    body: string,
    soapAction?: string,
  ): Promise<{ status: number; body: string; ms: number }> {
    const started = Date.now();
    const response = await pool.request({
      path: '/ws/congdan',
      method: 'POST',
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        ...(soapAction ? { soapaction: soapAction } : {}),
      },
      body,
    });
    return { status: response.statusCode, body: await response.body.text(), ms: Date.now() - started };
  }

  async function admin(method: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await pool.request({
      path: '/__admin/faults',
      method: method as 'GET',
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }

  const lookup = (personalId: string, requestId = 'spec-1') =>
    post(envelope('TraCuuThongTinCongDan', { SoDinhDanh: personalId, MaYeuCau: requestId }));

  it('serves its WSDL and schema from the shipped contract, pointing at itself', async () => {
    const wsdl = await pool.request({ path: '/ws/congdan?wsdl', method: 'GET' });
    const text = await wsdl.body.text();
    expect(wsdl.statusCode).toBe(200);
    expect(text).toContain(`location="${simulator.serviceUrl}"`);
    expect(text).toContain(`schemaLocation="${simulator.serviceUrl}?xsd=csdlqg-dancu.xsd"`);
    const xsd = await pool.request({ path: '/ws/congdan?xsd=csdlqg-dancu.xsd', method: 'GET' });
    expect(await xsd.body.text()).toContain('targetNamespace="urn:vn:csdlqg:dancu:v1"');
  });

  it('refuses a TLS connection without a client certificate', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: simulator.port, ca: pki.ca.certPem }, () => {
        socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
      });
      socket.on('data', () => resolve('answered'));
      socket.on('error', (error) =>
        resolve(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`),
      );
      socket.on('close', () => resolve('closed'));
    });
    expect(outcome).not.toBe('answered');
  });

  it('answers a signed lookup with a signed citizen record that follows the published schema', async () => {
    const citizen = simulator.dataset.citizenAt(77);
    const answer = await lookup(citizen.personalId, 'spec-lookup');
    expect(answer.status).toBe(200);
    const payload = payloadOf(answer.body);
    expect(contract.check(payload)).toEqual([]);
    expect(() => responseVerifier.verifyEnveloped(payload)).not.toThrow();
    expect(field(payload, 'MaYeuCau')).toBe('spec-lookup');
    const congDan = children(payload).find((e) => e.localName === 'CongDan')!;
    expect(field(congDan, 'SoDinhDanh')).toBe(citizen.personalId);
    expect(field(congDan, 'HoVaTen')).toBe(citizen.fullName);
    expect(field(congDan, 'GioiTinh')).toBe(citizen.sex === 'MALE' ? '1' : '2');
  });

  it('keeps every answer of a sweep of citizens on the schema', async () => {
    for (let i = 0; i < 40; i++) {
      const answer = await lookup(simulator.dataset.citizenAt(i * 1_231).personalId);
      expect(contract.check(payloadOf(answer.body))).toEqual([]);
    }
  });

  it('rejects an unsigned request, and one signed by a certificate it does not trust, with a signed fault', async () => {
    const citizen = simulator.dataset.citizenAt(1);
    const agency = pki.get('agency-000.00.14.H56');
    const stranger = new XmlSigner({ privateKey: agency.keyPem, certificatePem: agency.certPem });
    for (const signer of [null, stranger]) {
      const answer = await post(
        envelope('TraCuuThongTinCongDan', { SoDinhDanh: citizen.personalId }, signer),
      );
      expect(answer.status).toBe(500);
      expect(payloadOf(answer.body).localName).toBe('Fault');
      expect(answer.body).toContain('<faultcode>soap:Client</faultcode>');
      const detail = signedPart(answer.body);
      expect(contract.check(detail)).toEqual([]);
      expect(() => responseVerifier.verifyEnveloped(detail)).not.toThrow();
      expect(field(detail, 'MaLoi')).toBe('CHU_KY_KHONG_HOP_LE');
    }
  });

  it('answers KHONG_TIM_THAY for an absent citizen and DU_LIEU_KHONG_HOP_LE for invalid input', async () => {
    const cases: [string, string][] = [
      [
        envelope('TraCuuThongTinCongDan', { SoDinhDanh: '001090000000', MaYeuCau: 'spec-absent' }),
        'KHONG_TIM_THAY',
      ],
      [envelope('TraCuuThongTinCongDan', { SoDinhDanh: '999090000000' }), 'DU_LIEU_KHONG_HOP_LE'],
      [envelope('TraCuuThongTinCongDan', { SoDinhDanh: '12345' }), 'DU_LIEU_KHONG_HOP_LE'],
      [
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>',
        'DU_LIEU_KHONG_HOP_LE',
      ],
      ['<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', 'DU_LIEU_KHONG_HOP_LE'],
      [
        envelope('XacThucThongTinCongDan', { SoDinhDanh: simulator.dataset.citizenAt(3).personalId }),
        'DU_LIEU_KHONG_HOP_LE',
      ],
    ];
    for (const [body, code] of cases) {
      const answer = await post(body);
      expect(answer.status).toBe(500);
      const detail = signedPart(answer.body);
      expect(field(detail, 'MaLoi')).toBe(code);
      expect(answer.body).toMatch(/<faultstring xml:lang="vi">[^<]*(Không tìm thấy|không hợp lệ)/);
      expect(answer.body).not.toContain('001090000000');
    }
    const absent = signedPart((await post(cases[0][0])).body);
    expect(field(absent, 'MaYeuCau')).toBe('spec-absent');
    const mismatched = await post(
      envelope('TraCuuThongTinCongDan', { SoDinhDanh: simulator.dataset.citizenAt(1).personalId }),
      '"urn:vn:csdlqg:dancu:v1#XacThucThongTinCongDan"',
    );
    expect(field(signedPart(mismatched.body), 'MaLoi')).toBe('DU_LIEU_KHONG_HOP_LE');
  });

  it('verifies submitted fields without disclosing the record', async () => {
    const citizen = simulator.dataset.citizenAt(5);
    const answer = await post(
      envelope('XacThucThongTinCongDan', {
        SoDinhDanh: citizen.personalId,
        HoVaTen: `  ${citizen.fullName.toUpperCase()} `,
        NgayThangNamSinh: '19000101',
      }),
    );
    const payload = payloadOf(answer.body);
    expect(contract.check(payload)).toEqual([]);
    const result = children(payload).find((e) => e.localName === 'KetQuaXacThuc')!;
    expect(field(result, 'HoVaTen')).toBe('KHOP');
    expect(field(result, 'NgayThangNamSinh')).toBe('KHONG_KHOP');
    expect(answer.body).not.toContain(citizen.fullName);

    let yearOnly = citizen;
    for (let i = 0; yearOnly.dateOfBirth.length !== 4; i++) yearOnly = simulator.dataset.citizenAt(i);
    const partial = await post(
      envelope('XacThucThongTinCongDan', {
        SoDinhDanh: yearOnly.personalId,
        NgayThangNamSinh: `${yearOnly.dateOfBirth}0615`,
      }),
    );
    const partialResult = children(payloadOf(partial.body)).find((e) => e.localName === 'KetQuaXacThuc')!;
    expect(field(partialResult, 'NgayThangNamSinh')).toBe('KHONG_XAC_DINH');
  });

  describe('fault controls', () => {
    const someone = () => simulator.dataset.citizenAt(9).personalId;

    it('answers HE_THONG_BAN with HTTP 500 at the configured error rate', async () => {
      simulator.faults.set({ errorRate: 1 });
      const answer = await lookup(someone());
      expect(answer.status).toBe(500);
      expect(answer.body).toContain('<faultcode>soap:Server</faultcode>');
      expect(field(signedPart(answer.body), 'MaLoi')).toBe('HE_THONG_BAN');
    });

    it('destroys connections during an outage while the admin endpoint keeps working', async () => {
      expect((await admin('POST', { down: true })).json).toMatchObject({ down: true });
      await expect(lookup(someone())).rejects.toThrow();
      expect((await admin('GET')).json).toMatchObject({ down: true });
      expect((await admin('DELETE')).status).toBe(204);
      expect((await lookup(someone())).status).toBe(200);
    });

    it('truncates the body, or alters it after signing, on demand', async () => {
      simulator.faults.set({ malformedRate: 1 });
      const truncated = await lookup(someone());
      expect(() =>
        new DOMParser({
          onError: (level, message) => {
            throw new Error(message);
          },
        }).parseFromString(truncated.body, 'text/xml'),
      ).toThrow();

      simulator.faults.set({ malformedRate: null, badSignatureRate: 1 });
      const tampered = await lookup(someone());
      let reason: string | undefined;
      try {
        responseVerifier.verifyEnveloped(payloadOf(tampered.body));
      } catch (error) {
        reason = (error as XmlSignatureError).reason;
      }
      expect(reason).toBe('DIGEST_MISMATCH');
    });

    it('adds latency and drips the answer slowly', async () => {
      simulator.faults.set({ latencyMs: 150 });
      expect((await lookup(someone())).ms).toBeGreaterThanOrEqual(140);
      simulator.faults.set({ latencyMs: null, slowDrip: { chunkBytes: 1024, intervalMs: 100 } });
      const dripped = await lookup(someone());
      expect(dripped.ms).toBeGreaterThanOrEqual(300);
      expect(() => responseVerifier.verifyEnveloped(payloadOf(dripped.body))).not.toThrow();
    });

    it('refuses nonsense fault settings with 400 and reports what it injected', async () => {
      expect((await admin('POST', { errorRate: 2 })).status).toBe(400);
      expect((await admin('POST', { explode: true })).status).toBe(400);
      expect(
        (await admin('POST', { badSignatureRate: 0.5, latencyMs: { min: 1, max: 2 } })).json,
      ).toMatchObject({
        badSignatureRate: 0.5,
        latencyMs: { min: 1, max: 2 },
      });
      const stats = await pool.request({ path: '/__admin/stats', method: 'GET' });
      expect(JSON.parse(await stats.body.text())).toMatchObject({ injected: { errors: 1, dropped: 1 } });
    });
  });
});

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, Element } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import {
  c14nText,
  createDevPki,
  DevPkiMaterial,
  issueCertificate,
  parentElement,
  readXml,
  textElement,
  XmlSignatureError,
  XmlSignatureVerifier,
  XmlSigner,
} from '../index';

const NS = 'urn:example:signature-test';
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';

function envelope(body: string): string {
  return `<soap:Envelope xmlns:soap="${SOAP}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function payloadOf(xml: string): Element {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const body = doc.getElementsByTagNameNS(SOAP, 'Body')[0];
  let child = body.firstChild;
  while (child && child.nodeType !== 1) child = child.nextSibling;
  return child as Element;
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof XmlSignatureError) return error.reason;
    throw error;
  }
}

describe('XML signature profile', () => {
  let dir: string;
  let pki: DevPkiMaterial;
  let signer: XmlSigner;
  let verifier: XmlSignatureVerifier;
  const content =
    textElement('HoVaTen', 'Nguyễn Thị Ánh "Tuyết" <Bé> & Cộng sự') +
    textElement('GhiChu', 'dòng 1\r\ndòng 2\tcột') +
    parentElement('DiaChi', textElement('MaXa', '00004') + textElement('ChiTiet', 'Số 12 ngõ 34'));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-xmldsig-'));
    pki = createDevPki(dir, { agencies: ['000.00.14.H56'] });
    signer = new XmlSigner({
      privateKey: pki.get('population-signer').keyPem,
      certificatePem: pki.get('population-signer').certPem,
    });
    verifier = new XmlSignatureVerifier({ trustedCertificates: pki.get('population-signer').certPem });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sign = (id = 'payload-1') =>
    envelope(signer.signElement({ localName: 'KetQua', namespace: NS, id, content }));

  it('produces signatures xml-crypto verifies with the pinned certificate', () => {
    const xml = sign();
    const check = new SignedXml({
      publicCert: pki.get('population-signer').certPem,
      getCertFromKeyInfo: () => null,
    });
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    check.loadSignature(check.findSignatures(doc as never)[0]);
    expect(check.checkSignature(xml)).toBe(true);
    expect(check.getSignedReferences()[0]).toContain('Nguyễn Thị Ánh "Tuyết" &lt;Bé&gt; &amp; Cộng sự');
  });

  it('computes the same digest and signature value as xml-crypto for the same element', () => {
    const unsigned = `<KetQua xmlns="${NS}" Id="payload-1">${content}</KetQua>`;
    const reference = new SignedXml({
      privateKey: pki.get('population-signer').keyPem,
      publicCert: pki.get('population-signer').certPem,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    reference.addReference({
      xpath: '/*',
      transforms: [
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/2001/10/xml-exc-c14n#',
      ],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    });
    reference.computeSignature(unsigned, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
    const theirs = reference.getSignedXml();
    const ours = signer.signElement({ localName: 'KetQua', namespace: NS, id: 'payload-1', content });
    const value = (xml: string, tag: string) => new RegExp(`<ds:${tag}>([^<]+)</ds:${tag}>`).exec(xml)?.[1];
    expect(value(ours, 'DigestValue')).toBe(value(theirs, 'DigestValue'));
    expect(value(ours, 'SignatureValue')).toBe(value(theirs, 'SignatureValue'));
  });

  it('signs off the event loop to the same bytes, which the verifier accepts', async () => {
    const element = { localName: 'KetQua', namespace: NS, id: 'payload-async', content };
    const signed = await signer.signElementAsync(element);
    expect(signed).toBe(signer.signElement(element));
    const document = readXml(envelope(signed));
    const payload = document.root.children[0].children[0];
    expect(verifier.verify(document, payload).signerFingerprint).toMatch(/^([0-9A-F]{2}:){31}/);
    await expect(signer.signElementAsync({ ...element, localName: 'not a name' })).rejects.toThrow(
      'is not an element name',
    );
  });

  it('accepts its own signatures and leaves the verified content without the signature', () => {
    const payload = payloadOf(sign());
    expect(verifier.verifyEnveloped(payload).signerFingerprint).toMatch(/^([0-9A-F]{2}:){31}/);
    expect(payload.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature').length).toBe(0);
  });

  it('rejects an element changed after signing', () => {
    const tampered = sign().replace('Số 12 ngõ 34', 'Số 13 ngõ 34');
    expect(reason(() => verifier.verifyEnveloped(payloadOf(tampered)))).toBe('DIGEST_MISMATCH');
  });

  it('rejects a signature made with another key, whatever certificate KeyInfo carries', () => {
    const agency = pki.get('agency-000.00.14.H56');
    const other = new XmlSigner({ privateKey: agency.keyPem, certificatePem: agency.certPem });
    const own = envelope(other.signElement({ localName: 'KetQua', namespace: NS, id: 'p', content }));
    expect(reason(() => verifier.verifyEnveloped(payloadOf(own)))).toBe('UNTRUSTED_CERTIFICATE');

    const trustedCertBase64 = /<ds:X509Certificate>([^<]+)</.exec(sign())![1];
    const borrowed = own.replace(/<ds:X509Certificate>[^<]+</, `<ds:X509Certificate>${trustedCertBase64}<`);
    expect(reason(() => verifier.verifyEnveloped(payloadOf(borrowed)))).toBe('SIGNATURE_MISMATCH');
  });

  it('rejects an unsigned element and a signed element wrapped inside a forged one', () => {
    const unsigned = envelope(`<KetQua xmlns="${NS}" Id="p">${content}</KetQua>`);
    expect(reason(() => verifier.verifyEnveloped(payloadOf(unsigned)))).toBe('MISSING_SIGNATURE');

    const genuine = signer.signElement({ localName: 'KetQua', namespace: NS, id: 'p', content });
    const forged = envelope(
      `<KetQua xmlns="${NS}" Id="evil">${textElement('HoVaTen', 'Kẻ Giả Mạo')}<Goc>${genuine}</Goc></KetQua>`,
    );
    expect(reason(() => verifier.verifyEnveloped(payloadOf(forged)))).toBe('MISSING_SIGNATURE');
  });

  it('rejects a document where the referenced Id appears twice', () => {
    const genuine = signer.signElement({ localName: 'KetQua', namespace: NS, id: 'p', content });
    const doubled = `<soap:Envelope xmlns:soap="${SOAP}"><soap:Header><X xmlns="${NS}" Id="p"></X></soap:Header><soap:Body>${genuine}</soap:Body></soap:Envelope>`;
    expect(reason(() => verifier.verifyEnveloped(payloadOf(doubled)))).toBe('REFERENCE_MISMATCH');
  });

  it('refuses algorithms outside the profile', () => {
    const downgraded = sign().replace(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    );
    expect(reason(() => verifier.verifyEnveloped(payloadOf(downgraded)))).toBe('UNSUPPORTED_ALGORITHM');
  });

  it('trusts several certificates during a rotation', () => {
    const next = issueCertificate(dir, 'population-signer-next', { usage: 'signing' }).entry;
    const rotated = new XmlSignatureVerifier({
      trustedCertificates: [pki.get('population-signer').certPem, next.certPem],
    });
    const nextSigner = new XmlSigner({ privateKey: next.keyPem, certificatePem: next.certPem });
    const xml = envelope(nextSigner.signElement({ localName: 'KetQua', namespace: NS, id: 'n', content }));
    expect(() => rotated.verifyEnveloped(payloadOf(xml))).not.toThrow();
    expect(() => rotated.verifyEnveloped(payloadOf(sign()))).not.toThrow();
  });

  it('checks canonical bytes directly, and canonicalises anything else first', () => {
    const plain = textElement('HoVaTen', 'Trần Thị Bé & <Em>') + textElement('ChiTiet', 'Số 12 ngõ 34');
    const signed = envelope(
      signer.signElement({ localName: 'KetQua', namespace: NS, id: 'p-2', content: plain }),
    );
    const read = (xml: string) => {
      const document = readXml(xml);
      return verifier.verify(document, document.root.children[0].children[0]);
    };
    expect(read(signed).path).toBe('bytes');
    // The same signed content written differently: single quotes, an unused namespace, a comment, CR.
    const rewritten = signed
      .replace('Id="p-2"', 'Id=\'p-2\' xmlns:unused="urn:unused"')
      .replace('<ChiTiet>', '<!-- note --><ChiTiet>');
    expect(read(rewritten).path).toBe('c14n');
    expect(read(sign()).path).toBe('c14n');
    let reason: string | undefined;
    try {
      read(rewritten.replace('Số 12 ngõ 34', 'Số 99 ngõ 34'));
    } catch (error) {
      reason = (error as XmlSignatureError).reason;
    }
    expect(reason).toBe('DIGEST_MISMATCH');
  });

  it('refuses characters XML cannot carry and a key that does not match its certificate', () => {
    expect(() => c14nText('a\u0001b')).toThrow(RangeError);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => new XmlSigner({ privateKey, certificatePem: pki.get('population-signer').certPem })).toThrow(
      /does not match/,
    );
  });
});

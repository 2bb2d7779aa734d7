import { createHash, createPrivateKey, KeyObject, sign, X509Certificate } from 'node:crypto';
import { pemToBase64Der } from '../certificate-info';
import { PkiError } from '../pki.errors';
import { c14nAttribute, rootStartTag } from './canonical-xml';
import {
  ENVELOPED_SIGNATURE,
  EXCLUSIVE_C14N,
  RSA_SHA256,
  SHA256,
  XMLDSIG_NAMESPACE,
} from './xml-signature.profile';

/** An element to sign, its children already written in canonical form (see canonical-xml). */
export interface ElementToSign {
  localName: string;
  /** Namespace declared as the element's default namespace. */
  namespace: string;
  /** Value of its `Id` attribute (an NCName, unique in the document). */
  id: string;
  /** Canonical children. */
  content: string;
}

export interface XmlSignerOptions {
  privateKey: string | KeyObject;
  certificatePem: string;
}

/**
 * Signs elements under the profile in xml-signature.profile.ts. The element is produced by this class in
 * exclusive canonical form, so its digest is computed over the string itself, and SignedInfo is written in
 * canonical form too: one SHA-256 hash and one RSA signature per element, no DOM. The DigestValue and
 * SignatureValue are the same as xml-crypto's SignedXml.computeSignature gives for the same element and
 * profile (a test checks this), and xmlsec1 and xml-crypto both verify the output.
 */
export class XmlSigner {
  private readonly key: KeyObject;
  private readonly keyInfo: string;
  readonly certificatePem: string;

  constructor(options: XmlSignerOptions) {
    this.key =
      typeof options.privateKey === 'string' ? createPrivateKey(options.privateKey) : options.privateKey;
    if (this.key.asymmetricKeyType !== 'rsa') throw new PkiError('the XML signing key must be an RSA key');
    const certificate = new X509Certificate(options.certificatePem);
    if (!certificate.checkPrivateKey(this.key)) {
      throw new PkiError('the XML signing key does not match its certificate');
    }
    this.certificatePem = options.certificatePem;
    this.keyInfo =
      `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemToBase64Der(options.certificatePem)}` +
      `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  }

  /** The signed element: start tag, content, ds:Signature as last child, end tag. */
  signElement(element: ElementToSign): string {
    const prepared = this.prepare(element);
    return this.assemble(prepared, sign('sha256', prepared.canonicalSignedInfo, this.key));
  }

  /**
   * The same as signElement, with the RSA signature computed on libuv's thread pool: the event loop stays
   * free during the ~1 ms private-key operation and concurrent signatures use every core.
   */
  async signElementAsync(element: ElementToSign): Promise<string> {
    const prepared = this.prepare(element);
    const signatureValue = await new Promise<Buffer>((resolve, reject) =>
      sign('sha256', prepared.canonicalSignedInfo, this.key, (error, signature) =>
        error ? reject(error) : resolve(signature),
      ),
    );
    return this.assemble(prepared, signatureValue);
  }

  private prepare(element: ElementToSign): PreparedSignature {
    const start = rootStartTag(element.localName, element.namespace, element.id);
    const end = `</${element.localName}>`;
    const digest = createHash('sha256').update(start).update(element.content).update(end).digest('base64');
    const signedInfoBody =
      `<ds:CanonicalizationMethod Algorithm="${EXCLUSIVE_C14N}"></ds:CanonicalizationMethod>` +
      `<ds:SignatureMethod Algorithm="${RSA_SHA256}"></ds:SignatureMethod>` +
      `<ds:Reference URI="#${c14nAttribute(element.id)}"><ds:Transforms>` +
      `<ds:Transform Algorithm="${ENVELOPED_SIGNATURE}"></ds:Transform>` +
      `<ds:Transform Algorithm="${EXCLUSIVE_C14N}"></ds:Transform></ds:Transforms>` +
      `<ds:DigestMethod Algorithm="${SHA256}"></ds:DigestMethod>` +
      `<ds:DigestValue>${digest}</ds:DigestValue></ds:Reference>`;
    // Canonical SignedInfo as a verifier sees it: the ds prefix declared on it (exclusive c14n renders
    // the declaration on the apex of the canonicalised subtree).
    const canonicalSignedInfo = Buffer.from(
      `<ds:SignedInfo xmlns:ds="${XMLDSIG_NAMESPACE}">${signedInfoBody}</ds:SignedInfo>`,
      'utf8',
    );
    return { start, end, content: element.content, signedInfoBody, canonicalSignedInfo };
  }

  private assemble(prepared: PreparedSignature, signatureValue: Buffer): string {
    return (
      prepared.start +
      prepared.content +
      `<ds:Signature xmlns:ds="${XMLDSIG_NAMESPACE}"><ds:SignedInfo>${prepared.signedInfoBody}</ds:SignedInfo>` +
      `<ds:SignatureValue>${signatureValue.toString('base64')}</ds:SignatureValue>${this.keyInfo}</ds:Signature>` +
      prepared.end
    );
  }
}

/** An element's parts around its signature value. */
interface PreparedSignature {
  start: string;
  end: string;
  content: string;
  signedInfoBody: string;
  canonicalSignedInfo: Buffer;
}

import { createHash, KeyObject, verify, X509Certificate } from 'node:crypto';
import type { Element as DomElement } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import { pemToBase64Der, sha256Fingerprint } from '../certificate-info';
import { PkiError, XmlSignatureError } from '../pki.errors';
import { attributeOf, fromDom, readXml, XmlDocument, XmlElement } from './xml-reader';
import {
  ENVELOPED_SIGNATURE,
  EXCLUSIVE_C14N,
  ID_ATTRIBUTE,
  RSA_SHA256,
  SHA256,
  XMLDSIG_NAMESPACE,
} from './xml-signature.profile';

export interface XmlSignatureVerifierOptions {
  /**
   * Certificates trusted to sign (pinned; several during a rotation). A signature made with any other key
   * is refused, whatever certificate the message carries in KeyInfo.
   */
  trustedCertificates: string | readonly string[];
}

export interface VerifiedSignature {
  /** SHA-256 fingerprint of the trusted certificate whose key verified the signature. */
  signerFingerprint: string;
  /** `bytes`: the received bytes were the canonical form; `c14n`: canonicalised on a DOM first. */
  path: 'bytes' | 'c14n';
}

interface TrustedSigner {
  der: string;
  key: KeyObject;
  fingerprint: string;
}

/** What the layout checks found, for the cryptographic part. */
interface Inspected {
  signature: XmlElement;
  signedInfo: XmlElement;
  digestValue: string;
  signatureValue: Buffer;
  candidates: TrustedSigner[];
  signedInfoPrefixes: string[];
  referencePrefixes: string[];
}

/**
 * Verifies enveloped signatures made under the profile in xml-signature.profile.ts. Strict by design:
 * exactly one ds:Signature in the whole document, as the last child of the element the caller expects to be
 * signed; one Reference whose URI is that element's Id, which must be unique in the document; exactly the
 * profile's algorithms; the key is one of the pinned certificates' keys. Checking the element the caller is
 * about to read (rather than "some signed element somewhere") is what defeats signature-wrapping attacks.
 *
 * Two ways to the same verdict:
 * - on a document read by the canonical reader (readXml), when the received bytes of the element and of
 *   SignedInfo already are their exclusive canonical form (as everything XmlSigner writes is), the digest
 *   and the RSA signature are checked on those exact bytes: equal hashes prove the bytes are what was
 *   signed, so no canonicalisation is needed;
 * - otherwise the document is parsed with @xmldom/xmldom and canonicalised with xml-crypto's exclusive c14n,
 *   and the digest and signature are checked on that.
 *
 * On success the ds:Signature has been removed from the element's children (the enveloped-signature
 * transform applied), leaving the verified content for the caller to read.
 */
export class XmlSignatureVerifier {
  private readonly trusted: TrustedSigner[];
  private readonly c14n = new ExclusiveCanonicalization();

  constructor(options: XmlSignatureVerifierOptions) {
    const pems =
      typeof options.trustedCertificates === 'string'
        ? [options.trustedCertificates]
        : [...options.trustedCertificates];
    if (pems.length === 0) throw new PkiError('at least one trusted signing certificate is needed');
    this.trusted = pems.map((pem) => {
      const certificate = new X509Certificate(pem);
      return {
        der: pemToBase64Der(pem),
        key: certificate.publicKey,
        fingerprint: sha256Fingerprint(certificate.raw),
      };
    });
  }

  /** Verifies the enveloped signature of `element`, an element of `document`. */
  verify(document: XmlDocument, element: XmlElement): VerifiedSignature {
    const inspected = this.inspect(document.root, element);
    if (document.reader === 'canonical') {
      const fast = this.verifyBytes(document.source, element, inspected);
      if (fast) {
        detach(element, inspected.signature);
        return fast;
      }
    }
    let target = element;
    if (!element.dom) {
      const reread = readXml(document.source, { dom: true });
      target = locate(reread.root, pathOf(element));
    }
    const result = this.verifyCanonicalised(target, this.inspect(rootOf(target), target));
    detach(element, inspected.signature);
    return result;
  }

  /** The same, for an element of a document parsed with @xmldom/xmldom. */
  verifyEnveloped(element: DomElement): VerifiedSignature {
    let top: DomElement = element;
    while (top.parentNode && top.parentNode.nodeType === 1) top = top.parentNode as DomElement;
    const root = fromDom(top);
    const target = findByDom(root, element);
    if (!target) throw new PkiError('the element is not part of its document');
    const result = this.verifyCanonicalised(target, this.inspect(root, target));
    const signature = target.children[target.children.length - 1];
    element.removeChild(signature.dom!);
    return result;
  }

  // --- layout checks (same for both paths) ---------------------------------------------------------

  private inspect(root: XmlElement, element: XmlElement): Inspected {
    const signature = element.children[element.children.length - 1];
    if (!signature || !isDsig(signature, 'Signature')) {
      throw new XmlSignatureError('MISSING_SIGNATURE', 'the element carries no enveloped ds:Signature');
    }
    if (countDsigSignatures(root) !== 1) {
      throw new XmlSignatureError(
        'UNEXPECTED_SIGNATURE_LAYOUT',
        'the document holds more than one ds:Signature',
      );
    }
    const [signedInfo, signatureValue, keyInfo, ...rest] = signature.children;
    if (
      !signedInfo ||
      !isDsig(signedInfo, 'SignedInfo') ||
      !signatureValue ||
      !isDsig(signatureValue, 'SignatureValue')
    ) {
      throw new XmlSignatureError(
        'UNEXPECTED_SIGNATURE_LAYOUT',
        'ds:Signature lacks SignedInfo or SignatureValue',
      );
    }
    if (rest.length > 0 || (keyInfo && !isDsig(keyInfo, 'KeyInfo'))) {
      throw new XmlSignatureError('UNEXPECTED_SIGNATURE_LAYOUT', 'ds:Signature has unexpected children');
    }
    for (const node of [signature, signedInfo]) {
      if (node.text.trim() !== '') {
        throw new XmlSignatureError('UNEXPECTED_SIGNATURE_LAYOUT', 'unexpected text inside the signature');
      }
    }

    const [c14nMethod, signatureMethod, reference, ...moreReferences] = signedInfo.children;
    if (
      !c14nMethod ||
      !isDsig(c14nMethod, 'CanonicalizationMethod') ||
      algorithmOf(c14nMethod) !== EXCLUSIVE_C14N
    ) {
      throw new XmlSignatureError(
        'UNSUPPORTED_ALGORITHM',
        'SignedInfo is not canonicalised with exclusive c14n',
      );
    }
    if (
      !signatureMethod ||
      !isDsig(signatureMethod, 'SignatureMethod') ||
      algorithmOf(signatureMethod) !== RSA_SHA256
    ) {
      throw new XmlSignatureError('UNSUPPORTED_ALGORITHM', 'the signature method is not RSA-SHA256');
    }
    if (!reference || !isDsig(reference, 'Reference') || moreReferences.length > 0) {
      throw new XmlSignatureError('REFERENCE_MISMATCH', 'SignedInfo must hold exactly one Reference');
    }

    const id = attributeOf(element, ID_ATTRIBUTE);
    if (!id || attributeOf(reference, 'URI') !== `#${id}`) {
      throw new XmlSignatureError(
        'REFERENCE_MISMATCH',
        'the signature does not reference the signed element',
      );
    }
    if (countElementsWithId(root, id) !== 1) {
      throw new XmlSignatureError('REFERENCE_MISMATCH', 'the referenced Id is not unique in the document');
    }
    const [transforms, digestMethod, digestValue, ...referenceRest] = reference.children;
    const transformList = transforms && isDsig(transforms, 'Transforms') ? transforms.children : [];
    if (
      transformList.length !== 2 ||
      !isDsig(transformList[0], 'Transform') ||
      algorithmOf(transformList[0]) !== ENVELOPED_SIGNATURE ||
      !isDsig(transformList[1], 'Transform') ||
      algorithmOf(transformList[1]) !== EXCLUSIVE_C14N
    ) {
      throw new XmlSignatureError(
        'UNSUPPORTED_ALGORITHM',
        'the reference transforms must be enveloped-signature then exclusive c14n',
      );
    }
    if (!digestMethod || !isDsig(digestMethod, 'DigestMethod') || algorithmOf(digestMethod) !== SHA256) {
      throw new XmlSignatureError('UNSUPPORTED_ALGORITHM', 'the digest method is not SHA-256');
    }
    if (!digestValue || !isDsig(digestValue, 'DigestValue') || referenceRest.length > 0) {
      throw new XmlSignatureError('UNEXPECTED_SIGNATURE_LAYOUT', 'the reference has no DigestValue');
    }

    // Which trusted key: the one KeyInfo names, when it names one; a certificate we do not trust is refused.
    let candidates = this.trusted;
    const embedded = keyInfo ? embeddedCertificate(keyInfo) : undefined;
    if (embedded !== undefined) {
      candidates = this.trusted.filter((t) => t.der === embedded);
      if (candidates.length === 0) {
        throw new XmlSignatureError(
          'UNTRUSTED_CERTIFICATE',
          'the message is signed with a certificate other than the trusted one',
        );
      }
    }
    return {
      signature,
      signedInfo,
      digestValue: digestValue.text.replace(/\s+/g, ''),
      signatureValue: Buffer.from(signatureValue.text.replace(/\s+/g, ''), 'base64'),
      candidates,
      signedInfoPrefixes: prefixList(c14nMethod),
      referencePrefixes: prefixList(transformList[1]),
    };
  }

  // --- cryptographic checks ----------------------------------------------------------------------

  /** On the received bytes; undefined when they are not the canonical form (the DOM path decides then). */
  private verifyBytes(
    source: string,
    element: XmlElement,
    inspected: Inspected,
  ): VerifiedSignature | undefined {
    const { signature, signedInfo } = inspected;
    if (inspected.signedInfoPrefixes.length > 0 || inspected.referencePrefixes.length > 0) return undefined;
    const digest = createHash('sha256')
      .update(source.slice(element.start, signature.start), 'utf8')
      .update(source.slice(signature.end, element.end), 'utf8')
      .digest('base64');
    if (digest !== inspected.digestValue) return undefined;
    const qname = signedInfo.prefix ? `${signedInfo.prefix}:SignedInfo` : 'SignedInfo';
    if (source.slice(signedInfo.start, signedInfo.startTagEnd) !== `<${qname}>`) return undefined;
    const declaration = signedInfo.prefix ? `xmlns:${signedInfo.prefix}` : 'xmlns';
    const canonicalSignedInfo = `<${qname} ${declaration}="${XMLDSIG_NAMESPACE}">${source.slice(signedInfo.startTagEnd, signedInfo.end)}`;
    const signer = this.checkSignatureValue(canonicalSignedInfo, inspected);
    return signer ? { signerFingerprint: signer.fingerprint, path: 'bytes' } : undefined;
  }

  /** On a DOM, canonicalised with xml-crypto's exclusive c14n. */
  private verifyCanonicalised(element: XmlElement, inspected: Inspected): VerifiedSignature {
    const elementDom = element.dom!;
    const signatureDom = inspected.signature.dom!;
    const canonicalSignedInfo = this.canonicalise(inspected.signedInfo.dom!, inspected.signedInfoPrefixes);
    elementDom.removeChild(signatureDom);
    let canonicalElement: string;
    try {
      canonicalElement = this.canonicalise(elementDom, inspected.referencePrefixes);
    } finally {
      elementDom.appendChild(signatureDom);
    }
    const digest = createHash('sha256').update(canonicalElement, 'utf8').digest('base64');
    if (digest !== inspected.digestValue) {
      throw new XmlSignatureError('DIGEST_MISMATCH', 'the signed element was changed after signing');
    }
    const signer = this.checkSignatureValue(canonicalSignedInfo, inspected);
    if (!signer)
      throw new XmlSignatureError('SIGNATURE_MISMATCH', 'the signature was not made with the trusted key');
    return { signerFingerprint: signer.fingerprint, path: 'c14n' };
  }

  private checkSignatureValue(canonicalSignedInfo: string, inspected: Inspected): TrustedSigner | undefined {
    const data = Buffer.from(canonicalSignedInfo, 'utf8');
    return inspected.candidates.find((candidate) =>
      verify('sha256', data, candidate.key, inspected.signatureValue),
    );
  }

  private canonicalise(node: DomElement, inclusivePrefixes: string[]): string {
    return this.c14n.process(node as never, {
      inclusiveNamespacesPrefixList: inclusivePrefixes,
      ancestorNamespaces: inclusivePrefixes.length > 0 ? ancestorNamespaces(node) : [],
    }) as string;
  }
}

function isDsig(node: XmlElement, localName: string): boolean {
  return node.namespaceURI === XMLDSIG_NAMESPACE && node.localName === localName;
}

function algorithmOf(node: XmlElement): string | undefined {
  return attributeOf(node, 'Algorithm');
}

function detach(element: XmlElement, child: XmlElement | undefined): void {
  const index = child ? element.children.indexOf(child) : -1;
  if (index !== -1) element.children.splice(index, 1);
}

function embeddedCertificate(keyInfo: XmlElement): string | undefined {
  const found: XmlElement[] = [];
  const stack = [keyInfo];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isDsig(node, 'X509Certificate')) found.push(node);
    stack.push(...node.children);
  }
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new XmlSignatureError('UNEXPECTED_SIGNATURE_LAYOUT', 'KeyInfo carries more than one certificate');
  }
  return found[0].text.replace(/\s+/g, '');
}

function prefixList(method: XmlElement): string[] {
  for (const child of method.children) {
    if (child.localName === 'InclusiveNamespaces') {
      return (attributeOf(child, 'PrefixList') ?? '').split(/\s+/).filter((p) => p.length > 0);
    }
  }
  return [];
}

function countDsigSignatures(root: XmlElement): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isDsig(node, 'Signature')) count++;
    for (const child of node.children) stack.push(child);
  }
  return count;
}

function countElementsWithId(root: XmlElement, id: string): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const attribute of node.attributes) {
      const name = attribute.localName;
      if ((name === 'Id' || name === 'ID' || name === 'id') && attribute.value === id) count++;
    }
    for (const child of node.children) stack.push(child);
  }
  return count;
}

function pathOf(element: XmlElement): number[] {
  const path: number[] = [];
  for (let node = element; node.parent; node = node.parent) path.unshift(node.parent.children.indexOf(node));
  return path;
}

function locate(root: XmlElement, path: number[]): XmlElement {
  let node = root;
  for (const index of path) {
    const next = node.children[index];
    if (!next) throw new PkiError('the document reads differently with the DOM parser');
    node = next;
  }
  return node;
}

function rootOf(element: XmlElement): XmlElement {
  let node = element;
  while (node.parent) node = node.parent;
  return node;
}

function findByDom(root: XmlElement, dom: DomElement): XmlElement | undefined {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.dom === dom) return node;
    stack.push(...node.children);
  }
  return undefined;
}

/** Namespace declarations in scope above `node`, nearest first, for InclusiveNamespaces prefix lists. */
function ancestorNamespaces(node: DomElement): { prefix: string; namespaceURI: string }[] {
  const seen = new Set<string>();
  const out: { prefix: string; namespaceURI: string }[] = [];
  for (let parent = node.parentNode; parent && parent.nodeType === 1; parent = parent.parentNode) {
    const attributes = (parent as DomElement).attributes;
    for (let i = 0; i < attributes.length; i++) {
      const attribute = attributes[i];
      if (attribute.prefix === 'xmlns' && !seen.has(attribute.localName ?? '')) {
        seen.add(attribute.localName ?? '');
        out.push({ prefix: attribute.localName ?? '', namespaceURI: attribute.value });
      }
    }
  }
  return out;
}

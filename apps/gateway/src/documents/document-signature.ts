import * as forge from 'node-forge';
import { AgencyTrustStore, fingerprintOf, sameSerial } from './agency-trust';

/**
 * Detached document signatures: CMS SignedData (RFC 5652, PKCS#7), DER, sent base64.
 *
 * The issuing agency signs the document's bytes (the PDF in storage) the usual way for a detached
 * signature: SHA-256 digest, RSA PKCS#1 v1.5, signed attributes with contentType = id-data and
 * messageDigest = SHA-256 of the content. So the signature proves the content hash without the gateway
 * ever seeing the content: the messageDigest attribute must equal the registered `contentHash.value`.
 * The signature covers the content only; the registration metadata (owner, type, validity) is the
 * registering system's statement, and the signer certificate must belong to the issuing agency named in it.
 *
 * Produced by `openssl cms -sign -binary -md sha256 -outform DER` (detached is its default), by node-forge
 * (`signDocumentContent` below) and by the usual signing tools of Vietnamese CAs.
 */

/** Why a signature was refused; stable values, returned as `reason` in the problem. */
export type DocumentSignatureFailure =
  /** Not base64, not DER, not a CMS SignedData, or missing a required part. */
  | 'MALFORMED_SIGNATURE'
  /** Well formed, but outside the profile: several signers, not detached, not SHA-256/RSA, no signed attributes. */
  | 'UNSUPPORTED_SIGNATURE'
  /** The signature value does not verify with the signer certificate's key (altered signature or attributes). */
  | 'SIGNATURE_MISMATCH'
  /** The signature was made over other content: its message digest is not the registered content hash. */
  | 'CONTENT_HASH_MISMATCH'
  /** The signer certificate is not a trusted agency certificate (unknown, self-signed, another CA's). */
  | 'UNKNOWN_SIGNER'
  /** The signer certificate (or its CA) has expired. */
  | 'CERTIFICATE_EXPIRED'
  /** The signer certificate (or its CA) is not valid yet. */
  | 'CERTIFICATE_NOT_YET_VALID'
  /** A trusted agency signed, but not the issuing agency the document names. */
  | 'SIGNER_NOT_ISSUING_AGENCY';

export class DocumentSignatureError extends Error {
  constructor(
    readonly reason: DocumentSignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'DocumentSignatureError';
  }
}

export interface VerifiedDocumentSignature {
  /** Agency code of the signer certificate (equal to the expected one). */
  agencyCode: string;
  /** The signer as displayed: the certificate's CN, or the whole subject when it has none. */
  signer: string;
  /** `CN=...,OU=...,O=...,C=...`. */
  signerSubject: string;
  /** SHA-256 of the DER signer certificate, `AB:CD:...`. */
  certificateFingerprint: string;
  /** The signing time the signer claims (signed attribute), when present. */
  signingTime?: Date;
  /** The signature as received, DER. */
  der: Buffer;
  verifiedAt: Date;
}

export interface ExpectedSignature {
  /** The registered content hash, SHA-256 lowercase hex. */
  contentSha256: string;
  /** Agency code of the issuing agency the document names. */
  agencyCode: string;
}

/** Largest signature accepted, in bytes of DER (a certificate chain or two and the signer info). */
export const MAX_SIGNATURE_BYTES = 64 * 1024;

const { Class, Type } = forge.asn1;
const OIDS = forge.pki.oids;
const RSA_SIGNATURE_OIDS = new Set([OIDS.rsaEncryption, OIDS.sha256WithRSAEncryption]);

type Node = forge.asn1.Asn1;

function fail(reason: DocumentSignatureFailure, message: string): never {
  throw new DocumentSignatureError(reason, message);
}

function malformed(what: string): never {
  return fail('MALFORMED_SIGNATURE', `The signature is not a well-formed CMS SignedData: ${what}.`);
}

function childrenOf(node: Node | undefined, what: string): Node[] {
  if (!node || !Array.isArray(node.value)) malformed(`${what} is missing or not constructed`);
  return node.value as Node[];
}

function is(node: Node | undefined, tagClass: forge.asn1.Class, type: number): node is Node {
  return node !== undefined && node.tagClass === tagClass && node.type === type;
}

function oidOf(node: Node | undefined, what: string): string {
  if (!is(node, Class.UNIVERSAL, Type.OID) || typeof node.value !== 'string')
    malformed(`${what} is not an OID`);
  try {
    return forge.asn1.derToOid(node.value);
  } catch {
    return malformed(`${what} is not an OID`);
  }
}

function bytesOf(node: Node | undefined, type: number, what: string): string {
  if (!is(node, Class.UNIVERSAL, type) || typeof node.value !== 'string') malformed(`${what} is missing`);
  return node.value;
}

/** Decodes base64 (whitespace allowed, as `openssl base64` wraps it) to DER bytes. */
export function decodeSignature(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    fail('MALFORMED_SIGNATURE', 'The signature must be the base64 of a DER CMS SignedData.');
  }
  const der = Buffer.from(compact, 'base64');
  if (der.length > MAX_SIGNATURE_BYTES) {
    fail('MALFORMED_SIGNATURE', `The signature is larger than ${MAX_SIGNATURE_BYTES} bytes.`);
  }
  return der;
}

interface SignerInfo {
  issuerHash: string;
  serialHex: string;
  signedAttributes: Node;
  signatureAlgorithm: string;
  signature: string;
}

interface SignedData {
  certificates: forge.pki.Certificate[];
  signer: SignerInfo;
}

function parseSignedData(der: Buffer): SignedData {
  let root: Node;
  try {
    // strict DER, and every byte must belong to the message
    root = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true);
  } catch {
    return malformed('the bytes are not DER');
  }
  const [contentType, explicit] = childrenOf(root, 'ContentInfo');
  if (oidOf(contentType, 'the content type') !== OIDS.signedData) {
    fail('UNSUPPORTED_SIGNATURE', 'The signature is a CMS message, but not SignedData.');
  }
  if (!is(explicit, Class.CONTEXT_SPECIFIC, 0)) malformed('the SignedData content is missing');
  const [signedData] = childrenOf(explicit, 'the SignedData content');
  const parts = childrenOf(signedData, 'SignedData');
  const encapsulated = childrenOf(parts[2], 'the encapsulated content info');
  if (oidOf(encapsulated[0], 'the encapsulated content type') !== OIDS.data) {
    fail('UNSUPPORTED_SIGNATURE', 'The signed content type must be id-data.');
  }
  if (encapsulated.length > 1) {
    fail(
      'UNSUPPORTED_SIGNATURE',
      'The signature carries the content; send a detached signature (the content stays in storage).',
    );
  }
  const certificates: forge.pki.Certificate[] = [];
  let signerInfos: Node[] | undefined;
  for (const part of parts.slice(3)) {
    if (is(part, Class.CONTEXT_SPECIFIC, 0)) {
      for (const entry of childrenOf(part, 'the certificates')) {
        if (!is(entry, Class.UNIVERSAL, Type.SEQUENCE)) continue; // attribute or other certificate formats
        try {
          certificates.push(forge.pki.certificateFromAsn1(entry));
        } catch {
          malformed('a certificate it carries cannot be read (only RSA certificates are supported)');
        }
      }
    } else if (is(part, Class.UNIVERSAL, Type.SET)) {
      signerInfos = childrenOf(part, 'the signer infos');
    }
  }
  if (!signerInfos || signerInfos.length === 0) malformed('it has no signer');
  if (signerInfos.length !== 1) {
    fail('UNSUPPORTED_SIGNATURE', `Exactly one signer is expected; the signature has ${signerInfos.length}.`);
  }
  return { certificates, signer: parseSignerInfo(signerInfos[0]) };
}

function parseSignerInfo(node: Node): SignerInfo {
  const [, sid, digestAlgorithm, ...rest] = childrenOf(node, 'the signer info');
  if (!is(sid, Class.UNIVERSAL, Type.SEQUENCE)) {
    fail(
      'UNSUPPORTED_SIGNATURE',
      'The signer must be identified by issuer and serial number (not by subject key identifier).',
    );
  }
  const [issuer, serial] = childrenOf(sid, 'the signer identifier');
  if (!is(issuer, Class.UNIVERSAL, Type.SEQUENCE)) malformed('the signer issuer is missing');
  const digest = oidOf(childrenOf(digestAlgorithm, 'the digest algorithm')[0], 'the digest algorithm');
  if (digest !== OIDS.sha256) fail('UNSUPPORTED_SIGNATURE', 'The digest algorithm must be SHA-256.');
  const signedAttributes = rest[0];
  if (!is(signedAttributes, Class.CONTEXT_SPECIFIC, 0)) {
    fail(
      'UNSUPPORTED_SIGNATURE',
      'The signature has no signed attributes; they must carry contentType and messageDigest.',
    );
  }
  const signatureAlgorithm = oidOf(
    childrenOf(rest[1], 'the signature algorithm')[0],
    'the signature algorithm',
  );
  if (!RSA_SIGNATURE_OIDS.has(signatureAlgorithm)) {
    fail('UNSUPPORTED_SIGNATURE', 'The signature algorithm must be RSA (PKCS#1 v1.5) with SHA-256.');
  }
  const issuerDigest = forge.md.sha1.create();
  issuerDigest.update(forge.asn1.toDer(issuer).getBytes());
  return {
    issuerHash: issuerDigest.digest().toHex(),
    serialHex: forge.util.bytesToHex(bytesOf(serial, Type.INTEGER, 'the signer serial number')),
    signedAttributes,
    signatureAlgorithm,
    signature: bytesOf(rest[2], Type.OCTETSTRING, 'the signature value'),
  };
}

interface SignedAttributes {
  messageDigest: string;
  signingTime?: Date;
}

function readSignedAttributes(node: Node): SignedAttributes {
  const values = new Map<string, Node[]>();
  for (const attribute of childrenOf(node, 'the signed attributes')) {
    const [type, set] = childrenOf(attribute, 'a signed attribute');
    const oid = oidOf(type, 'a signed attribute type');
    if (values.has(oid)) malformed('a signed attribute appears twice');
    values.set(oid, childrenOf(set, 'a signed attribute value'));
  }
  const contentType = values.get(OIDS.contentType);
  const digest = values.get(OIDS.messageDigest);
  if (!contentType || !digest) {
    malformed('the signed attributes must include contentType and messageDigest');
  }
  if (contentType.length !== 1 || oidOf(contentType[0], 'the contentType attribute') !== OIDS.data) {
    fail('UNSUPPORTED_SIGNATURE', 'The contentType signed attribute must be id-data.');
  }
  if (digest.length !== 1) malformed('the messageDigest attribute must have one value');
  const messageDigest = forge.util.bytesToHex(bytesOf(digest[0], Type.OCTETSTRING, 'the message digest'));
  const time = values.get(OIDS.signingTime)?.[0];
  const text = typeof time?.value === 'string' ? time.value : undefined;
  let signingTime: Date | undefined;
  if (time && text !== undefined && time.tagClass === Class.UNIVERSAL) {
    try {
      if (time.type === Type.UTCTIME) signingTime = forge.asn1.utcTimeToDate(text);
      else if (time.type === Type.GENERALIZEDTIME) signingTime = forge.asn1.generalizedTimeToDate(text);
    } catch {
      signingTime = undefined; // informative only
    }
  }
  return { messageDigest, ...(signingTime && !Number.isNaN(signingTime.getTime()) ? { signingTime } : {}) };
}

/** The bytes the signature value is computed over: the signed attributes DER-encoded as a SET OF. */
function signedBytes(attributes: Node): string {
  const set = forge.asn1.create(Class.UNIVERSAL, Type.SET, true, attributes.value as Node[]);
  return forge.asn1.toDer(set).getBytes();
}

function rsaVerifies(certificate: forge.pki.Certificate, bytes: string, signature: string): boolean {
  const md = forge.md.sha256.create();
  md.update(bytes);
  try {
    return (certificate.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), signature);
  } catch {
    return false; // a signature that does not even decode does not verify
  }
}

function subjectOf(certificate: forge.pki.Certificate): string {
  return certificate.subject.attributes
    .map((attribute) => `${attribute.shortName ?? attribute.type}=${String(attribute.value)}`)
    .join(',');
}

function checkValidity(certificate: forge.pki.Certificate, now: Date, what: string): void {
  if (now.getTime() > certificate.validity.notAfter.getTime()) {
    fail(
      'CERTIFICATE_EXPIRED',
      `${what} expired on ${certificate.validity.notAfter.toISOString()}; a document signed with it cannot be registered now.`,
    );
  }
  if (now.getTime() < certificate.validity.notBefore.getTime()) {
    fail(
      'CERTIFICATE_NOT_YET_VALID',
      `${what} is valid only from ${certificate.validity.notBefore.toISOString()}.`,
    );
  }
}

/**
 * Verifies a detached document signature against the trusted agency certificates. Checks, in order:
 * structure and profile; the signature value over the signed attributes with the signer certificate's key;
 * the messageDigest attribute equal to the registered content hash; the signer certificate being a trusted
 * agency certificate (issued by the CA; checked when the trust store was built); the validity dates of the
 * certificate and its CA at `now` (without a trusted timestamp, registration time is the only time the
 * gateway can vouch for); and the certificate's agency being the issuing agency. Throws
 * DocumentSignatureError naming the first failure.
 */
export function verifyDocumentSignature(
  signature: string | Buffer,
  expected: ExpectedSignature,
  trust: AgencyTrustStore,
  now: Date = new Date(),
): VerifiedDocumentSignature {
  const der = typeof signature === 'string' ? decodeSignature(signature) : signature;
  const { certificates, signer } = parseSignedData(der);
  const attributes = readSignedAttributes(signer.signedAttributes);

  const certificate =
    certificates.find(
      (candidate) =>
        candidate.issuer.hash === signer.issuerHash && sameSerial(candidate.serialNumber, signer.serialHex),
    ) ?? trust.findByIssuerAndSerial(signer.issuerHash, signer.serialHex);
  if (!certificate) {
    fail(
      'UNKNOWN_SIGNER',
      'Unknown signer: the signing certificate is neither in the signature nor among the trusted agency certificates.',
    );
  }
  if (!rsaVerifies(certificate, signedBytes(signer.signedAttributes), signer.signature)) {
    fail(
      'SIGNATURE_MISMATCH',
      "The signature value does not verify with the signer certificate's key: the signature or its signed attributes were altered.",
    );
  }
  if (attributes.messageDigest !== expected.contentSha256.toLowerCase()) {
    fail(
      'CONTENT_HASH_MISMATCH',
      'The signature was made over different content: its message digest is not the registered contentHash (tampered content or wrong hash).',
    );
  }
  const trusted = trust.find(certificate);
  if (!trusted) {
    fail(
      'UNKNOWN_SIGNER',
      `Unknown signer: "${subjectOf(certificate)}" is not a trusted issuing-agency certificate (not issued by the trusted CA, or not on record).`,
    );
  }
  checkValidity(trusted.issuer, now, 'The CA certificate of the signer');
  checkValidity(certificate, now, `The signer certificate of agency ${trusted.agencyCode}`);
  if (trusted.agencyCode !== expected.agencyCode) {
    fail(
      'SIGNER_NOT_ISSUING_AGENCY',
      `The document was signed by agency ${trusted.agencyCode}, not by its issuing agency ${expected.agencyCode}.`,
    );
  }
  const subject = subjectOf(certificate);
  const commonName = certificate.subject.getField('CN') as { value?: unknown } | null;
  return {
    agencyCode: trusted.agencyCode,
    signer: typeof commonName?.value === 'string' && commonName.value ? commonName.value : subject,
    signerSubject: subject,
    certificateFingerprint: fingerprintOf(certificate),
    ...(attributes.signingTime ? { signingTime: attributes.signingTime } : {}),
    der,
    verifiedAt: now,
  };
}

/**
 * Signs document content the way the reuse store expects (detached CMS, SHA-256, RSA, signed attributes,
 * signer certificate included) and returns the base64 DER. For tests, tools and the dev PKI's agency keys
 * (`agency-<code>.crt/.key`); node-forge's RSA runs in JavaScript (tens of milliseconds per signature).
 */
export function signDocumentContent(
  content: Buffer,
  signer: { certPem: string; keyPem: string },
  options: { includeCertificate?: boolean; signingTime?: Date } = {},
): string {
  const p7 = forge.pkcs7.createSignedData();
  p7.content = forge.util.createBuffer(content.toString('binary'));
  if (options.includeCertificate !== false) p7.addCertificate(signer.certPem);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(signer.keyPem) as forge.pki.rsa.PrivateKey,
    certificate: signer.certPem,
    digestAlgorithm: OIDS.sha256,
    authenticatedAttributes: [
      { type: OIDS.contentType, value: OIDS.data },
      { type: OIDS.messageDigest },
      // forge fills in the current time when no value is given
      { type: OIDS.signingTime, value: options.signingTime as unknown as string | undefined },
    ],
  });
  p7.sign({ detached: true });
  return Buffer.from(forge.asn1.toDer(p7.toAsn1()).getBytes(), 'binary').toString('base64');
}

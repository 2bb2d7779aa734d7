import { createHash, X509Certificate } from 'node:crypto';
import { PkiError } from './pki.errors';

/** What `lienthong pki show` prints about a certificate. */
export interface CertificateInfo {
  /** RFC 4514-style subject, e.g. `CN=gateway,O=Lien Thong (development),OU=...,C=VN`. */
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER certificate, `AB:CD:...`. */
  fingerprintSha256: string;
  /** DNS names and IP addresses. */
  subjectAltNames: string[];
  isCa: boolean;
}

/** Parses a PEM certificate and describes it. */
export function describeCertificate(pem: string | Buffer): CertificateInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (error) {
    throw new PkiError(`not a PEM certificate: ${(error as Error).message}`, { cause: error });
  }
  return {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    fingerprintSha256: sha256Fingerprint(cert.raw),
    subjectAltNames: (cert.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s.length > 0)
      .map((s) => s.replace(/^(DNS|IP Address):/, '')),
    isCa: cert.ca,
  };
}

/** `AB:CD:...` SHA-256 of DER bytes. */
export function sha256Fingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** Base64 of the DER certificate inside a PEM block (what ds:X509Certificate carries). */
export function pemToBase64Der(pem: string): string {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!match) throw new PkiError('no PEM certificate block found');
  return match[1].replace(/\s+/g, '');
}

/** Node prints one attribute per line; join them the RFC 4514 way (most specific first is not needed here). */
function distinguishedName(multiline: string): string {
  return multiline
    .split('\n')
    .filter((line) => line.length > 0)
    .join(',');
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as forge from 'node-forge';
import { agencyCertificateName, DEV_PKI_NAMES, sha256Fingerprint } from '@lienthong/pki';

/** A certificate an issuing agency signs its documents with, trusted for that agency only. */
export interface TrustedAgencyCertificate {
  agencyCode: string;
  certificate: forge.pki.Certificate;
  /** SHA-256 of the DER certificate, `AB:CD:...`. */
  fingerprint: string;
  /** The CA certificate it was verified against. */
  issuer: forge.pki.Certificate;
}

/** Raised when there is no trust material at all: signed documents cannot be verified. */
export class TrustUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustUnavailableError';
  }
}

/** Where the verifier gets the certificates it trusts; read on every verification, so it may change. */
export interface AgencyTrustSource {
  /** Throws TrustUnavailableError when no agency certificate can be trusted. */
  current(): AgencyTrustStore;
}

const AGENCY_FILE = /^agency-(.+)\.crt$/;

function derOf(certificate: forge.pki.Certificate): string {
  return forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes();
}

export function fingerprintOf(certificate: forge.pki.Certificate): string {
  return sha256Fingerprint(Buffer.from(derOf(certificate), 'binary'));
}

/** Values of one subject attribute (`CN`, `OU`, ...). */
function subjectValues(certificate: forge.pki.Certificate, shortName: string): string[] {
  return certificate.subject.attributes
    .filter((attribute) => attribute.shortName === shortName)
    .map((attribute) => String(attribute.value));
}

/** True when the subject names the agency code: CN `agency-<code>` or an OU ending with the code. */
function subjectNamesAgency(certificate: forge.pki.Certificate, agencyCode: string): boolean {
  return (
    subjectValues(certificate, 'CN').includes(agencyCertificateName(agencyCode)) ||
    subjectValues(certificate, 'OU').some((unit) => unit.split(/\s+/).includes(agencyCode))
  );
}

function mayVerifyDocuments(certificate: forge.pki.Certificate): boolean {
  const basic = certificate.getExtension('basicConstraints') as { cA?: boolean } | null;
  if (basic?.cA) return false;
  const usage = certificate.getExtension('keyUsage') as {
    digitalSignature?: boolean;
    nonRepudiation?: boolean;
  } | null;
  return !usage || usage.digitalSignature === true || usage.nonRepudiation === true;
}

/**
 * The agency certificates documents may be signed with, each verified once against the CA certificates
 * (issuer name and signature) when the store is built. A certificate that does not chain to a CA, does not
 * name its agency code in its subject, or is not meant for signatures, is left out and listed in `problems`.
 * Validity dates are checked at verification time, so an expired certificate is reported as such.
 */
export class AgencyTrustStore {
  private readonly byFingerprint = new Map<string, TrustedAgencyCertificate>();
  readonly problems: readonly string[];

  constructor(
    readonly anchors: readonly forge.pki.Certificate[],
    agencies: readonly { agencyCode: string; certificate: forge.pki.Certificate; source?: string }[],
    /** Problems found while reading the certificates, to report with the others. */
    readProblems: readonly string[] = [],
  ) {
    const problems = [...readProblems];
    for (const { agencyCode, certificate, source } of agencies) {
      const named = source ?? agencyCertificateName(agencyCode);
      const issuer = anchors.find((anchor) => chainsTo(certificate, anchor));
      if (!issuer) {
        problems.push(`${named}: not issued by a trusted CA`);
      } else if (!subjectNamesAgency(certificate, agencyCode)) {
        problems.push(`${named}: the subject does not name agency ${agencyCode}`);
      } else if (!mayVerifyDocuments(certificate)) {
        problems.push(`${named}: not a signing certificate`);
      } else {
        const fingerprint = fingerprintOf(certificate);
        this.byFingerprint.set(fingerprint, { agencyCode, certificate, fingerprint, issuer });
      }
    }
    this.problems = problems;
  }

  /** From PEM texts: the CA certificate(s) and the agency certificates by agency code. */
  static fromPem(caPems: readonly string[], agencies: readonly { agencyCode: string; certPem: string }[]) {
    return new AgencyTrustStore(
      caPems.map((pem) => forge.pki.certificateFromPem(pem)),
      agencies.map(({ agencyCode, certPem }) => ({
        agencyCode,
        certificate: forge.pki.certificateFromPem(certPem),
      })),
    );
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  /** Agency codes with at least one trusted certificate, sorted. */
  agencyCodes(): string[] {
    return [...new Set([...this.byFingerprint.values()].map((entry) => entry.agencyCode))].sort();
  }

  /** The trusted entry for exactly this certificate, if any. */
  find(certificate: forge.pki.Certificate): TrustedAgencyCertificate | undefined {
    return this.byFingerprint.get(fingerprintOf(certificate));
  }

  /** A trusted certificate by issuer name hash and serial number (for signatures that carry no certificate). */
  findByIssuerAndSerial(issuerHash: string, serialHex: string): forge.pki.Certificate | undefined {
    for (const { certificate } of this.byFingerprint.values()) {
      if (certificate.issuer.hash === issuerHash && sameSerial(certificate.serialNumber, serialHex)) {
        return certificate;
      }
    }
    return undefined;
  }
}

export function sameSerial(a: string, b: string): boolean {
  const strip = (hex: string) => hex.toLowerCase().replace(/^(00)+/, '');
  return strip(a) === strip(b);
}

function chainsTo(certificate: forge.pki.Certificate, anchor: forge.pki.Certificate): boolean {
  try {
    return anchor.verify(certificate);
  } catch {
    return false; // the issuer name does not match this anchor, or the signature is not readable
  }
}

/**
 * The development PKI directory (PKI_DIR) as a trust source: `ca.crt` is the trust anchor and every
 * `agency-<code>.crt` the certificate of agency `<code>` (see `lienthong pki init`). Only certificates are
 * read, never keys. The directory is read on first use and again whenever it changes, so the gateway can
 * start before the PKI exists.
 */
export class PkiDirectoryTrust implements AgencyTrustSource {
  readonly dir: string;
  private cached?: { stamp: string; store: AgencyTrustStore };

  constructor(
    dir: string,
    private readonly onLoad?: (store: AgencyTrustStore) => void,
  ) {
    this.dir = resolve(dir);
  }

  current(): AgencyTrustStore {
    const stamp = this.stamp();
    if (this.cached?.stamp === stamp) return this.cached.store;
    const caPath = join(this.dir, `${DEV_PKI_NAMES.ca}.crt`);
    if (!existsSync(caPath)) {
      throw new TrustUnavailableError(
        `no CA certificate in ${this.dir}; run \`lienthong pki init --dir ${this.dir}\``,
      );
    }
    const agencies: { agencyCode: string; certificate: forge.pki.Certificate; source: string }[] = [];
    const unreadable: string[] = [];
    for (const file of readdirSync(this.dir).sort()) {
      const match = AGENCY_FILE.exec(file);
      if (!match) continue;
      try {
        const certificate = forge.pki.certificateFromPem(readFileSync(join(this.dir, file), 'utf8'));
        agencies.push({ agencyCode: match[1], certificate, source: file });
      } catch {
        unreadable.push(`${file}: not a PEM certificate`);
      }
    }
    let anchor: forge.pki.Certificate;
    try {
      anchor = forge.pki.certificateFromPem(readFileSync(caPath, 'utf8'));
    } catch {
      throw new TrustUnavailableError(`${caPath} is not a PEM certificate`);
    }
    const store = new AgencyTrustStore([anchor], agencies, unreadable);
    if (store.size === 0) {
      throw new TrustUnavailableError(`no usable agency certificate (agency-<code>.crt) in ${this.dir}`);
    }
    this.cached = { stamp, store };
    this.onLoad?.(store);
    return store;
  }

  /** Changes when a file is added, removed or replaced (the dev PKI writes files by rename). */
  private stamp(): string {
    try {
      const dir = statSync(this.dir);
      const ca = statSync(join(this.dir, `${DEV_PKI_NAMES.ca}.crt`), { throwIfNoEntry: false });
      return `${dir.mtimeMs}:${ca?.mtimeMs ?? 0}`;
    } catch {
      throw new TrustUnavailableError(
        `the PKI directory ${this.dir} does not exist; run \`lienthong pki init --dir ${this.dir}\``,
      );
    }
  }
}

import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import * as forge from 'node-forge';
import { DEV_PKI_ORGANIZATION, repoRoot } from '@lienthong/config';
import { PkiError } from './pki.errors';

/**
 * Development PKI: one certificate authority and the leaf certificates the local stack needs, as PEM files
 * in one directory (`var/pki` by default):
 *
 * | file                                  | what it is                                                         |
 * |---------------------------------------|--------------------------------------------------------------------|
 * | ca.crt, ca.key                        | the development CA every other certificate is issued by            |
 * | population-sim.crt/.key               | TLS server certificate of the population simulator                |
 * | gateway.crt/.key                      | the gateway: mTLS client certificate and SOAP request signing key  |
 * | gateway-server.crt/.key               | TLS server certificate of the gateway's own HTTPS listener         |
 * | demo-client.crt/.key                  | a caller's client certificate, for HTTPS with mutual TLS locally   |
 * | population-signer.crt/.key            | the population database's response-signing certificate             |
 * | agency-<code>.crt/.key                | issuing agencies, for document signatures                          |
 *
 * RSA 2048 keys (PKCS#8 PEM, mode 0600), SHA-256 signatures. Creating it again keeps every file that is
 * still valid (issued by the current CA, key matching, not expiring within 30 days, same usage and names),
 * so `lienthong pki init` is safe to repeat; a new CA re-issues every leaf.
 */

export type CertificateUsage = 'server' | 'client' | 'signing';

export interface IssueCertificateOptions {
  /** What the certificate is for; several usages may be combined (the gateway is client and signer). */
  usage: CertificateUsage | readonly CertificateUsage[];
  /** Subject alternative names: DNS names or IP addresses. Defaults to localhost/127.0.0.1 for servers. */
  sans?: readonly string[];
  /** Subject CN; defaults to the file name. */
  commonName?: string;
  /** Subject OU, a short description of the holder. */
  organizationalUnit?: string;
  /** Days of validity from now (default 730). */
  validityDays?: number;
  /** Re-issue even when the existing files are valid. */
  force?: boolean;
}

/** One issued certificate with its private key. */
export interface DevPkiEntry {
  name: string;
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

export interface DevPkiMaterial {
  dir: string;
  ca: DevPkiEntry;
  /** Every leaf found in the directory, by name (file name without extension). */
  entries: Readonly<Record<string, DevPkiEntry>>;
  /** The named leaf; throws a PkiError telling how to create it when it is missing. */
  get(name: string): DevPkiEntry;
}

export interface DevPkiResult extends DevPkiMaterial {
  /** Names (including `ca`) written by this call. */
  created: string[];
  /** Names (including `ca`) whose existing files were kept. */
  kept: string[];
}

export interface DevPkiOptions {
  /** Extra simulator server certificates (population-sim is always issued). */
  servers?: readonly string[];
  /** Agency codes to issue `agency-<code>` signing certificates for (default: DEFAULT_DEV_AGENCIES). */
  agencies?: readonly string[];
  /** SANs of the server certificates (default: localhost, 127.0.0.1). */
  serverSans?: readonly string[];
  /** Current time, for tests. */
  clock?: () => Date;
}

/** Names of the certificates the local stack relies on. */
export const DEV_PKI_NAMES = {
  ca: 'ca',
  populationSimulator: 'population-sim',
  gateway: 'gateway',
  populationSigner: 'population-signer',
  gatewayServer: 'gateway-server',
  demoClient: 'demo-client',
} as const;

/** Agencies issued by default (codes of the form in Decision 20/2020/QĐ-TTg, as in docs/domain.md). */
export const DEFAULT_DEV_AGENCIES: readonly string[] = ['000.00.14.H56', '000.17.22.H56'];

export const DEFAULT_SERVER_SANS: readonly string[] = ['localhost', '127.0.0.1'];

const KEY_BITS = 2048;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 730;
/** Files expiring sooner than this are re-issued. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
// Production mode recognises (and refuses) development certificates by this organization.
const ORGANIZATION = DEV_PKI_ORGANIZATION;
const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;

/** `<repo>/var/pki`. */
export function defaultPkiDir(): string {
  return join(repoRoot(), 'var', 'pki');
}

/** `agency-<code>`: the file name of an agency's signing certificate. */
export function agencyCertificateName(agencyCode: string): string {
  return `agency-${agencyCode}`;
}

/**
 * The development CA in `dir`. `create` makes a new one when the files are missing or no longer valid;
 * otherwise a missing CA is an error.
 */
export class DevCertificateAuthority {
  private constructor(
    readonly dir: string,
    readonly entry: DevPkiEntry,
    private readonly cert: forge.pki.Certificate,
    private readonly key: forge.pki.rsa.PrivateKey,
    /** True when this call wrote a new CA. */
    readonly created: boolean,
    private readonly clock: () => Date,
  ) {}

  static open(dir: string, options: { create?: boolean; clock?: () => Date } = {}): DevCertificateAuthority {
    const clock = options.clock ?? (() => new Date());
    const absolute = resolve(dir);
    const paths = filePaths(absolute, DEV_PKI_NAMES.ca);
    let created = false;
    if (!isValidCa(paths, clock())) {
      if (!options.create) {
        throw new PkiError(
          `no valid development CA in ${absolute}; run \`lienthong pki init --dir ${absolute}\``,
        );
      }
      mkdirSync(absolute, { recursive: true });
      const keys = generateRsaKeyPair();
      const cert = forge.pki.createCertificate();
      cert.publicKey = keys.publicKey;
      cert.serialNumber = randomSerial();
      setValidity(cert, clock(), CA_VALIDITY_DAYS);
      const subject = [
        { name: 'commonName', value: 'Lien Thong Development CA' },
        { name: 'organizationName', value: ORGANIZATION },
        { name: 'countryName', value: 'VN' },
      ];
      cert.setSubject(subject);
      cert.setIssuer(subject);
      cert.setExtensions([
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]);
      cert.sign(keys.privateKey, forge.md.sha256.create());
      writePair(paths, forge.pki.certificateToPem(cert), privateKeyToPkcs8Pem(keys.privateKey));
      created = true;
    }
    const certPem = readFileSync(paths.certPath, 'utf8');
    const keyPem = readFileSync(paths.keyPath, 'utf8');
    return new DevCertificateAuthority(
      absolute,
      { name: DEV_PKI_NAMES.ca, certPem, keyPem, ...paths },
      forge.pki.certificateFromPem(certPem),
      forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
      created,
      clock,
    );
  }

  /**
   * Issues `<name>.crt`/`<name>.key` signed by this CA, or keeps the existing files when they are still
   * valid for the requested usage and names. `issued` says which happened.
   */
  issueCertificate(name: string, options: IssueCertificateOptions): { entry: DevPkiEntry; issued: boolean } {
    if (!NAME_PATTERN.test(name) || name === DEV_PKI_NAMES.ca) {
      throw new PkiError(`"${name}" is not a usable certificate name (letters, digits, dots and dashes)`);
    }
    const usages = normaliseUsages(options.usage);
    const sans = [...(options.sans ?? (usages.includes('server') ? DEFAULT_SERVER_SANS : []))];
    const paths = filePaths(this.dir, name);
    const caX509 = new X509Certificate(this.entry.certPem);
    if (!options.force && isValidLeaf(paths, caX509, usages, sans, this.clock())) {
      return { entry: readEntry(name, paths), issued: false };
    }

    const keys = generateRsaKeyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = randomSerial();
    setValidity(cert, this.clock(), options.validityDays ?? LEAF_VALIDITY_DAYS);
    cert.setSubject([
      { name: 'commonName', value: options.commonName ?? name },
      { name: 'organizationName', value: ORGANIZATION },
      { shortName: 'OU', value: options.organizationalUnit ?? defaultUnit(usages) },
      { name: 'countryName', value: 'VN' },
    ]);
    cert.setIssuer(this.cert.subject.attributes);
    const extensions: Record<string, unknown>[] = [
      { name: 'basicConstraints', cA: false, critical: true },
      {
        name: 'keyUsage',
        critical: true,
        digitalSignature: true,
        keyEncipherment: usages.includes('server') || usages.includes('client'),
        nonRepudiation: usages.includes('signing'),
      },
      { name: 'subjectKeyIdentifier' },
      {
        name: 'authorityKeyIdentifier',
        keyIdentifier: this.cert.generateSubjectKeyIdentifier().getBytes(),
      },
    ];
    if (usages.includes('server') || usages.includes('client')) {
      extensions.push({
        name: 'extKeyUsage',
        serverAuth: usages.includes('server'),
        clientAuth: usages.includes('client'),
      });
    }
    if (sans.length > 0) {
      extensions.push({
        name: 'subjectAltName',
        altNames: sans.map((san) => (isIP(san) ? { type: 7, ip: san } : { type: 2, value: san })),
      });
    }
    cert.setExtensions(extensions);
    cert.sign(this.key, forge.md.sha256.create());
    writePair(paths, forge.pki.certificateToPem(cert), privateKeyToPkcs8Pem(keys.privateKey));
    return { entry: readEntry(name, paths), issued: true };
  }
}

/**
 * Creates (or completes) the development PKI in `dir`: the CA, the population simulator's server
 * certificate, the gateway's client-and-signing certificate, the population database's signing
 * certificate, the gateway's HTTPS server certificate, a demo caller's client certificate, one signing
 * certificate per agency and any extra simulator server certificates.
 */
export function createDevPki(dir: string = defaultPkiDir(), options: DevPkiOptions = {}): DevPkiResult {
  const ca = DevCertificateAuthority.open(dir, { create: true, clock: options.clock });
  const created: string[] = ca.created ? [DEV_PKI_NAMES.ca] : [];
  const kept: string[] = ca.created ? [] : [DEV_PKI_NAMES.ca];
  const serverSans = options.serverSans ?? DEFAULT_SERVER_SANS;
  const plan: [string, IssueCertificateOptions][] = [
    [
      DEV_PKI_NAMES.populationSimulator,
      { usage: 'server', sans: serverSans, organizationalUnit: 'population database simulator' },
    ],
    [
      DEV_PKI_NAMES.gateway,
      { usage: ['client', 'signing'], organizationalUnit: 'provincial integration gateway' },
    ],
    [
      DEV_PKI_NAMES.populationSigner,
      { usage: 'signing', organizationalUnit: 'national population database signer' },
    ],
    [
      DEV_PKI_NAMES.gatewayServer,
      { usage: 'server', sans: serverSans, organizationalUnit: 'provincial integration gateway HTTPS' },
    ],
    [DEV_PKI_NAMES.demoClient, { usage: 'client', organizationalUnit: 'demo caller (local runs)' }],
    ...(options.servers ?? []).map((name): [string, IssueCertificateOptions] => [
      name,
      { usage: 'server', sans: serverSans, organizationalUnit: 'simulator' },
    ]),
    ...(options.agencies ?? DEFAULT_DEV_AGENCIES).map((code): [string, IssueCertificateOptions] => [
      agencyCertificateName(code),
      { usage: 'signing', organizationalUnit: `issuing agency ${code}` },
    ]),
  ];
  for (const [name, issueOptions] of plan) {
    const { issued } = ca.issueCertificate(name, issueOptions);
    (issued ? created : kept).push(name);
  }
  return { ...loadDevPki(ca.dir), created, kept };
}

/** Issues one certificate with the CA in `dir` (which must exist). */
export function issueCertificate(
  dir: string,
  name: string,
  options: IssueCertificateOptions,
): { entry: DevPkiEntry; issued: boolean } {
  return DevCertificateAuthority.open(dir).issueCertificate(name, options);
}

/** Reads the PEM files of the development PKI in `dir`. */
export function loadDevPki(dir: string = defaultPkiDir()): DevPkiMaterial {
  const absolute = resolve(dir);
  const caPaths = filePaths(absolute, DEV_PKI_NAMES.ca);
  if (!existsSync(caPaths.certPath) || !existsSync(caPaths.keyPath)) {
    throw new PkiError(`no development PKI in ${absolute}; run \`lienthong pki init --dir ${absolute}\``);
  }
  const entries: Record<string, DevPkiEntry> = {};
  for (const file of readdirSync(absolute).sort()) {
    if (!file.endsWith('.crt')) continue;
    const name = file.slice(0, -'.crt'.length);
    const paths = filePaths(absolute, name);
    if (name === DEV_PKI_NAMES.ca || !existsSync(paths.keyPath)) continue;
    entries[name] = readEntry(name, paths);
  }
  return {
    dir: absolute,
    ca: readEntry(DEV_PKI_NAMES.ca, caPaths),
    entries,
    get(name: string): DevPkiEntry {
      const entry = entries[name];
      if (!entry) {
        throw new PkiError(
          `the development PKI in ${absolute} has no "${name}" certificate; run \`lienthong pki init --dir ${absolute}\``,
        );
      }
      return entry;
    },
  };
}

// ---------------------------------------------------------------------------------------------------

interface FilePaths {
  certPath: string;
  keyPath: string;
}

function filePaths(dir: string, name: string): FilePaths {
  return { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
}

function readEntry(name: string, paths: FilePaths): DevPkiEntry {
  return {
    name,
    certPem: readFileSync(paths.certPath, 'utf8'),
    keyPem: readFileSync(paths.keyPath, 'utf8'),
    ...paths,
  };
}

function writePair(paths: FilePaths, certPem: string, keyPem: string): void {
  writeAtomically(paths.keyPath, keyPem, 0o600);
  writeAtomically(paths.certPath, certPem, 0o644);
}

function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/**
 * An RSA key pair for forge's certificate builder, generated by node's native crypto: forge's pure-JS prime
 * search takes seconds per key and far longer on a busy machine, which made `npm start` on a fresh clone slow.
 */
function generateRsaKeyPair(): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: KEY_BITS,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function privateKeyToPkcs8Pem(key: forge.pki.rsa.PrivateKey): string {
  return forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
}

/** 16 random bytes, first bit cleared so the serial is a positive integer. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  return bytes.toString('hex');
}

function setValidity(cert: forge.pki.Certificate, now: Date, days: number): void {
  // Back-dated by a day so a clock slightly behind does not reject a fresh certificate.
  cert.validity.notBefore = new Date(now.getTime() - 86_400_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

function normaliseUsages(usage: IssueCertificateOptions['usage']): CertificateUsage[] {
  const list = (typeof usage === 'string' ? [usage] : [...usage]) as CertificateUsage[];
  for (const u of list) {
    if (u !== 'server' && u !== 'client' && u !== 'signing') {
      throw new PkiError(`unknown certificate usage "${String(u)}" (server, client or signing)`);
    }
  }
  if (list.length === 0) throw new PkiError('a certificate needs at least one usage');
  return [...new Set(list)].sort();
}

function defaultUnit(usages: CertificateUsage[]): string {
  return usages.join(' and ');
}

function isValidCa(paths: FilePaths, now: Date): boolean {
  try {
    if (!existsSync(paths.certPath) || !existsSync(paths.keyPath)) return false;
    const cert = new X509Certificate(readFileSync(paths.certPath));
    const key = createPrivateKey(readFileSync(paths.keyPath));
    return cert.ca && cert.checkPrivateKey(key) && cert.verify(cert.publicKey) && notExpiring(cert, now);
  } catch {
    return false;
  }
}

function isValidLeaf(
  paths: FilePaths,
  ca: X509Certificate,
  usages: CertificateUsage[],
  sans: string[],
  now: Date,
): boolean {
  try {
    if (!existsSync(paths.certPath) || !existsSync(paths.keyPath)) return false;
    const cert = new X509Certificate(readFileSync(paths.certPath));
    const key = createPrivateKey(readFileSync(paths.keyPath));
    if (!cert.verify(ca.publicKey) || !cert.checkPrivateKey(key) || !notExpiring(cert, now)) return false;
    if (cert.issuer !== ca.subject) return false;
    const eku = cert.keyUsage ?? [];
    if (usages.includes('server') !== eku.includes(EKU_SERVER_AUTH)) return false;
    if (usages.includes('client') !== eku.includes(EKU_CLIENT_AUTH)) return false;
    const present = new Set(
      (cert.subjectAltName ?? '')
        .split(', ')
        .filter((s) => s.length > 0)
        .map((s) => s.replace(/^(DNS|IP Address):/, '')),
    );
    return sans.every((san) => present.has(san));
  } catch {
    return false;
  }
}

function notExpiring(cert: X509Certificate, now: Date): boolean {
  const validTo = new Date(cert.validTo).getTime();
  const validFrom = new Date(cert.validFrom).getTime();
  return validFrom <= now.getTime() && validTo - now.getTime() > RENEW_BEFORE_MS;
}

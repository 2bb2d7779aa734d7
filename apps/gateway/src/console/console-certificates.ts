import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import { AuditSigner } from '@lienthong/audit';
import { certificatesIn } from '@lienthong/pki';
import { LookupUpstreams } from '../lookups/lookup-upstreams';
import { CONSOLE_SETTINGS, type ConsoleSettings } from './console-settings';

export interface CertificateRow {
  /** Where it is configured: the setting naming its file, or what the gateway loaded it for. */
  source: string;
  /** What it is for. */
  use:
    | 'gateway TLS'
    | 'client CA'
    | 'upstream CA'
    | 'client certificate'
    | 'upstream signer'
    | 'Kafka'
    | 'other';
  subject: string;
  issuer: string;
  validTo: string;
  daysToExpiry: number;
  /** Also reported as lgsp_certificate_not_after_timestamp_seconds (the setting names a file). */
  inMetrics: boolean;
}

export interface SigningKeyRow {
  source: string;
  use: string;
  algorithm: string;
  /** SHA-256 of the public key (SPKI DER), as the audit log's key id. */
  keyId: string;
}

export interface CertificatesView {
  at: string;
  certificates: CertificateRow[];
  signingKeys: SigningKeyRow[];
}

const USE: Record<string, CertificateRow['use']> = {
  GATEWAY_TLS_CERT_FILE: 'gateway TLS',
  GATEWAY_TLS_CLIENT_CA_FILE: 'client CA',
  KAFKA_TLS_CA_FILE: 'Kafka',
  KAFKA_TLS_CERT_FILE: 'Kafka',
  POPULATION_CLIENT_CERT_PATH: 'client certificate',
  POPULATION_CA_PATH: 'upstream CA',
  POPULATION_SIGNING_CERT_PATH: 'upstream signer',
  BUSINESS_REGISTRY_CA_PATH: 'upstream CA',
  LAND_CA_PATH: 'upstream CA',
  PORTAL_CA_PATH: 'upstream CA',
  OPERATIONS_CENTER_CA_PATH: 'upstream CA',
};

function pemBlocks(pems: string | string[] | undefined): X509Certificate[] {
  const text = Array.isArray(pems) ? pems.join('\n') : (pems ?? '');
  const out: X509Certificate[] = [];
  for (const block of text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // not a certificate
    }
  }
  return out;
}

const name = (dn: string) => dn.split('\n').join(', ');

function algorithmOf(key: KeyObject): string {
  return `${key.asymmetricKeyType?.toUpperCase() ?? '?'} ${key.asymmetricKeyDetails?.modulusLength ?? ''}`.trim();
}

/**
 * Every certificate the gateway uses, with days to expiry: first the files the certificate settings name —
 * read exactly as lgsp_certificate_not_after_timestamp_seconds reads them (certificatesInUse and
 * certificatesIn of @lienthong/pki, at each request, so a renewed file shows at once) — then what the
 * lookup upstreams loaded without a setting (the development PKI in PKI_DIR), and the audit signing key.
 */
@Injectable()
export class ConsoleCertificates {
  constructor(
    @Inject(CONSOLE_SETTINGS) private readonly settings: ConsoleSettings,
    @Inject(LookupUpstreams) private readonly upstreams: LookupUpstreams,
  ) {}

  list(now = Date.now()): CertificatesView {
    const rows: CertificateRow[] = [];
    const seen = new Set<string>();
    const add = (cert: X509Certificate, source: string, use: CertificateRow['use'], inMetrics: boolean) => {
      const key = `${source}|${cert.fingerprint256}`;
      if (seen.has(key)) return;
      seen.add(key);
      rows.push({
        source,
        use,
        subject: name(cert.subject),
        issuer: name(cert.issuer),
        validTo: new Date(cert.validTo).toISOString(),
        daysToExpiry: Math.floor((Date.parse(cert.validTo) - now) / 86_400_000),
        inMetrics,
      });
    };
    const named = new Set<string>();
    for (const { setting, path } of this.settings.certificates ?? []) {
      named.add(setting);
      for (const cert of certificatesIn(path)) add(cert, setting, USE[setting] ?? 'other', true);
    }
    for (const target of this.upstreams.targets()) {
      const prefix = target.name.toUpperCase().replace(/-/g, '_');
      if (!named.has(`${prefix}_CA_PATH`)) {
        for (const cert of pemBlocks(target.ca)) add(cert, `${target.name} (loaded)`, 'upstream CA', false);
      }
      if (target.clientCertificate && !named.has(`${prefix}_CLIENT_CERT_PATH`)) {
        for (const cert of pemBlocks(target.clientCertificate.cert))
          add(cert, `${target.name} (loaded)`, 'client certificate', false);
      }
      if (target.signers && !named.has(`${prefix}_SIGNING_CERT_PATH`)) {
        for (const cert of pemBlocks(target.signers))
          add(cert, `${target.name} (loaded)`, 'upstream signer', false);
      }
    }
    rows.sort((a, b) => a.daysToExpiry - b.daysToExpiry || a.source.localeCompare(b.source));
    return { at: new Date(now).toISOString(), certificates: rows, signingKeys: this.signingKeys() };
  }

  private signingKeys(): SigningKeyRow[] {
    const keys: SigningKeyRow[] = [];
    const path = this.settings.auditSigningKeyPath;
    if (path) {
      try {
        const publicKey = createPublicKey(
          createPrivateKey({ key: readFileSync(path), passphrase: this.settings.auditSigningKeyPassphrase }),
        );
        keys.push({
          source: 'AUDIT_SIGNING_KEY_PATH',
          use: 'audit log signatures and checkpoints',
          algorithm: algorithmOf(publicKey),
          // the id the audit log's signatures and checkpoints name
          keyId: AuditSigner.fromPemFile(path, this.settings.auditSigningKeyPassphrase).keyId,
        });
      } catch {
        // unreadable now: the audit module reports it
      }
    }
    for (const target of this.upstreams.targets()) {
      if (target.authentication === 'mtls-signature' && target.clientCertificate) {
        const publicKey = createPublicKey(target.clientCertificate.key);
        keys.push({
          source: `${target.name} (loaded)`,
          use: `signing requests to ${target.name} (the key of its client certificate)`,
          algorithm: algorithmOf(publicKey),
          keyId: createHash('sha256')
            .update(publicKey.export({ type: 'spki', format: 'der' }))
            .digest('hex'),
        });
      }
    }
    return keys;
  }
}

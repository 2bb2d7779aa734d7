import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { gauge } from '@lienthong/observability';

/** A certificate file in use, named by the setting that points at it (GATEWAY_TLS_CERT_FILE, ...). */
export interface CertificateInUse {
  setting: string;
  path: string;
}

/** Every setting that names a PEM certificate file (chains and CA bundles included). */
export const CERTIFICATE_SETTINGS = [
  'GATEWAY_TLS_CERT_FILE',
  'GATEWAY_TLS_CLIENT_CA_FILE',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'POPULATION_CLIENT_CERT_PATH',
  'POPULATION_CA_PATH',
  'POPULATION_SIGNING_CERT_PATH',
  'BUSINESS_REGISTRY_CA_PATH',
  'LAND_CA_PATH',
  'PORTAL_CA_PATH',
  'OPERATIONS_CENTER_CA_PATH',
] as const;

/** The certificate files the environment names. */
export function certificatesInUse(env: NodeJS.ProcessEnv = process.env): CertificateInUse[] {
  return CERTIFICATE_SETTINGS.filter((setting) => env[setting]).map((setting) => ({
    setting,
    path: env[setting]!,
  }));
}

/**
 * lgsp_certificate_not_after_timestamp_seconds{certificate,subject}: the end of validity (Unix seconds) of
 * every certificate in the configured PEM files, chains and CA bundles included (one series per certificate;
 * `certificate` is the setting naming the file). The "certificate expiring within 30 days" alert compares it
 * with time(). Files are read again at every scrape, so a renewed certificate shows at once; an unreadable
 * file is left out (the application fails at start when it cannot read its own certificates).
 */
export function registerCertificateExpiryMetrics(certificates: readonly CertificateInUse[]): void {
  const files = certificates.filter((c) => c.path.length > 0);
  gauge({
    name: 'lgsp_certificate_not_after_timestamp_seconds',
    help: 'End of validity (Unix seconds) of each certificate in use, by the setting that names its file',
    labelNames: ['certificate', 'subject'] as const,
    collect() {
      this.reset();
      for (const { setting, path } of files) {
        for (const cert of certificatesIn(path)) {
          this.set(
            { certificate: setting, subject: cert.subject.split('\n').join(',') },
            Math.floor(new Date(cert.validTo).getTime() / 1000),
          );
        }
      }
    },
  });
}

/** Every certificate of a PEM file (a chain or a CA bundle holds several). */
export function certificatesIn(path: string): X509Certificate[] {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const out: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // not a certificate: skipped
    }
  }
  return out;
}

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerOptions } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, repoRoot } from '@lienthong/config';
import { ForwardedCertificates, splitPem } from '@lienthong/security';

/** The gateway's HTTPS settings, read and checked at start. */
export interface GatewayTls {
  /** Options of the HTTPS server (certificate, key, and the client CA when client certificates are asked for). */
  server: ServerOptions;
  /** The HTTPS port beside the plain one; undefined: PORT itself serves HTTPS. */
  port?: number;
  /** True when the listener asks callers for a client certificate (GATEWAY_TLS_CLIENT_CA_FILE is set). */
  clientCertificates: boolean;
}

export interface GatewayTlsSettings {
  GATEWAY_TLS_CERT_FILE?: string;
  GATEWAY_TLS_KEY_FILE?: string;
  GATEWAY_TLS_CLIENT_CA_FILE?: string;
  GATEWAY_TLS_PORT?: number;
  GATEWAY_TRUSTED_PROXIES?: string[];
  LGSP_DEMO_API_KEY?: string;
  LGSP_DEMO_CLIENT_CERT_FILE?: string;
}

/**
 * The HTTPS listener and forwarded-certificate settings from the environment: undefined parts when they
 * are not configured, a ConfigError naming every problem (unreadable file, key not matching the
 * certificate, proxies without a client CA) otherwise.
 */
export function loadGatewayTls(settings: GatewayTlsSettings): {
  tls?: GatewayTls;
  forwardedCertificates?: ForwardedCertificates;
  /** The demo client's certificate (LGSP_DEMO_CLIENT_CERT_FILE), DER. */
  demoCertificateDer?: Buffer;
} {
  const problems: string[] = [];
  const read = (name: keyof GatewayTlsSettings, path: string | undefined): string | undefined => {
    if (!path) return undefined;
    try {
      return readFileSync(isAbsolute(path) ? path : resolve(repoRoot(), path), 'utf8');
    } catch (error) {
      problems.push(`${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const cert = read('GATEWAY_TLS_CERT_FILE', settings.GATEWAY_TLS_CERT_FILE);
  const key = read('GATEWAY_TLS_KEY_FILE', settings.GATEWAY_TLS_KEY_FILE);
  const clientCa = read('GATEWAY_TLS_CLIENT_CA_FILE', settings.GATEWAY_TLS_CLIENT_CA_FILE);
  if (Boolean(settings.GATEWAY_TLS_CERT_FILE) !== Boolean(settings.GATEWAY_TLS_KEY_FILE)) {
    problems.push('GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE are set together, or neither');
  }
  if (cert && key) {
    try {
      if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
        problems.push('GATEWAY_TLS_KEY_FILE does not match the certificate in GATEWAY_TLS_CERT_FILE');
      }
    } catch (error) {
      problems.push(`GATEWAY_TLS_CERT_FILE or GATEWAY_TLS_KEY_FILE is not PEM (${(error as Error).message})`);
    }
  }
  const demoPem = read('LGSP_DEMO_CLIENT_CERT_FILE', settings.LGSP_DEMO_CLIENT_CERT_FILE);
  let demoCertificateDer: Buffer | undefined;
  if (settings.LGSP_DEMO_CLIENT_CERT_FILE && !settings.LGSP_DEMO_API_KEY) {
    problems.push('LGSP_DEMO_CLIENT_CERT_FILE needs LGSP_DEMO_API_KEY (it binds the demo client)');
  } else if (demoPem !== undefined) {
    try {
      demoCertificateDer = new X509Certificate(demoPem).raw;
    } catch {
      problems.push('LGSP_DEMO_CLIENT_CERT_FILE holds no readable PEM certificate');
    }
  }
  if (clientCa !== undefined && !validCertificates(clientCa)) {
    problems.push('GATEWAY_TLS_CLIENT_CA_FILE holds no readable PEM certificate');
  }
  if (!settings.GATEWAY_TLS_CERT_FILE && settings.GATEWAY_TLS_PORT !== undefined) {
    problems.push('GATEWAY_TLS_PORT needs GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE');
  }
  if (settings.GATEWAY_TRUSTED_PROXIES && !settings.GATEWAY_TLS_CLIENT_CA_FILE) {
    problems.push(
      'GATEWAY_TRUSTED_PROXIES needs GATEWAY_TLS_CLIENT_CA_FILE: a forwarded certificate is verified against it',
    );
  }
  let forwardedCertificates: ForwardedCertificates | undefined;
  if (settings.GATEWAY_TRUSTED_PROXIES && clientCa && problems.length === 0) {
    try {
      forwardedCertificates = new ForwardedCertificates({
        trustedProxies: settings.GATEWAY_TRUSTED_PROXIES,
        clientCaPem: clientCa,
      });
    } catch (error) {
      problems.push(`GATEWAY_TRUSTED_PROXIES: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  if (!cert || !key) return { forwardedCertificates, demoCertificateDer };
  return {
    forwardedCertificates,
    demoCertificateDer,
    tls: {
      server: {
        cert,
        key,
        minVersion: 'TLSv1.2',
        ...(clientCa
          ? {
              ca: clientCa,
              requestCert: true,
              // A caller without a certificate (or with one the CA did not issue, e.g. a pinned
              // self-signed one) still gets in: authentication decides, and answers 401 problem+json.
              rejectUnauthorized: false,
            }
          : {}),
      },
      port: settings.GATEWAY_TLS_PORT,
      clientCertificates: clientCa !== undefined,
    },
  };
}

function validCertificates(pem: string): boolean {
  const blocks = splitPem(pem);
  try {
    return blocks.length > 0 && blocks.every((block) => new X509Certificate(block));
  } catch {
    return false;
  }
}

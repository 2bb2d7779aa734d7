import { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { PeerCertificateLike } from './certificate';
import { denial } from './security.errors';

/**
 * The header a TLS-terminating proxy forwards the caller's client certificate in: nginx's
 * `$ssl_client_escaped_cert` (the PEM, URL-encoded), as in `proxy_set_header X-SSL-Client-Cert
 * $ssl_client_escaped_cert;`.
 */
export const FORWARDED_CERTIFICATE_HEADER = 'x-ssl-client-cert';

/** Extended key usage a client certificate must allow when it lists any (what OpenSSL checks for TLS clients). */
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface ForwardedCertificateOptions {
  /** Addresses or CIDRs (`10.0.0.5`, `10.1.0.0/16`, `fd00::/8`) of the proxies allowed to forward a certificate. */
  trustedProxies: readonly string[];
  /** PEM of the CA certificate(s) a forwarded certificate must be issued by. */
  clientCaPem: string;
  /** Milliseconds since the epoch; validity is checked against it. */
  now?: () => number;
}

/** A client certificate as the proxy forwarded it, after the gateway checked it chains to the client CA. */
export interface ForwardedPeer {
  certificate: PeerCertificateLike;
  /** Always true: a certificate that does not chain to the client CA is refused, never passed on. */
  authorized: true;
}

/**
 * Reads the client certificate a trusted proxy forwarded. The proxy's own verification cannot be seen
 * from here, so the certificate is verified again: issued (and signed) by one of the client CA
 * certificates, within its validity, and allowed for client authentication.
 */
export class ForwardedCertificates {
  private readonly proxies = new BlockList();
  private readonly authorities: X509Certificate[];
  private readonly now: () => number;

  constructor(options: ForwardedCertificateOptions) {
    for (const entry of options.trustedProxies) addProxy(this.proxies, entry);
    this.authorities = splitPem(options.clientCaPem).map((pem) => new X509Certificate(pem));
    if (this.authorities.length === 0) throw new Error('the client CA file holds no certificate');
    this.now = options.now ?? Date.now;
  }

  /** True when `address` (the TCP peer) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean {
    const plain = address === undefined ? undefined : unmapIpv4(address);
    const family = plain === undefined ? 0 : isIP(plain);
    if (!plain || family === 0) return false;
    return this.proxies.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The forwarded certificate of this request; undefined when the request carries none. Throws 401
   * `INVALID_CREDENTIALS` when the header comes from an address that is not a trusted proxy (a caller
   * must not name its own certificate), or when the certificate is unreadable or not issued by the client CA.
   */
  read(
    headers: Record<string, string | string[] | undefined>,
    remoteAddress: string | undefined,
  ): ForwardedPeer | undefined {
    const value = headers[FORWARDED_CERTIFICATE_HEADER];
    if (value === undefined || value === '') return undefined;
    if (!this.trusts(remoteAddress)) {
      throw denial(
        'INVALID_CREDENTIALS',
        `${FORWARDED_CERTIFICATE_HEADER} is accepted only from the gateway's trusted proxies; connect with the certificate itself or send an API key.`,
      );
    }
    if (Array.isArray(value))
      throw denial('INVALID_CREDENTIALS', `Send one ${FORWARDED_CERTIFICATE_HEADER}.`);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(decodeURIComponent(value));
    } catch {
      throw denial('INVALID_CREDENTIALS', 'The forwarded client certificate is not a PEM certificate.');
    }
    if (!this.verify(certificate)) {
      throw denial(
        'INVALID_CREDENTIALS',
        "The forwarded client certificate is not a valid client certificate issued by the gateway's client CA.",
      );
    }
    return { certificate: certificate.toLegacyObject(), authorized: true };
  }

  private verify(certificate: X509Certificate): boolean {
    const now = this.now();
    if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now) return false;
    const usages = certificate.keyUsage;
    if (usages !== undefined && usages.length > 0 && !usages.includes(EKU_CLIENT_AUTH)) return false;
    return this.authorities.some(
      (ca) =>
        ca.ca &&
        certificate.checkIssued(ca) &&
        certificate.verify(ca.publicKey) &&
        Date.parse(ca.validTo) >= now &&
        Date.parse(ca.validFrom) <= now,
    );
  }
}

/** Every PEM certificate block in `text`. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function addProxy(list: BlockList, entry: string): void {
  const [address, prefix, extra] = entry.trim().split('/');
  const plain = unmapIpv4(address);
  const family = isIP(plain);
  const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
  if (
    family === 0 ||
    (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) ||
    extra !== undefined ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > (family === 4 ? 32 : 128)
  ) {
    throw new Error(`"${entry}" is not an IP address or CIDR`);
  }
  list.addSubnet(plain, bits, family === 4 ? 'ipv4' : 'ipv6');
}

/** `::ffff:10.0.0.5` (an IPv4 peer on a dual-stack socket) as `10.0.0.5`. */
function unmapIpv4(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match ? match[1] : address;
}

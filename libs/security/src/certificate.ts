import { createHash } from 'node:crypto';

/**
 * Mutual-TLS identity helpers: fingerprints and subject distinguished names as Node's
 * `TLSSocket.getPeerCertificate()` reports them.
 */

/** The parts of Node's PeerCertificate the gateway reads. */
export interface PeerCertificateLike {
  raw?: Buffer;
  fingerprint256?: string;
  subject?: Record<string, string | string[] | undefined>;
}

/** `AB:CD:...` (upper case, colon-separated) from any case, with or without colons. */
export function normaliseFingerprint(value: string): string {
  const hex = value.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error('a SHA-256 fingerprint has 32 bytes in hex');
  return hex.match(/../g)!.join(':');
}

/** SHA-256 fingerprint of a certificate in DER form, `AB:CD:...`. */
export function fingerprintOfDer(der: Buffer): string {
  return normaliseFingerprint(createHash('sha256').update(der).digest('hex'));
}

/** Fingerprint of a peer certificate: computed from its DER bytes, or as Node reported it. */
export function fingerprintOfPeer(certificate: PeerCertificateLike): string | undefined {
  if (certificate.raw && certificate.raw.length > 0) return fingerprintOfDer(certificate.raw);
  if (certificate.fingerprint256) return normaliseFingerprint(certificate.fingerprint256);
  return undefined;
}

/**
 * Parses `CN=motcua.laocai.gov.vn,O=UBND tỉnh Lào Cai,C=VN` into attribute -> values (attribute names
 * upper-cased, values trimmed, order ignored). Commas and other specials inside a value are escaped
 * with a backslash (RFC 4514); `+` multi-valued RDNs are read as separate attributes.
 */
export function parseDistinguishedName(text: string): Record<string, string[]> {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === ',' || c === '+') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  const attributes: Record<string, string[]> = {};
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim().toUpperCase();
    const value = part
      .slice(eq + 1)
      .trim()
      .normalize('NFC');
    if (eq <= 0 || !/^[A-Z][A-Z0-9.]*$/.test(name) || value === '') {
      throw new Error(`"${part.trim()}" is not an ATTRIBUTE=value pair`);
    }
    (attributes[name] ??= []).push(value);
  }
  return attributes;
}

/**
 * True when the certificate's subject has exactly the required attributes and values (order-insensitive).
 * An extra attribute in the certificate's subject does not match: the configured DN names the whole subject.
 */
export function subjectMatches(
  required: Readonly<Record<string, readonly string[]>>,
  subject: Record<string, string | string[] | undefined> | undefined,
): boolean {
  if (!subject) return false;
  const actual = new Map<string, string[]>();
  for (const [name, value] of Object.entries(subject)) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) => v.trim().normalize('NFC'));
    actual.set(name.toUpperCase(), values);
  }
  const names = Object.keys(required);
  if (names.length !== actual.size) return false;
  return names.every((name) => {
    const have = actual.get(name);
    const want = required[name];
    return (
      have !== undefined &&
      have.length === want.length &&
      [...have].sort().every((value, i) => value === [...want].sort()[i])
    );
  });
}

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as rsaSign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as forge from 'node-forge';
import { AuditConfigError } from './audit.errors';

/** How audit signatures are made; stored with every signature. */
export const AUDIT_SIGNATURE_ALGORITHM = 'RSASSA-PKCS1-v1_5-SHA256';

const MIN_MODULUS_BITS = 2048;

function assertHash(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new TypeError('an audit hash is 64 lowercase hex characters');
}

/** SHA-256 (hex) of the DER SubjectPublicKeyInfo: the id under which signatures name their key. */
export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function assertRsa(key: KeyObject, what: string): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa') throw new AuditConfigError(`${what} must be an RSA key`);
  if (bits < MIN_MODULUS_BITS)
    throw new AuditConfigError(`${what} must be at least ${MIN_MODULUS_BITS} bits`);
}

/**
 * Signs audit hashes with an RSA private key read from a PEM file (PKCS#8, PKCS#1, or encrypted PKCS#8
 * with a passphrase). The signature is RSASSA-PKCS1-v1_5 with SHA-256 over the 32 bytes of the hash, so
 * `openssl dgst -sha256 -verify pub.pem -signature sig.bin hash.bin` checks it independently.
 *
 * The private-key operation runs in OpenSSL (node:crypto): node-forge's pure JavaScript RSA takes tens
 * of milliseconds per signature on the event loop, which would stall the gateway's requests. Verification
 * (AuditSignatureVerifier) uses node-forge, so two independent implementations must agree.
 */
export class AuditSigner {
  readonly keyId: string;
  readonly algorithm = AUDIT_SIGNATURE_ALGORITHM;
  /** SPKI PEM of the public key, e.g. to hand to whoever verifies the log. */
  readonly publicKeyPem: string;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.keyId = publicKeyId(publicKey);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  static fromPem(pem: string | Buffer, passphrase?: string, what = 'the audit signing key'): AuditSigner {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
    } catch {
      throw new AuditConfigError(
        `${what} is not a readable PEM private key${passphrase ? ' (or the passphrase is wrong)' : ' (encrypted keys need AUDIT_SIGNING_KEY_PASSPHRASE)'}`,
      );
    }
    assertRsa(key, what);
    return new AuditSigner(key);
  }

  static fromPemFile(path: string, passphrase?: string): AuditSigner {
    let pem: Buffer;
    try {
      pem = readFileSync(path);
    } catch (error) {
      throw new AuditConfigError(
        `cannot read the audit signing key at ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    return AuditSigner.fromPem(pem, passphrase, `the audit signing key at ${path}`);
  }

  sign(hash: string): Buffer {
    assertHash(hash);
    return rsaSign('sha256', Buffer.from(hash, 'hex'), this.privateKey);
  }
}

/** Public keys trusted to have signed the audit log, by key id. */
export class AuditSignatureVerifier {
  private readonly keys = new Map<string, forge.pki.rsa.PublicKey>();
  private readonly pems = new Map<string, string>();

  /**
   * Accepts PEM public keys (SPKI or PKCS#1), X.509 certificates, or private keys (the public half is
   * used). An encrypted private key needs `passphrase`.
   */
  static fromPems(pems: readonly (string | Buffer)[], passphrase?: string): AuditSignatureVerifier {
    const verifier = new AuditSignatureVerifier();
    for (const pem of pems) verifier.add(pem, passphrase);
    return verifier;
  }

  static fromPemFiles(paths: readonly string[], passphrase?: string): AuditSignatureVerifier {
    const verifier = new AuditSignatureVerifier();
    for (const path of paths) {
      let pem: Buffer;
      try {
        pem = readFileSync(path);
      } catch (error) {
        throw new AuditConfigError(
          `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      verifier.add(pem, passphrase, path);
    }
    return verifier;
  }

  /** Adds one key and returns its id. */
  add(pem: string | Buffer, passphrase?: string, what = 'a verification key'): string {
    const text = pem.toString();
    let publicKey: KeyObject;
    try {
      if (text.includes('-----BEGIN CERTIFICATE-----')) {
        publicKey = new X509Certificate(text).publicKey;
      } else if (/-----BEGIN (ENCRYPTED |RSA )?PRIVATE KEY-----/.test(text)) {
        publicKey = createPublicKey(createPrivateKey({ key: text, ...(passphrase ? { passphrase } : {}) }));
      } else {
        publicKey = createPublicKey(text);
      }
    } catch {
      throw new AuditConfigError(`${what} is not a PEM public key, certificate or private key`);
    }
    assertRsa(publicKey, what);
    const id = publicKeyId(publicKey);
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keys.set(id, forge.pki.publicKeyFromPem(spki) as forge.pki.rsa.PublicKey);
    this.pems.set(id, spki);
    return id;
  }

  /** SPKI PEM of a key added before (e.g. to put in an export). */
  publicKeyPem(keyId: string): string {
    const pem = this.pems.get(keyId);
    if (!pem) throw new AuditConfigError(`no public key with id ${keyId.slice(0, 16)}`);
    return pem;
  }

  get size(): number {
    return this.keys.size;
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** True when `signature` is the named key's signature over `hash`; false for an unknown key. */
  verify(keyId: string, hash: string, signature: Buffer): boolean {
    const key = this.keys.get(keyId);
    if (!key || !/^[0-9a-f]{64}$/.test(hash)) return false;
    const digest = forge.md.sha256.create();
    digest.update(Buffer.from(hash, 'hex').toString('binary'));
    try {
      return key.verify(digest.digest().bytes(), signature.toString('binary'));
    } catch {
      return false;
    }
  }
}

import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { AuditSignatureVerifier, AuditSigner } from './audit-signer';
import { AuditConfigError } from './audit.errors';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const encrypted = rsa.privateKey
  .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
  .toString();
const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const hash = 'a45c2e0c2880e46cf987a61a8ca4830cac228f494f519a4c2f82250aaa7fda9a';

function selfSignedCertificate(): string {
  const keys = forge.pki.privateKeyFromPem(pkcs1) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(keys.n, keys.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'lienthong-audit-signer' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(keys, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('AuditSigner and AuditSignatureVerifier', () => {
  const signer = AuditSigner.fromPem(pkcs8);

  it('names the key by the SHA-256 of its SubjectPublicKeyInfo, as node-forge computes it too', () => {
    const forgeKey = forge.pki.publicKeyFromPem(spki);
    const der = forge.asn1.toDer(forge.pki.publicKeyToAsn1(forgeKey)).getBytes();
    const forgeId = forge.md.sha256.create().update(der).digest().toHex();
    expect(signer.keyId).toBe(forgeId);
    expect(signer.publicKeyPem).toBe(spki);
  });

  it('signs with OpenSSL and verifies with node-forge: two implementations agree', () => {
    const signature = signer.sign(hash);
    const verifier = AuditSignatureVerifier.fromPems([spki]);
    expect(verifier.keyIds()).toEqual([signer.keyId]);
    expect(verifier.verify(signer.keyId, hash, signature)).toBe(true);
    expect(verifier.verify(signer.keyId, hash.replace(/^a/, 'b'), signature)).toBe(false);
    expect(verifier.verify('0'.repeat(64), hash, signature)).toBe(false);
    const damaged = Buffer.from(signature);
    damaged[10] ^= 0xff;
    expect(verifier.verify(signer.keyId, hash, damaged)).toBe(false);
  });

  it('produces signatures the openssl command line accepts over the 32 hash bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-audit-sig-'));
    try {
      writeFileSync(join(dir, 'pub.pem'), spki);
      writeFileSync(join(dir, 'hash.bin'), Buffer.from(hash, 'hex'));
      writeFileSync(join(dir, 'sig.bin'), signer.sign(hash));
      const output = execFileSync(
        'openssl',
        [
          'dgst',
          '-sha256',
          '-verify',
          join(dir, 'pub.pem'),
          '-signature',
          join(dir, 'sig.bin'),
          join(dir, 'hash.bin'),
        ],
        { encoding: 'utf8' },
      );
      expect(output.trim()).toBe('Verified OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads PKCS#1, PKCS#8 and encrypted keys, and verifies with a certificate or the private key', () => {
    expect(AuditSigner.fromPem(pkcs1).keyId).toBe(signer.keyId);
    expect(AuditSigner.fromPem(encrypted, 'correct horse').keyId).toBe(signer.keyId);
    const signature = signer.sign(hash);
    for (const verifier of [
      AuditSignatureVerifier.fromPems([selfSignedCertificate()]),
      AuditSignatureVerifier.fromPems([pkcs8]),
      AuditSignatureVerifier.fromPems([encrypted], 'correct horse'),
    ]) {
      expect(verifier.verify(signer.keyId, hash, signature)).toBe(true);
    }
  });

  it('refuses unreadable, non-RSA and short keys with a message that names the problem only', () => {
    expect(() => AuditSigner.fromPem(encrypted)).toThrow(/AUDIT_SIGNING_KEY_PASSPHRASE/);
    expect(() => AuditSigner.fromPem(encrypted, 'wrong')).toThrow(/passphrase is wrong/);
    expect(() => AuditSigner.fromPem('not a key')).toThrow(AuditConfigError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => AuditSigner.fromPem(ec)).toThrow(/must be an RSA key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(() => AuditSigner.fromPem(small)).toThrow(/at least 2048 bits/);
    expect(() => AuditSigner.fromPemFile('/nonexistent/audit.key')).toThrow(
      /cannot read the audit signing key at \/nonexistent\/audit.key: ENOENT/,
    );
    expect(() => signer.sign('not-a-hash')).toThrow(/64 lowercase hex/);
  });
});

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { agencyCertificateName, createDevPki, describeCertificate, type DevPkiResult } from '@lienthong/pki';
import { PkiDirectoryTrust, TrustUnavailableError, type AgencyTrustStore } from './agency-trust';
import {
  DocumentSignatureError,
  signDocumentContent,
  verifyDocumentSignature,
  type DocumentSignatureFailure,
} from './document-signature';

const ISSUER = '000.17.22.H56';
const OTHER_AGENCY = '000.00.14.H56';
const CONTENT = Buffer.from('%PDF-1.7\nGiấy phép xây dựng số 123/GPXD-UBND\n%%EOF\n', 'utf8');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function refusal(run: () => unknown): { reason: DocumentSignatureFailure; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof DocumentSignatureError) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('the signature was accepted');
}

/** The DER of a base64 signature with one byte of the signature value (the last byte) flipped. */
function flipLastByte(signature: string): string {
  const der = Buffer.from(signature, 'base64');
  der[der.length - 1] ^= 0x01;
  return der.toString('base64');
}

describe('detached document signatures', () => {
  const dirs: string[] = [];
  let pki: DevPkiResult;
  let trust: AgencyTrustStore;
  let foreignPki: DevPkiResult;
  let expiredPki: DevPkiResult;

  const dir = (prefix: string) => {
    const created = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(created);
    return created;
  };

  beforeAll(() => {
    pki = createDevPki(dir('lienthong-docsig-'));
    trust = new PkiDirectoryTrust(pki.dir).current();
    // the same agency names, issued by another CA
    foreignPki = createDevPki(dir('lienthong-docsig-foreign-'));
    // a PKI created three years ago: its CA is still valid, its two-year agency certificates are not
    const threeYearsAgo = new Date(Date.now() - 3 * 365 * 86_400_000);
    expiredPki = createDevPki(dir('lienthong-docsig-old-'), {
      clock: () => threeYearsAgo,
      agencies: [ISSUER],
    });
  });

  afterAll(() => {
    for (const created of dirs) rmSync(created, { recursive: true, force: true });
  });

  const agency = (code: string, from: DevPkiResult = pki) => from.get(agencyCertificateName(code));
  const expected = { contentSha256: sha256(CONTENT), agencyCode: ISSUER };

  it('accepts a signature of the issuing agency over the content and names the signer', () => {
    const now = new Date();
    const verified = verifyDocumentSignature(
      signDocumentContent(CONTENT, agency(ISSUER)),
      expected,
      trust,
      now,
    );
    expect(verified.agencyCode).toBe(ISSUER);
    expect(verified.signer).toBe(agencyCertificateName(ISSUER));
    expect(verified.signerSubject).toContain(`CN=${agencyCertificateName(ISSUER)}`);
    expect(verified.certificateFingerprint).toBe(
      describeCertificate(agency(ISSUER).certPem).fingerprintSha256,
    );
    expect(verified.verifiedAt).toBe(now);
    expect(Math.abs((verified.signingTime as Date).getTime() - now.getTime())).toBeLessThan(60_000);
  });

  it('finds the signer certificate in the trust store when the signature does not carry it', () => {
    const signature = signDocumentContent(CONTENT, agency(ISSUER), { includeCertificate: false });
    expect(verifyDocumentSignature(signature, expected, trust).agencyCode).toBe(ISSUER);
  });

  it('refuses a signature over other content (tampered content hash) as CONTENT_HASH_MISMATCH', () => {
    const signature = signDocumentContent(CONTENT, agency(ISSUER));
    const tampered = Buffer.concat([CONTENT, Buffer.from(' ')]);
    const { reason, message } = refusal(() =>
      verifyDocumentSignature(signature, { ...expected, contentSha256: sha256(tampered) }, trust),
    );
    expect(reason).toBe('CONTENT_HASH_MISMATCH');
    expect(message).toMatch(/different content/);
  });

  it('refuses an altered signature value as SIGNATURE_MISMATCH', () => {
    const signature = flipLastByte(signDocumentContent(CONTENT, agency(ISSUER)));
    expect(refusal(() => verifyDocumentSignature(signature, expected, trust)).reason).toBe(
      'SIGNATURE_MISMATCH',
    );
  });

  it('refuses a signature of another trusted agency as SIGNER_NOT_ISSUING_AGENCY', () => {
    const signature = signDocumentContent(CONTENT, agency(OTHER_AGENCY));
    const { reason, message } = refusal(() => verifyDocumentSignature(signature, expected, trust));
    expect(reason).toBe('SIGNER_NOT_ISSUING_AGENCY');
    expect(message).toContain(`signed by agency ${OTHER_AGENCY}, not by its issuing agency ${ISSUER}`);
  });

  it('refuses a certificate of the same name from another CA as UNKNOWN_SIGNER', () => {
    const signature = signDocumentContent(CONTENT, agency(ISSUER, foreignPki));
    const { reason, message } = refusal(() => verifyDocumentSignature(signature, expected, trust));
    expect(reason).toBe('UNKNOWN_SIGNER');
    expect(message).toMatch(/not a trusted issuing-agency certificate/);
  });

  it('refuses an unknown signer that did not include its certificate as UNKNOWN_SIGNER', () => {
    const signature = signDocumentContent(CONTENT, agency(ISSUER, foreignPki), { includeCertificate: false });
    const { reason, message } = refusal(() => verifyDocumentSignature(signature, expected, trust));
    expect(reason).toBe('UNKNOWN_SIGNER');
    expect(message).toMatch(/neither in the signature nor among the trusted/);
  });

  it('refuses a trusted CA certificate that is not an agency certificate as UNKNOWN_SIGNER', () => {
    const signature = signDocumentContent(CONTENT, pki.get('gateway'));
    expect(refusal(() => verifyDocumentSignature(signature, expected, trust)).reason).toBe('UNKNOWN_SIGNER');
  });

  it('refuses a signature made with an expired agency certificate as CERTIFICATE_EXPIRED', () => {
    const oldTrust = new PkiDirectoryTrust(expiredPki.dir).current();
    const signature = signDocumentContent(CONTENT, agency(ISSUER, expiredPki));
    const { reason, message } = refusal(() => verifyDocumentSignature(signature, expected, oldTrust));
    expect(reason).toBe('CERTIFICATE_EXPIRED');
    expect(message).toContain(`agency ${ISSUER} expired on`);
  });

  it('refuses a signature before its certificate is valid as CERTIFICATE_NOT_YET_VALID', () => {
    const signature = signDocumentContent(CONTENT, agency(ISSUER));
    const beforeIssue = new Date(Date.now() - 10 * 86_400_000);
    expect(refusal(() => verifyDocumentSignature(signature, expected, trust, beforeIssue)).reason).toBe(
      'CERTIFICATE_NOT_YET_VALID',
    );
  });

  it('refuses what is not a detached CMS SignedData with a reason', () => {
    expect(refusal(() => verifyDocumentSignature('not base64!', expected, trust)).reason).toBe(
      'MALFORMED_SIGNATURE',
    );
    const noise = Buffer.from('0123456789abcdef'.repeat(8)).toString('base64');
    expect(refusal(() => verifyDocumentSignature(noise, expected, trust)).reason).toBe('MALFORMED_SIGNATURE');
    const truncated = Buffer.from(signDocumentContent(CONTENT, agency(ISSUER)), 'base64').subarray(0, 200);
    expect(refusal(() => verifyDocumentSignature(truncated, expected, trust)).reason).toBe(
      'MALFORMED_SIGNATURE',
    );

    // the content inside the signature (not detached)
    const attached = forge.pkcs7.createSignedData();
    attached.content = forge.util.createBuffer(CONTENT.toString('binary'));
    attached.addCertificate(agency(ISSUER).certPem);
    attached.addSigner({
      key: agency(ISSUER).keyPem,
      certificate: agency(ISSUER).certPem,
      digestAlgorithm: forge.pki.oids.sha256,
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
        { type: forge.pki.oids.messageDigest },
      ],
    });
    attached.sign();
    const der = Buffer.from(forge.asn1.toDer(attached.toAsn1()).getBytes(), 'binary');
    const { reason, message } = refusal(() => verifyDocumentSignature(der, expected, trust));
    expect(reason).toBe('UNSUPPORTED_SIGNATURE');
    expect(message).toMatch(/send a detached signature/);
  });

  it('does not trust an agency certificate filed under another agency code', () => {
    const copy = dir('lienthong-docsig-misfiled-');
    copyFileSync(join(pki.dir, 'ca.crt'), join(copy, 'ca.crt'));
    copyFileSync(agency(ISSUER).certPath, join(copy, `${agencyCertificateName(ISSUER)}.crt`));
    copyFileSync(agency(OTHER_AGENCY).certPath, join(copy, `${agencyCertificateName('000.99.99.H56')}.crt`));
    const store = new PkiDirectoryTrust(copy).current();
    expect(store.agencyCodes()).toEqual([ISSUER]);
    expect(store.problems).toEqual([
      `${agencyCertificateName('000.99.99.H56')}.crt: the subject does not name agency 000.99.99.H56`,
    ]);
    const signature = signDocumentContent(CONTENT, agency(OTHER_AGENCY));
    expect(
      refusal(() => verifyDocumentSignature(signature, { ...expected, agencyCode: '000.99.99.H56' }, store))
        .reason,
    ).toBe('UNKNOWN_SIGNER');
  });

  it('reports missing trust material instead of refusing the signature', () => {
    const empty = dir('lienthong-docsig-empty-');
    expect(() => new PkiDirectoryTrust(empty).current()).toThrow(TrustUnavailableError);
    expect(() => new PkiDirectoryTrust(join(empty, 'absent')).current()).toThrow(TrustUnavailableError);
  });

  it('re-reads the PKI directory when an agency certificate is added', () => {
    const growing = dir('lienthong-docsig-growing-');
    copyFileSync(join(pki.dir, 'ca.crt'), join(growing, 'ca.crt'));
    copyFileSync(agency(ISSUER).certPath, join(growing, `${agencyCertificateName(ISSUER)}.crt`));
    const source = new PkiDirectoryTrust(growing);
    expect(source.current().agencyCodes()).toEqual([ISSUER]);
    copyFileSync(agency(OTHER_AGENCY).certPath, join(growing, `${agencyCertificateName(OTHER_AGENCY)}.crt`));
    expect(source.current().agencyCodes()).toEqual([OTHER_AGENCY, ISSUER].sort());
  });

  (hasOpenssl() ? describe : describe.skip)('interoperability with OpenSSL', () => {
    let work: string;
    beforeAll(() => {
      work = dir('lienthong-docsig-openssl-');
      writeFileSync(join(work, 'document.pdf'), CONTENT);
    });

    it('accepts a detached signature made by openssl cms', () => {
      const der = execFileSync('openssl', [
        'cms',
        '-sign',
        '-binary',
        '-md',
        'sha256',
        '-in',
        join(work, 'document.pdf'),
        '-signer',
        agency(ISSUER).certPath,
        '-inkey',
        agency(ISSUER).keyPath,
        '-outform',
        'DER',
      ]);
      expect(verifyDocumentSignature(der.toString('base64'), expected, trust).agencyCode).toBe(ISSUER);
      expect(
        refusal(() =>
          verifyDocumentSignature(
            der.toString('base64'),
            { ...expected, contentSha256: sha256(Buffer.from('x')) },
            trust,
          ),
        ).reason,
      ).toBe('CONTENT_HASH_MISMATCH');
    });

    it('produces signatures openssl cms verifies against the dev CA', () => {
      const signaturePath = join(work, 'document.p7s');
      writeFileSync(signaturePath, Buffer.from(signDocumentContent(CONTENT, agency(ISSUER)), 'base64'));
      const verify = (content: string) =>
        execFileSync(
          'openssl',
          [
            'cms',
            '-verify',
            '-binary',
            '-inform',
            'DER',
            '-in',
            signaturePath,
            '-content',
            content,
            '-CAfile',
            join(pki.dir, 'ca.crt'),
            '-purpose',
            'any',
            '-out',
            '/dev/null',
          ],
          { stdio: 'pipe' },
        );
      expect(() => verify(join(work, 'document.pdf'))).not.toThrow();
      writeFileSync(
        join(work, 'tampered.pdf'),
        Buffer.concat([readFileSync(join(work, 'document.pdf')), Buffer.from('x')]),
      );
      expect(() => verify(join(work, 'tampered.pdf'))).toThrow();
    });
  });
});

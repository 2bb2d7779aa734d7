// Test fixtures for libs/security specs and for suites that need a registry with known keys.
// Not exported from the library entry point.
import forge from 'node-forge';
import { hashApiKey } from '../api-key';
import { fingerprintOfDer } from '../certificate';
import type { ClientsDocument } from '../clients.types';

export const KEYS = {
  oneStop: 'lt_testOneStopKey_AbcdefGhijklMnopqrStuvwxYz',
  ministry: 'lt_testMinistryKey_AbcdefGhijklMnopqrStuvwxY',
  ministryOld: 'lt_testMinistryOldKey_AbcdefGhijklMnopqrStuv',
  disabled: 'lt_testDisabledKey_AbcdefGhijklMnopqrStuvwxY',
  dpo: 'lt_testDpoKey_AbcdefGhijklMnopqrStuvwxYzAbcde',
  operator: 'lt_testOperatorKey_AbcdefGhijklMnopqrStuvwx',
} as const;

/** 2026-06-01T00:00:00Z: the injected "now" of the specs. */
export const NOW = Date.parse('2026-06-01T00:00:00Z');

export interface TestCertificate {
  certPem: string;
  keyPem: string;
  der: Buffer;
  fingerprint: string;
  /** forge objects, to sign further certificates with this one. */
  forgeCert: forge.pki.Certificate;
  forgeKey: forge.pki.rsa.PrivateKey;
}

let serial = 1;

/** A throw-away X.509 certificate: self-signed, or issued by `issuer`. */
export function makeCertificate(
  subject: { name: string; value: string }[],
  options: { issuer?: TestCertificate; ca?: boolean } = {},
): TestCertificate {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  // UTF8String values, so Vietnamese names survive (forge defaults to PrintableString).
  const attributes = subject.map(({ name, value }) => ({
    shortName: name,
    value,
    valueTagClass: forge.asn1.Type.UTF8,
  }));
  cert.setSubject(attributes as unknown as forge.pki.CertificateField[]);
  cert.setIssuer(
    (options.issuer
      ? options.issuer.forgeCert.subject.attributes
      : attributes) as unknown as forge.pki.CertificateField[],
  );
  cert.setExtensions(
    options.ca
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
          { name: 'extKeyUsage', clientAuth: true, serverAuth: true },
          {
            name: 'subjectAltName',
            altNames: [
              { type: 2, value: 'localhost' },
              { type: 7, ip: '127.0.0.1' },
            ],
          },
        ],
  );
  cert.sign(options.issuer ? options.issuer.forgeKey : keys.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    der,
    fingerprint: fingerprintOfDer(der),
    forgeCert: cert,
    forgeKey: keys.privateKey,
  };
}

/** A registry document with one client of each kind and known keys. */
export function testClientsDocument(
  certificates: { fingerprint?: string; subject?: string } = {},
): ClientsDocument {
  const oneStopCertificates = [
    ...(certificates.fingerprint ? [{ sha256Fingerprint: certificates.fingerprint }] : []),
    ...(certificates.subject ? [{ subject: certificates.subject }] : []),
  ];
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: {
          vi: 'Giải quyết hồ sơ thủ tục hành chính',
          en: 'Resolving an administrative-procedure dossier',
        },
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        requiresDossierCode: true,
      },
      EFORM_PREFILL: {
        description: { vi: 'Điền sẵn tờ khai điện tử', en: 'Pre-filling an online form' },
        legalBasis: 'Nghị định 45/2020/NĐ-CP',
      },
      CIVIL_STATUS_REGISTRATION: {
        description: { vi: 'Đăng ký hộ tịch', en: 'Civil-status registration' },
        legalBasis: 'Luật Hộ tịch số 60/2014/QH13',
      },
      DATA_SUBJECT_REQUEST: {
        description: { vi: 'Trả lời yêu cầu của chủ thể dữ liệu', en: "Answering a data subject's request" },
        legalBasis: 'Nghị định 13/2023/NĐ-CP',
      },
    },
    clients: [
      {
        id: 'motcua',
        name: 'Hệ thống một cửa (test)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: ['000.*.*.H56', '000.*.*.H41'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.oneStop) }],
        ...(oneStopCertificates.length ? { certificates: oneStopCertificates } : {}),
        rateLimit: { requestsPerMinute: 600, burst: 20 },
        services: {
          'citizen.lookup': {
            purposes: ['DOSSIER_PROCESSING', 'EFORM_PREFILL'],
            fields: ['personalId', 'fullName', 'dateOfBirth', 'permanentResidence'],
            allowStale: true,
          },
          'enterprise.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
          'dossier.events': {},
          'documents.register': { purposes: ['DOSSIER_PROCESSING'] },
        },
      },
      {
        id: 'bo-tu-phap',
        name: 'Bộ Tư pháp (test)',
        kind: 'MINISTRY',
        enabled: true,
        agencies: ['000.*.*.H56'],
        apiKeys: [
          { id: 'current', sha256: hashApiKey(KEYS.ministry), expiresAt: '2027-01-01T00:00:00+07:00' },
          {
            id: 'old',
            sha256: hashApiKey(KEYS.ministryOld),
            createdAt: '2025-01-01T00:00:00+07:00',
            expiresAt: '2026-01-01T00:00:00+07:00',
          },
        ],
        rateLimit: { requestsPerMinute: 60, burst: 2 },
        services: {
          'citizen.lookup': {
            purposes: ['CIVIL_STATUS_REGISTRATION'],
            fields: ['personalId', 'fullName', 'permanentResidence.provinceCode'],
          },
        },
      },
      {
        id: 'tam-dung',
        name: 'Disabled client (test)',
        kind: 'AGENCY',
        enabled: false,
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.disabled) }],
        rateLimit: { requestsPerMinute: 60, burst: 5 },
        services: { 'citizen.lookup': { purposes: ['EFORM_PREFILL'], fields: '*' } },
      },
      {
        id: 'dpo',
        name: 'Data-protection officer (test)',
        kind: 'ADMIN',
        enabled: true,
        admin: true,
        roles: ['DATA_PROTECTION_OFFICER'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.dpo) }],
        rateLimit: { requestsPerMinute: 60, burst: 5 },
        services: { 'audit.subjects': { purposes: ['DATA_SUBJECT_REQUEST'] } },
      },
      {
        id: 'van-hanh',
        name: 'Operations team (test)',
        kind: 'ADMIN',
        enabled: true,
        roles: ['OPERATOR'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.operator) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: {},
      },
    ],
  };
}

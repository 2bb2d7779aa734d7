import { ProblemException } from '@lienthong/observability';
import { ClientRegistry } from './client-registry';
import { FORWARDED_CERTIFICATE_HEADER, ForwardedCertificates } from './forwarded-certificate';
import { makeCertificate, testClientsDocument } from './testing/security.fixtures';

const SUBJECT = [
  { name: 'CN', value: 'motcua.laocai.gov.vn' },
  { name: 'O', value: 'UBND tỉnh Lào Cai' },
  { name: 'C', value: 'VN' },
];
const SUBJECT_DN = 'CN=motcua.laocai.gov.vn,O=UBND tỉnh Lào Cai,C=VN';

describe('certificates forwarded by a TLS-terminating proxy', () => {
  const ca = makeCertificate([{ name: 'CN', value: 'Provincial CA' }], { ca: true });
  const otherCa = makeCertificate([{ name: 'CN', value: 'Provincial CA' }], { ca: true });
  const client = makeCertificate(SUBJECT, { issuer: ca });
  const impostor = makeCertificate(SUBJECT, { issuer: otherCa });
  const forwarded = new ForwardedCertificates({
    trustedProxies: ['10.0.0.5', '192.168.10.0/24', 'fd00::/8'],
    clientCaPem: ca.certPem,
  });
  const registry = ClientRegistry.fromDocument(testClientsDocument({ subject: SUBJECT_DN }), {
    forwardedCertificates: forwarded,
  });
  const request = (pem: string, remoteAddress: string) => ({
    headers: { [FORWARDED_CERTIFICATE_HEADER]: encodeURIComponent(pem) },
    socket: { remoteAddress },
  });
  const refusal = (fn: () => unknown): { status: number; code: string; detail: string } => {
    try {
      fn();
    } catch (error) {
      const { status, code, detail } = error as ProblemException;
      return { status, code, detail: detail ?? '' };
    }
    throw new Error('expected a refusal');
  };

  it('trusts the listed addresses and networks, IPv4-mapped peers included, and nothing else', () => {
    expect(forwarded.trusts('10.0.0.5')).toBe(true);
    expect(forwarded.trusts('::ffff:192.168.10.77')).toBe(true);
    expect(forwarded.trusts('fd12::1')).toBe(true);
    expect(forwarded.trusts('10.0.0.6')).toBe(false);
    expect(forwarded.trusts('192.168.11.1')).toBe(false);
    expect(forwarded.trusts(undefined)).toBe(false);
  });

  it('refuses a proxy list entry that is not an address or CIDR', () => {
    for (const entry of ['10.0.0.0/', '10.0.0.0/33', 'proxy.internal', '10.0.0.0/8/1']) {
      expect(() => new ForwardedCertificates({ trustedProxies: [entry], clientCaPem: ca.certPem })).toThrow(
        /not an IP address or CIDR/,
      );
    }
  });

  it('authenticates the client whose subject the forwarded certificate carries, Vietnamese names included', () => {
    const caller = registry.authenticate(request(client.certPem, '192.168.10.3'));
    expect(caller).toMatchObject({ clientId: 'motcua', via: 'mtls', credentialId: client.fingerprint });
  });

  it('refuses the header from an address that is not a trusted proxy', () => {
    expect(refusal(() => registry.authenticate(request(client.certPem, '10.0.0.6')))).toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
      detail: expect.stringMatching(/trusted proxies/),
    });
  });

  it('refuses a certificate of another CA with the same subject, and one that is not PEM', () => {
    expect(refusal(() => registry.authenticate(request(impostor.certPem, '10.0.0.5')))).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/client CA/),
    });
    expect(refusal(() => registry.authenticate(request('not a certificate', '10.0.0.5')))).toMatchObject({
      status: 401,
      detail: expect.stringMatching(/not a PEM certificate/),
    });
  });

  it('refuses a forwarded certificate outside its validity', () => {
    const later = new ForwardedCertificates({
      trustedProxies: ['10.0.0.5'],
      clientCaPem: ca.certPem,
      now: () => Date.now() + 2 * 24 * 3600_000,
    });
    expect(() => later.read(request(client.certPem, '10.0.0.5').headers, '10.0.0.5')).toThrow(
      ProblemException,
    );
  });

  it('reads nothing when the request carries no forwarded certificate', () => {
    expect(forwarded.read({}, '10.0.0.5')).toBeUndefined();
    expect(forwarded.read({}, '10.9.9.9')).toBeUndefined();
  });
});

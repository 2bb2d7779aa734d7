import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import {
  createDevPki,
  DEV_PKI_NAMES,
  describeCertificate,
  issueCertificate,
  loadDevPki,
  PkiError,
} from './index';

describe('development PKI', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-pki-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA and the certificates of the local stack, each issued by the CA', () => {
    const pki = createDevPki(dir, { agencies: ['000.00.14.H56'] });
    expect(pki.created.sort()).toEqual(
      [
        'agency-000.00.14.H56',
        'ca',
        'demo-client',
        'gateway',
        'gateway-server',
        'population-signer',
        'population-sim',
      ].sort(),
    );
    const ca = new X509Certificate(pki.ca.certPem);
    expect(ca.ca).toBe(true);
    for (const name of [
      'population-sim',
      'gateway',
      'population-signer',
      'gateway-server',
      'demo-client',
      'agency-000.00.14.H56',
    ]) {
      const cert = new X509Certificate(pki.get(name).certPem);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(cert.ca).toBe(false);
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
      expect(statSync(pki.get(name).keyPath).mode & 0o777).toBe(0o600);
    }
  });

  it('gives the simulator a server certificate for localhost and 127.0.0.1 and the gateway a client one', () => {
    const pki = loadDevPki(dir);
    const server = describeCertificate(pki.get(DEV_PKI_NAMES.populationSimulator).certPem);
    expect(server.subjectAltNames).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    expect(new X509Certificate(pki.get('population-sim').certPem).keyUsage).toContain('1.3.6.1.5.5.7.3.1');
    expect(new X509Certificate(pki.get('gateway').certPem).keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    const gatewayServer = describeCertificate(pki.get(DEV_PKI_NAMES.gatewayServer).certPem);
    expect(gatewayServer.subjectAltNames).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    expect(new X509Certificate(pki.get('gateway-server').certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new X509Certificate(pki.get('demo-client').certPem).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(server.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('keeps every valid file when created again', () => {
    const before = readFileSync(join(dir, 'gateway.crt'), 'utf8');
    const again = createDevPki(dir, { agencies: ['000.00.14.H56'] });
    expect(again.created).toEqual([]);
    expect(again.kept).toContain('gateway');
    expect(readFileSync(join(dir, 'gateway.crt'), 'utf8')).toBe(before);
  });

  it('re-issues a certificate whose key no longer matches, and everything after a new CA', () => {
    const other = issueCertificate(dir, 'spare', { usage: 'client' }).entry;
    writeFileSync(join(dir, 'gateway.key'), other.keyPem);
    expect(createDevPki(dir, { agencies: [] }).created).toEqual(['gateway']);

    unlinkSync(join(dir, 'ca.key'));
    const renewed = createDevPki(dir, { agencies: [] });
    expect(renewed.created).toEqual(
      expect.arrayContaining(['ca', 'gateway', 'population-signer', 'population-sim']),
    );
  });

  it('tells how to create the PKI when it is missing', () => {
    expect(() => loadDevPki(join(dir, 'nowhere'))).toThrow(/lienthong pki init/);
    expect(() => loadDevPki(dir).get('agency-999')).toThrow(PkiError);
  });

  it('lets the gateway and the simulator complete a mutual-TLS handshake', async () => {
    const pki = loadDevPki(dir);
    const server = createServer(
      {
        key: pki.get('population-sim').keyPem,
        cert: pki.get('population-sim').certPem,
        ca: pki.ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => socket.end(`hello ${(socket as TLSSocket).getPeerCertificate().subject.CN}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          key: pki.get('gateway').keyPem,
          cert: pki.get('gateway').certPem,
          ca: pki.ca.certPem,
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(greeting).toBe('hello gateway');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

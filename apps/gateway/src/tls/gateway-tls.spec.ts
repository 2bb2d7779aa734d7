import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@lienthong/config';
import { createDevPki, type DevPkiResult } from '@lienthong/pki';
import { ClientRegistry, withDemoClient } from '@lienthong/security';
import { loadGatewayTls } from './gateway-tls';

describe('gateway HTTPS settings', () => {
  let dir: string;
  let pki: DevPkiResult;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-gateway-tls-'));
    pki = createDevPki(dir, { agencies: [] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const server = () => ({
    GATEWAY_TLS_CERT_FILE: pki.get('gateway-server').certPath,
    GATEWAY_TLS_KEY_FILE: pki.get('gateway-server').keyPath,
  });

  it('asks for client certificates without requiring one when a client CA is set', () => {
    const { tls } = loadGatewayTls({ ...server(), GATEWAY_TLS_CLIENT_CA_FILE: pki.ca.certPath });
    expect(tls?.server).toMatchObject({
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    });
    expect(tls?.clientCertificates).toBe(true);
    expect(tls?.port).toBeUndefined();
  });

  it('serves HTTPS without client certificates when no client CA is set, and nothing without a certificate', () => {
    expect(loadGatewayTls(server()).tls?.server.requestCert).toBeUndefined();
    expect(loadGatewayTls({}).tls).toBeUndefined();
  });

  it('names every problem: key of another certificate, half a pair, proxies without a client CA, unreadable files', () => {
    let message = '';
    try {
      loadGatewayTls({
        GATEWAY_TLS_CERT_FILE: pki.get('gateway-server').certPath,
        GATEWAY_TLS_KEY_FILE: pki.get('demo-client').keyPath,
        GATEWAY_TRUSTED_PROXIES: ['10.0.0.5'],
        LGSP_DEMO_CLIENT_CERT_FILE: join(dir, 'missing.crt'),
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/GATEWAY_TLS_KEY_FILE does not match/);
    expect(message).toMatch(/GATEWAY_TRUSTED_PROXIES needs GATEWAY_TLS_CLIENT_CA_FILE/);
    expect(message).toMatch(/LGSP_DEMO_CLIENT_CERT_FILE needs LGSP_DEMO_API_KEY/);
    expect(() => loadGatewayTls({ GATEWAY_TLS_CERT_FILE: server().GATEWAY_TLS_CERT_FILE })).toThrow(
      /set together/,
    );
    expect(() => loadGatewayTls({ GATEWAY_TLS_PORT: 3443 })).toThrow(/GATEWAY_TLS_PORT needs/);
  });

  it('binds the demo client to the demo certificate by its fingerprint', () => {
    const { demoCertificateDer } = loadGatewayTls({
      LGSP_DEMO_API_KEY: 'lt_demoKeyForTheSpec_0123456789',
      LGSP_DEMO_CLIENT_CERT_FILE: pki.get('demo-client').certPath,
    });
    const registry = withDemoClient(ClientRegistry.load(), 'lt_demoKeyForTheSpec_0123456789', {
      certificateDer: demoCertificateDer,
    });
    const socket = {
      authorized: false,
      getPeerCertificate: () => ({ raw: demoCertificateDer }),
    };
    expect(registry.authenticate({ headers: {}, socket })).toMatchObject({ clientId: 'demo', via: 'mtls' });
  });
});

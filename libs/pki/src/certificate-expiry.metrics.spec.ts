import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'prom-client';
import { certificatesInUse, registerCertificateExpiryMetrics } from './certificate-expiry.metrics';
import { createDevPki, issueCertificate } from './dev-pki';

describe('certificate expiry metric', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-cert-expiry-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the end of validity of every certificate in the configured files, chains included', async () => {
    const pki = createDevPki(dir, { agencies: [] });
    const { entry: soon } = issueCertificate(dir, 'expiring', { usage: 'server', validityDays: 12 });
    const chain = join(dir, 'chain.pem');
    writeFileSync(chain, soon.certPem + pki.ca.certPem);
    const env = {
      GATEWAY_TLS_CERT_FILE: chain,
      GATEWAY_TLS_CLIENT_CA_FILE: pki.ca.certPath,
      KAFKA_TLS_CA_FILE: '',
      LAND_CA_PATH: join(dir, 'missing.pem'),
    };
    expect(certificatesInUse(env).map((c) => c.setting)).toEqual([
      'GATEWAY_TLS_CERT_FILE',
      'GATEWAY_TLS_CLIENT_CA_FILE',
      'LAND_CA_PATH',
    ]);
    registerCertificateExpiryMetrics(certificatesInUse(env));

    const { values } = await register.getSingleMetric('lgsp_certificate_not_after_timestamp_seconds')!.get();
    const days = (setting: string) =>
      values
        .filter((v) => v.labels.certificate === setting)
        .map((v) => Math.round((v.value - Date.now() / 1000) / 86400))
        .sort((a, b) => a - b);
    expect(days('GATEWAY_TLS_CERT_FILE')[0]).toBe(12);
    expect(days('GATEWAY_TLS_CERT_FILE')).toHaveLength(2);
    expect(days('GATEWAY_TLS_CLIENT_CA_FILE')).toHaveLength(1);
    expect(days('LAND_CA_PATH')).toEqual([]);
    expect(values.find((v) => v.labels.certificate === 'GATEWAY_TLS_CERT_FILE')?.labels.subject).toMatch(
      /CN=/,
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@lienthong/config';
import { kafkaConnectionConfig } from './client/kafkajs-client';
import { kafkaSecurityFromEnv, kafkaServicePrincipals } from './kafka-security';

describe('Kafka connection security from the environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-kafka-security-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('connects in plain text with no TLS and no SASL by default', () => {
    const security = kafkaSecurityFromEnv('gateway', {});
    expect(security).toEqual({ protocol: 'PLAINTEXT' });
    expect(kafkaConnectionConfig(security)).toEqual({});
  });

  it('authenticates each process as its own principal, with the password from a file when it is one', () => {
    const source = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_TLS_CA_FILE: file('ca.pem', 'CA PEM'),
      KAFKA_GATEWAY_PASSWORD: 'gateway-secret',
      KAFKA_RELAY_USERNAME: 'relay-of-lao-cai',
      KAFKA_RELAY_PASSWORD_FILE: file('relay.password', 'relay-secret\n'),
    };
    expect(kafkaConnectionConfig(kafkaSecurityFromEnv('gateway', source))).toEqual({
      ssl: { ca: ['CA PEM'] },
      sasl: { mechanism: 'scram-sha-512', username: 'lienthong-gateway', password: 'gateway-secret' },
    });
    expect(kafkaConnectionConfig(kafkaSecurityFromEnv('relay', source)).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'relay-of-lao-cai',
      password: 'relay-secret',
    });
    expect(kafkaServicePrincipals(source)).toEqual({
      gateway: 'lienthong-gateway',
      relay: 'relay-of-lao-cai',
      cli: 'lienthong-cli',
    });
  });

  it('uses the CLI credentials for topic and ACL administration unless an admin is named', () => {
    const source = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_CLI_PASSWORD: 'cli-secret',
    };
    expect(kafkaSecurityFromEnv('admin', source).sasl).toEqual({
      mechanism: 'scram-sha-256',
      username: 'lienthong-cli',
      password: 'cli-secret',
    });
    expect(
      kafkaSecurityFromEnv('admin', { ...source, KAFKA_ADMIN_USERNAME: 'admin', KAFKA_ADMIN_PASSWORD: 'a' })
        .sasl?.username,
    ).toBe('admin');
  });

  it('sends a client certificate when one is configured, and trusts the system store without a CA', () => {
    expect(kafkaConnectionConfig(kafkaSecurityFromEnv('cli', { KAFKA_SECURITY_PROTOCOL: 'SSL' }))).toEqual({
      ssl: true,
    });
    const mutual = kafkaSecurityFromEnv('cli', {
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_TLS_CERT_FILE: file('cert.pem', 'CERT'),
      KAFKA_TLS_KEY_FILE: file('key.pem', 'KEY'),
    });
    expect(kafkaConnectionConfig(mutual)).toEqual({ ssl: { cert: 'CERT', key: 'KEY' } });
  });

  it.each([
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' }, 'KAFKA_RELAY_PASSWORD'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_RELAY_PASSWORD_FILE: '/nonexistent/pw' }, 'ENOENT'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'KAFKA_TLS_CA_FILE'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_TLS_CERT_FILE: '/x.pem' }, 'set together'],
    [{ KAFKA_SECURITY_PROTOCOL: 'SASL_SCRAM' }, 'KAFKA_SECURITY_PROTOCOL must be one of'],
  ])('refuses to start on %j (%s)', (source, message) => {
    expect(() => kafkaSecurityFromEnv('relay', source)).toThrow(ConfigError);
    expect(() => kafkaSecurityFromEnv('relay', source)).toThrow(message);
  });
});

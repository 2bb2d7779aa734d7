import { readFileSync } from 'node:fs';
import { ConfigError, loadEnv } from '@lienthong/config';

export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type KafkaSaslMechanism = 'scram-sha-256' | 'scram-sha-512';

/** How a Kafka client of the project connects: TLS, and the SASL/SCRAM identity it authenticates as. */
export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  /** Required by SASL_PLAINTEXT and SASL_SSL. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** PEM contents (not paths), for SSL and SASL_SSL. Without `ca` the system trust store applies. */
  tls?: { ca?: string; cert?: string; key?: string };
}

export const PLAINTEXT: KafkaSecurity = { protocol: 'PLAINTEXT' };

/** The processes that talk to Kafka, each as its own principal; `admin` creates topics and ACLs. */
export type KafkaIdentity = 'gateway' | 'relay' | 'cli' | 'admin';

const usesTls = (protocol: KafkaSecurityProtocol) => protocol === 'SSL' || protocol === 'SASL_SSL';
const usesSasl = (protocol: KafkaSecurityProtocol) =>
  protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

const CREDENTIAL_VARS = [
  'KAFKA_GATEWAY_USERNAME',
  'KAFKA_GATEWAY_PASSWORD',
  'KAFKA_GATEWAY_PASSWORD_FILE',
  'KAFKA_RELAY_USERNAME',
  'KAFKA_RELAY_PASSWORD',
  'KAFKA_RELAY_PASSWORD_FILE',
  'KAFKA_CLI_USERNAME',
  'KAFKA_CLI_PASSWORD',
  'KAFKA_CLI_PASSWORD_FILE',
  'KAFKA_ADMIN_USERNAME',
  'KAFKA_ADMIN_PASSWORD',
  'KAFKA_ADMIN_PASSWORD_FILE',
] as const;

/** The principals (SCRAM user names) of the gateway, the relay and the CLI, as configured. */
export function kafkaServicePrincipals(source: NodeJS.ProcessEnv = process.env): {
  gateway: string;
  relay: string;
  cli: string;
} {
  const env = loadEnv(['KAFKA_GATEWAY_USERNAME', 'KAFKA_RELAY_USERNAME', 'KAFKA_CLI_USERNAME'], { source });
  return {
    gateway: env.KAFKA_GATEWAY_USERNAME,
    relay: env.KAFKA_RELAY_USERNAME,
    cli: env.KAFKA_CLI_USERNAME,
  };
}

function readPem(variable: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/**
 * The connection settings of one process from the environment: KAFKA_SECURITY_PROTOCOL, the SASL
 * mechanism, the TLS files and the credentials of `identity` (its password from `KAFKA_<ID>_PASSWORD`
 * or the file named by `KAFKA_<ID>_PASSWORD_FILE`). `admin` falls back to the CLI's credentials.
 * Fails fast (ConfigError) on a SASL protocol without a password or an unreadable file.
 */
export function kafkaSecurityFromEnv(
  identity: KafkaIdentity,
  source: NodeJS.ProcessEnv = process.env,
): KafkaSecurity {
  const env = loadEnv(
    [
      'KAFKA_SECURITY_PROTOCOL',
      'KAFKA_SASL_MECHANISM',
      'KAFKA_TLS_CA_FILE',
      'KAFKA_TLS_CERT_FILE',
      'KAFKA_TLS_KEY_FILE',
      ...CREDENTIAL_VARS,
    ],
    { source },
  );
  const protocol = env.KAFKA_SECURITY_PROTOCOL as KafkaSecurityProtocol;
  const security: KafkaSecurity = { protocol };
  if (usesTls(protocol)) {
    if (Boolean(env.KAFKA_TLS_CERT_FILE) !== Boolean(env.KAFKA_TLS_KEY_FILE)) {
      throw new ConfigError('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE must be set together');
    }
    security.tls = {
      ca: readPem('KAFKA_TLS_CA_FILE', env.KAFKA_TLS_CA_FILE),
      cert: readPem('KAFKA_TLS_CERT_FILE', env.KAFKA_TLS_CERT_FILE),
      key: readPem('KAFKA_TLS_KEY_FILE', env.KAFKA_TLS_KEY_FILE),
    };
  }
  if (usesSasl(protocol)) {
    const values = env as Record<string, string | undefined>;
    const prefix =
      identity === 'admin' && !values.KAFKA_ADMIN_USERNAME ? 'KAFKA_CLI' : `KAFKA_${identity.toUpperCase()}`;
    const username = values[`${prefix}_USERNAME`];
    const passwordFile = values[`${prefix}_PASSWORD_FILE`];
    const password =
      values[`${prefix}_PASSWORD`] ?? readPem(`${prefix}_PASSWORD_FILE`, passwordFile)?.replace(/\r?\n$/, '');
    if (!username || !password) {
      throw new ConfigError(
        `KAFKA_SECURITY_PROTOCOL=${protocol} needs ${prefix}_USERNAME and ${prefix}_PASSWORD (or ${prefix}_PASSWORD_FILE)`,
      );
    }
    security.sasl = { mechanism: env.KAFKA_SASL_MECHANISM as KafkaSaslMechanism, username, password };
  }
  return security;
}

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../../libs/config/src/repo-root';
import type { LocalKafkaSasl, ScramUser } from './local-kafka';

/** The local broker's SCRAM users: the `admin` super user and one principal per service. */
export interface LocalKafkaUsers {
  admin: ScramUser;
  gateway: ScramUser;
  relay: ScramUser;
  cli: ScramUser;
}

/** `<repo>/var/secrets/kafka-<user>.password`. */
export function localKafkaPasswordFile(username: string, secretsDir = join(repoRoot(), 'var', 'secrets')) {
  return join(secretsDir, `kafka-${username}.password`);
}

function readOrCreatePassword(file: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

/**
 * The users `npm start` and `npm run kafka:local` give the local broker with KAFKA_LOCAL_SASL: passwords
 * created once and kept in `var/secrets/` (mode 0600), because the broker's storage holds the SCRAM
 * credentials it was formatted with and keeps them between runs.
 */
export function localKafkaUsers(secretsDir?: string): LocalKafkaUsers {
  const user = (username: string): ScramUser => ({
    username,
    password: readOrCreatePassword(localKafkaPasswordFile(username, secretsDir)),
  });
  return {
    admin: user('admin'),
    gateway: user('lienthong-gateway'),
    relay: user('lienthong-relay'),
    cli: user('lienthong-cli'),
  };
}

export function localKafkaSasl(users: LocalKafkaUsers): LocalKafkaSasl {
  return { admin: users.admin, users: [users.gateway, users.relay, users.cli] };
}

/** The environment that makes the apps and the CLI connect to the local SASL broker as themselves. */
export function localKafkaClientEnv(users: LocalKafkaUsers): Record<string, string> {
  return {
    KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_GATEWAY_USERNAME: users.gateway.username,
    KAFKA_GATEWAY_PASSWORD: users.gateway.password,
    KAFKA_RELAY_USERNAME: users.relay.username,
    KAFKA_RELAY_PASSWORD: users.relay.password,
    KAFKA_CLI_USERNAME: users.cli.username,
    KAFKA_CLI_PASSWORD: users.cli.password,
  };
}

import { Env, loadEnv } from '@lienthong/config';
import { KafkaSecurity, kafkaSecurityFromEnv } from '@lienthong/messaging';

export const RELAY_ENV = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SEND_TIMEOUT_MS',
  'KAFKA_HEALTH_TIMEOUT_MS',
  'CONSUMER_MAX_ATTEMPTS',
  'CONSUMER_RETRY_BASE_MS',
  'PROCEDURES_FILE',
  'PORTAL_URL',
  'PORTAL_USERNAME',
  'PORTAL_PASSWORD',
  'PORTAL_UNIT_CODE',
  'PORTAL_TIMEOUT_MS',
  'PORTAL_SYNC_MAX_ATTEMPTS',
  'PORTAL_RETRY_BASE_MS',
  'PORTAL_RETRY_MAX_MS',
  'OPERATIONS_CENTER_URL',
  'OPERATIONS_CENTER_CLIENT_ID',
  'OPERATIONS_CENTER_CLIENT_SECRET',
  'OPERATIONS_CENTER_TIMEOUT_MS',
  'OPERATIONS_CENTER_MAX_ATTEMPTS',
  'OPERATIONS_CENTER_RETRY_BASE_MS',
  'OPERATIONS_CENTER_RETRY_MAX_MS',
  'INDICATOR_REPORT_SCHEDULE',
  'DATABASE_URL',
  'PGLITE_DIR',
  'DATABASE_POOL_SIZE',
  'RELAY_PORT',
  'HOST',
  'LOG_LEVEL',
] as const;

export type RelayConfig = Env<(typeof RELAY_ENV)[number]> & {
  KAFKA_BROKERS: string[];
  /** KAFKA_SECURITY_PROTOCOL, TLS files and the relay's own SASL credentials (KAFKA_RELAY_*). */
  kafkaSecurity: KafkaSecurity;
};

export function loadRelayConfig(source: NodeJS.ProcessEnv = process.env): RelayConfig {
  const env = loadEnv(RELAY_ENV, { required: ['KAFKA_BROKERS'], source });
  return { ...env, kafkaSecurity: kafkaSecurityFromEnv('relay', source) } as RelayConfig;
}

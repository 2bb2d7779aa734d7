import { Env, loadEnv } from '@lienthong/config';
import { AuditEnv, loadAuditEnv } from '@lienthong/audit';
import { KafkaSecurity, kafkaSecurityFromEnv } from '@lienthong/messaging';

export const GATEWAY_ENV = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SEND_TIMEOUT_MS',
  'KAFKA_HEALTH_TIMEOUT_MS',
  'CONSUMER_MAX_ATTEMPTS',
  'CONSUMER_RETRY_BASE_MS',
  'DATABASE_URL',
  'PGLITE_DIR',
  'DATABASE_POOL_SIZE',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'HTTP_BODY_LIMIT_BYTES',
  'CLIENTS_FILE',
  'LGSP_DEMO_API_KEY',
  'PKI_DIR',
  'POPULATION_URL',
  'POPULATION_CLIENT_KEY_PATH',
  'POPULATION_CLIENT_CERT_PATH',
  'POPULATION_CA_PATH',
  'POPULATION_SIGNING_CERT_PATH',
  'POPULATION_TIMEOUT_MS',
  'POPULATION_VALIDITY_MS',
  'BUSINESS_REGISTRY_URL',
  'BUSINESS_REGISTRY_CLIENT_ID',
  'BUSINESS_REGISTRY_CLIENT_SECRET',
  'BUSINESS_REGISTRY_TIMEOUT_MS',
  'BUSINESS_REGISTRY_VALIDITY_MS',
  'LAND_URL',
  'LAND_API_KEY',
  'LAND_TIMEOUT_MS',
  'LAND_VALIDITY_MS',
  'LOOKUP_CACHE_MAX_ENTRIES',
  'LOOKUP_STALE_MAX_AGE_MS',
  'UPSTREAM_RETRIES',
  'UPSTREAM_CIRCUIT_FAILURES',
  'UPSTREAM_CIRCUIT_HALF_OPEN_MS',
] as const;

export type GatewayConfig = Env<(typeof GATEWAY_ENV)[number]> & {
  KAFKA_BROKERS: string[];
  /** The AUDIT_* settings (AUDIT_SUBJECT_KEY is required: every lookup is audited). */
  audit: AuditEnv;
  /** KAFKA_SECURITY_PROTOCOL, TLS files and the gateway's own SASL credentials (KAFKA_GATEWAY_*). */
  kafkaSecurity: KafkaSecurity;
};

/** Reads and checks the gateway's environment; a missing or invalid variable stops the start (ConfigError). */
export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = loadEnv(GATEWAY_ENV, { required: ['KAFKA_BROKERS'], source });
  return {
    ...env,
    audit: loadAuditEnv({ source }),
    kafkaSecurity: kafkaSecurityFromEnv('gateway', source),
  } as GatewayConfig;
}

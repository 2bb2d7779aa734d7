import { assertSafeForProduction, ConfigError, Env, loadEnv, readConfiguredFile } from '@lienthong/config';
import { AuditEnv, decodeSubjectKey, loadAuditEnv } from '@lienthong/audit';
import type { ForwardedCertificates } from '@lienthong/security';
import { GatewayTls, loadGatewayTls } from './tls/gateway-tls';
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
  'OUTBOX_SHARDS',
  'LIENTHONG_FAULT_POINT',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'HTTP_BODY_LIMIT_BYTES',
  'CLIENTS_FILE',
  'LGSP_DEMO_API_KEY',
  'GATEWAY_DOCS',
  'LGSP_DEMO_CLIENT_CERT_FILE',
  'PKI_DIR',
  'PROCEDURES_FILE',
  'CHAINS_FILE',
  'FEEDBACK_URL',
  'FEEDBACK_CA_PATH',
  'FEEDBACK_API_KEY',
  'FEEDBACK_ANSWER_WORKING_DAYS',
  'UNKNOWN_PROCEDURE_POLICY',
  'CATALOGUE_RELOAD_MS',
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
  'BUSINESS_REGISTRY_CA_PATH',
  'LAND_URL',
  'LAND_API_KEY',
  'LAND_TIMEOUT_MS',
  'LAND_VALIDITY_MS',
  'LAND_CA_PATH',
  'POPULATION_ROUTE',
  'BUSINESS_REGISTRY_ROUTE',
  'LAND_ROUTE',
  'NDXP_URL',
  'NDXP_CLIENT_ID',
  'NDXP_API_KEY',
  'NDXP_CA_PATH',
  'NDOP_URL',
  'NDOP_CLIENT_ID',
  'NDOP_API_KEY',
  'NDOP_CA_PATH',
  'PORTAL_URL',
  'POSTAL_URL',
  'POSTAL_CA_PATH',
  'POSTAL_TOKEN',
  'POSTAL_WEBHOOK_SECRET',
  'PORTAL_CA_PATH',
  'PORTAL_USERNAME',
  'PORTAL_PASSWORD',
  'PORTAL_UNIT_CODE',
  'PORTAL_DSTCODE',
  'PORTAL_LOGIN_PATH',
  'PORTAL_INTEGRATION_PATH',
  'PORTAL_SHARE_PATH',
  'PORTAL_DIALECT',
  'PORTAL_TOKEN_PATH',
  'PORTAL_API_PATH',
  'PORTAL_CLIENT_ID',
  'PORTAL_CLIENT_SECRET',
  'PORTAL_TOKEN_SCOPE',
  'PORTAL_EXTRA_HEADERS',
  'PORTAL_SESSION_MAX_AGE_MS',
  'PORTAL_TIMEOUT_MS',
  'PAYMENT_PLATFORM_URL',
  'PAYMENT_MERCHANT_CODE',
  'PAYMENT_SECRET_KEY',
  'PAYMENT_NOTIFY_URL',
  'PAYMENT_NOTIFICATION_MAX_AGE_MS',
  'PAID_ONLINE_SOURCE',
  'LOOKUP_CACHE_MAX_ENTRIES',
  'LOOKUP_STALE_MAX_AGE_MS',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'LOOKUP_CACHE_KEY',
  'UPSTREAM_RETRIES',
  'UPSTREAM_CIRCUIT_FAILURES',
  'UPSTREAM_CIRCUIT_HALF_OPEN_MS',
  'GATEWAY_TLS_CERT_FILE',
  'GATEWAY_TLS_KEY_FILE',
  'GATEWAY_TLS_CLIENT_CA_FILE',
  'GATEWAY_TLS_PORT',
  'GATEWAY_TRUSTED_PROXIES',
  'NODE_ENV',
  'UPSTREAM_HTTP_ALLOWLIST',
] as const;

export type GatewayConfig = Env<(typeof GATEWAY_ENV)[number]> & {
  KAFKA_BROKERS: string[];
  /** The AUDIT_* settings (AUDIT_SUBJECT_KEY is required: every lookup is audited). */
  audit: AuditEnv;
  /** GATEWAY_DOCS as decided: set, or on unless NODE_ENV=production. */
  docs: boolean;
  /** The HTTPS listener, when GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE are set. */
  tls?: GatewayTls;
  /** Client certificates forwarded by the proxies of GATEWAY_TRUSTED_PROXIES. */
  forwardedCertificates?: ForwardedCertificates;
  /** The demo client's certificate (LGSP_DEMO_CLIENT_CERT_FILE), DER. */
  demoCertificateDer?: Buffer;
  /** KAFKA_SECURITY_PROTOCOL, TLS files and the gateway's own SASL credentials (KAFKA_GATEWAY_*). */
  kafkaSecurity: KafkaSecurity;
  /** PEM of PORTAL_CA_PATH: the portal's pinned CA (the portal's own evaluation, for reconciliation). */
  portalCa?: string;
  /** PEM of POSTAL_CA_PATH: the postal operator's pinned CA. */
  postalCa?: string;
  /** LOOKUP_CACHE_KEY decoded, when REDIS_URL shares the lookup cache. */
  lookupCacheKey?: Buffer;
};

/**
 * Reads and checks the gateway's environment; a missing or invalid variable, or in production mode an
 * unsafe one (development secret, demo client, unpinned upstream), stops the start (ConfigError).
 */
export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const env = loadEnv(GATEWAY_ENV, { required: ['KAFKA_BROKERS'], source });
  const docs = env.GATEWAY_DOCS ?? source.NODE_ENV !== 'production';
  assertSafeForProduction('gateway', source);
  return {
    ...env,
    audit: loadAuditEnv({ source }),
    docs,
    ...loadGatewayTls(env),
    kafkaSecurity: kafkaSecurityFromEnv('gateway', source),
    portalCa: readConfiguredFile('PORTAL_CA_PATH', env.PORTAL_CA_PATH),
    postalCa: readConfiguredFile('POSTAL_CA_PATH', env.POSTAL_CA_PATH),
    ...(env.REDIS_URL ? sharedState(env.REDIS_URL, env.LOOKUP_CACHE_KEY) : {}),
  } as GatewayConfig;
}

/** With REDIS_URL: a Redis address, and LOOKUP_CACHE_KEY as bytes (at least 32; `base64:`/`hex:`). */
function sharedState(redisUrl: string, cacheKey: string): { lookupCacheKey: Buffer } {
  const problems: string[] = [];
  if (!/^rediss?:$/.test(new URL(redisUrl).protocol)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// (TLS) address');
  }
  let lookupCacheKey: Buffer = Buffer.alloc(0);
  try {
    lookupCacheKey = decodeSubjectKey(cacheKey, 'LOOKUP_CACHE_KEY');
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return { lookupCacheKey };
}

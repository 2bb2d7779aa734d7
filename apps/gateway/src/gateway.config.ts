import {
  assertSafeForProduction,
  ConfigError,
  Env,
  EnvNameOf,
  envNamesOf,
  loadEnv,
  readConfiguredFile,
} from '@lienthong/config';
import { AuditEnv, decodeSubjectKey, loadAuditEnv } from '@lienthong/audit';
import type { ForwardedCertificates } from '@lienthong/security';
import { GatewayTls, loadGatewayTls } from './tls/gateway-tls';
import { KafkaSecurity, kafkaSecurityFromEnv } from '@lienthong/messaging';

/** What the gateway reads: the settings whose `apps` in the env table (libs/config/src/env.ts) name it. */
export const GATEWAY_ENV = envNamesOf('gateway');

export type GatewayConfig = Env<EnvNameOf<'gateway'>> & {
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

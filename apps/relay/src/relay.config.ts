import { AuditEnv, loadAuditEnv } from '@lienthong/audit';
import { assertSafeForProduction, ConfigError, Env, loadEnv, readConfiguredFile } from '@lienthong/config';
import { KafkaSecurity, kafkaSecurityFromEnv } from '@lienthong/messaging';
import { RelayRole, relayRoles, RelayRoles } from './relay-roles';

export const RELAY_ENV = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SEND_TIMEOUT_MS',
  'KAFKA_HEALTH_TIMEOUT_MS',
  'CONSUMER_MAX_ATTEMPTS',
  'CONSUMER_RETRY_BASE_MS',
  'PROCEDURES_FILE',
  'UNKNOWN_PROCEDURE_POLICY',
  'CATALOGUE_RELOAD_MS',
  'CATALOGUE_SYNC_INTERVAL_MS',
  'CATALOGUE_SYNC_CONCURRENCY',
  'MINISTRY_PSEUDONYM_KEY',
  'PAID_ONLINE_SOURCE',
  'PORTAL_URL',
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
  'PORTAL_TECH_ID_LOOKUP',
  'PORTAL_RETRYABLE_CODES',
  'PORTAL_TIMEOUT_MS',
  'PORTAL_SYNC_MAX_ATTEMPTS',
  'PORTAL_RETRY_BASE_MS',
  'PORTAL_RETRY_MAX_MS',
  'OPERATIONS_CENTER_URL',
  'OPERATIONS_CENTER_CA_PATH',
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
  'RELAY_ROLES',
  'PORTAL_SYNC_CONCURRENCY',
  'CHAINS_FILE',
  'CHAIN_CIVIL_STATUS_URL',
  'CHAIN_CIVIL_STATUS_CA_PATH',
  'CHAIN_CIVIL_STATUS_USERNAME',
  'CHAIN_CIVIL_STATUS_PASSWORD',
  'CHAIN_RESIDENCE_URL',
  'CHAIN_RESIDENCE_CA_PATH',
  'CHAIN_RESIDENCE_CLIENT_ID',
  'CHAIN_RESIDENCE_CLIENT_SECRET',
  'CHAIN_SOCIAL_SECURITY_URL',
  'CHAIN_SOCIAL_SECURITY_CA_PATH',
  'CHAIN_SOCIAL_SECURITY_CLIENT_ID',
  'CHAIN_SOCIAL_SECURITY_SECRET',
  'CHAIN_RUNNER_INTERVAL_MS',
  'OUTBOX_SHARDS',
  'FEEDBACK_URL',
  'FEEDBACK_CA_PATH',
  'FEEDBACK_API_KEY',
  'FEEDBACK_POLL_INTERVAL_MS',
  'FEEDBACK_ANSWER_WORKING_DAYS',
  'HOST',
  'LOG_LEVEL',
  'NODE_ENV',
  'UPSTREAM_HTTP_ALLOWLIST',
] as const;

export type RelayConfig = Env<(typeof RELAY_ENV)[number]> & {
  KAFKA_BROKERS: string[];
  /** PEM of PORTAL_CA_PATH: the portal's pinned CA. */
  portalCa?: string;
  /** PEM of OPERATIONS_CENTER_CA_PATH: the operations center's pinned CA. */
  operationsCenterCa?: string;
  /** KAFKA_SECURITY_PROTOCOL, TLS files and the relay's own SASL credentials (KAFKA_RELAY_*). */
  kafkaSecurity: KafkaSecurity;
  MINISTRY_PSEUDONYM_KEY: string;
  /**
   * The AUDIT_* settings (AUDIT_SUBJECT_KEY is required: every portal and operations-center call is
   * audited); unset when the process runs ministry routing alone, which neither audits nor opens a database.
   */
  audit?: AuditEnv;
  /** The roles this process runs: RELAY_ROLES, less portal sync and operations-center delivery when
   *  their upstream is not configured and RELAY_ROLES was left at its default. */
  roles: RelayRoles;
  /** Roles of the default RELAY_ROLES left out for want of their upstream's URL. */
  rolesOff: RelayRole[];
};

/**
 * Reads and checks the relay's environment; a missing or invalid variable, or in production mode an
 * unsafe one (development secret, unpinned upstream), stops the start (ConfigError).
 */
export function loadRelayConfig(source: NodeJS.ProcessEnv = process.env): RelayConfig {
  const env = loadEnv(RELAY_ENV, { required: ['KAFKA_BROKERS', 'MINISTRY_PSEUDONYM_KEY'], source });
  assertSafeForProduction('relay', source);
  const { roles, rolesOff } = effectiveRoles(env, Boolean(source.RELAY_ROLES?.trim()));
  return {
    ...env,
    roles,
    rolesOff,
    audit: roles.needsDatabase ? loadAuditEnv({ source }) : undefined,
    portalCa: readConfiguredFile('PORTAL_CA_PATH', env.PORTAL_CA_PATH),
    operationsCenterCa: readConfiguredFile('OPERATIONS_CENTER_CA_PATH', env.OPERATIONS_CENTER_CA_PATH),
    kafkaSecurity: kafkaSecurityFromEnv('relay', source),
  } as RelayConfig;
}

/**
 * Portal sync, operations-center delivery, the chains and feedback need their upstreams: left at its default, RELAY_ROLES drops
 * them when the URL is unset (a local run without a portal); named explicitly, the missing URL stops the start.
 */
function effectiveRoles(
  env: Pick<
    RelayConfig,
    | 'RELAY_ROLES'
    | 'PORTAL_URL'
    | 'OPERATIONS_CENTER_URL'
    | 'CHAIN_CIVIL_STATUS_URL'
    | 'CHAIN_RESIDENCE_URL'
    | 'CHAIN_SOCIAL_SECURITY_URL'
    | 'FEEDBACK_URL'
  >,
  explicit: boolean,
): { roles: RelayRoles; rolesOff: RelayRole[] } {
  const named = relayRoles(env.RELAY_ROLES);
  const missing: [RelayRole, string][] = [];
  if (named.has('portal-sync') && !env.PORTAL_URL) missing.push(['portal-sync', 'PORTAL_URL']);
  if (named.has('ops-center') && !env.OPERATIONS_CENTER_URL)
    missing.push(['ops-center', 'OPERATIONS_CENTER_URL']);
  if (named.has('chains')) {
    for (const url of [
      'CHAIN_CIVIL_STATUS_URL',
      'CHAIN_RESIDENCE_URL',
      'CHAIN_SOCIAL_SECURITY_URL',
    ] as const) {
      if (!env[url]) missing.push(['chains', url]);
    }
  }
  if (named.has('feedback') && !env.FEEDBACK_URL) missing.push(['feedback', 'FEEDBACK_URL']);
  if (explicit && missing.length) {
    throw new ConfigError(
      `invalid configuration:\n${missing
        .map(([role, url]) => `  - RELAY_ROLES names ${role} but ${url} is not set`)
        .join('\n')}`,
    );
  }
  const off = [...new Set(missing.map(([role]) => role))];
  return {
    roles: relayRoles(named.list.filter((role) => !off.includes(role))),
    rolesOff: off,
  };
}

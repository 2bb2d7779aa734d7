import { AuditEnv, loadAuditEnv } from '@lienthong/audit';
import {
  assertSafeForProduction,
  ConfigError,
  Env,
  EnvNameOf,
  envNamesOf,
  loadEnv,
  readConfiguredFile,
} from '@lienthong/config';
import { KafkaSecurity, kafkaSecurityFromEnv } from '@lienthong/messaging';
import { RelayRole, relayRoles, RelayRoles } from './relay-roles';

/** What the relay reads: the settings whose `apps` in the env table (libs/config/src/env.ts) name it. */
export const RELAY_ENV = envNamesOf('relay');

export type RelayConfig = Env<EnvNameOf<'relay'>> & {
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

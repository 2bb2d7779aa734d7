import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, ENV_VARS, type EnvName, type EnvVar } from './env';
import { repoRoot } from './repo-root';

/**
 * What production mode (`NODE_ENV=production`) refuses, for the gateway and the relay: development
 * secrets (the defaults of the env table, the keys `npm start` keeps in var/secrets, known sample values,
 * short secrets), the demo client, development key material (the dev PKI), a plain-`http` upstream not in
 * UPSTREAM_HTTP_ALLOWLIST and an `https` upstream without a pinned CA. Every problem names the variable
 * to set.
 */

export type ProductionApp = 'gateway' | 'relay';

/** Shortest secret (password, client secret, API key) production accepts. */
export const MIN_SECRET_LENGTH = 16;

/** The organization every certificate of the development PKI (`lienthong pki init`) carries. */
export const DEV_PKI_ORGANIZATION = 'Lien Thong (development)';

/** Values published in samples, simulators and docs, never secret anywhere. */
const KNOWN_SAMPLE_VALUES = ['changeme', 'change-me', 'password', 'secret', 'test', 'admin'];

interface Upstream {
  url: EnvName;
  ca: EnvName;
}

interface Secret {
  name: EnvName;
  /** Only checked when this upstream (or feature) is configured. */
  when?: EnvName;
  /** Only checked when this setting has this value (its default counts): the secret of one dialect. */
  only?: { name: EnvName; value: string };
  /** What to set it to, when it is not a secret an upstream issued. */
  how?: string;
}

/** The portal's secret is the password of the OpenCPS-era login or the client secret of the token dialect. */
const PORTAL_SECRETS: Secret[] = [
  { name: 'PORTAL_PASSWORD', when: 'PORTAL_URL', only: { name: 'PORTAL_DIALECT', value: 'opencps' } },
  { name: 'PORTAL_CLIENT_SECRET', when: 'PORTAL_URL', only: { name: 'PORTAL_DIALECT', value: 'token-2025' } },
];

const UPSTREAMS: Record<ProductionApp, Upstream[]> = {
  gateway: [
    { url: 'POPULATION_URL', ca: 'POPULATION_CA_PATH' },
    { url: 'BUSINESS_REGISTRY_URL', ca: 'BUSINESS_REGISTRY_CA_PATH' },
    { url: 'LAND_URL', ca: 'LAND_CA_PATH' },
    { url: 'PORTAL_URL', ca: 'PORTAL_CA_PATH' },
    { url: 'POSTAL_URL', ca: 'POSTAL_CA_PATH' },
    { url: 'FEEDBACK_URL', ca: 'FEEDBACK_CA_PATH' },
  ],
  relay: [
    { url: 'PORTAL_URL', ca: 'PORTAL_CA_PATH' },
    { url: 'OPERATIONS_CENTER_URL', ca: 'OPERATIONS_CENTER_CA_PATH' },
    { url: 'CHAIN_CIVIL_STATUS_URL', ca: 'CHAIN_CIVIL_STATUS_CA_PATH' },
    { url: 'CHAIN_RESIDENCE_URL', ca: 'CHAIN_RESIDENCE_CA_PATH' },
    { url: 'CHAIN_SOCIAL_SECURITY_URL', ca: 'CHAIN_SOCIAL_SECURITY_CA_PATH' },
    { url: 'FEEDBACK_URL', ca: 'FEEDBACK_CA_PATH' },
  ],
};

const SECRETS: Record<ProductionApp, Secret[]> = {
  gateway: [
    { name: 'BUSINESS_REGISTRY_CLIENT_SECRET', when: 'BUSINESS_REGISTRY_URL' },
    { name: 'LAND_API_KEY', when: 'LAND_API_KEY' },
    { name: 'PAYMENT_SECRET_KEY', when: 'PAYMENT_PLATFORM_URL' },
    ...PORTAL_SECRETS,
    { name: 'POSTAL_TOKEN', when: 'POSTAL_URL' },
    { name: 'POSTAL_WEBHOOK_SECRET', when: 'POSTAL_URL' },
    { name: 'FEEDBACK_API_KEY', when: 'FEEDBACK_URL' },
    // Shared by every instance and encrypting cached personal data in Redis.
    {
      name: 'LOOKUP_CACHE_KEY',
      when: 'REDIS_URL',
      how: "set LOOKUP_CACHE_KEY to a key of the deployment's own, the same on every gateway instance (e.g. base64: followed by `openssl rand -base64 48`)",
    },
  ],
  relay: [
    ...PORTAL_SECRETS,
    { name: 'OPERATIONS_CENTER_CLIENT_SECRET', when: 'OPERATIONS_CENTER_URL' },
    { name: 'CHAIN_CIVIL_STATUS_PASSWORD', when: 'CHAIN_CIVIL_STATUS_URL' },
    { name: 'CHAIN_RESIDENCE_CLIENT_SECRET', when: 'CHAIN_RESIDENCE_URL' },
    { name: 'CHAIN_SOCIAL_SECURITY_SECRET', when: 'CHAIN_SOCIAL_SECURITY_URL' },
    { name: 'FEEDBACK_API_KEY', when: 'FEEDBACK_URL' },
  ],
};

/** Key material the population client would otherwise take from the development PKI. */
const POPULATION_KEY_MATERIAL: EnvName[] = [
  'POPULATION_CLIENT_KEY_PATH',
  'POPULATION_CLIENT_CERT_PATH',
  'POPULATION_CA_PATH',
  'POPULATION_SIGNING_CERT_PATH',
];

/** Certificates the gateway serves or trusts, which must not come from the development PKI. */
const GATEWAY_CERTIFICATES: EnvName[] = ['GATEWAY_TLS_CERT_FILE', 'GATEWAY_TLS_CLIENT_CA_FILE'];

/** `<repo>/var/secrets/audit-subject.key`: the audit subject key `npm start` keeps for local runs. */
export function localSubjectKeyFile(): string {
  return join(repoRoot(), 'var', 'secrets', 'audit-subject.key');
}

/** `<repo>/var/secrets/ministry-pseudonym.key`: the ministry pseudonym key `npm start` keeps for local runs. */
export function localMinistryPseudonymKeyFile(): string {
  return join(repoRoot(), 'var', 'secrets', 'ministry-pseudonym.key');
}

export function isProduction(source: NodeJS.ProcessEnv = process.env): boolean {
  return source.NODE_ENV?.trim() === 'production';
}

export interface ProductionCheckOptions {
  /** Files holding development secrets (default: the local audit subject and ministry pseudonym key files). */
  localSecretFiles?: readonly string[];
}

/** Every reason `app` must not start in production mode with `source`; empty when it may. */
export function productionProblems(
  app: ProductionApp,
  source: NodeJS.ProcessEnv,
  options: ProductionCheckOptions = {},
): string[] {
  const value = (name: EnvName): string | undefined => source[name]?.trim() || undefined;
  const problems: string[] = [];

  if (app === 'gateway') {
    if (value('LGSP_DEMO_API_KEY')) {
      problems.push(
        'LGSP_DEMO_API_KEY is set: production refuses the demo client (every service, purpose and field); unset it and register each caller in CLIENTS_FILE',
      );
    }
    if (value('LGSP_DEMO_CLIENT_CERT_FILE')) {
      problems.push('LGSP_DEMO_CLIENT_CERT_FILE is set: production refuses the demo client; unset it');
    }
  }

  const localSecrets = new Set(
    (options.localSecretFiles ?? [localSubjectKeyFile(), localMinistryPseudonymKeyFile()])
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8').trim()),
  );
  if (app === 'gateway') {
    const subjectKey = value('AUDIT_SUBJECT_KEY');
    if (subjectKey && localSecrets.has(subjectKey)) {
      problems.push(
        `AUDIT_SUBJECT_KEY is the development key npm start keeps in var/secrets: set AUDIT_SUBJECT_KEY to a key of the deployment's own (e.g. base64: followed by \`openssl rand -base64 48\`)`,
      );
    }
  }

  if (app === 'relay') {
    const pseudonymKey = value('MINISTRY_PSEUDONYM_KEY');
    if (pseudonymKey && localSecrets.has(pseudonymKey)) {
      problems.push(
        `MINISTRY_PSEUDONYM_KEY is the development key npm start keeps in var/secrets: set MINISTRY_PSEUDONYM_KEY to a key of the deployment's own (e.g. base64: followed by \`openssl rand -base64 48\`)`,
      );
    }
  }

  for (const secret of SECRETS[app]) {
    if (secret.when && !value(secret.when)) continue;
    if (secret.only && (value(secret.only.name) ?? spec(secret.only.name).default) !== secret.only.value)
      continue;
    const given = value(secret.name);
    const effective = given ?? spec(secret.name).default;
    const how =
      secret.how ??
      `set ${secret.name} to the secret the upstream issued (at least ${MIN_SECRET_LENGTH} characters)`;
    if (effective === undefined) continue;
    if (given === undefined) {
      problems.push(`${secret.name} is unset and its default is a development value: ${how}`);
    } else if (isDevelopmentValue(given, secret.name, localSecrets)) {
      problems.push(`${secret.name} is a development or sample value: ${how}`);
    } else if (given.length < MIN_SECRET_LENGTH) {
      problems.push(`${secret.name} is shorter than ${MIN_SECRET_LENGTH} characters: ${how}`);
    }
  }

  const allowlist = (value('UPSTREAM_HTTP_ALLOWLIST') ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  for (const upstream of UPSTREAMS[app]) {
    const raw = value(upstream.url);
    if (!raw) continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue; // loadEnv reports the malformed URL
    }
    if (url.protocol === 'http:') {
      const names = [url.origin, url.host, url.hostname].map((name) => name.toLowerCase());
      if (!names.some((name) => allowlist.includes(name))) {
        problems.push(
          `${upstream.url} is plain http: use https with a pinned CA in ${upstream.ca}, or name ${url.origin} in UPSTREAM_HTTP_ALLOWLIST`,
        );
      }
      continue;
    }
    if (!value(upstream.ca)) {
      problems.push(
        `${upstream.url} has no pinned CA: set ${upstream.ca} to the CA certificate(s) that issued its server certificate`,
      );
    }
  }

  if (app === 'gateway' && value('POPULATION_URL')) {
    for (const name of POPULATION_KEY_MATERIAL) {
      if (!value(name)) {
        problems.push(`${name} is unset, so the development PKI would be used: set ${name}`);
      }
    }
  }
  const certificates = [
    ...(app === 'gateway' ? [...POPULATION_KEY_MATERIAL, ...GATEWAY_CERTIFICATES] : []),
    ...UPSTREAMS[app].map((upstream) => upstream.ca),
  ];
  for (const name of new Set(certificates)) {
    const path = value(name);
    if (path && isDevelopmentCertificate(path)) {
      problems.push(
        `${name} names a certificate of the development PKI (O=${DEV_PKI_ORGANIZATION}): set ${name} to the deployment's own`,
      );
    }
  }
  return problems;
}

/** Throws a ConfigError listing every problem when `source` asks for production mode and `app` must not start. */
export function assertSafeForProduction(
  app: ProductionApp,
  source: NodeJS.ProcessEnv = process.env,
  options: ProductionCheckOptions = {},
): void {
  if (!isProduction(source)) return;
  const problems = productionProblems(app, source, options);
  if (problems.length > 0) {
    throw new ConfigError(
      `production mode (NODE_ENV=production) refuses to start the ${app}:\n  - ${problems.join('\n  - ')}`,
    );
  }
}

function spec(name: EnvName): EnvVar {
  return ENV_VARS.find((candidate) => candidate.name === name) as EnvVar;
}

/** A default of the env table, a key npm start generated, a well-known sample or an obvious dev value. */
function isDevelopmentValue(value: string, name: EnvName, localSecrets: ReadonlySet<string>): boolean {
  const lower = value.toLowerCase();
  return (
    value === spec(name).default ||
    ENV_VARS.some(
      (candidate) =>
        'default' in candidate && candidate.default === value && /SECRET|PASSWORD|KEY/.test(candidate.name),
    ) ||
    localSecrets.has(value) ||
    KNOWN_SAMPLE_VALUES.includes(lower) ||
    /^lienthong[-_]?dev/.test(lower)
  );
}

/** True when the PEM file's (first) certificate is, or was issued by, the development CA. */
function isDevelopmentCertificate(path: string): boolean {
  try {
    const text = readFileSync(isAbsolute(path) ? path : resolve(repoRoot(), path), 'utf8');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
    if (!pem) return false;
    const certificate = new X509Certificate(pem);
    return [certificate.subject, certificate.issuer].some((name) =>
      name.split('\n').includes(`O=${DEV_PKI_ORGANIZATION}`),
    );
  } catch {
    return false; // an unreadable file is reported where the app reads it
  }
}

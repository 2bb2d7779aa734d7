/**
 * `npm start`: the whole local stack on embedded defaults, or only the apps in production mode.
 *
 * - KAFKA_BROKERS unset: starts the local KRaft broker (deploy/local/kafka) and creates the registry topics;
 *   with KAFKA_LOCAL_SASL the broker authenticates with SASL/SCRAM and authorizes with ACLs, the topics
 *   init grants them, and the apps get their own credentials (kept in var/secrets/).
 * - DATABASE_URL unset: embedded PGlite under PGLITE_DIR. PGlite is a single-process database, so the
 *   gateway and the relay then run together in one process (deploy/local/app-host) sharing it;
 *   with PostgreSQL they run as separate processes, as in production. Either way ministry routing, which
 *   opens no database, runs in a relay process of its own (RELAY_ROLES=ministry-routing, health and
 *   metrics on RELAY_ROUTING_PORT), the fastest layout measured on one machine.
 * - Unless both variables are set (production mode), the lookup stack runs on local stand-ins: the
 *   development PKI in PKI_DIR is created when missing (as `lienthong pki init` does), the upstream
 *   simulators start and the apps are pointed at them (POPULATION_URL, BUSINESS_REGISTRY_URL, LAND_URL,
 *   PORTAL_URL and OPERATIONS_CENTER_URL, each unless set), AUDIT_SUBJECT_KEY comes from
 *   var/secrets/audit-subject.key and MINISTRY_PSEUDONYM_KEY from var/secrets/ministry-pseudonym.key (each
 *   created once) unless set, and a demo client is registered with LGSP_DEMO_API_KEY (generated for the run unless
 *   set) and printed with a curl line to try. The gateway also serves HTTPS with client certificates on
 *   GATEWAY_TLS_PORT (3443 unless set) with the dev PKI's `gateway-server` certificate and CA, and the
 *   demo client accepts the dev PKI's `demo-client` certificate too. In production mode none of this applies; a demo client only
 *   when the operator sets LGSP_DEMO_API_KEY.
 * Prints where to look once everything is ready; Ctrl-C (or SIGTERM) stops everything it started.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import {
  ConfigError,
  GATEWAY_NODE_ARGS,
  loadEnv,
  removeLocalStack,
  repoRoot,
  writeLocalStack,
} from '@lienthong/config';
import {
  initTopics,
  KafkaSecurity,
  kafkaSecurityFromEnv,
  kafkaServicePrincipals,
} from '@lienthong/messaging';
import { createDevPki, DEV_PKI_NAMES } from '@lienthong/pki';
import { ClientRegistry, generateApiKey, inboundProducers, isWellFormedApiKey } from '@lienthong/security';
import { POPULATION_SERVICE_PATH, sampleLookups } from '@lienthong/simulators';
import { LocalKafkaCluster, LocalKafkaError } from './kafka/local-kafka';
import { LogLineWriter, resolveLogFormat } from '@lienthong/observability';
import {
  localKafkaClientEnv,
  localKafkaPasswordFile,
  localKafkaSasl,
  localKafkaUsers,
} from './kafka/local-users';
import {
  localMinistryPseudonymKeyFile,
  localSubjectKeyFile,
  readOrCreateMinistryPseudonymKey,
  readOrCreateSubjectKey,
} from './local-secrets';

/** The gateway's HTTPS port on a local run when GATEWAY_TLS_PORT is unset. */
const LOCAL_TLS_PORT = 3443;

/** A dossier code of the documented form, for the sample request (docs/domain.md). */
const SAMPLE_DOSSIER_CODE = '000.17.22.H56-261031-0007';

const say = (line: string) => console.log(`[start] ${line}`);

interface Child {
  name: string;
  process: ChildProcess;
}

/**
 * The children log JSON lines into pipes; this terminal shows them readable, with runs of one message
 * collapsed, unless it is not a terminal or LOG_FORMAT=json (then JSON lines, each prefixed by its process).
 */
const output = new LogLineWriter((text) => process.stdout.write(text), { format: resolveLogFormat() });

function launch(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Child {
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', ...nodeArgs, join(repoRoot(), 'dist', script)],
    {
      env: { ...env, LOG_FORMAT: 'json', LGSP_EXIT_WITH_PARENT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const lines = (stream: NodeJS.ReadableStream | null) => {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) if (line) output.write(line, name);
    });
    stream?.on('end', () => pending && output.write(pending, name));
  };
  lines(child.stdout);
  lines(child.stderr);
  return { name, process: child };
}

async function waitReady(name: string, url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited during start-up`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs / 1000} s (last answer: ${last})`);
}

async function main(): Promise<void> {
  const env = loadEnv([
    'KAFKA_BROKERS',
    'KAFKA_CLIENT_ID',
    'KAFKA_LOCAL_PORT',
    'KAFKA_LOCAL_BROKERS',
    'KAFKA_LOCAL_DATA_DIR',
    'KAFKA_LOCAL_SASL',
    'CLIENTS_FILE',
    'KAFKA_PARTITIONS',
    'KAFKA_REPLICATION_FACTOR',
    'KAFKA_MIN_INSYNC_REPLICAS',
    'DATABASE_URL',
    'PGLITE_DIR',
    'LOCAL_STACK_FILE',
    'PORT',
    'GATEWAY_TLS_PORT',
    'GATEWAY_TLS_CERT_FILE',
    'GATEWAY_TLS_KEY_FILE',
    'GATEWAY_TLS_CLIENT_CA_FILE',
    'LGSP_DEMO_CLIENT_CERT_FILE',
    'RELAY_PORT',
    'RELAY_ROUTING_PORT',
    'SIMULATORS_PORT',
    'SIMULATOR_POPULATION_PORT',
    'SIMULATOR_BUSINESS_REGISTRY_PORT',
    'SIMULATOR_LAND_PORT',
    'SIMULATOR_PORTAL_PORT',
    'SIMULATOR_OPERATIONS_CENTER_PORT',
    'PKI_DIR',
    'POPULATION_URL',
    'BUSINESS_REGISTRY_URL',
    'LAND_URL',
    'PORTAL_URL',
    'OPERATIONS_CENTER_URL',
    'AUDIT_SUBJECT_KEY',
    'MINISTRY_PSEUDONYM_KEY',
    'LGSP_DEMO_API_KEY',
    'PROCEDURES_FILE',
    'CLIENTS_FILE',
    'HOST',
  ]);
  const production = Boolean(env.KAFKA_BROKERS && env.DATABASE_URL);
  const stackFile = resolve(repoRoot(), env.LOCAL_STACK_FILE);
  const children: Child[] = [];
  let kafka: LocalKafkaCluster | undefined;
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // first, so no `lienthong` command started from now on reaches for a broker that is going away
    removeLocalStack(stackFile);
    say('stopping…');
    await Promise.all(
      children.map(
        ({ process: child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await kafka?.stop();
    output.flush();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('exit', () => {
    removeLocalStack(stackFile);
    for (const { process: child } of children) child.kill('SIGKILL');
    kafka?.killNow();
  });

  try {
    const childEnv: NodeJS.ProcessEnv = { ...process.env };
    const host = env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
    const demoKey = env.LGSP_DEMO_API_KEY ?? (production ? undefined : generateApiKey());
    if (demoKey !== undefined && !isWellFormedApiKey(demoKey)) {
      throw new ConfigError('LGSP_DEMO_API_KEY must be 16 to 512 characters from A-Z a-z 0-9 - . _ ~ + /');
    }
    const simulator = {
      population: `https://${host}:${env.SIMULATOR_POPULATION_PORT}${POPULATION_SERVICE_PATH}`,
      businessRegistry: `http://${host}:${env.SIMULATOR_BUSINESS_REGISTRY_PORT}`,
      land: `http://${host}:${env.SIMULATOR_LAND_PORT}`,
      portal: `http://${host}:${env.SIMULATOR_PORTAL_PORT}`,
      operationsCenter: `http://${host}:${env.SIMULATOR_OPERATIONS_CENTER_PORT}`,
      index: `http://${host}:${env.SIMULATORS_PORT}`,
    };
    if (!production) {
      const pkiDir = resolve(repoRoot(), env.PKI_DIR);
      const pki = createDevPki(pkiDir);
      say(`development PKI in ${pkiDir}${pki.created.length ? ` (created ${pki.created.join(', ')})` : ''}`);
      childEnv.PKI_DIR = pkiDir;
      if (!env.AUDIT_SUBJECT_KEY) {
        const file = localSubjectKeyFile();
        const { key, created } = readOrCreateSubjectKey(file);
        childEnv.AUDIT_SUBJECT_KEY = key;
        say(`audit subject key ${created ? 'created in' : 'from'} ${relative(repoRoot(), file)}`);
      }
      if (!env.MINISTRY_PSEUDONYM_KEY) {
        const file = localMinistryPseudonymKeyFile();
        const { key, created } = readOrCreateMinistryPseudonymKey(file);
        childEnv.MINISTRY_PSEUDONYM_KEY = key;
        say(`ministry pseudonym key ${created ? 'created in' : 'from'} ${relative(repoRoot(), file)}`);
      }
      childEnv.LGSP_DEMO_API_KEY = demoKey;
      // HTTPS with client certificates on a port of its own, beside plain HTTP, unless configured otherwise.
      if (!env.GATEWAY_TLS_CERT_FILE) {
        childEnv.GATEWAY_TLS_CERT_FILE = pki.get(DEV_PKI_NAMES.gatewayServer).certPath;
        childEnv.GATEWAY_TLS_KEY_FILE = pki.get(DEV_PKI_NAMES.gatewayServer).keyPath;
        childEnv.GATEWAY_TLS_PORT = String(env.GATEWAY_TLS_PORT ?? LOCAL_TLS_PORT);
      }
      if (!env.GATEWAY_TLS_CLIENT_CA_FILE) childEnv.GATEWAY_TLS_CLIENT_CA_FILE = pki.ca.certPath;
      if (!env.LGSP_DEMO_CLIENT_CERT_FILE) {
        childEnv.LGSP_DEMO_CLIENT_CERT_FILE = pki.get(DEV_PKI_NAMES.demoClient).certPath;
      }
      if (!env.POPULATION_URL) childEnv.POPULATION_URL = simulator.population;
      if (!env.BUSINESS_REGISTRY_URL) childEnv.BUSINESS_REGISTRY_URL = simulator.businessRegistry;
      if (!env.LAND_URL) childEnv.LAND_URL = simulator.land;
      if (!env.PORTAL_URL) childEnv.PORTAL_URL = simulator.portal;
      if (!env.OPERATIONS_CENTER_URL) childEnv.OPERATIONS_CENTER_URL = simulator.operationsCenter;
    }
    // the simulators need no broker: they start while the JVM boots
    if (!production) children.push(launch('simulators', 'apps/simulators/src/main.js', childEnv));
    let adminSecurity: KafkaSecurity | undefined;
    if (!env.KAFKA_BROKERS) {
      const users = env.KAFKA_LOCAL_SASL ? localKafkaUsers() : undefined;
      kafka = new LocalKafkaCluster({
        nodes: env.KAFKA_LOCAL_BROKERS,
        port: env.KAFKA_LOCAL_PORT,
        dataDir: resolve(repoRoot(), env.KAFKA_LOCAL_DATA_DIR),
        defaultPartitions: env.KAFKA_PARTITIONS,
        log: (line) => say(line),
        sasl: users && localKafkaSasl(users),
      });
      await kafka.start();
      childEnv.KAFKA_BROKERS = kafka.brokers;
      if (users) {
        Object.assign(childEnv, localKafkaClientEnv(users));
        adminSecurity = {
          protocol: 'SASL_PLAINTEXT',
          sasl: { mechanism: 'scram-sha-512', ...users.admin },
        };
      }
    }
    const brokers = (childEnv.KAFKA_BROKERS as string).split(',');

    if (!production) {
      const { created, granted } = await initTopics({
        brokers,
        partitions: env.KAFKA_PARTITIONS,
        // a local cluster's topics are replicated as it allows unless the environment says otherwise
        replicationFactor: process.env.KAFKA_REPLICATION_FACTOR?.trim()
          ? env.KAFKA_REPLICATION_FACTOR
          : (kafka?.replication.factor ?? env.KAFKA_REPLICATION_FACTOR),
        minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS ?? kafka?.replication.minInsyncReplicas,
        proceduresFile: env.PROCEDURES_FILE,
        security: adminSecurity ?? kafkaSecurityFromEnv('admin', childEnv),
        producers: inboundProducers(ClientRegistry.load(env.CLIENTS_FILE)),
        services: kafkaServicePrincipals(childEnv),
      });
      say(created.length ? `created topics: ${created.join(', ')}` : 'topics already exist');
      if (granted?.length) say(`granted ${granted.length} ACLs`);
    }

    // Ministry routing runs in a relay process of its own, the other relay roles where they did: measured
    // on one machine, it then keeps up with the stream instead of waiting on the indicators' database
    // writes in the same event loop (README, "Relay roles and processes").
    const relayEnv = { ...childEnv, RELAY_ROLES: relayRolesBeside(childEnv) };
    const routingEnv = {
      ...childEnv,
      RELAY_ROLES: 'ministry-routing',
      RELAY_PORT: String(env.RELAY_ROUTING_PORT),
    };
    if (env.DATABASE_URL) {
      children.push(launch('gateway', 'apps/gateway/src/main.js', childEnv, GATEWAY_NODE_ARGS));
      children.push(launch('relay', 'apps/relay/src/main.js', relayEnv));
    } else {
      say(`embedded PGlite database in ${env.PGLITE_DIR}; gateway and relay share one process`);
      children.push(launch('apps', 'deploy/local/app-host.js', relayEnv));
    }
    // ministry routing opens no database, so it has a process of its own on PGlite too
    children.push(launch('relay-ministries', 'apps/relay/src/main.js', routingEnv));
    for (const child of children) {
      child.process.once('exit', (code, signal) => {
        if (stopping) return;
        say(`${child.name} exited (${signal ?? code}); stopping the stack`);
        void stopAll(1);
      });
    }

    const gatewayTlsPort = childEnv.GATEWAY_TLS_PORT;
    const gatewayTls = childEnv.GATEWAY_TLS_CERT_FILE
      ? `https://${host}:${gatewayTlsPort ?? env.PORT}`
      : undefined;
    const gateway = `${gatewayTls && !gatewayTlsPort ? 'https' : 'http'}://${host}:${env.PORT}`;
    const relay = `http://${host}:${env.RELAY_PORT}`;
    const routingRelay = `http://${host}:${env.RELAY_ROUTING_PORT}`;
    const appProcess = (name: string) =>
      (children.find((c) => c.name === name) ?? children.find((c) => c.name === 'apps'))
        ?.process as ChildProcess;
    // the gateway's details are for operators; its public probe says ready or not
    await waitReady('gateway', `${gateway}/health/probe`, appProcess('gateway'));
    await waitReady('relay', `${relay}/health/ready`, appProcess('relay'));
    await waitReady('ministry-routing relay', `${routingRelay}/health/ready`, appProcess('relay-ministries'));
    if (!production)
      await waitReady('simulators', `${simulator.index}/health/ready`, appProcess('simulators'));
    const lines = [
      '',
      'Liên Thông is running.',
      `  API           ${gateway}`,
      ...(gatewayTls && gatewayTls !== gateway
        ? [
            `  API (HTTPS)   ${gatewayTls}   (${childEnv.GATEWAY_TLS_CLIENT_CA_FILE ? 'client certificates of GATEWAY_TLS_CLIENT_CA_FILE, or an API key' : 'API keys'})`,
          ]
        : []),
      `  API docs      ${gateway}/docs   (operators: a client with the OPERATOR role, or the demo key)`,
      `  readiness     ${gateway}/health/ready   (operators; public probe: ${gateway}/health/probe; relay: ${relay}/health/ready, ministry routing: ${routingRelay}/health/ready)`,
      `  metrics       ${gateway}/metrics   (operators; relay: ${relay}/metrics, ministry routing: ${routingRelay}/metrics)`,
      ...(production
        ? []
        : [
            `  simulators    ${simulator.index}   (what each one speaks, its contract and fault controls)`,
            `    population          ${simulator.population}   (SOAP, mutual TLS with the dev PKI in ${env.PKI_DIR})`,
            `    business registry   ${simulator.businessRegistry}   (REST JSON, OAuth2 client credentials)`,
            `    land                ${simulator.land}   (REST, XML)`,
            `    portal              ${simulator.portal}   (DVCQG sync API)`,
            `    operations center   ${simulator.operationsCenter}   (indicator reports, REST JSON)`,
          ]),
      `  Kafka         ${brokers.join(',')}${kafka ? `   (local KRaft ${kafka.nodes.length > 1 ? `cluster of ${kafka.nodes.length} brokers` : 'broker'}, data in ${env.KAFKA_LOCAL_DATA_DIR})` : ''}`,
      ...(kafka && adminSecurity
        ? [
            `                SASL/SCRAM and ACLs: admin password in ${relative(repoRoot(), localKafkaPasswordFile('admin'))}, the apps' in var/secrets/`,
          ]
        : []),
      `  database      ${env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${env.PGLITE_DIR}`}`,
      ...(production
        ? productionDemoLines(demoKey)
        : demoLines(
            gateway,
            demoKey as string,
            !env.LGSP_DEMO_API_KEY,
            gatewayTls === undefined
              ? undefined
              : {
                  url: gatewayTls,
                  pkiDir: env.PKI_DIR,
                  withCertificate: !env.LGSP_DEMO_CLIENT_CERT_FILE,
                },
          )),
      '',
      'Ctrl-C stops everything started here.',
      '',
    ];
    console.log(lines.join('\n'));
    // what `lienthong` commands run beside this stack connect to (apps/cli/src/local-stack.ts)
    writeLocalStack(
      {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        gatewayUrl: gateway,
        relayUrl: relay,
        env: Object.fromEntries(
          Object.entries({
            KAFKA_BROKERS: childEnv.KAFKA_BROKERS,
            KAFKA_SECURITY_PROTOCOL: childEnv.KAFKA_CLI_USERNAME
              ? childEnv.KAFKA_SECURITY_PROTOCOL
              : undefined,
            KAFKA_SASL_MECHANISM: childEnv.KAFKA_CLI_USERNAME ? childEnv.KAFKA_SASL_MECHANISM : undefined,
            KAFKA_CLI_USERNAME: childEnv.KAFKA_CLI_USERNAME,
            KAFKA_CLI_PASSWORD_FILE: childEnv.KAFKA_CLI_USERNAME
              ? localKafkaPasswordFile(childEnv.KAFKA_CLI_USERNAME)
              : undefined,
            DATABASE_URL: env.DATABASE_URL,
          }).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''),
        ),
      },
      stackFile,
    );
  } catch (error) {
    console.error(
      `[start] ${error instanceof ConfigError || error instanceof LocalKafkaError ? error.message : (error as Error).message}`,
    );
    await stopAll(1);
  }
}

/** The relay roles other than ministry routing that can run with this environment (each needs its upstream). */
function relayRolesBeside(env: NodeJS.ProcessEnv): string {
  return [
    ...(env.PORTAL_URL ? ['portal-sync'] : []),
    'indicators',
    ...(env.OPERATIONS_CENTER_URL ? ['ops-center'] : []),
    ...(env.FEEDBACK_URL ? ['feedback'] : []),
  ].join(',');
}

/**
 * The demo key and a lookup to paste (an enterprise: no personal data in the output); over HTTPS with the
 * dev PKI's demo client certificate too when npm start bound it.
 */
function demoLines(
  gateway: string,
  key: string,
  generated: boolean,
  tls: { url: string; pkiDir: string; withCertificate: boolean } | undefined,
): string[] {
  const [enterprise] = sampleLookups().enterprises;
  const body = JSON.stringify({
    enterpriseCode: enterprise.enterpriseCode,
    purpose: 'DOSSIER_PROCESSING',
    dossierCode: SAMPLE_DOSSIER_CODE,
  });
  return [
    '',
    `  demo API key  ${key}`,
    `                (LGSP_DEMO_API_KEY${generated ? ', generated for this run' : ''}; every service, purpose and field)`,
    '',
    'Try a lookup (more identifiers: `lienthong sim sample`; a curl for each lookup in the README):',
    `  curl -s ${gateway}/v1/enterprises/lookup -H "Authorization: Bearer ${key}" -H 'content-type: application/json' -d '${body}'`,
    ...(tls?.withCertificate
      ? [
          'The same over HTTPS, authenticated by the demo client certificate instead of the key:',
          `  curl -s ${tls.url}/v1/enterprises/lookup --cacert ${tls.pkiDir}/ca.crt --cert ${tls.pkiDir}/demo-client.crt --key ${tls.pkiDir}/demo-client.key -H 'content-type: application/json' -d '${body}'`,
        ]
      : []),
  ];
}

/** In production a demo client exists only when the operator set LGSP_DEMO_API_KEY; its key is not printed. */
function productionDemoLines(key: string | undefined): string[] {
  return key === undefined
    ? []
    : ['', '  demo client   registered (LGSP_DEMO_API_KEY is set; never with real data)'];
}

void main();

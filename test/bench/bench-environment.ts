import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { GATEWAY_NODE_ARGS, repoRoot } from '@lienthong/config';
import { initTopics, type KafkaClient, Topic } from '@lienthong/messaging';
import { createDevPki } from '@lienthong/pki';
import { generateApiKey } from '@lienthong/security';
import { ChildProcess, spawn } from 'node:child_process';
import { freePort, LocalKafka } from '../../deploy/local/kafka/local-kafka';

/** The raw producer's topic: same partitions as the canonical one, not consumed by the relay. */
export const RAW_TOPIC = 'lgsp.bench.raw.v1';

export interface BenchEnvironment {
  brokers: string;
  gatewayUrl: string;
  /** The gateway's demo client key (every service, no rate limit), for `authorization: Bearer <key>`. */
  apiKey: string;
  /** Stops the relay processes (the benchmarks that measure ingest alone run without them). */
  stopRelay(): Promise<void>;
  /**
   * Starts one more relay process with these settings over the same broker and database (RELAY_ROLES
   * above all), on a port of its own; resolves once it is ready, with what stops it.
   */
  launchRelay(overrides: NodeJS.ProcessEnv): Promise<{ url: string; stop(): Promise<void> }>;
  /** The relay processes the stack started with (not those of `launchRelay`), for their CPU counters. */
  relayPids: (number | undefined)[];
  databaseKind: string;
  /** What the lookup benchmark needs: the population simulator, the dev PKI, a baseline route. */
  lookups: {
    populationServiceUrl: string;
    pkiDir: string;
    gatewayPid: number | undefined;
    /** A bare NestJS-on-Fastify echo route in its own process (`POST /echo`). */
    echoUrl: string;
    echoPid: number | undefined;
  };
  record(name: string, figures: Record<string, number>): void;
  close(): Promise<void>;
}

/** Runs `task` from `concurrency` loops for `seconds`; each call returns how many items it handled. */
export async function runFor(seconds: number, concurrency: number, task: () => Promise<number>) {
  const until = Date.now() + seconds * 1000;
  let items = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const handled = await task(); // read `items` only after the await: loops run concurrently
        items += handled;
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  return { items, seconds: elapsed, perSecond: items / elapsed };
}

/** Records of the canonical topic not yet committed by a consumer group. */
async function lagOf(kafka: KafkaClient, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchCommittedOffsets(groupId, [Topic.DossierStatus]);
    let lag = 0;
    for (const end of await admin.fetchTopicOffsets(Topic.DossierStatus)) {
      const offset = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
      lag += Math.max(0, Number(end.high) - (offset < 0 ? Number(end.low) : offset));
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until a consumer group has committed everything on the canonical topic (at most `timeoutMs`);
 * resolves with the seconds waited.
 */
export async function caughtUp(kafka: KafkaClient, groupId: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  while ((await lagOf(kafka, groupId)) > 0 && Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return (Date.now() - started) / 1000;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The stack a benchmark measures: the broker (KAFKA_BROKERS, or a local one started here), PostgreSQL
 * (DATABASE_URL, or a fresh database on the local server, or PGlite when there is none), and the
 * gateway and relay as their own processes, as in production (portal sync off, so ministry routing is
 * measured alone), so the load generator in this process does not share their event loop.
 */
export async function startBenchEnvironment(
  options: { brokers?: string; database?: 'pglite' } = {},
): Promise<BenchEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  let brokers = options.brokers ?? process.env.KAFKA_BROKERS;
  if (!brokers) {
    const kafka = new LocalKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: mkdtempSync(join(tmpdir(), 'lienthong-bench-kafka-')),
      heapMb: 768,
      defaultPartitions: 6,
    });
    await kafka.start();
    brokers = kafka.brokers;
    cleanups.push(async () => {
      await kafka.stop();
      rmSync(kafka.dataDir, { recursive: true, force: true });
    });
  }
  await initTopics({
    brokers: [brokers],
    partitions: 6,
    replicationFactor: 1,
    proceduresFile: 'deploy/config/procedures.yaml',
    extra: [RAW_TOPIC],
  });

  let databaseUrl = options.database === 'pglite' ? undefined : process.env.DATABASE_URL;
  let pgliteDir: string | undefined;
  if (options.database === 'pglite') {
    pgliteDir = mkdtempSync(join(tmpdir(), 'lienthong-bench-pglite-'));
    cleanups.push(async () => rmSync(pgliteDir as string, { recursive: true, force: true }));
  } else if (!databaseUrl) {
    const adminUrl =
      process.env.LGSP_TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const name = `lienthong_bench_${Date.now()}`;
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      cleanups.push(async () => {
        const drop = new Client({ connectionString: adminUrl });
        await drop.connect();
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await drop.end();
      });
    } catch {
      await client.end().catch(() => undefined);
      pgliteDir = mkdtempSync(join(tmpdir(), 'lienthong-bench-pglite-'));
      cleanups.push(async () => rmSync(pgliteDir as string, { recursive: true, force: true }));
    }
  }
  const [port, relayPort] = [await freePort(), await freePort()];
  const pkiDir = mkdtempSync(join(tmpdir(), 'lienthong-bench-pki-'));
  createDevPki(pkiDir);
  cleanups.push(async () => rmSync(pkiDir, { recursive: true, force: true }));
  const simulatorPorts = {
    SIMULATORS_PORT: await freePort(),
    SIMULATOR_POPULATION_PORT: await freePort(),
    SIMULATOR_BUSINESS_REGISTRY_PORT: await freePort(),
    SIMULATOR_LAND_PORT: await freePort(),
    SIMULATOR_PORTAL_PORT: await freePort(),
    SIMULATOR_OPERATIONS_CENTER_PORT: await freePort(),
  };
  const populationServiceUrl = `https://127.0.0.1:${simulatorPorts.SIMULATOR_POPULATION_PORT}/ws/congdan`;
  const apiKey = generateApiKey();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    KAFKA_BROKERS: brokers,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { PGLITE_DIR: pgliteDir }),
    DATABASE_POOL_SIZE: '20',
    PORT: String(port),
    RELAY_PORT: String(relayPort),
    LOG_LEVEL: 'error',
    LGSP_EXIT_WITH_PARENT: '1',
    // The gateway requires a key for its lookup audit log; one for this run.
    AUDIT_SUBJECT_KEY: `base64:${randomBytes(48).toString('base64')}`,
    // The relay requires the key of the ministry copies' applicant pseudonyms; one for this run.
    MINISTRY_PSEUDONYM_KEY: `base64:${randomBytes(48).toString('base64')}`,
    PKI_DIR: pkiDir,
    POPULATION_URL: populationServiceUrl,
    LGSP_DEMO_API_KEY: apiKey,
    ...Object.fromEntries(Object.entries(simulatorPorts).map(([name, value]) => [name, String(value)])),
    // LGSP_BENCH_ENV: settings for every process of the stack, to compare them, e.g. `AUDIT_BATCH_SIZE=1000`
    ...Object.fromEntries(
      (process.env.LGSP_BENCH_ENV ?? '')
        .split(' ')
        .filter((pair) => pair.includes('='))
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
  };
  const launch = async (
    script: string,
    url: string,
    overrides: NodeJS.ProcessEnv = {},
    nodeArgs: string[] = [],
  ): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [...nodeArgs, join(repoRoot(), 'dist', script)], {
      env: { ...env, ...overrides },
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    // a loaded machine may need a while to start an app (PGlite's first start initialises its data)
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited during start-up`);
      // the demo key holds the OPERATOR role the gateway's readiness details need
      const ready = await fetch(`${url}/health/ready`, {
        headers: { authorization: `Bearer ${apiKey}` },
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return child;
      if (Date.now() > deadline) throw new Error(`${script} was not ready within 180 s`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  const stop = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  // The simulators and the echo baseline run in their own processes too, off the load generator's loop.
  const simulators = await launch(
    'apps/simulators/src/main.js',
    `http://127.0.0.1:${simulatorPorts.SIMULATORS_PORT}`,
  );
  cleanups.push(() => stop(simulators));
  const echoPort = await freePort();
  const echo = spawn(process.execPath, [join(repoRoot(), 'dist', 'test', 'bench', 'echo-app.js')], {
    env: { PATH: process.env.PATH, ECHO_PORT: String(echoPort) },
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  cleanups.push(() => stop(echo));
  const echoUrl = `http://127.0.0.1:${echoPort}`;
  await waitUntil(
    () =>
      fetch(`${echoUrl}/echo`, { method: 'POST' }).then(
        (r) => r.ok,
        () => false,
      ),
    'the echo baseline',
  );
  const gatewayUrl = `http://127.0.0.1:${port}`;
  // As `npm start` lays them out (unset or LGSP_BENCH_RELAY_LAYOUT=split): ministry routing in a relay process
  // of its own, indicators where the relay otherwise runs (a relay process on PostgreSQL, the gateway's
  // process on PGlite; portal and operations center are off here). `together`: both roles in one relay
  // process beside the gateway (on PGlite, in the gateway's process)
  const split = process.env.LGSP_BENCH_RELAY_LAYOUT !== 'together';
  const otherRoles = split ? { RELAY_ROLES: 'indicators' } : {};
  // PGlite serves one process: there the gateway and relay share one, as `npm start` does
  // The gateway runs with its production heap settings (GATEWAY_NODE_ARGS) where it runs alone.
  // LGSP_BENCH_GATEWAY_NODE_ARGS: more options for the gateway's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/profile`
  // for a CPU profile of the run (written when it stops; open it in Chrome's DevTools or speedscope)
  const extra = (process.env.LGSP_BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // LGSP_BENCH_RELAY_NODE_ARGS: the same for the relay processes (where they run on their own)
  const relayExtra = (process.env.LGSP_BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const gateway = databaseUrl
    ? await launch('apps/gateway/src/main.js', gatewayUrl, {}, [...GATEWAY_NODE_ARGS, ...extra])
    : await launch('deploy/local/app-host.js', gatewayUrl, otherRoles, extra);
  const relays = [
    ...(databaseUrl
      ? [await launch('apps/relay/src/main.js', `http://127.0.0.1:${relayPort}`, otherRoles, relayExtra)]
      : []),
  ];
  if (split) {
    const routingPort = await freePort();
    relays.push(
      await launch(
        'apps/relay/src/main.js',
        `http://127.0.0.1:${routingPort}`,
        {
          RELAY_ROLES: 'ministry-routing',
          RELAY_PORT: String(routingPort),
        },
        relayExtra,
      ),
    );
  }
  const stopRelays = async () => {
    for (const relay of relays) await stop(relay);
  };
  const results: Record<string, Record<string, number>> = {};
  return {
    brokers,
    gatewayUrl,
    apiKey,
    stopRelay: stopRelays,
    launchRelay: async (overrides) => {
      const relayPort = await freePort();
      const url = `http://127.0.0.1:${relayPort}`;
      const child = await launch('apps/relay/src/main.js', url, {
        ...overrides,
        RELAY_PORT: String(relayPort),
      });
      return { url, stop: () => stop(child) };
    },
    relayPids: relays.map((relay) => relay.pid),
    databaseKind: databaseUrl ? 'postgres' : 'pglite',
    lookups: { populationServiceUrl, pkiDir, gatewayPid: gateway.pid, echoUrl, echoPid: echo.pid },
    record(name, figures) {
      results[name] = figures;
      const dir = join(repoRoot(), 'var', 'bench');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `${name}.json`),
        `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`,
      );
    },
    async close() {
      await stopRelays();
      await stop(gateway);
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

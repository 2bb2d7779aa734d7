/**
 * The dossier pipeline as it runs in production, for end-to-end suites: a broker of the suite's own
 * (so it can be stopped), the portal simulator, the gateway in this process and the relay as a child
 * process (so it can be SIGKILLed), all over real TCP, on a PostgreSQL database of the stack's own.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../libs/observability/src';
import { ConsumerPort, createKafkaClient, inboundTopic, initTopics } from '../../libs/messaging/src';
import { ClientRegistry } from '../../libs/security/src';
import { generateApiKey } from '../../libs/security/src';
import { startPortalSimulator, PortalSimulator } from '../../apps/simulators/src/portal';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { freePort, LocalKafka } from '../../deploy/local/kafka/local-kafka';
import { getJson, TEST_AUDIT_SUBJECT_KEY, TEST_MINISTRY_PSEUDONYM_KEY, waitFor } from './http';
import { createIsolatedDatabase } from './database';

const root = join(__dirname, '..', '..');

export interface PipelineStack {
  kafka: LocalKafka;
  portal: PortalSimulator;
  gateway: RunningGateway;
  relay: ChildProcess;
  relayUrl: string;
  env: NodeJS.ProcessEnv;
  /** The gateway's demo client key (every service, no rate limit): send it as `authorization: Bearer <key>`. */
  apiKey: string;
  /** The relay's recent output, for failure messages. */
  relayLog(): string;
  startRelay(): Promise<void>;
  stopRelay(signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function startPipelineStack(overrides: Record<string, string> = {}): Promise<PipelineStack> {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
  const kafka = new LocalKafka({
    port: await freePort(),
    controllerPort: await freePort(),
    dataDir: mkdtempSync(join(tmpdir(), 'lienthong-test-kafka-')),
    heapMb: 512,
    defaultPartitions: 6,
  });
  await kafka.start();
  const logger = createLogger({ name: 'test', level: 'silent' });
  await initTopics({
    brokers: [kafka.brokers],
    partitions: 6,
    replicationFactor: 1,
    proceduresFile: 'deploy/config/procedures.yaml',
    // the inbound topic of each client of the registry the gateway will load that produces dossier events
    extra: ClientRegistry.load(overrides.CLIENTS_FILE)
      .eventProducers()
      .map((client) => inboundTopic(client.id)),
  });

  // its own database too: see ./database.ts
  const database = await createIsolatedDatabase('pipeline');
  const portal = await startPortalSimulator({ port: 0, logger });
  const relayPort = await freePort();
  const apiKey = generateApiKey();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    KAFKA_BROKERS: kafka.brokers,
    DATABASE_URL: database.url,
    PORTAL_URL: portal.url,
    PORT: '0',
    RELAY_PORT: String(relayPort),
    LOG_LEVEL: 'warn',
    KAFKA_HEALTH_TIMEOUT_MS: '1500',
    KAFKA_SEND_TIMEOUT_MS: '3000',
    PORTAL_RETRY_BASE_MS: '200',
    PORTAL_RETRY_MAX_MS: '2000',
    PORTAL_SYNC_MAX_ATTEMPTS: '30',
    AUDIT_SUBJECT_KEY: TEST_AUDIT_SUBJECT_KEY,
    MINISTRY_PSEUDONYM_KEY: TEST_MINISTRY_PSEUDONYM_KEY,
    LGSP_DEMO_API_KEY: apiKey,
    // no periodic catalogue sync: it would be one more portal caller, consuming the faults a suite sets
    CATALOGUE_SYNC_INTERVAL_MS: '0',
    ...overrides,
  };
  const gateway = await startGateway({ env: { ...env, LOG_LEVEL: 'silent' } });
  let relay!: ChildProcess;
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  let relayOutput = '';

  const stack: PipelineStack = {
    kafka,
    portal,
    gateway,
    get relay() {
      return relay;
    },
    relayUrl,
    env,
    apiKey: env.LGSP_DEMO_API_KEY ?? apiKey,
    relayLog: () => relayOutput,
    async startRelay() {
      relay = spawn(process.execPath, [join(root, 'dist', 'apps', 'relay', 'src', 'main.js')], {
        env: { ...env, LGSP_EXIT_WITH_PARENT: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      relay.stdout?.on(
        'data',
        (chunk: Buffer) => (relayOutput = (relayOutput + chunk.toString()).slice(-20_000)),
      );
      relay.stderr?.on(
        'data',
        (chunk: Buffer) => (relayOutput = (relayOutput + chunk.toString()).slice(-20_000)),
      );
      await waitFor(
        async () => (await getJson(`${relayUrl}/health/ready`)).status === 200,
        60_000,
        'the relay to be ready',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nrelay output:\n${relayOutput}`);
      });
    },
    async stopRelay(signal: NodeJS.Signals = 'SIGTERM') {
      if (relay.exitCode !== null || relay.signalCode !== null) return;
      const exited = new Promise((resolve) => relay.once('exit', resolve));
      relay.kill(signal);
      await exited;
    },
    async stop() {
      await stack.stopRelay('SIGTERM').catch(() => undefined);
      await gateway.close().catch(() => undefined);
      await portal.close().catch(() => undefined);
      await kafka.stop();
      rmSync(kafka.dataDir, { recursive: true, force: true });
      await database.drop().catch(() => undefined);
    },
  };
  await stack.startRelay();
  return stack;
}

/** Collects every record of the ministry topics, per dossier, in the order a ministry receives them. */
export async function collectMinistryTopics(brokers: string) {
  const kafka = createKafkaClient({ clientId: 'test-ministry', brokers: [brokers] });
  const consumer: ConsumerPort = kafka.consumer({ groupId: `test-ministry-${Date.now()}-${Math.random()}` });
  const byDossier = new Map<string, { topic: string; eventId: string; status: string }[]>();
  let count = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [/^lgsp\.dossier\.status\.v1\.[a-z-]+$/], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const event = JSON.parse(message.value!.toString());
      const list = byDossier.get(event.data.dossierCode) ?? [];
      list.push({ topic, eventId: event.id, status: event.data.status });
      byDossier.set(event.data.dossierCode, list);
      count++;
    },
  });
  return {
    byDossier,
    get count() {
      return count;
    },
    stop: () => consumer.disconnect(),
  };
}

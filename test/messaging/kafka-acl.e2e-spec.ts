/**
 * Kafka locked down, against a real broker of the suite's own with SASL/SCRAM and the broker's ACL
 * authorizer (StandardAuthorizer, nothing allowed without an ACL): `lienthong topics init` grants the
 * ACLs once, each ministry reads its own topic and nothing else, a one-stop system writes only its own
 * inbound topic, a client without credentials gets nothing, and the real gateway and relay, each
 * authenticated as its own principal, carry a posted dossier event to the ministry's topic.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createKafkaClient,
  inboundTopic,
  KafkaClientError,
  KafkaSecurity,
  ministryTopic,
  PRODUCER_SETTINGS,
  RetryPolicy,
  Topic,
} from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { freePort, LocalKafka, ScramUser } from '../../deploy/local/kafka/local-kafka';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import { getJson, TEST_AUDIT_SUBJECT_KEY, testEnv, waitFor } from '../support/http';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

const secret = () => randomUUID().replace(/-/g, '');
const user = (username: string): ScramUser => ({ username, password: secret() });
const USERS = {
  gateway: user('lienthong-gateway'),
  relay: user('lienthong-relay'),
  cli: user('lienthong-cli'),
  justice: user('bo-tu-phap'),
  police: user('bo-cong-an'),
  oneStop: user('motcua-e2e'),
  intruder: user('intruder-e2e'),
};
const ADMIN = user('admin');
const ONE_STOP_CLIENT = 'motcua-e2e';

const JUSTICE_TOPIC = ministryTopic('bo-tu-phap');
const POLICE_TOPIC = ministryTopic('bo-cong-an');
const ONE_STOP_INBOUND = inboundTopic(ONE_STOP_CLIENT);

const sasl = (account: ScramUser): KafkaSecurity => ({
  protocol: 'SASL_PLAINTEXT',
  sasl: { mechanism: 'scram-sha-512', ...account },
});

/** A clients.yaml with one one-stop system that produces dossier events as `motcua-e2e`. */
const CLIENTS = {
  version: 1,
  purposes: {
    DOSSIER_PROCESSING: {
      description: { vi: 'Giải quyết hồ sơ', en: 'Dossier processing' },
      legalBasis: 'Nghị định 45/2020/NĐ-CP',
    },
  },
  clients: [
    {
      id: ONE_STOP_CLIENT,
      name: 'Một cửa (e2e)',
      kind: 'ONE_STOP_SYSTEM',
      enabled: true,
      agencies: ['*'],
      kafka: { principal: USERS.oneStop.username },
      apiKeys: [{ id: 'k1', sha256: hashApiKey(generateApiKey()) }],
      rateLimit: { requestsPerMinute: 600, burst: 50 },
      services: { 'dossier.events': {} },
    },
  ],
};

describe('Kafka with SASL/SCRAM and ACLs', () => {
  let kafka: LocalKafka;
  let clientsFile: string;

  const client = (
    clientId: string,
    security?: KafkaSecurity,
    retry: RetryPolicy = { retries: 1, initialRetryTimeMs: 100 },
  ) => createKafkaClient({ brokers: [kafka.brokers], clientId, security, connectionTimeoutMs: 3000, retry });
  const as = (account: ScramUser) => client(`e2e-${account.username}`, sasl(account));

  const topicsInit = (password = ADMIN.password) =>
    run(process.execPath, [join(root, 'bin', 'lienthong.js'), 'topics', 'init', '--partitions', '2'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        KAFKA_BROKERS: kafka.brokers,
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_ADMIN_USERNAME: ADMIN.username,
        KAFKA_ADMIN_PASSWORD: password,
        CLIENTS_FILE: clientsFile,
        LOG_LEVEL: 'silent',
        // topics init is an audited operator action
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        AUDIT_SUBJECT_KEY: TEST_AUDIT_SUBJECT_KEY,
      },
    });

  /** Produces `value` to `topic` as `account`; resolves, or rejects with the client's error. */
  const produce = async (account: ScramUser, topic: string, value: string, idempotent = true) => {
    const producer = as(account).producer(
      idempotent ? PRODUCER_SETTINGS : { ...PRODUCER_SETTINGS, idempotent: false, retry: { retries: 0 } },
    );
    await producer.connect();
    try {
      await producer.send({ topic, acks: 'all', messages: [{ key: 'k', value }] });
    } finally {
      await producer.disconnect();
    }
  };

  /** The first record value `account` reads from `topic` in group `groupId`; rejects on any error. */
  const readFirst = async (account: ScramUser, topic: string, groupId: string): Promise<string> => {
    // retries ride out the group coordinator still loading; authorization errors are not retried
    const consumer = as(account).consumer({ groupId, retry: { retries: 5, initialRetryTimeMs: 200 } });
    try {
      return await new Promise<string>((resolve, reject) => {
        consumer.onCrash((crash) => reject(crash.error));
        consumer
          .connect()
          .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
          .then(() =>
            consumer.run({
              eachMessage: async ({ message }) => resolve(message.value?.toString() ?? ''),
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  };

  /** The code of the client's error (the broker's protocol error name, or a client-side code). */
  const errorType = (promise: Promise<unknown>) =>
    promise.then(
      () => 'no error',
      (error: unknown) => (error instanceof KafkaClientError ? error.code : String(error)),
    );

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    kafka = new LocalKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: mkdtempSync(join(tmpdir(), 'lienthong-test-kafka-')),
      heapMb: 384,
      defaultPartitions: 2,
      sasl: { admin: ADMIN, users: Object.values(USERS) },
    });
    await kafka.start();
    clientsFile = join(kafka.dataDir, 'clients.json');
    writeFileSync(clientsFile, JSON.stringify(CLIENTS));
  }, 180_000);

  afterAll(async () => {
    await kafka?.stop();
    if (kafka) rmSync(kafka.dataDir, { recursive: true, force: true });
  });

  it('topics init creates the inbound topic of the producing client and grants the ACLs once; a second run changes nothing', async () => {
    const first = await topicsInit();
    expect(first.stdout).toContain(`created  ${ONE_STOP_INBOUND}`);
    expect(first.stdout).toContain(`granted  ALLOW User:bo-tu-phap READ TOPIC:literal:${JUSTICE_TOPIC}`);
    expect(first.stdout).toContain(
      `granted  ALLOW User:${USERS.oneStop.username} WRITE TOPIC:literal:${ONE_STOP_INBOUND}`,
    );
    expect(first.stdout).toContain(`granted  DENY User:* WRITE TOPIC:literal:${Topic.DossierInbound}`);

    const second = await topicsInit();
    expect(second.stdout).not.toMatch(/^(created|granted) /m);
    expect(second.stdout).toContain('ACLs already granted');
    expect(second.stdout).toContain(`exists   ${ONE_STOP_INBOUND}`);
  }, 120_000);

  it('refuses topics init with a wrong admin password', async () => {
    const failed = await topicsInit('wrong-password').then(
      () => '',
      (error: { stderr: string }) => error.stderr,
    );
    expect(failed).toMatch(/SASL SCRAM SHA512 authentication failed|Authentication failed/i);
  }, 60_000);

  it("lets a ministry read its own topic, and refuses it another ministry's topic, an inbound topic and a foreign consumer group", async () => {
    const value = `justice-${randomUUID()}`;
    await produce(USERS.relay, JUSTICE_TOPIC, value);
    await expect(readFirst(USERS.justice, JUSTICE_TOPIC, 'bo-tu-phap.e2e')).resolves.toBe(value);

    await produce(USERS.relay, POLICE_TOPIC, 'police only');
    expect(await errorType(readFirst(USERS.justice, POLICE_TOPIC, 'bo-tu-phap.e2e-police'))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(await errorType(readFirst(USERS.justice, ONE_STOP_INBOUND, 'bo-tu-phap.e2e-inbound'))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(await errorType(readFirst(USERS.justice, Topic.DossierStatus, 'bo-tu-phap.e2e-all'))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // its own topic, but a consumer group outside its prefix `bo-tu-phap.`: the broker answers
    // FindCoordinator with GROUP_AUTHORIZATION_FAILED, which the client reports as no coordinator found
    expect(await errorType(readFirst(USERS.justice, JUSTICE_TOPIC, 'bo-cong-an.e2e'))).toBe(
      'COORDINATOR_NOT_AVAILABLE',
    );
    // nor may it write to its own topic
    expect(await errorType(produce(USERS.justice, JUSTICE_TOPIC, 'forged', false))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
  }, 120_000);

  it('gives a client without credentials, or with a wrong password, nothing', async () => {
    const anonymous = client('e2e-anonymous', undefined, { retries: 0 }).admin();
    const anonymousOutcome = await errorType(anonymous.connect().then(() => anonymous.listTopics()));
    await anonymous.disconnect();
    expect(anonymousOutcome).toBe('CONNECTION_ERROR');
    const wrong = as({ username: USERS.justice.username, password: 'not-the-password' }).admin();
    const wrongOutcome = await errorType(wrong.connect());
    await wrong.disconnect();
    expect(wrongOutcome).toBe('SASL_AUTHENTICATION_FAILED');
  });

  it("lets only the one-stop system's principal produce to its inbound topic, and nobody to the shared one", async () => {
    await expect(produce(USERS.oneStop, ONE_STOP_INBOUND, 'event')).resolves.toBeUndefined();
    expect(await errorType(produce(USERS.intruder, ONE_STOP_INBOUND, 'forged', false))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // an idempotent producer without any WRITE grant is refused a producer id at once
    expect(await errorType(produce(USERS.intruder, ONE_STOP_INBOUND, 'forged'))).toBe(
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    expect(await errorType(produce(USERS.justice, ONE_STOP_INBOUND, 'forged', false))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // The shared inbound topic is no longer created, and nobody may write it should it ever exist.
    const sharedRefusal = /^(TOPIC_AUTHORIZATION_FAILED|UNKNOWN_TOPIC_OR_PARTITION)$/;
    expect(await errorType(produce(USERS.oneStop, Topic.DossierInbound, 'forged', false))).toMatch(
      sharedRefusal,
    );
    expect(await errorType(produce(USERS.gateway, Topic.DossierInbound, 'forged', false))).toMatch(
      sharedRefusal,
    );
    expect(await errorType(produce(USERS.oneStop, Topic.DossierStatus, 'forged', false))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
  }, 60_000);

  describe('the gateway and the relay, each as its own principal', () => {
    let database: IsolatedDatabase;
    let gateway: RunningGateway;
    let relay: RunningRelay;
    const apiKey = generateApiKey();

    beforeAll(async () => {
      database = await createIsolatedDatabase('kafka_acl');
      const env = testEnv({
        KAFKA_BROKERS: kafka.brokers,
        DATABASE_URL: database.url,
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_GATEWAY_PASSWORD: USERS.gateway.password,
        KAFKA_RELAY_PASSWORD: USERS.relay.password,
        LGSP_DEMO_API_KEY: apiKey,
      });
      gateway = await startGateway({ env });
      relay = await startRelay({ env, logger: createLogger({ name: 'relay', level: 'silent' }) });
    }, 120_000);

    afterAll(async () => {
      await relay?.close().catch(() => undefined);
      await gateway?.close().catch(() => undefined);
      await database?.drop().catch(() => undefined);
    });

    it('are ready, and a posted event reaches the ministry topic, read with the ministry credentials', async () => {
      for (const url of [gateway.url, relay.url]) {
        await waitFor(
          async () =>
            (await getJson(`${url}/health/ready`, { headers: { authorization: `Bearer ${apiKey}` } }))
              .status === 200,
          60_000,
          `${url}/health/ready`,
        );
      }
      const agencyCode = '000.31.22.H56';
      const dossierCode = `${agencyCode}-261205-${String(Math.floor(Math.random() * 9000) + 1000)}`;
      const event = {
        eventId: randomUUID(),
        dossierCode,
        agencyCode,
        procedureCode: '1.001193',
        status: 'SUBMITTED',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        channel: 'ONLINE',
        applicant: { kind: 'CITIZEN', personalId: '001090012345' },
      };
      const posted = await getJson(`${gateway.url}/v1/dossier-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(event),
      });
      expect(posted.status).toBe(202);

      const consumer = as(USERS.justice).consumer({ groupId: `bo-tu-phap.e2e-${randomUUID()}` });
      const received: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topics: [JUSTICE_TOPIC], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value?.toString() ?? '');
        },
      });
      try {
        const copy = await waitFor(
          () =>
            received
              .filter((value) => value.startsWith('{'))
              .map((value) => JSON.parse(value))
              .find((copy) => copy.data?.dossierCode === dossierCode),
          60_000,
          'the ministry copy of the posted event',
        );
        expect(copy.data).toMatchObject({ eventId: event.eventId, status: 'SUBMITTED' });
      } finally {
        await consumer.disconnect();
      }
    }, 180_000);
  });
});

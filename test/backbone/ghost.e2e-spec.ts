/**
 * The ghost test: the gateway, as its own process, is killed with SIGKILL at each stage of ingest and
 * dispatch (LIENTHONG_FAULT_POINT) while several posters post, then restarted. An independent consumer
 * reads the status topic and the database is read directly, and for every stage:
 * - ghosts: events on the topic the gateway never accepted (not committed when it died, or never
 *   answered 2xx even after the posters sent their unanswered events again) must be 0;
 * - lost: events answered 202 (or 200 DUPLICATE on a resend) that never reach the topic must be 0.
 * A resend of an unanswered request is what a one-stop system does: same event ids.
 */
import { ChildProcess, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { createKafkaClient, inboundTopic, initTopics, Topic } from '@lienthong/messaging';
import { ClientRegistry, generateApiKey } from '@lienthong/security';
import { freePort } from '../../deploy/local/kafka/local-kafka';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';
import { startAppProcess } from '../support/app-process';
import { testEnv, waitFor } from '../support/http';

const root = join(__dirname, '..', '..');
const POSTERS = 4;
const STAGES = [
  // the 15th group commit dies before its COMMIT, the 15th after it (before the answers)
  { point: 'ingest.before-commit', at: 15 },
  { point: 'ingest.after-commit', at: 15 },
  // the 4th batch the dispatcher published dies before it is marked published
  { point: 'dispatch.after-send', at: 4 },
] as const;

interface StageCount {
  stage: string;
  killed: boolean;
  answered: number;
  resent: number;
  onTopic: number;
  republished: number;
  ghosts: number;
  lost: number;
}

const AGENCY = `000.${10 + Math.floor(Math.random() * 89)}.${10 + Math.floor(Math.random() * 89)}.H${10 + Math.floor(Math.random() * 89)}`;
let dossiers = 0;

function newEvent() {
  dossiers++;
  return {
    eventId: randomUUID(),
    dossierCode: `${AGENCY}-261205-${String(dossiers).padStart(4, '0')}`,
    agencyCode: AGENCY,
    procedureCode: '1.001193',
    status: 'SUBMITTED',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}
type DossierEvent = ReturnType<typeof newEvent>;

describe('ghost test: the gateway killed at every stage of ingest and dispatch', () => {
  const apiKey = generateApiKey();
  let database: IsolatedDatabase;
  let port: number;
  let gateway: ChildProcess | undefined;
  /** Every record of the status topic for AGENCY, by event id: how many times it arrived. */
  const onTopic = new Map<string, number>();
  const seenOffsets = new Map<number, string>();
  const kafka = createKafkaClient({
    clientId: 'ghost-test',
    brokers: [process.env.KAFKA_BROKERS!],
  });
  const consumer = kafka.consumer({ groupId: `ghost-test-${randomUUID()}` });
  const url = () => `http://127.0.0.1:${port}`;

  async function startGateway(faultPoint?: string): Promise<ChildProcess> {
    const app = await startAppProcess({
      app: 'gateway',
      env: {
        ...testEnv({
          DATABASE_URL: database.url,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          LGSP_DEMO_API_KEY: apiKey,
          KAFKA_SEND_TIMEOUT_MS: '5000',
        }),
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        ...(faultPoint ? { LIENTHONG_FAULT_POINT: faultPoint } : {}),
      },
      port,
      readyHeaders: { authorization: `Bearer ${apiKey}` },
      readyTimeoutMs: 60_000,
    });
    gateway = app.child;
    return app.child;
  }

  async function stopGateway(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** 2xx status, or undefined when the request got no answer (the gateway died under it). */
  async function post(body: unknown): Promise<number | undefined> {
    try {
      const response = await fetch(`${url()}/v1/dossier-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      await response.text();
      if (response.status !== 200 && response.status !== 202) {
        throw new Error(`unexpected answer ${response.status}`);
      }
      return response.status;
    } catch (error) {
      if ((error as Error).message.startsWith('unexpected answer')) throw error;
      return undefined;
    }
  }

  /** Waits until the consumer has read every partition of the topic to its end. */
  async function caughtUp(): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const offsets = await admin.fetchTopicOffsets(Topic.DossierStatus);
          return offsets.every(
            (p) => p.high === p.low || BigInt(seenOffsets.get(p.partition) ?? '-1') + 1n >= BigInt(p.high),
          );
        },
        60_000,
        'the consumer to reach the end of the topic',
      );
    } finally {
      await admin.disconnect();
    }
  }

  async function committedIds(): Promise<Set<string>> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ event_id: string }>(
        'SELECT event_id::text AS event_id FROM dossier_event WHERE dossier_code LIKE $1',
        [`${AGENCY}-%`],
      );
      return new Set(rows.map((row) => row.event_id));
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS!],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
      // the inbound topics of the default registry's producing clients, which the gateway consumes
      extra: ClientRegistry.load()
        .eventProducers()
        .map((client) => inboundTopic(client.id)),
    });
    database = await createIsolatedDatabase('ghost');
    port = await freePort();
    await consumer.connect();
    await consumer.subscribe({ topics: [Topic.DossierStatus], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        seenOffsets.set(partition, message.offset);
        const event = JSON.parse(message.value!.toString()) as { id: string; data: { agencyCode: string } };
        if (event.data.agencyCode !== AGENCY) return;
        onTopic.set(event.id, (onTopic.get(event.id) ?? 0) + 1);
      },
    });
  }, 180_000);

  afterAll(async () => {
    if (gateway) await stopGateway(gateway).catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
    await database?.drop().catch(() => undefined);
  }, 60_000);

  it('has no ghost and loses nothing whichever stage the gateway dies at', async () => {
    const counts: StageCount[] = [];
    const answeredEver = new Set<string>();
    for (const stage of STAGES) {
      const child = await startGateway(`${stage.point}@${stage.at}`);
      const died = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      let dead = false;
      void died.then(() => (dead = true));
      const answered = new Set<string>();
      const unanswered: DossierEvent[][] = [];
      // posters: even ones post one event per request, odd ones batches of 5, until the gateway dies
      await Promise.all(
        Array.from({ length: POSTERS }, async (_, poster) => {
          while (!dead) {
            const events = Array.from({ length: poster % 2 ? 5 : 1 }, newEvent);
            const status = await post(events.length === 1 ? events[0] : { events });
            if (status === undefined) {
              unanswered.push(events);
              return;
            }
            for (const event of events) answered.add(event.eventId);
          }
        }),
      );
      const signal = await died;

      // before anyone sends anything again: whatever reached the topic must have been committed
      await caughtUp();
      const committed = await committedIds();
      const uncommittedOnTopic = [...onTopic.keys()].filter(
        (id) => !committed.has(id) && !answeredEver.has(id),
      );

      // restart; the posters send their unanswered requests again, as they are, until answered
      const restarted = await startGateway();
      let resent = 0;
      for (const events of unanswered) {
        const status = await waitFor(
          () => post(events.length === 1 ? events[0] : { events }),
          30_000,
          'an answer to a resent request',
        );
        expect([200, 202]).toContain(status);
        for (const event of events) answered.add(event.eventId);
        resent += events.length;
      }
      for (const id of answered) answeredEver.add(id);
      await waitFor(
        () => [...answered].every((id) => onTopic.has(id)) || undefined,
        60_000,
        'every answered event on the topic',
      ).catch(() => undefined);
      await caughtUp();
      const lost = [...answered].filter((id) => !onTopic.has(id)).length;
      const neverAnswered = [...onTopic.keys()].filter((id) => !answeredEver.has(id));
      counts.push({
        stage: stage.point,
        killed: signal === 'SIGKILL',
        answered: answered.size,
        resent,
        onTopic: [...answered].filter((id) => onTopic.has(id)).length,
        republished: [...answered].filter((id) => (onTopic.get(id) ?? 0) > 1).length,
        ghosts: new Set([...uncommittedOnTopic, ...neverAnswered]).size,
        lost,
      });
      await stopGateway(restarted);
    }
    console.log(
      [
        'stage                   killed  answered  resent  on topic  republished  ghosts  lost',
        ...counts.map(
          (c) =>
            `${c.stage.padEnd(22)}  ${String(c.killed).padEnd(6)}  ${String(c.answered).padStart(8)}  ${String(c.resent).padStart(6)}  ${String(c.onTopic).padStart(8)}  ${String(c.republished).padStart(11)}  ${String(c.ghosts).padStart(6)}  ${String(c.lost).padStart(4)}`,
        ),
      ].join('\n'),
    );
    for (const count of counts) {
      expect(count).toMatchObject({ killed: true, ghosts: 0, lost: 0 });
      expect(count.answered).toBeGreaterThan(0);
    }
  }, 600_000);
});

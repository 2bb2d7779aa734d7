/**
 * The fault suite's harness: the pipeline as it runs in production, with every part that can fail on its
 * own where the suite can make it fail —
 * - Kafka: a local KRaft cluster of three nodes (replication factor 3, min.insync.replicas 2);
 * - PostgreSQL: the shared local server behind a TCP proxy (test/support/tcp-proxy.ts), which the suite
 *   cuts; the server itself is never stopped;
 * - the gateway and the relay: processes of their own, from the built dist/, so they can be SIGKILLed;
 * - the portal: the simulator in this process, with its fault switches and its store;
 * plus steady load from several posters, and an independent counter that reads the canonical topic, each
 * ministry topic, the portal simulator's store and the database, and compares them with what was answered.
 *
 * Scale: LGSP_CHAOS_SCALE=full (npm run chaos) runs the outages the issue names (30 s of Kafka, 20 s of
 * PostgreSQL, 60 s of portal down); anything else runs the same scenarios shortened to fit CI.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createLogger } from '../../libs/observability/src';
import { ConsumerPort, createKafkaClient, inboundTopic, initTopics, Topic } from '../../libs/messaging/src';
import { ClientRegistry, generateApiKey } from '../../libs/security/src';
import { PortalSimulator, startPortalSimulator } from '../../apps/simulators/src/portal';
import { freePort, LocalKafkaCluster } from '../../deploy/local/kafka/local-kafka';
import { AppProcess, startAppProcess } from '../support/app-process';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';
import { markHeavySuite, waitForHeavySuites } from '../support/heavy-suites';
import { testEnv, waitFor } from '../support/http';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';

const root = join(__dirname, '..', '..');

export const FULL = process.env.LGSP_CHAOS_SCALE === 'full';

/** Durations of each scale, in milliseconds. */
export const SCALE = FULL
  ? {
      name: 'full',
      posters: 4,
      /** Pause between two posts of one poster. */
      postIntervalMs: 250,
      warmupMs: 5_000,
      /** Load kept up after a fault ends. */
      afterMs: 10_000,
      brokerDownMs: 10_000,
      kafkaDownMs: 30_000,
      gatewayDownMs: 2_000,
      relayDownMs: 2_000,
      databaseDownMs: 20_000,
      portalSlowMs: 20_000,
      portalDownMs: 60_000,
      catchUpMs: 600_000,
    }
  : {
      name: 'ci',
      posters: 4,
      postIntervalMs: 250,
      warmupMs: 2_000,
      afterMs: 3_000,
      brokerDownMs: 3_000,
      kafkaDownMs: 8_000,
      gatewayDownMs: 1_000,
      relayDownMs: 1_000,
      databaseDownMs: 5_000,
      portalSlowMs: 4_000,
      portalDownMs: 8_000,
      catchUpMs: 180_000,
    };

/** Procedures of the load, and the ministry whose topic each is copied to (deploy/config/procedures.yaml). */
const PROCEDURES: Record<string, string> = {
  '1.001193': 'bo-tu-phap',
  '1.004222': 'bo-cong-an',
  '1.005194': 'bo-nong-nghiep-moi-truong',
};
export const MINISTRIES = [...new Set(Object.values(PROCEDURES))];
const MINISTRY_TOPIC = /^lgsp\.dossier\.status\.v1\.([a-z-]+)$/;

export interface DossierEvent {
  eventId: string;
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  status: 'SUBMITTED';
  occurredAt: string;
  channel: 'ONLINE' | 'COUNTER';
  applicant: { kind: 'CITIZEN'; personalId: string };
}

/**
 * The events of one scenario: each opens a dossier of its own (so the portal's history of a dossier holds
 * exactly one step per event applied), under an agency code of the scenario's own.
 */
export class EventSource {
  readonly agencyCode: string;
  readonly byId = new Map<string, DossierEvent>();
  private count = 0;

  constructor() {
    const n = () => String(10 + Math.floor(Math.random() * 90));
    this.agencyCode = `000.${n()}.${n()}.H${n()}`;
  }

  next(): DossierEvent {
    const i = this.count++;
    const procedureCode = Object.keys(PROCEDURES)[i % 3];
    // yyMMdd-NNNN: a new day every 9,999 dossiers keeps the codes valid and distinct
    const day = String(1 + Math.floor(i / 9999)).padStart(2, '0');
    const event: DossierEvent = {
      eventId: randomUUID(),
      dossierCode: `${this.agencyCode}-2612${day}-${String((i % 9999) + 1).padStart(4, '0')}`,
      agencyCode: this.agencyCode,
      procedureCode,
      status: 'SUBMITTED',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      channel: i % 2 ? 'ONLINE' : 'COUNTER',
      applicant: { kind: 'CITIZEN', personalId: '001090012345' },
    };
    this.byId.set(event.eventId, event);
    return event;
  }

  static ministryOf(event: DossierEvent): string {
    return PROCEDURES[event.procedureCode];
  }
}

// --- the stack -----------------------------------------------------------------------------------------

export interface ChaosStack {
  cluster: LocalKafkaCluster;
  portal: PortalSimulator;
  proxy: TcpProxy;
  database: IsolatedDatabase;
  apiKey: string;
  gateway: AppProcess;
  relay: AppProcess;
  gatewayUrl: string;
  startGateway(): Promise<void>;
  startRelay(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(): Promise<ChaosStack> {
  // within npm test: not alongside the pipeline suite (see test/support/heavy-suites.ts); a mark left by a
  // suite that failed to start does not hold the run up forever
  await waitForHeavySuites(15 * 60_000).catch(() => undefined);
  const unmark = markHeavySuite('chaos');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
  const ports = [];
  const taken = new Set<number>();
  const fresh = async () => {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    return port;
  };
  for (let i = 0; i < 3; i++) ports.push({ port: await fresh(), controllerPort: await fresh() });
  const cluster = new LocalKafkaCluster({
    ports,
    dataDir: mkdtempSync(join(tmpdir(), 'lienthong-chaos-kafka-')),
    heapMb: 384,
    defaultPartitions: 6,
  });
  clusters.add(cluster);
  const parts: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of parts.reverse()) await part.stop().catch(() => undefined);
    await cluster.stop().catch(() => undefined);
    clusters.delete(cluster);
    rmSync(cluster.dataDir, { recursive: true, force: true });
    unmark();
  };
  try {
    await cluster.start();
    await initTopics({
      brokers: cluster.brokers.split(','),
      partitions: 6,
      replicationFactor: cluster.replication.factor,
      minInsyncReplicas: cluster.replication.minInsyncReplicas,
      proceduresFile: 'deploy/config/procedures.yaml',
      extra: ClientRegistry.load()
        .eventProducers()
        .map((client) => inboundTopic(client.id)),
    });

    const database = await createIsolatedDatabase('chaos');
    parts.push({ stop: () => database.drop() });
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    parts.push({ stop: () => proxy.close() });
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);

    const portal = await startPortalSimulator({
      port: 0,
      logger: createLogger({ name: 'chaos-portal', level: 'silent' }),
    });
    parts.push({ stop: () => portal.close() });

    const apiKey = generateApiKey();
    const gatewayPort = await fresh();
    const relayPort = await fresh();
    const env = {
      ...testEnv({
        KAFKA_BROKERS: cluster.brokers,
        DATABASE_URL: proxied.toString(),
        PORTAL_URL: portal.url,
        PORT: String(gatewayPort),
        RELAY_PORT: String(relayPort),
        LOG_LEVEL: 'warn',
        KAFKA_SEND_TIMEOUT_MS: '5000',
        PORTAL_RETRY_BASE_MS: '200',
        PORTAL_RETRY_MAX_MS: '2000',
        PORTAL_SYNC_MAX_ATTEMPTS: '1000',
        LGSP_DEMO_API_KEY: apiKey,
      }),
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
    };
    const bearer = { authorization: `Bearer ${apiKey}` };
    const stack: ChaosStack = {
      cluster,
      portal,
      proxy,
      database,
      apiKey,
      gateway: undefined as unknown as AppProcess,
      relay: undefined as unknown as AppProcess,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      async startGateway() {
        stack.gateway = await startAppProcess({
          app: 'gateway',
          env,
          port: gatewayPort,
          readyHeaders: bearer,
        });
      },
      async startRelay() {
        stack.relay = await startAppProcess({ app: 'relay', env, port: relayPort });
      },
      stop: stopAll,
    };
    parts.push({ stop: () => stack.gateway?.stop() ?? Promise.resolve() });
    parts.push({ stop: () => stack.relay?.stop() ?? Promise.resolve() });
    await stack.startGateway();
    await stack.startRelay();
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Clusters still running, killed synchronously should the suite's process exit without stopping them. */
const clusters = new Set<LocalKafkaCluster>();
process.once('exit', () => {
  for (const cluster of clusters) cluster.killNow();
});

// --- posters -------------------------------------------------------------------------------------------

/** What the posters were answered, over a scenario. */
export interface PostLog {
  /** Event id → when it was first answered 202 (or 200 DUPLICATE for a resend). */
  answered: Map<string, number>;
  /** Events of requests refused (503, or an unexpected answer): given up, never sent again. */
  refused: Set<string>;
  /** Answers by status, e.g. { 202: 1200, 503: 14 }; `none` counts requests that got no answer. */
  statuses: Record<string, number>;
  /** Answers that break the contract: a 5xx other than 503 problem+json with Retry-After, or a 4xx. */
  unexpected: string[];
  /** When each 202 came (ms since epoch), to see when ingest recovered. */
  accepts: number[];
}

export interface Posters {
  log: PostLog;
  /** Requests sent and not answered yet. */
  readonly inFlight: number;
  /**
   * Stops posting new events; resolves once every event posted so far has been answered, or once
   * `timeoutMs` have passed (what is still unanswered then stays unanswered).
   */
  stop(timeoutMs: number): Promise<void>;
}

/** The `code` of a problem+json body, if it has one. */
function problemCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `count` posters, each posting (one event per request for even posters, batches of 5 for odd ones) with
 * a pause between posts. A request that gets no answer (the gateway died under it, or is not up) is sent
 * again as it is (same event ids) until answered, as a one-stop system does, and so is one answered 503
 * OUTCOME_UNKNOWN (the gateway lost the database during the commit); one that is refused (503
 * DATABASE_UNAVAILABLE with Retry-After) is given up after waiting as told, so that an event refused yet
 * recorded would show up as a ghost.
 */
export function startPosters(url: () => string, apiKey: string, source: EventSource, count: number): Posters {
  const log: PostLog = { answered: new Map(), refused: new Set(), statuses: {}, unexpected: [], accepts: [] };
  let stopping = false;
  let giveUpAt = Infinity;
  let inFlight = 0;
  const tally = (key: string) => (log.statuses[key] = (log.statuses[key] ?? 0) + 1);

  async function send(events: DossierEvent[]): Promise<void> {
    // once a request went unanswered its outcome is unknown: it is sent until answered 2xx
    let unknown = false;
    while (Date.now() < giveUpAt) {
      let response: Response;
      let text: string;
      inFlight++;
      try {
        response = await fetch(`${url()}/v1/dossier-events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify(events.length === 1 ? events[0] : { events }),
          signal: AbortSignal.timeout(15_000),
        });
        text = await response.text();
      } catch {
        inFlight--;
        tally('none');
        unknown = true;
        await sleep(200);
        continue;
      }
      inFlight--;
      tally(String(response.status));
      if (response.status === 200 || response.status === 202) {
        const now = Date.now();
        if (response.status === 202) log.accepts.push(now);
        for (const event of events)
          if (!log.answered.has(event.eventId)) log.answered.set(event.eventId, now);
        return;
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      const problem = (response.headers.get('content-type') ?? '').startsWith('application/problem+json');
      if (response.status === 503 && problem && Number.isFinite(retryAfter) && retryAfter > 0) {
        // as told, but no longer than a second: the suite measures how soon ingest recovers
        await sleep(Math.min(retryAfter * 1000, 1000));
        if (problemCode(text) === 'OUTCOME_UNKNOWN') unknown = true;
        if (unknown) continue;
        // a refusal: the events are given up (nothing of them may show up anywhere: a ghost otherwise)
        for (const event of events) log.refused.add(event.eventId);
        return;
      }
      for (const event of events) log.refused.add(event.eventId);
      log.unexpected.push(`${response.status} ${text.slice(0, 200)}`);
      await sleep(500);
      return;
    }
  }

  const loops = Array.from({ length: count }, async (_, poster) => {
    while (!stopping) {
      const events = Array.from({ length: poster % 2 ? 5 : 1 }, () => source.next());
      await send(events);
      await sleep(SCALE.postIntervalMs);
    }
  });
  return {
    log,
    get inFlight() {
      return inFlight;
    },
    async stop(timeoutMs: number) {
      stopping = true;
      giveUpAt = Date.now() + timeoutMs;
      await Promise.all(loops);
    },
  };
}

// --- the independent counter ---------------------------------------------------------------------------

/** Where each event of the scenario's agency was seen, and how many times, from outside the pipeline. */
export interface Sightings {
  /** Event id → records on the canonical topic. */
  topic: Map<string, number>;
  /** Event id → records on its ministry's topic; ministry → event ids seen there. */
  ministry: Map<string, number>;
  byMinistry: Map<string, Set<string>>;
  /** Event id → when it was last seen arriving anywhere (topic, ministry topic or portal). */
  lastArrival: Map<string, number>;
}

export class Counter {
  readonly sightings: Sightings = {
    topic: new Map(),
    ministry: new Map(),
    byMinistry: new Map(MINISTRIES.map((m) => [m, new Set<string>()])),
    lastArrival: new Map(),
  };
  /** Highest offset read, per topic and partition. */
  private readonly offsets = new Map<string, bigint>();
  private consumer?: ConsumerPort;
  private readonly kafka;

  constructor(
    brokers: string,
    private readonly agencyCode: string,
  ) {
    this.kafka = createKafkaClient({ clientId: 'chaos-counter', brokers: brokers.split(',') });
  }

  async start(): Promise<void> {
    this.consumer = this.kafka.consumer({ groupId: `chaos-counter-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [Topic.DossierStatus, MINISTRY_TOPIC], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.offsets.set(`${topic}:${partition}`, BigInt(message.offset));
        const event = JSON.parse(message.value!.toString()) as { id: string; data: { agencyCode: string } };
        if (event.data.agencyCode !== this.agencyCode) return;
        const ministry = MINISTRY_TOPIC.exec(topic)?.[1];
        const counts = ministry ? this.sightings.ministry : this.sightings.topic;
        counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
        if (ministry) {
          if (!this.sightings.byMinistry.has(ministry)) this.sightings.byMinistry.set(ministry, new Set());
          this.sightings.byMinistry.get(ministry)!.add(event.id);
        }
        this.sightings.lastArrival.set(event.id, Date.now());
      },
    });
  }

  /** Waits until the counter has read every partition of the topics it reads to its current end. */
  async caughtUp(timeoutMs = 120_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter(
        (name) => name === Topic.DossierStatus || MINISTRY_TOPIC.test(name),
      );
      await waitFor(
        async () => {
          for (const topic of topics) {
            for (const p of await admin.fetchTopicOffsets(topic)) {
              const read = this.offsets.get(`${topic}:${p.partition}`) ?? -1n;
              if (BigInt(p.high) !== BigInt(p.low) && read + 1n < BigInt(p.high)) return false;
            }
          }
          return true;
        },
        timeoutMs,
        'the counter to read every topic to its end',
        500,
      );
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

// --- one scenario --------------------------------------------------------------------------------------

export interface Row {
  scenario: string;
  answered: number;
  onTopic: number;
  ministries: Record<string, number>;
  portal: number;
  database: number;
  lost: number;
  appliedTwice: number;
  ghosts: number;
  /** Seconds from the end of the fault until ingest answered 202 again and every event answered before then had reached the portal. */
  recoverSeconds: number;
  statuses: Record<string, number>;
  unexpected: string[];
  /** A 202 came after the fault ended (ingest recovered by itself). */
  acceptedAfter: boolean;
  /** For each lost event: where it was seen and what the outbox holds of it (printed under the table). */
  lostTrail: string[];
}

/**
 * Runs one scenario: steady load, `fault()` (which resolves once the fault has ended, returning when it
 * ended), more load, then waits until every answered event has reached the topic, its ministry's topic,
 * the portal and the database (or until the catch-up time runs out) and counts.
 */
export async function runScenario(
  stack: ChaosStack,
  scenario: string,
  fault: (posters: Posters) => Promise<number>,
): Promise<Row> {
  const source = new EventSource();
  const counter = new Counter(stack.cluster.brokers, source.agencyCode);
  await counter.start();
  try {
    return await countScenario(stack, scenario, fault, source, counter);
  } finally {
    await counter.stop();
  }
}

async function countScenario(
  stack: ChaosStack,
  scenario: string,
  fault: (posters: Posters) => Promise<number>,
  source: EventSource,
  counter: Counter,
): Promise<Row> {
  const posters = startPosters(() => stack.gatewayUrl, stack.apiKey, source, SCALE.posters);
  let faultEnded = Date.now();
  try {
    await sleep(SCALE.warmupMs);
    faultEnded = await fault(posters);
    await sleep(SCALE.afterMs);
  } finally {
    // requests still unanswered after the catch-up time are left so (a hung gateway fails the row)
    await posters.stop(SCALE.catchUpMs);
  }
  const { answered } = posters.log;
  const portalSeen = new Map<string, number>();
  const pollPortal = () => {
    for (const id of answered.keys()) {
      if (portalSeen.has(id)) continue;
      const event = source.byId.get(id)!;
      if ((stack.portal.store.dossier(event.dossierCode)?.statusHistory.length ?? 0) > 0) {
        portalSeen.set(id, Date.now());
      }
    }
  };
  const everywhere = (id: string) =>
    counter.sightings.topic.has(id) && counter.sightings.ministry.has(id) && portalSeen.has(id);
  // the counter reports as they come; the portal is polled; a positive condition ends the wait
  await waitFor(
    () => {
      pollPortal();
      return [...answered.keys()].every(everywhere) || undefined;
    },
    SCALE.catchUpMs,
    `every answered event of "${scenario}" to arrive`,
    250,
  ).catch(() => undefined);
  // absence is only judged once the counter has read every topic to its end
  await counter.caughtUp();
  pollPortal();
  const database = await databaseCounts(stack.database.url, source.agencyCode);

  const { sightings } = counter;
  const seenAnywhere = new Set([...sightings.topic.keys(), ...sightings.ministry.keys()]);
  const portalCodes = new Map([...source.byId.values()].map((e) => [e.dossierCode, e.eventId]));
  let portalTwice = 0;
  for (const [code, id] of portalCodes) {
    const history = stack.portal.store.dossier(code)?.statusHistory.length ?? 0;
    if (history > 0) seenAnywhere.add(id);
    if (history > 1) portalTwice++;
  }
  for (const id of database.events.keys()) seenAnywhere.add(id);
  const lostIds = [...answered.keys()].filter(
    (id) =>
      !sightings.topic.has(id) ||
      !sightings.ministry.has(id) ||
      !portalSeen.has(id) ||
      !database.events.has(id),
  );
  const ghosts = [...seenAnywhere].filter((id) => !answered.has(id));
  const lostTrail = await outboxTrail(stack.database.url, lostIds.slice(0, 10), (id) =>
    [
      sightings.topic.has(id) ? 'topic' : '',
      sightings.ministry.has(id) ? 'ministry' : '',
      portalSeen.has(id) ? 'portal' : '',
      database.events.has(id) ? 'database' : '',
    ].filter(Boolean),
  );
  const wrongMinistry = [...answered.keys()].filter(
    (id) => !sightings.byMinistry.get(EventSource.ministryOf(source.byId.get(id)!))?.has(id),
  );
  const beforeEnd = [...answered.entries()].filter(([, at]) => at <= faultEnded).map(([id]) => id);
  const firstAccept = posters.log.accepts.find((at) => at > faultEnded);
  const lastArrival = Math.max(faultEnded, ...beforeEnd.map((id) => portalSeen.get(id) ?? Infinity));
  const recoveredAt = Math.max(firstAccept ?? Infinity, lastArrival);
  return {
    scenario,
    answered: answered.size,
    onTopic: [...answered.keys()].filter((id) => sightings.topic.has(id)).length,
    ministries: Object.fromEntries(
      MINISTRIES.map((m) => [
        m,
        [...answered.keys()].filter((id) => sightings.byMinistry.get(m)?.has(id)).length,
      ]),
    ),
    portal: [...answered.keys()].filter((id) => portalSeen.has(id)).length,
    database: [...answered.keys()].filter((id) => database.events.has(id)).length,
    lost: new Set([...lostIds, ...wrongMinistry]).size,
    appliedTwice: portalTwice + database.twice,
    ghosts: ghosts.length,
    recoverSeconds: Number.isFinite(recoveredAt) ? (recoveredAt - faultEnded) / 1000 : Infinity,
    statuses: posters.log.statuses,
    unexpected: posters.log.unexpected,
    acceptedAfter: firstAccept !== undefined,
    lostTrail,
  };
}

/** One line per event: where it was seen, and its outbox row (published or not, attempts, last error). */
async function outboxTrail(url: string, ids: string[], seen: (id: string) => string[]): Promise<string[]> {
  if (!ids.length) return [];
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      event_id: string;
      id: string;
      shard: number;
      created_at: Date;
      published_at: Date | null;
      attempts: number;
      last_error: string | null;
    }>(
      `SELECT convert_from(value, 'UTF8')::jsonb->>'id' AS event_id, id::text AS id, shard, created_at,
              published_at, attempts, last_error
         FROM outbox WHERE convert_from(value, 'UTF8')::jsonb->>'id' IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(ids)],
    );
    const byEvent = new Map(rows.map((row) => [row.event_id, row]));
    return ids.map((id) => {
      const row = byEvent.get(id);
      const outbox = row
        ? `outbox row ${row.id} (shard ${row.shard}) written ${row.created_at.toISOString()}, ` +
          `${row.published_at ? `marked published ${row.published_at.toISOString()}` : 'not published'}, ` +
          `${row.attempts} failed attempts${row.last_error ? `, last: ${row.last_error}` : ''}`
        : 'no outbox row';
      return `${id}: seen in [${seen(id).join(', ')}]; ${outbox}`;
    });
  } finally {
    await client.end();
  }
}

/**
 * The scenario's events as the database holds them (read directly, not through the proxy): each event id
 * recorded, and the dossiers holding more than one step (each event opens a dossier of its own, so more
 * than one is an event applied twice).
 */
async function databaseCounts(url: string, agencyCode: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ event_id: string; dossier_code: string }>(
      'SELECT event_id::text AS event_id, dossier_code FROM dossier_event WHERE dossier_code LIKE $1',
      [`${agencyCode}-%`],
    );
    const events = new Map<string, number>();
    const perDossier = new Map<string, number>();
    for (const row of rows) {
      events.set(row.event_id, (events.get(row.event_id) ?? 0) + 1);
      perDossier.set(row.dossier_code, (perDossier.get(row.dossier_code) ?? 0) + 1);
    }
    return { events, twice: [...perDossier.values()].filter((n) => n > 1).length };
  } finally {
    await client.end();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- the table -----------------------------------------------------------------------------------------

const SHORT: Record<string, string> = {
  'bo-tu-phap': 'tư pháp',
  'bo-cong-an': 'công an',
  'bo-nong-nghiep-moi-truong': 'NN&MT',
};

export function formatTable(rows: Row[]): string {
  const header = [
    'scenario',
    'answered 202',
    'topic',
    ...MINISTRIES.map((m) => SHORT[m] ?? m),
    'portal',
    'database',
    'lost',
    'applied twice',
    'ghosts',
    'recover s',
  ];
  const lines = rows.map((row) => [
    row.scenario,
    String(row.answered),
    String(row.onTopic),
    ...MINISTRIES.map((m) => String(row.ministries[m] ?? 0)),
    String(row.portal),
    String(row.database),
    String(row.lost),
    String(row.appliedTwice),
    String(row.ghosts),
    Number.isFinite(row.recoverSeconds) ? row.recoverSeconds.toFixed(1) : 'never',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const answers = rows.map(
    (row) =>
      `  ${row.scenario}: ${Object.entries(row.statuses)
        .map(([status, n]) => `${n} × ${status === 'none' ? 'no answer' : status}`)
        .join(', ')}`,
  );
  return [
    format(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...lines.map(format),
    '',
    'answers to the posters (a request may be answered several times: sent again when unanswered):',
    ...answers,
    ...rows
      .filter((row) => row.lostTrail.length > 0)
      .flatMap((row) => [
        '',
        `lost in "${row.scenario}" (at most ten):`,
        ...row.lostTrail.map((l) => `  ${l}`),
      ]),
  ].join('\n');
}

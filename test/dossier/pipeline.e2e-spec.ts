/**
 * The dossier status pipeline end to end, against the real broker, PostgreSQL, the gateway over HTTP,
 * the relay as its own process and the portal simulator: ordering per dossier, nothing lost while
 * Kafka is down or the relay is killed, retries and dead letters for the portal. The posts are made as
 * the gateway's demo client; a registry of one ministry client (no dossier.events) shows the refusals.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { toPortalDateTime } from '@lienthong/adapters/public-service-portal';
import { createKafkaClient, inboundTopic, Topic } from '@lienthong/messaging';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { collectMinistryTopics, PipelineStack, startPipelineStack } from '../support/pipeline-stack';
import { getJson, waitFor } from '../support/http';
import { markHeavySuite } from '../support/heavy-suites';

const run = promisify(execFile);

const SEQUENCE = [
  'SUBMITTED',
  'RECEIVED',
  'IN_PROCESS',
  'SUPPLEMENT_REQUESTED',
  'IN_PROCESS',
  'PAYMENT_REQUESTED',
  'IN_PROCESS',
  'IN_PROCESS',
  'RESOLVED',
  'RESULT_RETURNED',
] as const;
const PORTAL_CODES = [1, 2, 4, 5, 4, 6, 4, 4, 9, 10];
const PROCEDURES = [
  '1.001193',
  '1.004222',
  '2.001610',
  '1.005194',
  '1.009974',
  '1.001776',
  '1.003612',
  '1.005090',
];

/** A fresh agency code per scenario keeps each scenario's dossiers apart in the shared database. */
function agency(): string {
  const n = () => String(Math.floor(Math.random() * 90) + 10);
  return `000.${n()}.${n()}.H${n()}`;
}

function dossierCode(agencyCode: string, index: number): string {
  return `${agencyCode}-261122-${String(index + 1).padStart(4, '0')}`;
}

function makeEvent(agencyCode: string, dossier: number, step: number, base = Date.now() - 86_400_000) {
  return {
    eventId: randomUUID(),
    dossierCode: dossierCode(agencyCode, dossier),
    agencyCode,
    procedureCode: PROCEDURES[dossier % PROCEDURES.length],
    status: SEQUENCE[step],
    occurredAt: new Date(base + dossier * 1000 + step * 60_000).toISOString(),
    channel: dossier % 2 ? 'ONLINE' : 'COUNTER',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

/** The demo client's key of the stack under test; `''` sends no credentials. */
let demoKey = '';
/** A client of the stack's registry that was not granted dossier.events. */
const MINISTRY_KEY = generateApiKey();

/** The one-stop system that produces dossier events to its inbound topic. */
const INBOUND_CLIENT = 'e2e-motcua';

function clientsDocument() {
  return {
    version: 1,
    purposes: {
      CIVIL_STATUS_REGISTRATION: {
        description: { vi: 'Đăng ký hộ tịch', en: 'Civil-status registration' },
        legalBasis: 'Luật Hộ tịch số 60/2014/QH13',
      },
    },
    clients: [
      {
        id: 'e2e-ministry',
        name: 'Hộ tịch (e2e)',
        kind: 'MINISTRY',
        enabled: true,
        apiKeys: [{ id: 'k1', sha256: hashApiKey(MINISTRY_KEY) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: {
          'citizen.lookup': { purposes: ['CIVIL_STATUS_REGISTRATION'], fields: ['personalId', 'fullName'] },
        },
      },
      {
        id: INBOUND_CLIENT,
        name: 'Một cửa (e2e, Kafka)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: ['*'],
        kafka: { principal: INBOUND_CLIENT },
        apiKeys: [{ id: 'k1', sha256: hashApiKey(generateApiKey()) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: { 'dossier.events': {} },
      },
    ],
  };
}

const bearer = (key: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

async function post(url: string, body: unknown, key = demoKey) {
  return getJson(`${url}/v1/dossier-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(key) },
    body: JSON.stringify(body),
  });
}

async function getDossier(url: string, code: string, key = demoKey) {
  return getJson(`${url}/v1/dossiers/${code}`, { headers: bearer(key) });
}

/**
 * `posters` concurrent clients, each owning every posters-th dossier and posting its events in order:
 * even posters one batch per round, odd posters one event per request. Returns the events by dossier.
 */
async function postLoad(
  url: string,
  agencyCode: string,
  dossiers: number,
  posters: number,
  options: { onRound?: (round: number) => Promise<void> } = {},
) {
  const events = Array.from({ length: dossiers }, (_, d) =>
    SEQUENCE.map((_, step) => makeEvent(agencyCode, d, step)),
  );
  const statuses: number[] = [];
  for (let round = 0; round < SEQUENCE.length; round++) {
    await options.onRound?.(round);
    await Promise.all(
      Array.from({ length: posters }, async (_, poster) => {
        const mine = events.filter((_, d) => d % posters === poster).map((list) => list[round]);
        if (poster % 2 === 0) {
          for (let i = 0; i < mine.length; i += 500) {
            const response = await post(url, { events: mine.slice(i, i + 500) });
            statuses.push(response.status);
          }
        } else {
          for (const event of mine) statuses.push((await post(url, event)).status);
        }
      }),
    );
  }
  return { events, statuses };
}

/** The lines of a /metrics page whose metric name matches `names`. */
async function metricLines(url: string, names: RegExp): Promise<string> {
  // the gateway's metrics are for operators (the demo client holds the role); the relay's are open
  const page = String(
    (await getJson(`${url}/metrics`, { headers: bearer(demoKey) }).catch(() => ({ body: '' }))).body,
  );
  return page
    .split('\n')
    .filter((line) => names.test(line))
    .join('\n');
}

/** The relay's metrics and recent output, appended to a timeout so a failure says where events stopped. */
async function relayDiagnostics(stack: PipelineStack): Promise<string> {
  const relay = await metricLines(
    stack.relayUrl,
    /^lgsp_(relay_routed_total|portal_sync_total|consumer_lag|dead_letters_total|consumer_retries_total|kafka_produce_errors_total|portal_errors_total)/,
  );
  const gateway = await metricLines(
    stack.gateway.url,
    /^lgsp_(outbox_depth|outbox_published_total|kafka_produce_errors_total)/,
  );
  return `relay:\n${relay}\ngateway:\n${gateway}\n${stack.relayLog().slice(-3000)}`;
}

async function expectMinistriesInOrder(
  stack: PipelineStack,
  events: ReturnType<typeof makeEvent>[][],
  options: { exactlyOnce: boolean },
) {
  const ministries = await collectMinistryTopics(stack.kafka.brokers);
  try {
    const codes = new Set(events.map((list) => list[0].dossierCode));
    const countMine = () =>
      [...ministries.byDossier.entries()]
        .filter(([code]) => codes.has(code))
        // distinct events: redelivered duplicates must not make up for one still missing
        .reduce((n, [, l]) => n + new Set(l.map((r) => r.eventId)).size, 0);
    await waitFor(
      () => countMine() >= events.length * SEQUENCE.length,
      180_000,
      'every event on the ministry topics',
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}; ${countMine()} of ${events.length * SEQUENCE.length} distinct events arrived\n${await relayDiagnostics(stack)}`,
      );
    });
    for (const list of events) {
      const received = ministries.byDossier.get(list[0].dossierCode) ?? [];
      const firstSeen = received.filter((r, i) => received.findIndex((x) => x.eventId === r.eventId) === i);
      expect(firstSeen.map((r) => r.eventId)).toEqual(list.map((e) => e.eventId));
      expect(new Set(received.map((r) => r.topic)).size).toBe(1);
      if (options.exactlyOnce) expect(received).toHaveLength(list.length);
    }
  } finally {
    await ministries.stop();
  }
}

async function expectPortalInOrder(stack: PipelineStack, events: ReturnType<typeof makeEvent>[][]) {
  await waitFor(
    () =>
      events.every(
        (list) => stack.portal.store.dossier(list[0].dossierCode)?.statusHistory.length === SEQUENCE.length,
      ),
    180_000,
    'the portal to hold every event',
  ).catch(async (error: Error) => {
    const missing = events.filter(
      (list) => stack.portal.store.dossier(list[0].dossierCode)?.statusHistory.length !== SEQUENCE.length,
    );
    const sample = missing[0]
      ? stack.portal.store.dossier(missing[0][0].dossierCode)?.statusHistory.length
      : undefined;
    throw new Error(
      `${error.message}; ${missing.length} dossiers incomplete (first has ${sample})\n${await relayDiagnostics(stack)}`,
    );
  });
  for (const list of events) {
    const stored = stack.portal.store.dossier(list[0].dossierCode)!;
    expect(stored.statusHistory.map((entry) => Number(entry.status))).toEqual(PORTAL_CODES);
    // the portal's dialect carries no event id: each step is known by its time (yyyyMMddHHmmss, +07:00)
    expect(stored.statusHistory.map((entry) => entry.at)).toEqual(
      list.map((e) => toPortalDateTime(e.occurredAt)),
    );
  }
}

describe('dossier status pipeline', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-pipeline-'));
  let stack: PipelineStack;
  // the fault suite waits for this suite to end (see test/support/heavy-suites.ts)
  const done = markHeavySuite('pipeline');

  beforeAll(async () => {
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    stack = await startPipelineStack({ CLIENTS_FILE: clientsFile });
    demoKey = stack.apiKey;
  }, 300_000);

  afterAll(async () => {
    try {
      await stack?.stop();
      rmSync(work, { recursive: true, force: true });
    } finally {
      done();
    }
  }, 60_000);

  it('20 concurrent posters, 1,000 dossiers, 10 events each: ministries and the portal get every event in order, once', async () => {
    const agencyCode = agency();
    const { events, statuses } = await postLoad(stack.gateway.url, agencyCode, 1000, 20);
    expect(new Set(statuses)).toEqual(new Set([202]));
    await expectMinistriesInOrder(stack, events, { exactlyOnce: true });
    await expectPortalInOrder(stack, events);
    const dossier = await getDossier(stack.gateway.url, events[7][0].dossierCode);
    expect(dossier.body.status).toBe('RESULT_RETURNED');
    expect(dossier.body.history.map((h: { eventId: string }) => h.eventId)).toEqual(
      events[7].map((e) => e.eventId),
    );
  }, 400_000);

  it('keeps answering 202 while Kafka is stopped for 20 s, then publishes and syncs everything in order', async () => {
    const agencyCode = agency();
    let restarted: Promise<void> | undefined;
    const { events, statuses } = await postLoad(stack.gateway.url, agencyCode, 200, 20, {
      onRound: async (round) => {
        if (round === 3) {
          await stack.kafka.stop();
          // start() resolves once the broker answers describeCluster again, not when its JVM is spawned
          restarted = new Promise((resolve) => setTimeout(resolve, 20_000)).then(() => stack.kafka.start());
        }
      },
    });
    expect(restarted).toBeDefined();
    expect(new Set(statuses)).toEqual(new Set([202]));
    await restarted;
    await expectMinistriesInOrder(stack, events, { exactlyOnce: false });
    await expectPortalInOrder(stack, events);
  }, 400_000);

  it('ends with every event applied once on the portal after the relay is SIGKILLed mid-stream', async () => {
    const agencyCode = agency();
    const killed = postLoad(stack.gateway.url, agencyCode, 300, 10, {
      onRound: async (round) => {
        if (round === 5) {
          await stack.stopRelay('SIGKILL');
          await stack.startRelay();
        }
      },
    });
    const { events } = await killed;
    await expectPortalInOrder(stack, events);
    await expectMinistriesInOrder(stack, events, { exactlyOnce: false });
  }, 400_000);

  it('retries through 429s and 5xx, and dead-letters a rejected dossier that `dlq replay` delivers once fixed', async () => {
    const agencyCode = agency();
    const rejected = dossierCode(agencyCode, 3);
    stack.portal.faults.set({
      rateLimit: { count: 30, retryAfterSeconds: 1 },
      serverErrors: { count: 30, status: 503 },
      rejectDossiers: [rejected],
    });
    const started = new Date(Date.now() - 1000);
    const { events } = await postLoad(stack.gateway.url, agencyCode, 50, 5);
    const others = events.filter((list) => list[0].dossierCode !== rejected);
    await expectPortalInOrder(stack, others);
    expect(stack.portal.faults.state().rateLimit?.remaining ?? 0).toBe(0);

    const cli = (args: string[]) =>
      run(process.execPath, [join(__dirname, '..', '..', 'bin', 'lienthong.js'), ...args], {
        env: {
          ...process.env,
          KAFKA_BROKERS: stack.kafka.brokers,
          // a replay is audited in the stack's database
          DATABASE_URL: stack.env.DATABASE_URL,
          AUDIT_SUBJECT_KEY: stack.env.AUDIT_SUBJECT_KEY,
        },
      });
    const letters = await waitFor(
      async () => {
        const { stdout } = await cli(['dlq', 'list', '--since', started.toISOString()]);
        const lines = stdout.split('\n').filter((line) => line.includes(rejected));
        return lines.length >= 1 ? lines : undefined;
      },
      120_000,
      'the rejected event in the dead-letter topic',
    );
    expect(letters[0]).toMatch(/\tlgsp\.dossier\.status(-retry)?\.v1\tlienthong-relay-portal(-retry)?\t/);
    expect(stack.portal.store.dossier(rejected)).toBeUndefined();

    // The rejected dossier's later events wait behind it or fail the same way; fix the cause, then replay.
    await waitFor(
      async () => {
        const { stdout } = await cli(['dlq', 'list', '--since', started.toISOString()]);
        return (
          stdout.split('\n').filter((line) => line.includes(rejected)).length === SEQUENCE.length || undefined
        );
      },
      120_000,
      'every event of the rejected dossier in the dead-letter topic',
    );
    stack.portal.faults.set({ rejectDossiers: [] });
    const { stdout } = await cli(['dlq', 'replay', '--since', started.toISOString()]);
    expect(
      stdout.split('\n').filter((line) => line.startsWith('replayed') && line.includes(rejected)),
    ).toHaveLength(SEQUENCE.length);
    await expectPortalInOrder(
      stack,
      events.filter((list) => list[0].dossierCode === rejected),
    );
  }, 400_000);

  it('refuses bad input with problem+json and per-event reasons, publishing only the good events', async () => {
    const url = stack.gateway.url;
    const malformed = await fetch(`${url}/v1/dossier-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(demoKey) },
      body: '{"eventId": ',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    expect(((await malformed.json()) as { code: string }).code).toBe('MALFORMED_JSON');

    const oversize = await post(url, { events: Array.from({ length: 501 }, () => ({})) });
    expect(oversize.status).toBe(413);
    expect(oversize.body.code).toBe('BATCH_TOO_LARGE');

    const agencyCode = agency();
    const good = makeEvent(agencyCode, 0, 0);
    const good2 = makeEvent(agencyCode, 1, 0);
    const unknownStatus = { ...makeEvent(agencyCode, 2, 0), status: 'DONE' };
    const illegal = { ...makeEvent(agencyCode, 3, 0), status: 'RESULT_RETURNED' };
    const badCode = { ...makeEvent(agencyCode, 4, 0), dossierCode: `${agencyCode}-261399-0001` };
    const badAgency = { ...makeEvent(agencyCode, 5, 0), agencyCode: 'h56 lowercase' };
    const response = await post(url, { events: [good, unknownStatus, illegal, badCode, badAgency, good2] });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ code: 'BATCH_PARTIALLY_REJECTED', accepted: 2, rejected: 4 });
    const outcomes = response.body.results.map((r: { outcome: string; code?: string }) => [
      r.outcome,
      r.code,
    ]);
    expect(outcomes).toEqual([
      ['ACCEPTED', undefined],
      ['REJECTED', 'INVALID_EVENT'],
      ['REJECTED', 'ILLEGAL_INITIAL_STATUS'],
      ['REJECTED', expect.stringMatching(/INVALID_EVENT|INVALID_IDENTIFIER/)],
      ['REJECTED', expect.stringMatching(/INVALID_EVENT|INVALID_IDENTIFIER/)],
      ['ACCEPTED', undefined],
    ]);
    for (const result of response.body.results.filter((r: { outcome: string }) => r.outcome === 'REJECTED')) {
      expect(result.errors.length).toBeGreaterThan(0);
    }

    const single = await post(url, { ...makeEvent(agencyCode, 0, 1), status: 'RESOLVED' });
    expect(single.status).toBe(422);
    expect(single.body.code).toBe('ILLEGAL_TRANSITION');

    const stale = await post(url, {
      ...makeEvent(agencyCode, 0, 1),
      occurredAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
    });
    expect(stale.status).toBe(422);
    expect(stale.body.code).toBe('STALE_EVENT');

    const repeat = await post(url, good);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ outcome: 'DUPLICATE', eventId: good.eventId, seq: 1 });

    expect((await getDossier(url, 'not-a-code')).body.code).toBe('INVALID_DOSSIER_CODE');
    expect((await getDossier(url, dossierCode(agencyCode, 3))).status).toBe(404);

    // Only registered clients granted dossier.events may post or read; a refused request leaves nothing.
    const unauthorised = makeEvent(agencyCode, 6, 0);
    const anonymous = await post(url, unauthorised, '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(anonymous.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const anonymousBatch = await post(url, { events: [unauthorised, makeEvent(agencyCode, 7, 0)] }, '');
    expect([anonymousBatch.status, anonymousBatch.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const unknownKey = await post(url, unauthorised, generateApiKey());
    expect([unknownKey.status, unknownKey.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const ministry = await post(url, { events: [unauthorised] }, MINISTRY_KEY);
    expect(ministry.status).toBe(403);
    expect(ministry.headers.get('content-type')).toContain('application/problem+json');
    expect(ministry.body).toMatchObject({ status: 403, code: 'SERVICE_NOT_ALLOWED' });
    expect((await getDossier(url, good.dossierCode, '')).status).toBe(401);
    expect((await getDossier(url, good.dossierCode, MINISTRY_KEY)).body.code).toBe('SERVICE_NOT_ALLOWED');
    for (const index of [6, 7]) {
      expect((await getDossier(url, dossierCode(agencyCode, index))).status).toBe(404);
    }

    // Only the two good events (once each) reached the canonical topic: nothing of the refused requests.
    const published = await readStatusTopic(stack.kafka.brokers, agencyCode, 2);
    expect(published.sort()).toEqual([good.eventId, good2.eventId].sort());
  }, 120_000);

  it('takes events from the inbound topic through the same validation, dead-lettering refused ones', async () => {
    const agencyCode = agency();
    const kafka = createKafkaClient({ clientId: 'test-inbound', brokers: [stack.kafka.brokers] });
    const producer = kafka.producer();
    await producer.connect();
    const good = makeEvent(agencyCode, 0, 0);
    const bad = { ...makeEvent(agencyCode, 1, 0), status: 'RESOLVED' };
    const envelope = (data: { dossierCode: string }) =>
      JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        subject: data.dossierCode,
        source: '/motcua/test',
        type: 'vn.lienthong.dossier.status.v1',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data,
      });
    await producer.send({
      topic: inboundTopic(INBOUND_CLIENT),
      messages: [
        { key: good.dossierCode, value: envelope(good) },
        { key: bad.dossierCode, value: envelope(bad) },
      ],
    });
    await producer.disconnect();
    await waitFor(
      async () => (await getDossier(stack.gateway.url, good.dossierCode)).status === 200 || undefined,
      60_000,
      'the inbound event to be accepted',
    );
    expect((await getDossier(stack.gateway.url, bad.dossierCode)).status).toBe(404);
    const { stdout } = await run(
      process.execPath,
      [join(__dirname, '..', '..', 'bin', 'lienthong.js'), 'dlq', 'list', '--code', 'ILLEGAL_INITIAL_STATUS'],
      {
        env: { ...process.env, KAFKA_BROKERS: stack.kafka.brokers },
      },
    );
    expect(stdout).toContain(bad.dossierCode);
    expect(stdout).toContain(inboundTopic(INBOUND_CLIENT));
  }, 120_000);
});

async function readStatusTopic(brokers: string, agencyCode: string, atLeast: number): Promise<string[]> {
  const kafka = createKafkaClient({ clientId: 'test-status-reader', brokers: [brokers] });
  const consumer = kafka.consumer({ groupId: `test-status-${randomUUID()}` });
  const ids: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [Topic.DossierStatus], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString());
      if (event.data.agencyCode === agencyCode) ids.push(event.id);
    },
  });
  await waitFor(() => ids.length >= atLeast || undefined, 30_000, 'the published events');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await consumer.disconnect();
  return ids;
}

/**
 * `npm run bench -- ingest`: dossier-event ingest through the gateway against a raw kafkajs producer
 * sending the same messages with the same settings to the same broker, in one run, plus the delay from
 * event time to a ministry consumer at a fixed rate. The gateway figures are taken on PostgreSQL and
 * then, in the same run and against the same raw baseline, on the embedded PGlite default with a broker of
 * its own (LGSP_BENCH_PGLITE=0 skips it), and printed side by side with the gateway's resident memory.
 * Prints figures and ratios; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { Pool } from 'undici';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import {
  createEvent,
  createKafkaClient,
  INDICATORS_GROUP_ID,
  type KafkaClient,
  ministryTopic,
  PRODUCER_SETTINGS,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import {
  BenchEnvironment,
  caughtUp,
  percentile,
  RAW_TOPIC,
  runFor,
  startBenchEnvironment,
} from './bench-environment';
import { commandCpuMs, machineCpuMs, processCpuMs } from './cpu';

const BATCH = 500;
const PROCEDURES = ['1.001193', '1.004222', '2.001610', '1.005194'];

let counter = 0;
/** A SUBMITTED event of a dossier never seen before (so every event is legal and accepted). */
function freshEvent(occurredAt = new Date()) {
  const n = counter++;
  const agency = `000.${String(10 + (Math.floor(n / 9999) % 90))}.${String(10 + (Math.floor(n / 899_910) % 90))}.H${String(10 + ((process.pid + Math.floor(n / 80_991_900)) % 90))}`;
  const day = new Date(Date.UTC(2026, 0, 1) + (Math.floor(n / 9999 / 90) % 300) * 86_400_000);
  const yymmdd = day.toISOString().slice(2, 10).replace(/-/g, '');
  return {
    eventId: randomUUID(),
    dossierCode: `${agency}-${yymmdd}-${String((n % 9999) + 1).padStart(4, '0')}`,
    agencyCode: agency,
    procedureCode: PROCEDURES[n % PROCEDURES.length],
    status: 'SUBMITTED',
    occurredAt: occurredAt.toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

type Post = (body: unknown) => Promise<void>;

function poster(env: BenchEnvironment): { post: Post; close(): Promise<void> } {
  const pool = new Pool(env.gatewayUrl, { connections: 64, pipelining: 1 });
  const post = async (body: unknown) => {
    const response = await pool.request({
      path: '/v1/dossier-events',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.apiKey}` },
      body: JSON.stringify(body),
    });
    await response.body.dump();
    if (response.statusCode !== 202) throw new Error(`gateway answered ${response.statusCode}`);
  };
  return { post, close: () => pool.close() };
}

const toMessages = (events: ReturnType<typeof freshEvent>[]) =>
  events.map((event) =>
    toKafkaMessage(
      createEvent({
        id: event.eventId,
        type: 'vn.lienthong.dossier.status.v1',
        source: '/bench',
        subject: event.dossierCode,
        data: event,
      }),
      event.dossierCode,
    ),
  );

const concurrency = 4;

/** Raw kafkajs: the messages the gateway publishes, same settings, same broker, same batch sizes. */
async function rawProducer(kafka: KafkaClient, seconds: number) {
  const raw = kafka.producer({ ...PRODUCER_SETTINGS });
  await raw.connect();
  const rawBatch = await runFor(seconds, concurrency, async () => {
    await raw.send({
      topic: RAW_TOPIC,
      acks: 'all',
      messages: toMessages(Array.from({ length: BATCH }, () => freshEvent())),
    });
    return BATCH;
  });
  const rawSingle = await runFor(seconds, 64, async () => {
    await raw.send({ topic: RAW_TOPIC, acks: 'all', messages: toMessages([freshEvent()]) });
    return 1;
  });
  await raw.disconnect();
  return { rawBatch, rawSingle };
}

/**
 * Event time → ministry consumer at a fixed rate, with the relay routing (before the gateway
 * throughput phases, so no backlog distorts it).
 */
async function ministryLatency(
  kafka: KafkaClient,
  post: Post,
  seconds: number,
  pids: { gateway: number | undefined; relays: (number | undefined)[]; database: string },
) {
  const rate = Number(process.env.LGSP_BENCH_RATE ?? 1000);
  const ours = new Set<string>();
  const consumer = kafka.consumer({ groupId: `bench-ministry-${randomUUID()}` });
  const delays: number[] = [];
  // where the time goes: the gateway's answer, then the canonical topic, then the ministry's
  const answered: number[] = [];
  const canonical: number[] = [];
  // and when each record was produced (its Kafka timestamp, set by the producer): the outbox's publish
  // on the canonical topic, the relay's copy on a ministry's
  const publishedCanonical: number[] = [];
  const publishedMinistry: number[] = [];
  const marker = `bench-${randomUUID()}`;
  let joined = false;
  consumer.onGroupJoin(() => (joined = true));
  await consumer.connect();
  // what the ministries of the bench's procedures subscribe to (a ministry reads its own topic only), and
  // the canonical topic for the breakdown
  const catalogue = loadProcedureCatalogue('deploy/config/procedures.yaml');
  const ministries = new Set(
    PROCEDURES.flatMap((procedureCode) => catalogue.route({ procedureCode })?.ministry ?? []),
  );
  await consumer.subscribe({
    topics: [Topic.DossierStatus, ...[...ministries].map(ministryTopic)],
    fromBeginning: false,
  });
  await consumer.run({
    // a fresh group that reads from the latest offset keeps no position worth committing; with auto-commit,
    // kafkajs would wait for an OffsetCommit after every partition's batch before fetching on, which a
    // ministry's consumer avoids by committing at an interval (as the relay does)
    autoCommit: false,
    eachMessage: async ({ topic, message }) => {
      const event = JSON.parse(message.value!.toString());
      // a ministry's copy carries no note unless granted: the bench's events are known by their ids
      if (!ours.has(event.data.eventId)) return;
      const occurred = Date.parse(event.data.occurredAt);
      const onCanonical = topic === Topic.DossierStatus;
      (onCanonical ? canonical : delays).push(Date.now() - occurred);
      (onCanonical ? publishedCanonical : publishedMinistry).push(Number(message.timestamp) - occurred);
    },
  });
  while (!joined) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  let sent = 0;
  // what the stack spends on it, from the processes' own counters and the machine's: the gateway, the
  // relays, a local broker (java) and PostgreSQL server (postgres, every backend), and the whole machine
  // (with this process's posting and reading)
  const cpu = () => ({
    machine: machineCpuMs(),
    gateway: processCpuMs(pids.gateway),
    relays: pids.relays.reduce<number>((sum, pid) => sum + processCpuMs(pid), 0),
    broker: commandCpuMs('java'),
    // on PGlite the stack runs no PostgreSQL server (the shared one's backends come and go with other work)
    database: pids.database === 'postgres' ? commandCpuMs('postgres') : NaN,
  });
  const cpuBefore = cpu();
  const started = Date.now();
  const inflight: Promise<void>[] = [];
  for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
    // the one-stop system posts what it has every 10 ms as one batch
    const postedAt = Date.now();
    inflight.push(
      post({
        events: Array.from({ length: perTick }, () => {
          const event = { ...freshEvent(new Date(postedAt)), note: marker };
          ours.add(event.eventId);
          return event;
        }),
      }).then(() => {
        answered.push(Date.now() - postedAt);
      }),
    );
    sent += perTick;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, started + (tick + 1) * tickMs - Date.now())),
    );
  }
  await Promise.all(inflight);
  const deadline = Date.now() + 30_000;
  while (delays.length < sent && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const cpuAfter = cpu();
  await consumer.disconnect();
  const busyMs = cpuAfter.machine.busyMs - cpuBefore.machine.busyMs;
  const stackCpu = {
    gatewayMsPerEvent: (cpuAfter.gateway - cpuBefore.gateway) / sent,
    relaysMsPerEvent: (cpuAfter.relays - cpuBefore.relays) / sent,
    brokerMsPerEvent: (cpuAfter.broker - cpuBefore.broker) / sent,
    databaseMsPerEvent: (cpuAfter.database - cpuBefore.database) / sent,
    machineMsPerEvent: busyMs / sent,
    machineBusy: busyMs / (cpuAfter.machine.totalMs - cpuBefore.machine.totalMs),
  };
  return { rate, tickMs, delays, sent, answered, canonical, publishedCanonical, publishedMinistry, stackCpu };
}

/** The gateway process's resident memory now and at its peak (Linux), in MiB. */
function residentMemory(pid: number | undefined): { rssMb: number; peakMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, peakMb: NaN };
  }
}

/** Everything measured through one gateway: ministry latency, then batch and single-event ingest. */
async function gatewayFigures(env: BenchEnvironment, kafka: KafkaClient, seconds: number) {
  const { post, close } = poster(env);
  try {
    // a first pass at the same rate, not counted: the broker's JVM compiles its fetch and commit paths
    // and the relay its handlers when the first records flow, which on two cores takes half a core
    const pids = { gateway: env.lookups.gatewayPid, relays: env.relayPids, database: env.databaseKind };
    await ministryLatency(kafka, post, Math.min(seconds, 5), pids);
    const ministry = await ministryLatency(kafka, post, seconds, pids);
    await env.stopRelay();
    // On PGlite the indicators run in the gateway's process, and stopping the relay leaves them: each phase
    // waits until they have applied the earlier phases' events, so it measures ingest beside the indicators
    // applying its own events, not a previous phase's backlog too.
    const inProcess = env.databaseKind === 'pglite';
    const waited = { batch: NaN, single: NaN };
    // Through the gateway: HTTP, validation, status machine, group commit, outbox, dispatch.
    if (inProcess) waited.batch = await caughtUp(kafka, INDICATORS_GROUP_ID, 180_000);
    const gatewayBatch = await runFor(seconds, concurrency, async () => {
      await post({ events: Array.from({ length: BATCH }, () => freshEvent()) });
      return BATCH;
    });
    if (inProcess) waited.single = await caughtUp(kafka, INDICATORS_GROUP_ID, 180_000);
    const gatewaySingle = await runFor(seconds, 64, async () => {
      await post(freshEvent());
      return 1;
    });
    return { ministry, gatewayBatch, gatewaySingle, waited, memory: residentMemory(env.lookups.gatewayPid) };
  } finally {
    await close();
  }
}

export async function ingestBench(env: BenchEnvironment): Promise<void> {
  const seconds = Number(process.env.LGSP_BENCH_SECONDS ?? 8);
  const kafka = createKafkaClient({ clientId: 'bench', brokers: [env.brokers] });
  const { rawBatch, rawSingle } = await rawProducer(kafka, seconds);
  const primary = await gatewayFigures(env, kafka, seconds);
  let embedded: typeof primary | undefined;
  if (env.databaseKind !== 'pglite' && process.env.LGSP_BENCH_PGLITE !== '0') {
    try {
      // A broker of its own: on the first one, the PostgreSQL stack's events would be the backlog of the
      // PGlite stack's relay (the same consumer groups), which would route them all before the events the
      // latency phase times.
      const pglite = await startBenchEnvironment({ database: 'pglite' });
      const pgliteKafka = createKafkaClient({ clientId: 'bench', brokers: [pglite.brokers] });
      try {
        embedded = await gatewayFigures(pglite, pgliteKafka, seconds);
      } finally {
        await pglite.close();
      }
    } catch (error) {
      console.error(`ingest on PGlite not measured: ${(error as Error).message}`);
    }
  }

  const columns = embedded ? [env.databaseKind, 'pglite'] : [env.databaseKind];
  const runs = embedded ? [primary, embedded] : [primary];
  const line = (name: string, values: string[], goal = '') =>
    console.log(`  ${name.padEnd(60)} ${values.map((v) => v.padStart(9)).join(' ')}   ${goal}`);
  console.log(
    "\ningest (events/s; raw = kafkajs producer with the gateway's settings, same broker, same messages)",
  );
  line('', columns);
  line('raw kafkajs producer, batches of 500 (4 in flight)', [rawBatch.perSecond.toFixed(0)]);
  line(
    'gateway POST /v1/dossier-events, batches of 500 (4 in flight)',
    runs.map((r) => r.gatewayBatch.perSecond.toFixed(0)),
  );
  line(
    'ratio batch gateway/raw',
    runs.map((r) => (r.gatewayBatch.perSecond / rawBatch.perSecond).toFixed(2)),
    '(goal ≥ 0.80)',
  );
  line('raw kafkajs producer, one event per send (64 in flight)', [rawSingle.perSecond.toFixed(0)]);
  line(
    'gateway, one event per request (64 connections)',
    runs.map((r) => r.gatewaySingle.perSecond.toFixed(0)),
    '(goal ≥ 3000)',
  );
  line(
    'ratio single gateway/raw',
    runs.map((r) => (r.gatewaySingle.perSecond / rawSingle.perSecond).toFixed(2)),
  );
  line(
    'waited first for in-process indicators, s (batch / single)',
    runs.map((r) =>
      Number.isNaN(r.waited.batch) ? '—' : `${r.waited.batch.toFixed(0)}/${r.waited.single.toFixed(0)}`,
    ),
  );
  line(
    'gateway resident memory, MiB (now / peak VmHWM)',
    runs.map((r) => `${r.memory.rssMb.toFixed(0)}/${r.memory.peakMb.toFixed(0)}`),
  );
  runs.forEach((run, i) => {
    const {
      rate,
      tickMs,
      delays,
      sent,
      answered,
      canonical,
      publishedCanonical,
      publishedMinistry,
      stackCpu,
    } = run.ministry;
    const spread = (values: number[]) =>
      `p50 ${percentile(values, 50).toFixed(1)} ms   p99 ${percentile(values, 99).toFixed(1)} ms   max ${Math.max(0, ...values).toFixed(1)} ms`;
    console.log(
      `\nevent time → ministry consumer at ${rate} events/s (a batch every ${tickMs} ms) for ${seconds} s (${delays.length}/${sent} received) on ${columns[i]}`,
    );
    console.log(`  ${spread(delays)}   (goal p99 ≤ 50 ms)`);
    console.log(`  of which: the gateway's 202          ${spread(answered)}`);
    console.log(`            published (record time)   ${spread(publishedCanonical)}`);
    console.log(`            on the canonical topic     ${spread(canonical)}`);
    console.log(`            ministry copy published    ${spread(publishedMinistry)}`);
    const ms = (value: number) => (Number.isNaN(value) ? '—' : `${value.toFixed(2)} ms`);
    console.log(
      `  CPU per event: gateway ${ms(stackCpu.gatewayMsPerEvent)}, relay ${ms(stackCpu.relaysMsPerEvent)}, ` +
        `broker ${ms(stackCpu.brokerMsPerEvent)}, PostgreSQL ${ms(stackCpu.databaseMsPerEvent)}, ` +
        `the whole machine ${ms(stackCpu.machineMsPerEvent)} (this process included); ` +
        `the machine was ${(100 * stackCpu.machineBusy).toFixed(0)}% busy over ${cpus().length} cores`,
    );
  });
  const figures = (run: typeof primary) => ({
    gatewayBatchPerSecond: run.gatewayBatch.perSecond,
    batchRatio: run.gatewayBatch.perSecond / rawBatch.perSecond,
    gatewaySinglePerSecond: run.gatewaySingle.perSecond,
    singleRatio: run.gatewaySingle.perSecond / rawSingle.perSecond,
    ministryDelayP50Ms: percentile(run.ministry.delays, 50),
    ministryDelayP99Ms: percentile(run.ministry.delays, 99),
    ministryGatewayCpuMsPerEvent: run.ministry.stackCpu.gatewayMsPerEvent,
    ministryRelaysCpuMsPerEvent: run.ministry.stackCpu.relaysMsPerEvent,
    ministryMachineCpuMsPerEvent: run.ministry.stackCpu.machineMsPerEvent,
    ministryMachineBusy: run.ministry.stackCpu.machineBusy,
    ministryReceived: run.ministry.delays.length,
    ministrySent: run.ministry.sent,
    gatewayRssMb: run.memory.rssMb,
    gatewayPeakRssMb: run.memory.peakMb,
  });
  env.record('ingest', {
    rawBatchPerSecond: rawBatch.perSecond,
    rawSinglePerSecond: rawSingle.perSecond,
    ...figures(primary),
    ...(embedded
      ? Object.fromEntries(Object.entries(figures(embedded)).map(([k, v]) => [`pglite_${k}`, v]))
      : {}),
  });
}

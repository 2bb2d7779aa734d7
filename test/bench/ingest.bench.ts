/**
 * `npm run bench -- ingest`: dossier-event ingest through the gateway against a raw kafkajs producer
 * sending the same messages with the same settings to the same broker, in one run, plus the delay from
 * event time to a ministry consumer at a fixed rate. Prints figures and ratios; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { createEvent, createKafkaClient, PRODUCER_SETTINGS, toKafkaMessage } from '@lienthong/messaging';
import { BenchEnvironment, percentile, RAW_TOPIC, runFor } from './bench-environment';

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

export async function ingestBench(env: BenchEnvironment): Promise<void> {
  const seconds = Number(process.env.LGSP_BENCH_SECONDS ?? 8);
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
  const kafka = createKafkaClient({ clientId: 'bench', brokers: [env.brokers] });

  // 1. Raw kafkajs: the messages the gateway publishes, same settings, same broker, same batch sizes.
  const raw = kafka.producer({ ...PRODUCER_SETTINGS });
  await raw.connect();
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

  // 2. Event time → ministry consumer at a fixed rate, with the relay routing (before the
  //    gateway throughput phases, so no backlog distorts it).
  const rate = Number(process.env.LGSP_BENCH_RATE ?? 1000);
  const ours = new Set<string>();
  const consumer = kafka.consumer({ groupId: `bench-ministry-${randomUUID()}` });
  const delays: number[] = [];
  const marker = `bench-${randomUUID()}`;
  let joined = false;
  consumer.onGroupJoin(() => (joined = true));
  await consumer.connect();
  await consumer.subscribe({ topics: [/^lgsp\.dossier\.status\.v1\.[a-z-]+$/], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString());
      // a ministry's copy carries no note unless granted: the bench's events are known by their ids
      if (ours.has(event.data.eventId)) delays.push(Date.now() - Date.parse(event.data.occurredAt));
    },
  });
  while (!joined) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  let sent = 0;
  const started = Date.now();
  const inflight: Promise<void>[] = [];
  for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
    // the one-stop system posts what it has every 10 ms as one batch
    inflight.push(
      post({
        events: Array.from({ length: perTick }, () => {
          const event = { ...freshEvent(new Date()), note: marker };
          ours.add(event.eventId);
          return event;
        }),
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
  await consumer.disconnect();

  await env.stopRelay();

  // 3. Through the gateway: HTTP, validation, status machine, PostgreSQL, publish before commit.
  const gatewayBatch = await runFor(seconds, concurrency, async () => {
    await post({ events: Array.from({ length: BATCH }, () => freshEvent()) });
    return BATCH;
  });
  const gatewaySingle = await runFor(seconds, 64, async () => {
    await post(freshEvent());
    return 1;
  });
  await pool.close();

  const line = (name: string, value: string, goal = '') =>
    console.log(`  ${name.padEnd(60)} ${value.padStart(8)}   ${goal}`);
  console.log(
    "\ningest (events/s; raw = kafkajs producer with the gateway's settings, same broker, same messages)",
  );
  line('raw kafkajs producer, batches of 500 (4 in flight)', rawBatch.perSecond.toFixed(0));
  line('gateway POST /v1/dossier-events, batches of 500 (4 in flight)', gatewayBatch.perSecond.toFixed(0));
  line('ratio batch gateway/raw', (gatewayBatch.perSecond / rawBatch.perSecond).toFixed(2), '(goal ≥ 0.80)');
  line('raw kafkajs producer, one event per send (64 in flight)', rawSingle.perSecond.toFixed(0));
  line(
    'gateway, one event per request (64 connections)',
    gatewaySingle.perSecond.toFixed(0),
    '(goal ≥ 3000)',
  );
  line('ratio single gateway/raw', (gatewaySingle.perSecond / rawSingle.perSecond).toFixed(2));
  console.log(
    `\nevent time → ministry consumer at ${rate} events/s (a batch every ${tickMs} ms) for ${seconds} s (${delays.length}/${sent} received)`,
  );
  console.log(
    `  p50 ${percentile(delays, 50).toFixed(1)} ms   p99 ${percentile(delays, 99).toFixed(1)} ms   max ${Math.max(0, ...delays).toFixed(1)} ms   (goal p99 ≤ 50 ms)`,
  );
  env.record('ingest', {
    rawBatchPerSecond: rawBatch.perSecond,
    gatewayBatchPerSecond: gatewayBatch.perSecond,
    batchRatio: gatewayBatch.perSecond / rawBatch.perSecond,
    rawSinglePerSecond: rawSingle.perSecond,
    gatewaySinglePerSecond: gatewaySingle.perSecond,
    singleRatio: gatewaySingle.perSecond / rawSingle.perSecond,
    ministryDelayP50Ms: percentile(delays, 50),
    ministryDelayP99Ms: percentile(delays, 99),
    ministryReceived: delays.length,
    ministrySent: sent,
  });
}

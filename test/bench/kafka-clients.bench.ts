/**
 * `npm run bench -- kafka-clients`: the Kafka client library behind the project's client port (kafkajs,
 * through createKafkaClient) against @platformatic/kafka used directly, in the same run, on the same
 * broker, with the same records (a dossier status CloudEvent, keys spread over dossiers), the same batch
 * size and the same number of sends in flight:
 * - producer throughput, idempotent with acks=all (the project's settings), and without idempotence at
 *   acks=1 (leader only);
 * - consumer throughput: a new consumer group reading a topic filled beforehand from the beginning;
 * - produce → consume latency at a fixed rate (each library producing and consuming its own records), with
 *   each library's auto-commit and without commits.
 * Prints the figures and writes var/bench/kafka-clients.json; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  createEvent,
  createKafkaClient,
  KafkaClient,
  PRODUCER_SETTINGS,
  toKafkaMessage,
} from '@lienthong/messaging';
import { BenchEnvironment, percentile, runFor } from './bench-environment';

const BATCH = 500;
const IN_FLIGHT = 4;
const PARTITIONS = 6;
const KEYS = 2000;

/** What the bench uses of @platformatic/kafka (an ES module, loaded with import()). */
interface PlatformaticRecord {
  key: Buffer;
  value: Buffer;
  headers: Map<Buffer, Buffer>;
  partition: number;
  offset: bigint;
}
interface PlatformaticStream extends AsyncIterable<PlatformaticRecord> {
  on(event: 'data', listener: (record: PlatformaticRecord) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  close(): Promise<void>;
}
interface PlatformaticKafka {
  Producer: new (options: Record<string, unknown>) => {
    send(request: {
      messages: { topic: string; key: Buffer; value: Buffer; headers: Map<Buffer, Buffer> }[];
      acks?: number;
    }): Promise<unknown>;
    close(): Promise<void>;
  };
  Consumer: new (options: Record<string, unknown>) => {
    consume(options: Record<string, unknown>): Promise<PlatformaticStream>;
    close(force?: boolean): Promise<void>;
  };
  compatibilityPartitioner: unknown;
}

// the project compiles to CommonJS, where `import()` would become `require()`
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

interface Sample {
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}

/** The records every run sends: one dossier status event's value, keyed by dossier. */
function samples(): Sample[] {
  return Array.from({ length: KEYS }, (_, n) => {
    const dossierCode = `000.10.10.H56-260101-${String(n + 1).padStart(4, '0')}`;
    const message = toKafkaMessage(
      createEvent({
        type: 'vn.lienthong.dossier.status.v1',
        source: '/bench',
        subject: dossierCode,
        data: {
          eventId: randomUUID(),
          dossierCode,
          agencyCode: '000.10.10.H56',
          procedureCode: '1.001193',
          status: 'SUBMITTED',
          occurredAt: new Date().toISOString(),
          channel: 'ONLINE',
          applicant: { kind: 'CITIZEN', personalId: '001090012345' },
        },
      }),
      dossierCode,
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
    return { key: Buffer.from(dossierCode), value: Buffer.from(String(message.value)), headers };
  });
}

const withDeadline = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/** A record's value with the time it was sent in its first 20 bytes (the rest is the sample). */
const stamped = (sample: Sample): Buffer => {
  const value = Buffer.from(sample.value);
  value.write(performance.now().toFixed(3).padStart(20, '0'), 0, 'latin1');
  return value;
};
const sentAt = (value: Buffer | null): number => Number(value?.toString('latin1', 0, 20) ?? NaN);

interface ClientUnderTest {
  name: string;
  /** Sends batches of `BATCH`, IN_FLIGHT at a time, for `seconds`: records/s, and sends that failed. */
  produce(
    topic: string,
    seconds: number,
    acks: 'all' | 'leader',
  ): Promise<{ perSecond: number; failed: number }>;
  /** Reads `count` records of `topic` from the beginning in a new group; records/s. */
  consume(topic: string, count: number): Promise<number>;
  /**
   * Produces `rate` records/s (a send every `tickMs`) for `seconds` while consuming them; delays in ms.
   * `commit`: the library's own auto-commit (kafkajs commits after every batch and waits for the broker
   * before fetching on; @platformatic/kafka commits after every fetch without waiting), or no commits.
   */
  latency(topic: string, rate: number, tickMs: number, seconds: number, commit: boolean): Promise<number[]>;
}

function kafkajsUnderTest(client: KafkaClient, records: Sample[]): ClientUnderTest {
  const batches = (n: number) => records.slice(n % (KEYS - BATCH), (n % (KEYS - BATCH)) + BATCH);
  return {
    name: 'kafkajs 2.2.4 (client port)',
    async produce(topic, seconds, acks) {
      const producer = client.producer(
        acks === 'all' ? PRODUCER_SETTINGS : { ...PRODUCER_SETTINGS, idempotent: false },
      );
      await producer.connect();
      let n = 0;
      let failed = 0;
      const result = await runFor(seconds, IN_FLIGHT, async () => {
        try {
          await producer.send({ topic, acks, messages: batches(n++) });
          return BATCH;
        } catch {
          failed += 1;
          return 0;
        }
      });
      await producer.disconnect();
      return { perSecond: result.perSecond, failed };
    },
    async consume(topic, count) {
      const consumer = client.consumer({ groupId: `bench-clients-${randomUUID()}` });
      let received = 0;
      let started = 0;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachMessage: async () => {
          if (received++ === 0) started = performance.now();
          if (received === count) done();
        },
      });
      await withDeadline(finished, 300_000, 'kafkajs consumer');
      const elapsed = (performance.now() - started) / 1000;
      await consumer.disconnect();
      return count / elapsed;
    },
    async latency(topic, rate, tickMs, seconds, commit) {
      const consumer = client.consumer({ groupId: `bench-clients-${randomUUID()}` });
      const delays: number[] = [];
      let measureFrom = Infinity;
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: commit,
        partitionsConsumedConcurrently: PARTITIONS,
        eachMessage: async ({ message }) => {
          const at = sentAt(message.value);
          if (at >= measureFrom) delays.push(performance.now() - at);
          else if (measureFrom === Infinity) measureFrom = performance.now(); // the group is reading
        },
      });
      const producer = client.producer(PRODUCER_SETTINGS);
      await producer.connect();
      const send = (batch: Sample[]) =>
        producer.send({
          topic,
          messages: batch.map((r) => ({ key: r.key, value: stamped(r), headers: r.headers })),
        });
      // warm up until the consumer reads, then measure
      while (measureFrom === Infinity) {
        await send(records.slice(0, 1));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const sent = await fixedRate(rate, tickMs, seconds, (batch) => send(batch), records);
      await waitUntil(() => delays.length >= sent, 10_000);
      await producer.disconnect();
      await consumer.disconnect();
      return delays;
    },
  };
}

function platformaticUnderTest(
  lib: PlatformaticKafka,
  brokers: string[],
  records: Sample[],
): ClientUnderTest {
  const toHeaders = (headers: Record<string, string>) =>
    new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
  const prepared = records.map((r) => ({ key: r.key, value: r.value, headers: toHeaders(r.headers) }));
  const batches = (topic: string, n: number) =>
    prepared.slice(n % (KEYS - BATCH), (n % (KEYS - BATCH)) + BATCH).map((r) => ({ topic, ...r }));
  const producer = (idempotent: boolean) =>
    new lib.Producer({
      clientId: 'bench-platformatic',
      bootstrapBrokers: brokers,
      idempotent,
      acks: idempotent ? -1 : 1,
      autocreateTopics: false,
      // murmur2 as the Java client and kafkajs's default partitioner place keys
      partitioner: lib.compatibilityPartitioner,
    });
  const consumer = () =>
    new lib.Consumer({
      clientId: 'bench-platformatic',
      bootstrapBrokers: brokers,
      groupId: `bench-clients-${randomUUID()}`,
    });
  return {
    name: '@platformatic/kafka 2.12.1',
    async produce(topic, seconds, acks) {
      const client = producer(acks === 'all');
      let n = 0;
      let failed = 0;
      const result = await runFor(seconds, IN_FLIGHT, async () => {
        try {
          await client.send({ messages: batches(topic, n++), acks: acks === 'all' ? -1 : 1 });
          return BATCH;
        } catch {
          failed += 1;
          return 0;
        }
      });
      await client.close();
      return { perSecond: result.perSecond, failed };
    },
    async consume(topic, count) {
      const client = consumer();
      const stream = await client.consume({ topics: [topic], mode: 'earliest', autocommit: true });
      let received = 0;
      let started = 0;
      const finished = new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('data', () => {
          if (received++ === 0) started = performance.now();
          if (received === count) resolve();
        });
      });
      await withDeadline(finished, 300_000, '@platformatic/kafka consumer');
      const elapsed = (performance.now() - started) / 1000;
      await stream.close();
      await client.close(true);
      return count / elapsed;
    },
    async latency(topic, rate, tickMs, seconds, commit) {
      const client = consumer();
      const stream = await client.consume({ topics: [topic], mode: 'earliest', autocommit: commit });
      const delays: number[] = [];
      let measureFrom = Infinity;
      stream.on('data', (record) => {
        const at = sentAt(record.value);
        if (at >= measureFrom) delays.push(performance.now() - at);
        else if (measureFrom === Infinity) measureFrom = performance.now();
      });
      const sender = producer(true);
      const send = (batch: Sample[]) =>
        sender.send({
          messages: batch.map((r) => ({
            topic,
            key: r.key,
            value: stamped(r),
            headers: toHeaders(r.headers),
          })),
        });
      while (measureFrom === Infinity) {
        await send(records.slice(0, 1));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const sent = await fixedRate(rate, tickMs, seconds, (batch) => send(batch), records);
      await waitUntil(() => delays.length >= sent, 10_000);
      await sender.close();
      await stream.close();
      await client.close(true);
      return delays;
    },
  };
}

/** Sends `rate` records/s as one send every `tickMs`, without waiting for earlier sends; returns how many. */
async function fixedRate(
  rate: number,
  tickMs: number,
  seconds: number,
  send: (batch: Sample[]) => Promise<unknown>,
  records: Sample[],
): Promise<number> {
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.round((seconds * 1000) / tickMs);
  const start = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let tick = 0; tick < ticks; tick++) {
    const wait = start + tick * tickMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = (tick * perTick) % (KEYS - perTick);
    inFlight.push(send(records.slice(from, from + perTick)));
  }
  await Promise.all(inFlight);
  return ticks * perTick;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check() && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * @platformatic/kafka 2.12.1 declares Node >= 22.22 and calls Promise.withResolvers (Node 22); the
 * project supports Node 20. For this measurement only, add the standard function where it is missing.
 */
function providePromiseWithResolvers(): void {
  const promise = Promise as unknown as Record<string, unknown>;
  if (typeof promise.withResolvers === 'function') return;
  promise.withResolvers = () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason?: unknown) => void;
    const created = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
}

export async function kafkaClientsBench(env: BenchEnvironment): Promise<void> {
  const seconds = Number(process.env.LGSP_BENCH_SECONDS ?? 8);
  const consumeCount = Number(process.env.LGSP_BENCH_CONSUME_RECORDS ?? 100_000);
  const rate = Number(process.env.LGSP_BENCH_LATENCY_RATE ?? 500);
  const tickMs = 20;
  const brokers = env.brokers.split(',');
  const client = createKafkaClient({ brokers, clientId: 'bench-clients' });
  const records = samples();
  providePromiseWithResolvers();
  const lib = (await importModule('@platformatic/kafka')) as PlatformaticKafka;
  const clients = [kafkajsUnderTest(client, records), platformaticUnderTest(lib, brokers, records)];

  const run = randomUUID().slice(0, 8);
  const topics: string[] = [];
  const admin = client.admin();
  await admin.connect();
  const topic = async (name: string) => {
    const full = `lgsp.bench.clients.${name}.${run}.v1`;
    await admin.createTopics({ topics: [{ topic: full, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    topics.push(full);
    return full;
  };

  const figures: Record<string, number> = {};
  const table: [string, ...string[]][] = [];
  try {
    for (const acks of ['all', 'leader'] as const) {
      const row: [string, ...string[]] = [
        acks === 'all' ? 'produce, idempotent, acks=all (records/s)' : 'produce, acks=1 (records/s)',
      ];
      for (const [index, under] of clients.entries()) {
        const { perSecond, failed } = await under.produce(
          await topic(`produce-${acks}-${index}`),
          seconds,
          acks,
        );
        const name = `${index ? 'platformatic' : 'kafkajs'}Produce${acks === 'all' ? 'AcksAll' : 'Acks1'}`;
        figures[name] = perSecond;
        figures[`${name}FailedSends`] = failed;
        row.push(`${perSecond.toFixed(0)}${failed ? ` (${failed} sends failed)` : ''}`);
      }
      table.push(row);
    }

    // one topic filled once, read by each client in its own new group
    const filled = await topic('consume');
    const filler = client.producer(PRODUCER_SETTINGS);
    for (let sent = 0; sent < consumeCount; sent += records.length) {
      await filler.send({ topic: filled, messages: records });
    }
    await filler.disconnect();
    const held = (await admin.fetchTopicOffsets(filled)).reduce((sum, p) => sum + Number(p.high), 0);
    const consumeRow: [string, ...string[]] = [`consume ${held} records, new group (records/s)`];
    for (const [index, under] of clients.entries()) {
      const perSecond = await under.consume(filled, held);
      figures[`${index ? 'platformatic' : 'kafkajs'}ConsumePerSecond`] = perSecond;
      consumeRow.push(perSecond.toFixed(0));
    }
    table.push(consumeRow);

    const at = `${rate}/s, a send every ${tickMs} ms`;
    for (const commit of [true, false]) {
      const how = commit ? 'auto-commit' : 'no commits';
      const p50: [string, ...string[]] = [`produce → consume at ${at}, ${how}, p50 (ms)`];
      const p99: [string, ...string[]] = [`produce → consume at ${at}, ${how}, p99 (ms)`];
      for (const [index, under] of clients.entries()) {
        const delays = await under.latency(
          await topic(`latency-${commit ? 'commit' : 'none'}-${index}`),
          rate,
          tickMs,
          seconds,
          commit,
        );
        const name = `${index ? 'platformatic' : 'kafkajs'}${commit ? '' : 'NoCommit'}`;
        figures[`${name}LatencyP50Ms`] = percentile(delays, 50);
        figures[`${name}LatencyP99Ms`] = percentile(delays, 99);
        figures[`${name}LatencyReceived`] = delays.length;
        p50.push(percentile(delays, 50).toFixed(1));
        p99.push(percentile(delays, 99).toFixed(1));
      }
      table.push(p50, p99);
    }
  } finally {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  }

  console.log(
    `\nkafka clients (same broker, same ${records[0].value.length}-byte records over ${KEYS} keys, ` +
      `batches of ${BATCH}, ${IN_FLIGHT} in flight, ${PARTITIONS} partitions, ${seconds} s per figure)`,
  );
  console.log(`  ${''.padEnd(60)} ${clients.map((c) => c.name.padStart(28)).join(' ')}`);
  for (const [label, ...values] of table) {
    console.log(`  ${label.padEnd(60)} ${values.map((v) => v.padStart(28)).join(' ')}`);
  }
  env.record('kafka-clients', figures);
}

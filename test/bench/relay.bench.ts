/**
 * `npm run bench -- relay`: how fast ministry routing keeps up, laid out two ways in the same run on the
 * same broker and database: the ministry-routing and indicators roles in one relay process
 * (RELAY_ROLES=ministry-routing,indicators), then each in a relay process of its own. Canonical dossier
 * events are produced straight to lgsp.dossier.status.v1 at a fixed rate (the gateway is not in the
 * path, so its ingest does not blur the figure), and the delay from each produce to a ministry consumer
 * receiving the copy is measured. The layouts alternate LGSP_BENCH_ROUNDS times (default 2) so a machine
 * whose load drifts during the run weighs on both alike. Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  createEvent,
  createKafkaClient,
  type KafkaClient,
  PRODUCER_SETTINGS,
  toKafkaMessage,
  Topic,
} from '@lienthong/messaging';
import { BenchEnvironment, caughtUp, percentile } from './bench-environment';

const PROCEDURES = ['1.001193', '1.004222', '2.001610', '1.005194'];
const LAYOUTS = {
  together: [['ministry-routing', 'indicators'].join(',')],
  separate: ['ministry-routing', 'indicators'],
} as const;
type Layout = keyof typeof LAYOUTS;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
function freshEvent() {
  const n = counter++;
  const agency = `000.${String(10 + (Math.floor(n / 9999) % 90))}.77.H${String(10 + (process.pid % 90))}`;
  return {
    eventId: randomUUID(),
    dossierCode: `${agency}-261201-${String((n % 9999) + 1).padStart(4, '0')}`,
    agencyCode: agency,
    procedureCode: PROCEDURES[n % PROCEDURES.length],
    status: 'SUBMITTED',
    occurredAt: new Date().toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

async function measure(env: BenchEnvironment, kafka: KafkaClient, layout: Layout, seconds: number) {
  const relays = await Promise.all(LAYOUTS[layout].map((roles) => env.launchRelay({ RELAY_ROLES: roles })));
  try {
    // whatever an earlier layout left behind is consumed before the clock starts
    for (const group of ['lienthong-relay-ministries', 'lienthong-relay-indicators'])
      await caughtUp(kafka, group);
    const sentAt = new Map<string, number>();
    const delays: number[] = [];
    const consumer = kafka.consumer({ groupId: `bench-relay-${randomUUID()}` });
    let joined = false;
    consumer.onGroupJoin(() => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topics: [/^lgsp\.dossier\.status\.v1\.[a-z-]+$/], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const id = JSON.parse(message.value!.toString()).id as string;
        const at = sentAt.get(id);
        if (at !== undefined) {
          delays.push(Date.now() - at);
          sentAt.delete(id);
        }
      },
    });
    while (!joined) await sleep(100);
    await sleep(2000);
    const producer = kafka.producer({ ...PRODUCER_SETTINGS });
    await producer.connect();
    const rate = Number(process.env.LGSP_BENCH_RATE ?? 1000);
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const started = Date.now();
    const inflight: Promise<unknown>[] = [];
    let sent = 0;
    for (let tick = 0; Date.now() - started < seconds * 1000; tick++) {
      const events = Array.from({ length: perTick }, freshEvent);
      const now = Date.now();
      for (const event of events) sentAt.set(event.eventId, now);
      inflight.push(
        producer.send({
          topic: Topic.DossierStatus,
          acks: 'all',
          messages: events.map((event) =>
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
          ),
        }),
      );
      sent += perTick;
      await sleep(Math.max(0, started + (tick + 1) * tickMs - Date.now()));
    }
    await Promise.all(inflight);
    await producer.disconnect();
    const deadline = Date.now() + 60_000;
    while (delays.length < sent && Date.now() < deadline) await sleep(100);
    await consumer.disconnect();
    return { layout, rate, sent, delays };
  } finally {
    for (const relay of relays) await relay.stop();
  }
}

export async function relayBench(env: BenchEnvironment): Promise<void> {
  if (env.databaseKind !== 'postgres') {
    console.log(
      '\nrelay: needs PostgreSQL (indicators in a process of their own share its database); skipped',
    );
    return;
  }
  const seconds = Number(process.env.LGSP_BENCH_SECONDS ?? 8);
  const rounds = Number(process.env.LGSP_BENCH_ROUNDS ?? 2);
  const kafka = createKafkaClient({ clientId: 'bench-relay', brokers: [env.brokers] });
  // the environment's own relay would share the groups measured here
  await env.stopRelay();
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const layout of Object.keys(LAYOUTS) as Layout[])
      runs.push(await measure(env, kafka, layout, seconds));
  }
  const rate = runs[0]?.rate;
  console.log(
    `\nrelay: produce to lgsp.dossier.status.v1 → ministry consumer, ${rate} events/s for ${seconds} s per run, ${rounds} round(s)`,
  );
  const line = (name: string, values: string[]) =>
    console.log(`  ${name.padEnd(58)} ${values.map((v) => v.padStart(10)).join(' ')}`);
  line('', ['p50 ms', 'p99 ms', 'max ms', 'received']);
  runs.forEach((run, i) =>
    line(`run ${i + 1}: ${run.layout}`, [
      percentile(run.delays, 50).toFixed(1),
      percentile(run.delays, 99).toFixed(1),
      Math.max(0, ...run.delays).toFixed(1),
      `${run.delays.length}/${run.sent}`,
    ]),
  );
  const figures: Record<string, number> = {};
  for (const layout of Object.keys(LAYOUTS) as Layout[]) {
    const mine = runs.filter((run) => run.layout === layout);
    const delays = mine.flatMap((run) => run.delays);
    const sent = mine.reduce((n, run) => n + run.sent, 0);
    const label =
      layout === 'together'
        ? 'all runs: ministry-routing + indicators in one process'
        : 'all runs: ministry-routing and indicators in two processes';
    line(label, [
      percentile(delays, 50).toFixed(1),
      percentile(delays, 99).toFixed(1),
      Math.max(0, ...delays).toFixed(1),
      `${delays.length}/${sent}`,
    ]);
    figures[`${layout}P50Ms`] = percentile(delays, 50);
    figures[`${layout}P99Ms`] = percentile(delays, 99);
    figures[`${layout}Received`] = delays.length;
    figures[`${layout}Sent`] = sent;
  }
  env.record('relay', figures);
}

import { EventEmitter } from 'node:events';
import { Kafka, KafkaJSNonRetriableError, KafkaJSProtocolError, Message } from 'kafkajs';
import { createLogger } from '@lienthong/observability';
import { EventProducer, ProduceError } from './event-producer.service';

/**
 * A kafkajs producer stand-in (behind the client port): `answers` says how each send it receives ends. The broker itself is
 * exercised by the e2e suites; this isolates what EventProducer does with a producer the broker
 * stopped accepting.
 */
class FakeProducer extends EventEmitter {
  readonly events = { DISCONNECT: 'producer.disconnect' } as const;
  readonly delivered: Message[] = [];
  /** The topics of each request received, in order (one entry per request). */
  readonly requests: string[][] = [];
  /** Holds every request until released, so later calls queue behind the one in flight. */
  gate: Promise<void> = Promise.resolve();
  /** Topics the broker refuses, as a broker does for a topic the principal may not write. */
  refused = new Set<string>();
  disconnected = false;
  constructor(private readonly answers: ('ok' | Error)[]) {
    super();
  }
  async connect() {}
  async disconnect() {
    this.disconnected = true;
  }
  async send({ topic, messages }: { topic: string; messages: Message[] }) {
    return this.sendBatch({ topicMessages: [{ topic, messages }] });
  }
  async sendBatch({ topicMessages }: { topicMessages: { topic: string; messages: Message[] }[] }) {
    this.requests.push(topicMessages.map((t) => t.topic));
    await this.gate;
    const answer = this.answers.shift() ?? 'ok';
    if (answer !== 'ok') throw answer;
    const refused = topicMessages.find((t) => this.refused.has(t.topic));
    if (refused) throw topicRefused(refused.topic);
    for (const t of topicMessages) this.delivered.push(...t.messages);
    return topicMessages.map((t) => ({ topicName: t.topic, partition: 0, baseOffset: '0' }));
  }
}

const topicRefused = (topic: string) =>
  new KafkaJSProtocolError({
    type: 'TOPIC_AUTHORIZATION_FAILED',
    code: 29,
    retriable: false,
    message: `Not authorized to access topics: [${topic}]`,
  } as never);

/** What kafkajs's retrier rejects with when the broker answers out of order sequence number. */
const outOfStep = () => {
  const cause = new KafkaJSProtocolError({
    type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    code: 45,
    retriable: false,
    message: 'The broker received an out of order sequence number',
  } as never);
  return Object.assign(new KafkaJSNonRetriableError(cause), { cause });
};

describe('EventProducer', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });
  let producers: FakeProducer[];
  let scripts: ('ok' | Error)[][];

  beforeEach(() => {
    producers = [];
    jest.spyOn(Kafka.prototype, 'producer').mockImplementation(() => {
      const producer = new FakeProducer(scripts.shift() ?? []);
      producers.push(producer);
      return producer as never;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  const create = () =>
    new EventProducer({
      brokers: ['127.0.0.1:1'],
      clientId: 'test',
      sendTimeoutMs: 2000,
      healthTimeoutMs: 1000,
      logger,
    });

  it('starts a new producer once the broker says the idempotent one is out of step, so later sends get through', async () => {
    // the first producer would keep failing forever, as kafkajs's does after such an answer
    scripts = [[outOfStep(), outOfStep(), outOfStep()], []];
    const producer = create();
    const failed = await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProduceError);
    expect((failed as ProduceError).code).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect((failed as ProduceError).kafkaUnavailable).toBe(true);

    await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]);
    await producer.send('lgsp.t.v1', [{ key: 'k', value: 'two' }]);
    expect(producers).toHaveLength(2);
    expect(producers[0].disconnected).toBe(true);
    expect(producers[1].delivered.map((m) => String(m.value))).toEqual(['one', 'two']);
  });

  it('keeps its producer through ordinary failures such as a lost connection', async () => {
    const lost = new Error('Connection error: connect ECONNREFUSED');
    lost.name = 'KafkaJSConnectionError';
    scripts = [[lost]];
    const producer = create();
    const failed = await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]).catch((e: unknown) => e);
    expect((failed as ProduceError).code).toBe('CONNECTION_ERROR');
    await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]);
    expect(producers).toHaveLength(1);
    expect(producers[0].delivered.map((m) => String(m.value))).toEqual(['one']);
  });

  /**
   * A producer whose first request (`a1` to lgsp.a.v1) is held in flight; `finishFirst` checks that nothing
   * sent meanwhile joined it, lets it complete and waits for it.
   */
  const withFirstRequestInFlight = async () => {
    scripts = [[]];
    const producer = create();
    let release!: () => void;
    producers[0].gate = new Promise<void>((resolve) => (release = resolve));
    const first = producer.send('lgsp.a.v1', [{ key: 'k', value: 'a1' }]);
    await new Promise((resolve) => setImmediate(resolve));
    const finishFirst = async () => {
      expect(producers[0].requests).toEqual([['lgsp.a.v1']]);
      release();
      await first;
    };
    return { producer, finishFirst };
  };

  it('sends calls of several topics that queue behind a request in flight together, each topic in call order', async () => {
    const { producer, finishFirst } = await withFirstRequestInFlight();
    const queued = [
      producer.send('lgsp.b.v1', [{ key: 'k', value: 'b1' }]),
      producer.send('lgsp.a.v1', [{ key: 'k', value: 'a2' }]),
      producer.send('lgsp.b.v1', [{ key: 'k', value: 'b2' }]),
      producer.send('lgsp.c.v1', [{ key: 'k', value: 'c1' }]),
    ];
    await finishFirst();
    const delivered = await Promise.all(queued);
    expect(producers[0].requests).toEqual([['lgsp.a.v1'], ['lgsp.b.v1', 'lgsp.a.v1', 'lgsp.c.v1']]);
    expect(producers[0].delivered.map((m) => String(m.value))).toEqual(['a1', 'b1', 'b2', 'a2', 'c1']);
    // each call hears of its own topic only
    expect(delivered.map((records) => records.map((r) => r.topic))).toEqual([
      ['lgsp.b.v1'],
      ['lgsp.a.v1'],
      ['lgsp.b.v1'],
      ['lgsp.c.v1'],
    ]);
  });

  it('does not let a topic the broker refuses hold up the other topics of the same request', async () => {
    const { producer, finishFirst } = await withFirstRequestInFlight();
    producers[0].refused.add('lgsp.forbidden.v1');
    const ok = producer.send('lgsp.b.v1', [{ key: 'k', value: 'b1' }]);
    const refused = producer
      .send('lgsp.forbidden.v1', [{ key: 'k', value: 'x' }])
      .catch((error: unknown) => error);
    await finishFirst();
    await expect(ok).resolves.toEqual([{ topic: 'lgsp.b.v1', partition: 0, baseOffset: '0' }]);
    const failure = (await refused) as ProduceError;
    expect(failure).toBeInstanceOf(ProduceError);
    expect(failure.code).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(failure.kafkaUnavailable).toBe(false);
    expect(producers[0].delivered.map((m) => String(m.value))).toEqual(['a1', 'b1']);
  });
});

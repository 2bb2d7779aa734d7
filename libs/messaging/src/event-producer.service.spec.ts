import { EventEmitter } from 'node:events';
import { Kafka, KafkaJSNonRetriableError, KafkaJSProtocolError, Message, ProducerConfig } from 'kafkajs';
import { createLogger } from '@lienthong/observability';
import { EventProducer, ProduceError } from './event-producer.service';

/**
 * What the broker wrote, and its idempotence check: a batch whose producer id and sequence numbers it has
 * already written is a repeat, answered with success and not written again.
 */
class FakeBroker {
  readonly log: string[] = [];
  readonly written = new Set<string>();
}

/** A written batch whose answer never reached the producer (a leader killed after it wrote, a timeout). */
const ANSWER_LOST = 'written, answer lost';
/**
 * What kafkajs 2.2 resolves with when a leader failed, its partitions moved to a leader that had already
 * answered for others, and its retry sent them nowhere: success, with no answer for them and nothing written.
 */
const PARTITION_SKIPPED = 'resolved without writing';
/**
 * The same after a retry that placed the records again over two partitions (kafkajs calls its partitioner
 * on every attempt): only the partition a record did not go to the first time answers.
 */
const SKIPPED_AFTER_RETRY = 'placed twice, resolved without writing';
type Answer = 'ok' | typeof ANSWER_LOST | typeof PARTITION_SKIPPED | typeof SKIPPED_AFTER_RETRY | Error;

/**
 * A kafkajs producer stand-in (behind the client port): `answers` says how each send it receives ends. The broker itself is
 * exercised by the e2e suites; this isolates what EventProducer does with a producer the broker
 * stopped accepting. Like kafkajs's, it moves its sequence numbers on only after a send succeeded.
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
  private sequence = 0;
  constructor(
    private readonly answers: Answer[],
    private readonly broker: FakeBroker,
    private readonly producerId: number,
    private readonly config: ProducerConfig,
  ) {
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
    if (answer instanceof Error) throw answer;
    const refused = topicMessages.find((t) => this.refused.has(t.topic));
    if (refused) throw topicRefused(refused.topic);
    // records placed as kafkajs places them: by the partitioner it was given (one partition here)
    const partitioner = this.config.createPartitioner?.();
    for (const { topic, messages } of topicMessages) {
      for (const message of messages) {
        partitioner?.({ topic, partitionMetadata: [ONE_PARTITION], message });
      }
    }
    if (answer === PARTITION_SKIPPED) return [];
    if (answer === SKIPPED_AFTER_RETRY) {
      const two = [ONE_PARTITION, { ...ONE_PARTITION, partitionId: 1 }];
      return topicMessages.flatMap(({ topic, messages }) =>
        messages.map((message) => {
          const first = partitioner!({ topic, partitionMetadata: two, message });
          partitioner!({ topic, partitionMetadata: two, message });
          return { topicName: topic, partition: 1 - first, baseOffset: '0' };
        }),
      );
    }
    const messages = topicMessages.flatMap((t) => t.messages);
    const batch = `${this.producerId}:${this.sequence}-${this.sequence + messages.length - 1}`;
    if (!this.broker.written.has(batch)) {
      this.broker.written.add(batch);
      this.broker.log.push(...messages.map((m) => String(m.value)));
      this.delivered.push(...messages);
    }
    if (answer === ANSWER_LOST) throw connectionLost();
    this.sequence += messages.length;
    return topicMessages.map((t) => ({ topicName: t.topic, partition: 0, baseOffset: '0' }));
  }
}

const ONE_PARTITION = { partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 };

const connectionLost = () =>
  Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError' });

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
  let scripts: Answer[][];
  let broker: FakeBroker;

  beforeEach(() => {
    producers = [];
    broker = new FakeBroker();
    jest.spyOn(Kafka.prototype, 'producer').mockImplementation((config) => {
      const producer = new FakeProducer(scripts.shift() ?? [], broker, producers.length, config ?? {});
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

  it('starts a new producer after a send whose answer was lost, so the broker does not take the next records for a repeat', async () => {
    // the broker wrote "one" but the answer never came; with the same producer, "two" would carry the same
    // sequence numbers and be answered as a repeat without being written
    scripts = [[ANSWER_LOST], []];
    const producer = create();
    const failed = await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]).catch((e: unknown) => e);
    expect((failed as ProduceError).code).toBe('CONNECTION_ERROR');
    await producer.send('lgsp.t.v1', [{ key: 'k', value: 'two' }]);
    expect(broker.log).toEqual(['one', 'two']);
    expect(producers[0].disconnected).toBe(true);
  });

  it('fails a send that kafkajs resolved without an answer for a partition of its records, and sends it again whole', async () => {
    scripts = [[PARTITION_SKIPPED], []];
    const producer = create();
    const failed = await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProduceError);
    expect((failed as ProduceError).code).toBe('PARTITION_UNANSWERED');
    // the caller (the outbox, the relay) keeps the records and sends them again
    expect((failed as ProduceError).kafkaUnavailable).toBe(true);
    expect(broker.log).toEqual([]);
    await producer.send('lgsp.t.v1', [{ key: 'k', value: 'one' }]);
    expect(broker.log).toEqual(['one']);
    expect(producers[0].disconnected).toBe(true);
  });

  it('keeps a keyless record on its partition across the retries of a send, so a skipped one is not taken for written', async () => {
    scripts = [[SKIPPED_AFTER_RETRY], []];
    const producer = create();
    const failed = await producer.send('lgsp.t.v1', [{ key: null, value: 'one' }]).catch((e: unknown) => e);
    expect((failed as ProduceError).code).toBe('PARTITION_UNANSWERED');
    await producer.send('lgsp.t.v1', [{ key: null, value: 'one' }]);
    expect(broker.log).toEqual(['one']);
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
    // nothing of a refused request was written: the producer's sequence numbers are still right
    expect(producers).toHaveLength(1);
  });
});

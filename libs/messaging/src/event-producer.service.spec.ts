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
  disconnected = false;
  constructor(private readonly answers: ('ok' | Error)[]) {
    super();
  }
  async connect() {}
  async disconnect() {
    this.disconnected = true;
  }
  async send({ messages }: { messages: Message[] }) {
    const answer = this.answers.shift() ?? 'ok';
    if (answer !== 'ok') throw answer;
    this.delivered.push(...messages);
    return [];
  }
}

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
});

/**
 * The messaging library against the real broker: a produce → consume round trip through the Nest
 * microservice transport, transient failures retried in order, and poison messages dead-lettered
 * while the messages behind them on the same partition are still consumed.
 */
import { randomUUID } from 'node:crypto';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  createEvent,
  DeadLetterHeader,
  EventProducer,
  KafkaAdmin,
  kafkaMicroserviceOptions,
  MessagingModule,
  PermanentError,
  ProduceError,
  ReliableConsumer,
  toKafkaMessage,
  Topic,
  createKafkaClient,
} from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';

const TEST_TOPIC = 'lgsp.test.roundtrip.v1';
const logger = createLogger({ name: 'test', level: 'silent' });
const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');

interface Payload {
  seq: number;
  fail?: 'transient-twice' | 'permanent';
}

const groupId = `test-roundtrip-${randomUUID()}`;
const received: number[] = [];
const attemptsBySeq = new Map<number, number>();

@Controller()
class RecordingConsumer {
  constructor(private readonly consumer: ReliableConsumer) {}

  @EventPattern(TEST_TOPIC)
  handle(@Ctx() context: KafkaContext): Promise<void> {
    return this.consumer.process<Payload>(context, { group: groupId }, async ({ event, attempt }) => {
      attemptsBySeq.set(event.data.seq, attempt);
      if (event.data.fail === 'permanent')
        throw new PermanentError('REJECTED_BY_TEST', 'the test rejects this one');
      if (event.data.fail === 'transient-twice' && attempt < 3) throw new Error('temporary failure');
      received.push(event.data.seq);
    });
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('messaging against the real broker', () => {
  const key = `000.00.00.H00-260101-${String(Math.floor(Math.random() * 9000) + 1000)}`;
  let microservice: INestMicroservice;
  let producer: EventProducer;

  beforeAll(async () => {
    const options = {
      brokers: brokers(),
      clientId: 'test',
      sendTimeoutMs: 10_000,
      healthTimeoutMs: 10_000,
      logger,
    };
    @Module({
      imports: [MessagingModule.forRoot(options, { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 })],
      controllers: [RecordingConsumer],
    })
    class TestModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    microservice = moduleRef.createNestMicroservice(
      kafkaMicroserviceOptions({ brokers: brokers(), clientId: 'test-consumer', groupId, logger }),
    );
    microservice.useLogger(false);
    producer = microservice.get(EventProducer);
    await microservice
      .get(KafkaAdmin)
      .ensureTopics({ partitions: 1, replicationFactor: 1 }, undefined, [TEST_TOPIC]);
    await microservice.init();
    await microservice.listen();
  });

  afterAll(async () => {
    await microservice?.close();
  });

  it('consumes every good message in order, retries transient failures and dead-letters poison without blocking the partition', async () => {
    const event = (seq: number, fail?: Payload['fail']) =>
      toKafkaMessage(
        createEvent<Payload>({
          type: 'vn.lienthong.test.v1',
          source: '/test',
          subject: key,
          data: { seq, fail },
        }),
        key,
      );
    await producer.send(TEST_TOPIC, [event(1), event(2), event(3, 'transient-twice'), event(4)]);
    await producer.send(TEST_TOPIC, [{ key, value: 'not json {' }]);
    await producer.send(TEST_TOPIC, [{ key, value: JSON.stringify({ hello: 'not an envelope' }) }]);
    await producer.send(TEST_TOPIC, [event(5, 'permanent'), event(6), event(7)]);

    await waitFor(() => received.length >= 6, 30_000, 'the good messages');
    expect(received).toEqual([1, 2, 3, 4, 6, 7]);
    expect(attemptsBySeq.get(3)).toBe(3);
    expect(attemptsBySeq.get(5)).toBe(1);

    const dead = await readDeadLetters(key, 3);
    expect(dead.map((d) => d.code)).toEqual(['INVALID_PAYLOAD', 'INVALID_PAYLOAD', 'REJECTED_BY_TEST']);
    expect(dead[0].value).toBe('not json {');
    expect(dead[0].reason).toMatch(/not JSON/);
    expect(dead[1].reason).toMatch(/CloudEvents/);
    expect(JSON.parse(dead[2].value).data).toEqual({ seq: 5, fail: 'permanent' });
    for (const letter of dead) {
      expect(letter.sourceTopic).toBe(TEST_TOPIC);
      expect(letter.group).toBe(groupId);
    }
    // source offsets point at the original records, in order
    const offsets = dead.map((d) => Number(d.sourceOffset));
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('rejects a send promptly when no broker can take it', async () => {
    const unreachable = new EventProducer({
      brokers: ['127.0.0.1:1'],
      clientId: 'test-unreachable',
      sendTimeoutMs: 1500,
      healthTimeoutMs: 1000,
      logger,
    });
    const started = Date.now();
    await expect(unreachable.send(Topic.DossierStatus, [{ key: 'k', value: '{}' }])).rejects.toBeInstanceOf(
      ProduceError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await unreachable.onApplicationShutdown();
  });
});

async function readDeadLetters(key: string, count: number) {
  const kafka = createKafkaClient({ clientId: 'test-dlq-reader', brokers: brokers() });
  const consumer = kafka.consumer({ groupId: `test-dlq-${randomUUID()}` });
  const letters: {
    code: string;
    reason: string;
    value: string;
    sourceTopic: string;
    sourceOffset: string;
    group: string;
  }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [Topic.DeadLetter], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== key) return;
      const header = (name: string) => message.headers?.[name]?.toString() ?? '';
      letters.push({
        code: header(DeadLetterHeader.Code),
        reason: header(DeadLetterHeader.Reason),
        value: message.value?.toString() ?? '',
        sourceTopic: header(DeadLetterHeader.SourceTopic),
        sourceOffset: header(DeadLetterHeader.SourceOffset),
        group: header(DeadLetterHeader.ConsumerGroup),
      });
    },
  });
  await waitFor(() => letters.length >= count, 30_000, 'dead letters');
  await consumer.disconnect();
  return letters;
}

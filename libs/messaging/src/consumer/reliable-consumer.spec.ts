import { KafkaRetriableException } from '@nestjs/microservices';
import type { Message } from 'kafkajs';
import { createLogger } from '@lienthong/observability';
import { createEvent, toKafkaMessage } from '../envelope';
import { EventProducer, ProduceError } from '../event-producer.service';
import { DeadLetterHeader, DeadLetterPublisher } from './dead-letter.publisher';
import { IncomingRecord, ReliableConsumer } from './reliable-consumer';

/** Stands in for the producer behind the dead-letter topic: keeps what it was given. */
class RecordingProducer {
  readonly sent: { topic: string; messages: Message[] }[] = [];
  async send(topic: string, messages: Message[]) {
    this.sent.push({ topic, messages });
    return [];
  }
}

function setup(maxAttempts = 3) {
  const producer = new RecordingProducer();
  const consumer = new ReliableConsumer(
    { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
    {
      brokers: [],
      clientId: 'test',
      sendTimeoutMs: 1,
      healthTimeoutMs: 1,
      logger: createLogger({ name: 'test', level: 'silent' }),
    },
    new DeadLetterPublisher(producer as unknown as EventProducer),
  );
  const message = toKafkaMessage(
    createEvent({ type: 'vn.lienthong.test.v1', source: '/test', data: { n: 1 } }),
    'key-1',
  );
  const record: IncomingRecord = {
    topic: 'lgsp.test.v1',
    partition: 0,
    offset: '42',
    key: 'key-1',
    value: message.value as Buffer,
    headers: {},
    heartbeat: async () => undefined,
  };
  const deadLetterCodes = () =>
    producer.sent.flatMap((call) => call.messages.map((m) => String(m.headers?.[DeadLetterHeader.Code])));
  return { consumer, record, deadLetterCodes };
}

const unavailable = () => new ProduceError('lgsp.out.v1', 'TIMEOUT', 'no acknowledgement within 3000 ms');

describe('ReliableConsumer', () => {
  it('keeps retrying while Kafka cannot take the output, far beyond maxAttempts, and never dead-letters', async () => {
    const { consumer, record, deadLetterCodes } = setup(3);
    const handled: number[] = [];
    await consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      if (attempt <= 8) throw unavailable();
      handled.push(attempt);
    });
    expect(handled).toEqual([9]);
    expect(deadLetterCodes()).toEqual([]);
  });

  it('keeps retrying while the database cannot be reached, beyond maxAttempts, and never dead-letters', async () => {
    const { consumer, record, deadLetterCodes } = setup(3);
    const handled: number[] = [];
    await consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      if (attempt <= 2)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      if (attempt <= 6) throw new Error('Connection terminated unexpectedly');
      handled.push(attempt);
    });
    expect(handled).toEqual([7]);
    expect(deadLetterCodes()).toEqual([]);
  });

  it('still dead-letters after maxAttempts when the handler itself keeps failing', async () => {
    const { consumer, record, deadLetterCodes } = setup(3);
    const attempts: number[] = [];
    await consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      attempts.push(attempt);
      throw new Error('upstream said no');
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(deadLetterCodes()).toEqual(['RETRIES_EXHAUSTED']);
  });

  it('counts only the handler’s own failures when they alternate with Kafka outages', async () => {
    const { consumer, record, deadLetterCodes } = setup(3);
    const attempts: number[] = [];
    await consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      attempts.push(attempt);
      throw attempt % 2 ? unavailable() : new Error('upstream said no');
    });
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
    expect(deadLetterCodes()).toEqual(['RETRIES_EXHAUSTED']);
  });

  it('dead-letters records Kafka refuses for what they are (too large) like any other failure', async () => {
    const { consumer, record, deadLetterCodes } = setup(2);
    const attempts: number[] = [];
    await consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      attempts.push(attempt);
      throw new ProduceError('lgsp.out.v1', 'MESSAGE_TOO_LARGE', 'too large');
    });
    expect(attempts).toEqual([1, 2]);
    expect(deadLetterCodes()).toEqual(['RETRIES_EXHAUSTED']);
  });

  it('leaves the offset uncommitted when the process shuts down while waiting for Kafka', async () => {
    const { consumer, record, deadLetterCodes } = setup(3);
    const handled = consumer.process(record, { group: 'g' }, async ({ attempt }) => {
      if (attempt === 2) consumer.beforeApplicationShutdown();
      throw unavailable();
    });
    await expect(handled).rejects.toBeInstanceOf(KafkaRetriableException);
    expect(deadLetterCodes()).toEqual([]);
  });
});

describe('ProduceError.kafkaUnavailable', () => {
  it.each([
    ['TIMEOUT', true],
    ['KafkaJSConnectionError', true],
    ['NOT_LEADER_FOR_PARTITION', true],
    ['KafkaJSNumberOfRetriesExceeded', true],
    ['MESSAGE_TOO_LARGE', false],
    ['INVALID_RECORD', false],
    ['CLOSED', false],
  ])('%s → %s', (code, expected) => {
    expect(new ProduceError('t', code, 'm').kafkaUnavailable).toBe(expected);
  });
});

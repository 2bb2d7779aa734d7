/**
 * A handler that takes longer than its group's session timeout (a portal call waiting out its own timeout,
 * say) keeps its member in the group: the record is handled once, not handed to a new member and handled
 * again. kafkajs heartbeats only between records, so without the consumer's own heartbeats during the work
 * the broker drops the member after the session timeout.
 */
import { randomUUID } from 'node:crypto';
import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { EventProducer } from '@lienthong/messaging';
import { waitFor } from '../support/http';
import { startKeyedConsumer } from '../support/keyed-consumer';

const TOPIC = `lgsp.test.long-${randomUUID().slice(0, 8)}.v1`;
/** The brokers' least session timeout (group.min.session.timeout.ms). */
const SESSION_TIMEOUT_MS = 6000;

/** Each handling of a record, by its name, in order. */
const handled: string[] = [];

@Controller()
class SlowConsumer {
  @EventPattern(TOPIC)
  async handle(@Ctx() context: KafkaContext): Promise<void> {
    const { name } = JSON.parse(String(context.getMessage().value)) as { name: string };
    if (name === 'long') await new Promise((resolve) => setTimeout(resolve, SESSION_TIMEOUT_MS * 1.5));
    handled.push(name);
  }
}

describe('a handler longer than the session timeout', () => {
  let microservice: INestMicroservice;

  beforeAll(async () => {
    microservice = await startKeyedConsumer({
      controller: SlowConsumer,
      topic: TOPIC,
      clientId: 'test-long',
      groupId: `test-long-${randomUUID()}`,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
  });

  afterAll(async () => {
    await microservice?.close();
  });

  it('handles the record once and keeps the partition', async () => {
    const producer = microservice.get(EventProducer);
    await producer.send(TOPIC, [{ key: 'a', value: JSON.stringify({ name: 'long' }) }]);
    await waitFor(() => handled.includes('long'), 60_000, 'the long record to be handled');
    // a record sent after it, on the same partition: once it is handled, a second delivery of the long
    // one (after a rebalance) would have come before it
    await producer.send(TOPIC, [{ key: 'a', value: JSON.stringify({ name: 'after' }) }]);
    await waitFor(() => handled.includes('after'), 60_000, 'the next record to be handled');
    expect(handled).toEqual(['long', 'after']);
  }, 120_000);
});

/**
 * KeyedBatchServerKafka against the real broker: on a single partition, a slow key does not hold up
 * the others, each key's records are handled in offset order, and a record whose handler fails is
 * fetched again with everything after it, so none is skipped. Offsets are committed on an interval,
 * not per batch: the group's position still reaches the end once the topic goes quiet.
 */
import { randomUUID } from 'node:crypto';
import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, KafkaRetriableException } from '@nestjs/microservices';
import { EventProducer, KafkaAdmin } from '@lienthong/messaging';
import { waitFor } from '../support/http';
import { startKeyedConsumer } from '../support/keyed-consumer';

const TOPIC = `lgsp.test.keyed-${randomUUID().slice(0, 8)}.v1`;

/** `key:seq` in the order handlers finished. */
const finished: string[] = [];
let failuresLeft = 1;

@Controller()
class KeyedConsumer {
  @EventPattern(TOPIC)
  async handle(@Ctx() context: KafkaContext): Promise<void> {
    const { key, seq } = JSON.parse(String(context.getMessage().value)) as { key: string; seq: number };
    if (key === 'slow') await new Promise((resolve) => setTimeout(resolve, 400));
    if (key === 'flaky' && seq === 3 && failuresLeft > 0) {
      failuresLeft--;
      throw new KafkaRetriableException('test: the first attempt at flaky:3 fails');
    }
    finished.push(`${key}:${seq}`);
  }
}

describe('KeyedBatchServerKafka', () => {
  let microservice: INestMicroservice;
  const groupId = `test-keyed-${randomUUID()}`;

  beforeAll(async () => {
    microservice = await startKeyedConsumer({
      controller: KeyedConsumer,
      topic: TOPIC,
      clientId: 'test-keyed',
      groupId,
    });
  });

  afterAll(async () => {
    await microservice?.close();
  });

  it('keeps each key in order on one partition, lets fast keys pass a slow one, and skips nothing after a failure', async () => {
    const keys = ['slow', 'fast', 'flaky'];
    const messages = [1, 2, 3, 4, 5].flatMap((seq) =>
      keys.map((key) => ({ key, value: JSON.stringify({ key, seq }) })),
    );
    // one request: all fifteen records land in the single partition, interleaved by key
    await microservice.get(EventProducer).send(TOPIC, messages);

    await waitFor(() => keys.every((key) => finished.includes(`${key}:5`)), 60_000, 'every key to finish');
    for (const key of keys) {
      const firstSeen = [...new Set(finished.filter((entry) => entry.startsWith(`${key}:`)))];
      expect(firstSeen).toEqual([1, 2, 3, 4, 5].map((seq) => `${key}:${seq}`));
    }
    // per partition, one record at a time, fast:5 would wait behind slow:1 to slow:4 (1.6 s)
    expect(finished.indexOf('fast:5')).toBeLessThan(finished.indexOf('slow:2'));
    expect(failuresLeft).toBe(0);
  }, 90_000);

  it('commits every handled record once the topic is quiet, with no further record to carry the commit', async () => {
    // kafkajs commits only while it handles batches; here the last batch has long been handled
    const lags = await waitFor(
      async () => {
        const lag = await microservice.get(KafkaAdmin).consumerLag(groupId, [TOPIC]);
        return lag.length > 0 && lag.every((partition) => partition.lag === 0) ? lag : undefined;
      },
      15_000,
      'the group to have committed all fifteen records',
    );
    expect(lags).toEqual([{ topic: TOPIC, partition: 0, lag: 0 }]);
  }, 30_000);
});

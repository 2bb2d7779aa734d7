/**
 * KeyedBatchServerKafka with a concurrency bound, against the real broker: records of many keys on one
 * partition are handled at most `concurrency` at a time, yet side by side up to that bound, and each
 * key's records still in offset order (as portal sync runs with PORTAL_SYNC_CONCURRENCY).
 */
import { randomUUID } from 'node:crypto';
import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { EventProducer } from '@lienthong/messaging';
import { waitFor } from '../support/http';
import { startKeyedConsumer } from '../support/keyed-consumer';

const TOPIC = `lgsp.test.keyed-bound-${randomUUID().slice(0, 8)}.v1`;
const CONCURRENCY = 3;
const KEYS = Array.from({ length: 12 }, (_, i) => `dossier-${i}`);

/** `key:seq` in the order handlers finished. */
const finished: string[] = [];
let running = 0;
let mostAtOnce = 0;

@Controller()
class BoundedConsumer {
  @EventPattern(TOPIC)
  async handle(@Ctx() context: KafkaContext): Promise<void> {
    const { key, seq } = JSON.parse(String(context.getMessage().value)) as { key: string; seq: number };
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise((resolve) => setTimeout(resolve, 30));
    running--;
    finished.push(`${key}:${seq}`);
  }
}

describe('KeyedBatchServerKafka with a concurrency bound', () => {
  let microservice: INestMicroservice;

  beforeAll(async () => {
    microservice = await startKeyedConsumer({
      controller: BoundedConsumer,
      topic: TOPIC,
      clientId: 'test-keyed-bound',
      groupId: `test-keyed-bound-${randomUUID()}`,
      concurrency: CONCURRENCY,
    });
  });

  afterAll(async () => {
    await microservice?.close();
  });

  it('handles at most the bound at once, up to the bound side by side, each key in order', async () => {
    const messages = [1, 2, 3, 4].flatMap((seq) =>
      KEYS.map((key) => ({ key, value: JSON.stringify({ key, seq }) })),
    );
    await microservice.get(EventProducer).send(TOPIC, messages);

    await waitFor(() => finished.length >= messages.length, 60_000, 'every record to be handled');
    expect(mostAtOnce).toBe(CONCURRENCY);
    for (const key of KEYS) {
      expect(finished.filter((entry) => entry.startsWith(`${key}:`))).toEqual(
        [1, 2, 3, 4].map((seq) => `${key}:${seq}`),
      );
    }
  }, 90_000);
});

import { randomUUID } from 'node:crypto';
import { createKafkaClient, type ConsumerPort, type ReceivedMessage } from '@lienthong/messaging';

/**
 * A test's consumer of some topics from the beginning, returned once it has joined its group and got its
 * partitions. On a broker under load the group coordinator can take longer to answer than the client's own
 * retries last, and the client then gives up for good ("Failed to find group coordinator", not
 * restarting): such a consumer is dropped and a new one started, until the deadline. A suite that waits for
 * records after this waits for the records, not for a consumer that will never read them.
 */
export async function joinedConsumer(options: {
  brokers: string[];
  topics: string[];
  /** Names the client and prefixes its group id (a fresh group each attempt). */
  name: string;
  onMessage: (message: ReceivedMessage, topic: string) => Promise<void> | void;
  timeoutMs?: number;
}): Promise<ConsumerPort> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const crashes: string[] = [];
  for (;;) {
    const consumer = createKafkaClient({ clientId: options.name, brokers: options.brokers }).consumer({
      groupId: `${options.name}-${randomUUID()}`,
    });
    const outcome = new Promise<'joined' | 'gave-up'>((resolve) => {
      consumer.onGroupJoin(() => resolve('joined'));
      consumer.onCrash((crash) => {
        crashes.push(crash.error.message);
        if (!crash.restarting) resolve('gave-up');
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ topic, message }) => options.onMessage(message, topic) });
    const left = deadline - Date.now();
    const result = await Promise.race([
      outcome,
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(left, 0)).unref()),
    ]);
    if (result === 'joined') return consumer;
    await consumer.disconnect().catch(() => undefined);
    if (result === 'late' || Date.now() >= deadline) {
      throw new Error(
        `the ${options.name} consumer did not join its group in ${timeoutMs} ms (${crashes.join('; ') || 'no crash'})`,
      );
    }
  }
}

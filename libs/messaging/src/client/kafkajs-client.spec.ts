/**
 * The client port's kafkajs implementation against the suite's real broker: admin calls, producing and
 * consuming through the port, and failures reported as the project's error codes.
 */
import { randomUUID } from 'node:crypto';
import { createKafkaClient, KafkaClientError } from '.';
import type { ConsumerPort, EachMessagePayload, KafkaClient } from '.';

const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');

async function waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('the kafkajs Kafka client', () => {
  let client: KafkaClient;
  const topic = `lgsp.test.client-port.${randomUUID()}.v1`;

  beforeAll(() => {
    client = createKafkaClient({ brokers: brokers(), clientId: 'test-client-port' });
  });

  it('creates a topic and describes it and the cluster', async () => {
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 3,
            replicationFactor: 1,
            configEntries: [{ name: 'retention.ms', value: '3600000' }],
          },
        ],
        waitForLeaders: true,
      });
      expect(await admin.listTopics()).toContain(topic);
      const [metadata] = await admin.fetchTopicMetadata([topic]);
      expect(metadata.name).toBe(topic);
      expect(metadata.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(metadata.partitions.every((p) => p.leader >= 0 && p.isr.includes(p.leader))).toBe(true);
      const cluster = await admin.describeCluster();
      expect(cluster.clusterId).toEqual(expect.any(String));
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(await admin.fetchTopicOffsets(topic)).toEqual(
        [0, 1, 2].map((partition) => ({ partition, low: '0', high: '0' })),
      );
    } finally {
      await admin.disconnect();
    }
  });

  it('delivers what a producer sends to a consumer group, key order and headers kept, and commits it', async () => {
    const producer = client.producer();
    const keys = ['dossier-a', 'dossier-b', 'dossier-c'];
    const delivered = await producer.send({
      topic,
      messages: keys.flatMap((key) =>
        [1, 2, 3].map((seq) => ({ key, value: `${key}:${seq}`, headers: { 'x-seq': String(seq) } })),
      ),
    });
    await producer.disconnect();
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    expect(delivered.every((d) => d.topic === topic && d.baseOffset !== undefined)).toBe(true);

    const groupId = `test-client-port-${randomUUID()}`;
    const consumer: ConsumerPort = client.consumer({ groupId, maxWaitTimeMs: 200 });
    const received: EachMessagePayload[] = [];
    let joined = false;
    consumer.onGroupJoin(() => (joined = true));
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async (payload) => void received.push(payload) });
      await waitFor(() => (received.length >= 9 ? true : undefined), 30_000, 'nine records');
      expect(joined).toBe(true);
      for (const key of keys) {
        const values = received
          .filter((r) => r.message.key?.toString() === key)
          .map((r) => r.message.value?.toString());
        expect(values).toEqual([1, 2, 3].map((seq) => `${key}:${seq}`));
      }
      const first = received.find((r) => r.message.value?.toString() === 'dossier-a:2')!;
      expect(first.topic).toBe(topic);
      expect(first.message.headers['x-seq']?.toString()).toBe('2');
      expect(Number(first.message.timestamp)).toBeGreaterThan(Date.now() - 120_000);
    } finally {
      await consumer.disconnect();
    }
    const admin = client.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(9);
      const [committed] = await admin.fetchCommittedOffsets(groupId, [topic]);
      const byPartition = new Map(committed.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends) {
        expect(byPartition.get(end.partition)).toBe(Number(end.high) > 0 ? end.high : '-1');
      }
    } finally {
      await admin.disconnect();
    }
  });

  it("reports failures as the project's error codes", async () => {
    const strict = createKafkaClient({
      brokers: brokers(),
      clientId: 'test-client-port',
      retry: { retries: 0 },
    });
    const producer = strict.producer({ idempotent: false, retry: { retries: 0 } });
    const missing = await failureOf(
      producer.send({ topic: `lgsp.test.missing.${randomUUID()}.v1`, messages: [{ value: 'x' }] }),
    );
    await producer.disconnect();
    expect(missing).toBeInstanceOf(KafkaClientError);
    expect((missing as KafkaClientError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');

    // the suite's broker runs no authorizer
    const admin = strict.admin();
    await admin.connect();
    const acls = await failureOf(admin.describeAcls());
    await admin.disconnect();
    expect((acls as KafkaClientError).code).toBe('SECURITY_DISABLED');

    const nowhere = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 'test-client-port',
      connectionTimeoutMs: 500,
      retry: { retries: 0 },
    }).admin();
    const unreachable = await failureOf(nowhere.connect());
    expect(unreachable).toBeInstanceOf(KafkaClientError);
    expect((unreachable as KafkaClientError).code).toBe('CONNECTION_ERROR');
    expect((unreachable as KafkaClientError).retriable).toBe(true);
  });
});

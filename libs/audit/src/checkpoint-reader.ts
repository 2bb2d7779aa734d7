import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { AuditCheckpoint } from '@lienthong/contracts';
import { Topic } from '@lienthong/messaging';
import { parseCheckpoint } from './audit-checkpoint';
import { AuditError } from './audit.errors';

/**
 * The newest checkpoint published on lgsp.audit.checkpoint.v1: the last record of each partition (one
 * signing key per partition), the one with the highest seq first. Reads with a throw-away consumer group
 * that commits nothing. An empty or missing topic gives an empty list.
 */
export async function readPublishedCheckpoints(
  kafka: Kafka,
  options: { timeoutMs?: number } = {},
): Promise<AuditCheckpoint[]> {
  const topic = Topic.AuditCheckpoint;
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) return [];
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const lastOffsets = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1]),
  );
  if (lastOffsets.size === 0) return [];
  const found: AuditCheckpoint[] = [];
  const consumer = kafka.consumer({ groupId: `lienthong-audit-checkpoint-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const pending = new Set(lastOffsets.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AuditError(`reading ${topic} timed out`)),
        options.timeoutMs ?? 30_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const last = lastOffsets.get(partition);
            if (last === undefined || Number(message.offset) < last || !pending.has(partition)) return;
            pending.delete(partition);
            const envelope = JSON.parse(message.value?.toString('utf8') ?? 'null') as {
              data?: unknown;
            } | null;
            found.push(
              parseCheckpoint(envelope?.data, `the checkpoint at ${topic}/${partition}@${message.offset}`),
            );
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const [partition, offset] of lastOffsets) {
            consumer.seek({ topic, partition, offset: String(offset) });
          }
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new AuditError(String(error)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return found.sort((a, b) => (BigInt(b.seq) > BigInt(a.seq) ? 1 : BigInt(b.seq) < BigInt(a.seq) ? -1 : 0));
}

import { randomUUID } from 'node:crypto';
import type { AuditCheckpoint } from '@lienthong/contracts';
import { Topic, type KafkaClient } from '@lienthong/messaging';
import { parseCheckpoint } from './audit-checkpoint';
import { AuditError } from './audit.errors';

/** Records read from the end of each partition: several signing keys may share one. */
const TAIL = 200;

/**
 * The newest checkpoint of each signing key published on lgsp.audit.checkpoint.v1, highest seq first.
 * Reads the last records of each partition with a throw-away consumer group that commits nothing. An
 * empty or missing topic gives an empty list.
 */
export async function readPublishedCheckpoints(
  kafka: KafkaClient,
  options: { timeoutMs?: number } = {},
): Promise<AuditCheckpoint[]> {
  const topic = Topic.AuditCheckpoint;
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const windows = new Map(
    ends
      .filter((p) => Number(p.high) > Number(p.low))
      .map((p) => [
        p.partition,
        { from: Math.max(Number(p.low), Number(p.high) - TAIL), last: Number(p.high) - 1 },
      ]),
  );
  if (windows.size === 0) return [];
  const newest = new Map<string, AuditCheckpoint>();
  const consumer = kafka.consumer({ groupId: `lienthong-audit-checkpoint-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const pending = new Set(windows.keys());
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AuditError(`reading ${topic} timed out`)),
        options.timeoutMs ?? 30_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const window = windows.get(partition);
            const offset = Number(message.offset);
            if (!window || offset < window.from || !pending.has(partition)) return;
            const envelope = JSON.parse(message.value?.toString('utf8') ?? 'null') as {
              data?: unknown;
            } | null;
            const checkpoint = parseCheckpoint(
              envelope?.data,
              `the checkpoint at ${topic}/${partition}@${message.offset}`,
            );
            const known = newest.get(checkpoint.keyId);
            if (!known || BigInt(checkpoint.seq) >= BigInt(known.seq))
              newest.set(checkpoint.keyId, checkpoint);
            if (offset >= window.last) pending.delete(partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const [partition, window] of windows) {
            consumer.seek({ topic, partition, offset: String(window.from) });
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
  return [...newest.values()].sort((a, b) =>
    BigInt(b.seq) > BigInt(a.seq) ? 1 : BigInt(b.seq) < BigInt(a.seq) ? -1 : 0,
  );
}

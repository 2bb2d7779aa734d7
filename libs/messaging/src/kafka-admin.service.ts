import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { AclEntry, AdminPort as Admin, NewTopic } from './client';
import { aclKey } from './acl-plan';
import { kafkaErrorCode } from './client';
import { EventProducer } from './event-producer.service';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { TopicDefinition, TOPICS } from './topics';

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface ClusterInfo {
  clusterId: string;
  brokers: number;
  controller: number | null;
}

/** Cluster checks and topic management, each bounded by a timeout so callers never hang on a dead broker. */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private admin?: Admin;

  constructor(
    private readonly producer: EventProducer,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  private async client(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.producer.client.admin({ retry: { retries: 0 } });
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async run<T>(
    what: string,
    fn: (admin: Admin) => Promise<T>,
    timeoutMs = this.options.healthTimeoutMs,
  ): Promise<T> {
    try {
      return await withTimeout(
        this.client().then((admin) => fn(admin)),
        timeoutMs,
        what,
      );
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  describeCluster(): Promise<ClusterInfo> {
    return this.run('Kafka describeCluster', async (admin) => {
      const cluster = await admin.describeCluster();
      return {
        clusterId: cluster.clusterId,
        brokers: cluster.brokers.length,
        controller: cluster.controller,
      };
    });
  }

  /**
   * Creates the registry topics that do not exist yet; returns the names it created. With
   * `minInsyncReplicas` each is created with that `min.insync.replicas` (otherwise the brokers' default).
   */
  ensureTopics(
    settings: { partitions: number; replicationFactor: number; minInsyncReplicas?: number },
    definitions: readonly TopicDefinition[] = TOPICS,
    extra: readonly string[] = [],
  ): Promise<string[]> {
    const minIsr =
      settings.minInsyncReplicas === undefined
        ? []
        : [{ name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) }];
    return this.run(
      'Kafka topic creation',
      async (admin) => {
        const existing = new Set(await admin.listTopics());
        const wanted: NewTopic[] = [
          ...definitions.map((topic) => ({
            topic: topic.name,
            configEntries: [{ name: 'retention.ms', value: String(topic.retentionMs) }, ...minIsr],
          })),
          ...extra.map((topic) => ({ topic, configEntries: minIsr })),
        ]
          .filter((topic) => !existing.has(topic.topic))
          .map((topic) => ({
            ...topic,
            numPartitions: settings.partitions,
            replicationFactor: settings.replicationFactor,
          }));
        if (!wanted.length) return [];
        const names = wanted.map((topic) => topic.topic);
        await admin.createTopics({ topics: wanted, waitForLeaders: true });
        // a consumer subscribing right after creation fails the same way: return once they are served
        await waitForLeaders(admin, names);
        return names;
      },
      30_000,
    );
  }

  /**
   * Creates the ACLs of `wanted` the cluster does not hold yet and returns them (none on a second run);
   * `undefined` when the cluster has no authorizer, where ACLs mean nothing.
   */
  ensureAcls(wanted: readonly AclEntry[]): Promise<AclEntry[] | undefined> {
    return this.run(
      'Kafka ACL creation',
      async (admin) => {
        let existing: Set<string>;
        try {
          existing = new Set((await admin.describeAcls()).map(aclKey));
        } catch (error) {
          if (kafkaErrorCode(error) === 'SECURITY_DISABLED') return undefined;
          throw error;
        }
        const missing = wanted.filter(
          (entry, index) =>
            !existing.has(aclKey(entry)) &&
            wanted.findIndex((other) => aclKey(other) === aclKey(entry)) === index,
        );
        if (missing.length) await admin.createAcls(missing);
        return missing;
      },
      30_000,
    );
  }

  /** Lag per partition of a consumer group: high watermark minus committed offset. */
  consumerLag(
    groupId: string,
    topics: string[],
  ): Promise<{ topic: string; partition: number; lag: number }[]> {
    return this.run('Kafka consumer lag', async (admin) => {
      const lags: { topic: string; partition: number; lag: number }[] = [];
      const committed = await admin.fetchCommittedOffsets(groupId, topics);
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const low = Number(end.low);
          const from = Number(offset) < 0 ? low : Number(offset);
          lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
        }
      }
      return lags;
    });
  }

  /** Number of records currently held by a topic (sum over partitions of high − low). */
  topicDepth(topic: string): Promise<number> {
    return this.run('Kafka topic offsets', async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }
}

/** Polls metadata until every partition of `topics` has a leader. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const metadata = await admin.fetchTopicMetadata(topics).catch(() => undefined);
    const ready =
      metadata?.length === topics.length &&
      metadata.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0));
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
}

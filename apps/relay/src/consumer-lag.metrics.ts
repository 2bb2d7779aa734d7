import { KafkaAdmin, Topic } from '@lienthong/messaging';
import { gauge } from '@lienthong/observability';

/**
 * Consumer lag and dead-letter depth, read from the broker when /metrics is scraped (bounded by the
 * admin timeout, so a scrape during an outage returns the other metrics instead of hanging).
 */
export class ConsumerLagMetrics {
  constructor(admin: KafkaAdmin, groups: { groupId: string; topics: string[] }[]) {
    gauge({
      name: 'lgsp_consumer_lag',
      help: 'Records not yet consumed by the group, per topic and partition',
      labelNames: ['group', 'topic', 'partition'] as const,
      async collect() {
        this.reset();
        for (const { groupId, topics } of groups) {
          try {
            for (const { topic, partition, lag } of await admin.consumerLag(groupId, topics)) {
              this.set({ group: groupId, topic, partition: String(partition) }, lag);
            }
          } catch {
            // broker unreachable: readiness reports it; the gauge stays empty
          }
        }
      },
    });
    gauge({
      name: 'lgsp_dead_letter_depth',
      help: 'Records held by the dead-letter topic',
      async collect() {
        try {
          this.set(await admin.topicDepth(Topic.DeadLetter));
        } catch {
          this.reset();
        }
      },
    });
  }
}

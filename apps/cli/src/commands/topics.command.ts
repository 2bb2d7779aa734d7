import { Command } from 'commander';
import { ConfigError, loadEnv } from '@lienthong/config';
import { initTopics, TOPICS } from '@lienthong/messaging';
import { operatorAudit } from './operator-audit';

export function topicsCommand(): Command {
  const topics = new Command('topics').description('Kafka topics of the registry');

  topics
    .command('init')
    .description(
      'create every registry topic and ministry topic (from PROCEDURES_FILE) that does not exist yet (idempotent)',
    )
    .option('--partitions <n>', 'partitions per topic (default KAFKA_PARTITIONS)', (v) => Number(v))
    .option('--replication-factor <n>', 'replication factor (default KAFKA_REPLICATION_FACTOR)', (v) =>
      Number(v),
    )
    .option('--operator <name>', 'who runs it, as recorded in the audit log (default: the OS user)')
    .action(async (options: { partitions?: number; replicationFactor?: number; operator?: string }) => {
      const env = loadEnv([
        'KAFKA_BROKERS',
        'KAFKA_PARTITIONS',
        'KAFKA_REPLICATION_FACTOR',
        'PROCEDURES_FILE',
      ]);
      if (!env.KAFKA_BROKERS)
        throw new ConfigError('KAFKA_BROKERS is required (local broker: KAFKA_BROKERS=127.0.0.1:9092).');
      const audit = operatorAudit(options.operator);
      const { created, all } = await initTopics({
        brokers: env.KAFKA_BROKERS,
        partitions: options.partitions ?? env.KAFKA_PARTITIONS,
        replicationFactor: options.replicationFactor ?? env.KAFKA_REPLICATION_FACTOR,
        proceduresFile: env.PROCEDURES_FILE,
      });
      for (const topic of all) {
        console.log(`${created.includes(topic) ? 'created ' : 'exists  '} ${topic}`);
      }
      // one record per topic created; nothing changed, nothing recorded
      await audit.record(created.map(() => ({ service: 'topics.init', upstream: 'gateway', outcome: 'OK' })));
    });

  topics
    .command('list')
    .description('print the topic registry: name, key, data contract, retention')
    .action(() => {
      for (const topic of TOPICS) {
        const days = topic.retentionMs < 0 ? 'forever' : `${Math.round(topic.retentionMs / 86_400_000)}d`;
        console.log(
          `${topic.name}\tkey=${topic.key}\tdata=${topic.dataSchema}\tretention=${days}\t${topic.description}`,
        );
      }
    });

  return topics;
}

import { Command } from 'commander';
import { ConfigError, loadEnv } from '@lienthong/config';
import { initTopics, kafkaSecurityFromEnv, kafkaServicePrincipals, TOPICS } from '@lienthong/messaging';
import { ClientRegistry, inboundProducers } from '@lienthong/security';
import { operatorAudit } from './operator-audit';

export function topicsCommand(): Command {
  const topics = new Command('topics').description('Kafka topics of the registry');

  topics
    .command('init')
    .description(
      'create every registry topic, ministry topic (from PROCEDURES_FILE) and inbound topic of a producing client (from CLIENTS_FILE) that does not exist yet and, when the cluster runs an authorizer, grant the ACLs of docs/security/kafka.md (idempotent)',
    )
    .option('--partitions <n>', 'partitions per topic (default KAFKA_PARTITIONS)', (v) => Number(v))
    .option('--replication-factor <n>', 'replication factor (default KAFKA_REPLICATION_FACTOR)', (v) =>
      Number(v),
    )
    .option(
      '--min-insync-replicas <n>',
      "min.insync.replicas of the topics it creates (default KAFKA_MIN_INSYNC_REPLICAS, else the brokers' default)",
      (v) => Number(v),
    )
    .option('--operator <name>', 'who runs it, as recorded in the audit log (default: the OS user)')
    .action(
      async (options: {
        partitions?: number;
        replicationFactor?: number;
        minInsyncReplicas?: number;
        operator?: string;
      }) => {
        const env = loadEnv([
          'KAFKA_BROKERS',
          'KAFKA_PARTITIONS',
          'KAFKA_REPLICATION_FACTOR',
          'KAFKA_MIN_INSYNC_REPLICAS',
          'PROCEDURES_FILE',
          'CLIENTS_FILE',
        ]);
        if (!env.KAFKA_BROKERS)
          throw new ConfigError('KAFKA_BROKERS is required (local broker: KAFKA_BROKERS=127.0.0.1:9092).');
        const audit = operatorAudit(options.operator);
        const { created, all, granted } = await initTopics({
          brokers: env.KAFKA_BROKERS,
          partitions: options.partitions ?? env.KAFKA_PARTITIONS,
          replicationFactor: options.replicationFactor ?? env.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: options.minInsyncReplicas ?? env.KAFKA_MIN_INSYNC_REPLICAS,
          proceduresFile: env.PROCEDURES_FILE,
          security: kafkaSecurityFromEnv('admin'),
          producers: inboundProducers(ClientRegistry.load(env.CLIENTS_FILE)),
          services: kafkaServicePrincipals(),
        });
        for (const topic of all) {
          console.log(`${created.includes(topic) ? 'created ' : 'exists  '} ${topic}`);
        }
        if (granted === undefined) console.log('no authorizer on the cluster: no ACLs granted');
        else {
          for (const acl of granted) console.log(`granted  ${acl}`);
          if (!granted.length) console.log('ACLs already granted');
        }
        // one record per topic created and per ACL granted; nothing changed, nothing recorded
        await audit.record([
          ...created.map(() => ({ service: 'topics.init', upstream: 'gateway', outcome: 'OK' }) as const),
          ...(granted ?? []).map(
            () => ({ service: 'topics.grant', upstream: 'gateway', outcome: 'OK' }) as const,
          ),
        ]);
      },
    );

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

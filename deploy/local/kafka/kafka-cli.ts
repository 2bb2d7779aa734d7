/**
 * `npm run kafka:local`: runs the local KRaft broker (or, with KAFKA_LOCAL_BROKERS=3, a cluster of three)
 * in the foreground until Ctrl-C.
 * Environment: KAFKA_LOCAL_PORT (default 9092), KAFKA_LOCAL_BROKERS (default 1), KAFKA_LOCAL_DATA_DIR (default ./var/kafka),
 * LGSP_CACHE_DIR (jar cache, default ~/.cache/lienthong), KAFKA_LOCAL_SASL (SASL/SCRAM and ACLs; the
 * passwords are kept in var/secrets/).
 */
import { relative, resolve } from 'node:path';
import { loadEnv, repoRoot } from '@lienthong/config';
import { LocalKafkaCluster, LocalKafkaError } from './local-kafka';
import { localKafkaPasswordFile, localKafkaSasl, localKafkaUsers } from './local-users';

async function main(): Promise<void> {
  const env = loadEnv([
    'KAFKA_LOCAL_PORT',
    'KAFKA_LOCAL_BROKERS',
    'KAFKA_LOCAL_DATA_DIR',
    'KAFKA_LOCAL_SASL',
  ]);
  const users = env.KAFKA_LOCAL_SASL ? localKafkaUsers() : undefined;
  const kafka = new LocalKafkaCluster({
    nodes: env.KAFKA_LOCAL_BROKERS,
    port: env.KAFKA_LOCAL_PORT,
    dataDir: resolve(repoRoot(), env.KAFKA_LOCAL_DATA_DIR),
    log: (line) => console.log(`[kafka] ${line}`),
    sasl: users && localKafkaSasl(users),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[kafka] ${signal}: stopping`);
    await kafka.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('exit', () => kafka.killNow());
  await kafka.start();
  console.log(`[kafka] KAFKA_BROKERS=${kafka.brokers}   (Ctrl-C to stop)`);
  if (kafka.nodes.length > 1) {
    const { factor, minInsyncReplicas } = kafka.replication;
    console.log(
      `[kafka] ${kafka.nodes.length} brokers; topics: KAFKA_REPLICATION_FACTOR=${factor} KAFKA_MIN_INSYNC_REPLICAS=${minInsyncReplicas} lienthong topics init`,
    );
  }
  if (users) {
    const file = (user: string) => relative(process.cwd(), localKafkaPasswordFile(user));
    console.log(
      `[kafka] SASL/SCRAM + ACLs. Topics and ACLs: KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT KAFKA_ADMIN_USERNAME=admin KAFKA_ADMIN_PASSWORD_FILE=${file('admin')} lienthong topics init`,
    );
    console.log(
      `[kafka] apps: KAFKA_GATEWAY_PASSWORD_FILE=${file(users.gateway.username)} KAFKA_RELAY_PASSWORD_FILE=${file(users.relay.username)} KAFKA_CLI_PASSWORD_FILE=${file(users.cli.username)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof LocalKafkaError ? `[kafka] ${error.message}` : error);
  process.exit(1);
});

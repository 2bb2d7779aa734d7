/**
 * `npm run kafka:local`: runs the local single-node KRaft broker in the foreground until Ctrl-C.
 * Environment: KAFKA_LOCAL_PORT (default 9092), KAFKA_LOCAL_DATA_DIR (default ./var/kafka),
 * LGSP_CACHE_DIR (jar cache, default ~/.cache/lienthong).
 */
import { resolve } from 'node:path';
import { repoRoot } from '@lienthong/config';
import { LocalKafka, LocalKafkaError } from './local-kafka';

async function main(): Promise<void> {
  const kafka = new LocalKafka({
    port: Number(process.env.KAFKA_LOCAL_PORT ?? 9092),
    dataDir: resolve(repoRoot(), process.env.KAFKA_LOCAL_DATA_DIR ?? 'var/kafka'),
    log: (line) => console.log(`[kafka] ${line}`),
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
}

main().catch((error: unknown) => {
  console.error(error instanceof LocalKafkaError ? `[kafka] ${error.message}` : error);
  process.exit(1);
});

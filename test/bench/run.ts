/**
 * `npm run bench [-- <name> ...]`: benchmarks with their baselines measured in the same run.
 * Available: ingest, lookups, kafka-clients, relay, chains. Results are printed and written to var/bench/<name>.json.
 */
import 'reflect-metadata';
import { startBenchEnvironment } from './bench-environment';
import { ingestBench } from './ingest.bench';
import { kafkaClientsBench } from './kafka-clients.bench';
import { lookupsBench } from './lookups.bench';
import { relayBench } from './relay.bench';
import { chainsBench } from './chains.bench';

const BENCHES: Record<string, typeof ingestBench> = {
  ingest: ingestBench,
  lookups: lookupsBench,
  'kafka-clients': kafkaClientsBench,
  relay: relayBench,
  chains: chainsBench,
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES);
  const unknown = names.filter((name) => !BENCHES[name]);
  if (unknown.length) {
    console.error(
      `unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(BENCHES).join(', ')}`,
    );
    process.exit(2);
  }
  const env = await startBenchEnvironment();
  console.log(`bench: broker ${env.brokers}, database ${env.databaseKind}, gateway ${env.gatewayUrl}`);
  try {
    for (const name of names) await BENCHES[name](env);
  } finally {
    await env.close();
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

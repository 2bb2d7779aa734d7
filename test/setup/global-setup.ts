/**
 * Starts the real infrastructure the suites run against, once per `npm test`:
 * - Kafka: KAFKA_BROKERS when set, otherwise the local KRaft broker on free ports with a throw-away
 *   data directory (stopped in global teardown; its watchdog stops it if jest itself is killed);
 * - PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else a fresh database created on the local
 *   server (LGSP_TEST_POSTGRES_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres) and
 *   dropped afterwards.
 * LGSP_TEST_INFRA=none skips both (for running pure unit specs alone, and for `npm run chaos`, whose
 * suite starts a cluster and creates databases of its own).
 * Every log line of the run is also captured (LGSP_LOG_CAPTURE_FILE, inherited by the processes the suites
 * spawn) and global teardown fails the run if one holds a personal ID in clear.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, LocalKafka } from '../../deploy/local/kafka/local-kafka';
import { createDatabaseOn } from '../support/database';

export interface TestInfra {
  kafka?: LocalKafka;
  createdDatabase?: { adminUrl: string; name: string };
}

declare global {
  var __LGSP_TEST_INFRA__: TestInfra | undefined;
  /** The log capture file this run created (global teardown scans and then removes it). */
  var __LGSP_LOG_CAPTURE__: string | undefined;
}

export default async function globalSetup(): Promise<void> {
  startLogCapture();
  if (process.env.LGSP_TEST_INFRA === 'none') return;
  const infra: TestInfra = {};
  globalThis.__LGSP_TEST_INFRA__ = infra;

  if (!process.env.TEST_DATABASE_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    } else {
      const adminUrl =
        process.env.LGSP_TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      const created = await createDatabaseOn(adminUrl, 'test');
      infra.createdDatabase = { adminUrl, name: created.name };
      process.env.TEST_DATABASE_URL = created.url;
    }
  }

  if (!process.env.KAFKA_BROKERS) {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const kafka = new LocalKafka({
      port,
      controllerPort,
      dataDir: mkdtempSync(join(tmpdir(), 'lienthong-test-kafka-')),
      heapMb: 768,
    });
    await kafka.start();
    infra.kafka = kafka;
    process.env.KAFKA_BROKERS = kafka.brokers;
    process.env.LGSP_TEST_KAFKA_DATA_DIR = kafka.dataDir;
  }
}

function startLogCapture(): void {
  if (process.env.LGSP_LOG_CAPTURE_FILE) return;
  const dir = resolve(__dirname, '../../var/test-logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `jest-${Date.now()}-${process.pid}.jsonl`);
  writeFileSync(file, '');
  process.env.LGSP_LOG_CAPTURE_FILE = file;
  globalThis.__LGSP_LOG_CAPTURE__ = file;
}

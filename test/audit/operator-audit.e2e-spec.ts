/**
 * Operator commands that change state leave an audit record naming who ran them: `lienthong dlq replay`
 * against the real broker, audited in a PostgreSQL database of its own.
 */
import { loadMigrations, migrate, createDatabase, type Database } from '@lienthong/storage';
import { verifyChain } from '@lienthong/audit';
import { createKafkaClient, DeadLetterHeader, EventProducer, Topic } from '@lienthong/messaging';
import { EXAMPLE_SUBJECT_KEY } from '../../libs/audit/src/testing/audit-fixtures';
import { silentLogger } from '../../libs/audit/src/testing/audit-test-db';
import { dlqCommand } from '../../apps/cli/src/commands/dlq.command';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';

describe('operator actions in the audit log', () => {
  let isolated: IsolatedDatabase;
  let db: Database;
  let producer: EventProducer;
  const saved = { ...process.env };

  beforeAll(async () => {
    isolated = await createIsolatedDatabase('operator_audit');
    db = await createDatabase({ url: isolated.url, applicationName: 'test' });
    await migrate(db, {
      migrations: loadMigrations(),
      logger: { log: () => undefined, warn: () => undefined },
    });
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
    const admin = createKafkaClient({ clientId: 'operator-audit-test', brokers }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [Topic.DeadLetter, Topic.DossierStatusRetry].map((topic) => ({ topic, numPartitions: 1 })),
    });
    await admin.disconnect();
    producer = new EventProducer({
      brokers,
      clientId: 'operator-audit-test',
      sendTimeoutMs: 10_000,
      healthTimeoutMs: 10_000,
      logger: silentLogger,
    });
    process.env.DATABASE_URL = isolated.url;
    process.env.AUDIT_SUBJECT_KEY = EXAMPLE_SUBJECT_KEY;
  });

  afterAll(async () => {
    process.env = saved;
    await producer?.onApplicationShutdown();
    await db?.close();
    await isolated?.drop();
  });

  it('a dead-letter replay is recorded with the operator as client id, and the chain verifies', async () => {
    const [sent] = await producer.send(Topic.DeadLetter, [
      {
        key: '000.17.22.H56-261031-0099',
        value: Buffer.from('{}'),
        headers: {
          [DeadLetterHeader.Code]: 'PORTAL_REJECTED',
          [DeadLetterHeader.Reason]: 'rejected for the test',
          [DeadLetterHeader.SourceTopic]: Topic.DossierStatus,
          [DeadLetterHeader.ConsumerGroup]: 'lienthong-operator-audit-test',
          [DeadLetterHeader.FailedAt]: new Date().toISOString(),
          [DeadLetterHeader.Attempts]: '1',
          [DeadLetterHeader.ReplayTopic]: Topic.DossierStatusRetry,
          // no consumer group of that name: nothing acts on the replayed copy
          [DeadLetterHeader.ReplayGroup]: 'lienthong-operator-audit-test',
        },
      },
    ]);
    const id = `${sent.partition}-${sent.baseOffset}`;
    const command = dlqCommand();
    for (const sub of [command, ...command.commands]) sub.exitOverride();
    await command.parseAsync(['replay', '--id', id, '--operator', 'Lê Thị Mai'], { from: 'user' });

    const rows = await db.query<Record<string, unknown>>(
      'SELECT client_id, service, upstream, subject_kind, outcome, outcome_code FROM audit_record ORDER BY seq',
    );
    expect(rows).toEqual([
      {
        client_id: 'le-thi-mai',
        service: 'dlq.replay',
        upstream: 'dead-letters',
        subject_kind: 'NONE',
        outcome: 'OK',
        outcome_code: 'PORTAL_REJECTED',
      },
    ]);
    expect((await verifyChain(db)).ok).toBe(true);
  });
});

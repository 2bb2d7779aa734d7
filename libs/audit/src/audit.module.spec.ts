import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Injectable, Module, type BeforeApplicationShutdown } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { OutgoingMessage } from '@lienthong/messaging';
import { EventProducer, Topic } from '@lienthong/messaging';
import { StorageModule, createDatabase, type Database } from '@lienthong/storage';
import { AuditLog } from './audit-log.service';
import { KafkaAuditPublisher, NoopAuditPublisher } from './audit-publisher';
import { AUDIT_PUBLISHER, AuditModule, createAuditLog } from './audit.module';
import { verifyChain } from './chain-verifier';
import { EXAMPLE_SUBJECT_KEY, RecordingPublisher, lookupEntry } from './testing/audit-fixtures';
import { migrateForAudit, silentLogger } from './testing/audit-test-db';

class FakeProducer {
  readonly messages: OutgoingMessage[] = [];
  async send(topic: string, messages: OutgoingMessage[]): Promise<unknown[]> {
    expect(topic).toBe(Topic.AuditLookup);
    this.messages.push(...messages);
    return [];
  }
}

const producer = new FakeProducer();

@Global()
@Module({ providers: [{ provide: EventProducer, useValue: producer }], exports: [EventProducer] })
class FakeMessagingModule {}

/** A request the HTTP server finishes after the audit log's first shutdown flush. */
@Injectable()
class LateRequest implements BeforeApplicationShutdown {
  constructor(private readonly audit: AuditLog) {}
  beforeApplicationShutdown(): void {
    void this.audit.record(lookupEntry(99, { requestId: 'req-late' }));
  }
}

@Module({ providers: [LateRequest] })
class LateRequestModule {}

describe('AuditModule', () => {
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lt-audit-module-'));
    const db = await createDatabase({ pgliteDir: dir });
    await migrateForAudit(db);
    await db.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function reopen<T>(run: (db: Database) => Promise<T>): Promise<T> {
    const db = await createDatabase({ pgliteDir: dir });
    try {
      return await run(db);
    } finally {
      await db.close();
    }
  }

  it('provides AuditLog, publishes through the EventProducer, and writes every queued record at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        LateRequestModule,
        StorageModule.forRoot({ pgliteDir: dir }),
        FakeMessagingModule,
        AuditModule.forRoot({
          subjectKey: EXAMPLE_SUBJECT_KEY,
          batchSize: 1000,
          flushIntervalMs: 60_000,
          logger: silentLogger,
        }),
      ],
    }).compile();
    await moduleRef.init();
    const log = moduleRef.get(AuditLog);
    expect(moduleRef.get(AUDIT_PUBLISHER)).toBeInstanceOf(KafkaAuditPublisher);
    for (let index = 0; index < 5; index += 1) void log.record(lookupEntry(index));
    expect(log.queueDepth).toBe(5);

    await moduleRef.close();

    const rows = await reopen((db) =>
      db.query<{ request_id: string }>('SELECT request_id FROM audit_record ORDER BY seq'),
    );
    expect(rows.map((row) => row.request_id)).toEqual([
      'req-test-0',
      'req-test-1',
      'req-test-2',
      'req-test-3',
      'req-test-4',
      'req-late',
    ]);
    expect(await reopen((db) => verifyChain(db))).toEqual(expect.objectContaining({ ok: true, checked: 6 }));
    expect(producer.messages.map((message) => message.key)).toEqual(rows.map((row) => row.request_id));
    expect(() => log.record(lookupEntry(100))).toThrow(/closed/);
  });

  it('builds from forRootAsync, and publishes nowhere without a producer or when told not to', async () => {
    const recording = new RecordingPublisher();
    for (const [options, expected] of [
      [{ publisher: false as const }, NoopAuditPublisher],
      [{}, NoopAuditPublisher],
      [{ publisher: recording }, RecordingPublisher],
    ] as const) {
      const moduleRef = await Test.createTestingModule({
        imports: [
          StorageModule.forRoot({ pgliteDir: dir }),
          AuditModule.forRootAsync({
            useFactory: () => ({ subjectKey: EXAMPLE_SUBJECT_KEY, logger: silentLogger, ...options }),
          }),
        ],
      }).compile();
      await moduleRef.init();
      expect(moduleRef.get(AUDIT_PUBLISHER)).toBeInstanceOf(expected);
      await moduleRef.get(AuditLog).recordAndWait(lookupEntry(1));
      await moduleRef.close();
    }
    expect(recording.records).toHaveLength(1);
  });

  it('fails at start when the signing key cannot be read', () => {
    expect(() =>
      createAuditLog({} as Database, new NoopAuditPublisher(), {
        subjectKey: EXAMPLE_SUBJECT_KEY,
        signingKeyPath: join(dir, 'missing.pem'),
        logger: silentLogger,
      }),
    ).toThrow(/cannot read the audit signing key/);
  });
});

/**
 * Tampering with the audit log on PostgreSQL, detected by `lienthong audit verify` (online, comparing
 * with the checkpoint published on the real broker) and by `verify --offline` of an export (comparing with
 * a checkpoint saved from Kafka before the tampering). Each case names the first bad position.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import type { AuditRecord } from '@lienthong/contracts';
import { AuditLog, AuditSigner, KafkaAuditPublisher, computeRecordHash, readRecords } from '@lienthong/audit';
import { EXAMPLE_SUBJECT_KEY, lookupEntry } from '../../libs/audit/src/testing/audit-fixtures';
import {
  auditTestDrivers,
  silentLogger,
  tamper,
  type AuditTestDb,
} from '../../libs/audit/src/testing/audit-test-db';
import { createKafkaClient, EventProducer, Topic } from '@lienthong/messaging';
import type { Database } from '@lienthong/storage';
import { auditCommand, type AuditCommandIo } from '../../apps/cli/src/commands/audit.command';

const RECORDS = 20;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('audit log tampering on PostgreSQL', () => {
  const [, harness] = auditTestDrivers().find(([kind]) => kind === 'postgres') ?? [];
  let t: AuditTestDb;
  let dir: string;
  let producer: EventProducer;
  let env: NodeJS.ProcessEnv;
  let out: string;

  beforeAll(async () => {
    if (!harness) throw new Error('the tamper suite needs PostgreSQL (TEST_DATABASE_URL)');
    await harness.setup();
    dir = mkdtempSync(join(tmpdir(), 'lt-audit-tamper-'));
    writeFileSync(join(dir, 'signer.key'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
    const admin = createKafkaClient({ clientId: 'audit-tamper-test', brokers }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: Topic.AuditCheckpoint, numPartitions: 1 }] });
    await admin.disconnect();
    producer = new EventProducer({
      brokers,
      clientId: 'audit-tamper-test',
      sendTimeoutMs: 10_000,
      healthTimeoutMs: 10_000,
      logger: silentLogger,
    });
    env = {
      AUDIT_SUBJECT_KEY: EXAMPLE_SUBJECT_KEY,
      AUDIT_SIGNING_KEY_PATH: join(dir, 'signer.key'),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    };
  });

  afterAll(async () => {
    await producer?.onApplicationShutdown();
    await harness?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    t = await harness!.open();
    out = '';
  });
  afterEach(async () => {
    await t.dispose();
  });

  /** The test's database, which the command may "close" as often as it likes. */
  function handle(db: Database): Database {
    return new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'close') return async () => undefined;
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async function cli(args: string[]): Promise<void> {
    const io: Partial<AuditCommandIo> = {
      stdin: Readable.from([]),
      out: (text) => (out += text),
      err: () => undefined,
      env,
      openDatabase: async () => handle(t.db),
    };
    const command: Command = auditCommand(io);
    for (const sub of [command, ...command.commands]) {
      sub.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: (text) => (out += text) });
    }
    await command.parseAsync(args, { from: 'user' });
  }

  /** Runs verify, expecting it to fail; returns what it printed. */
  async function broken(args: string[], seq: number, reason: string): Promise<string> {
    out = '';
    await expect(cli(['verify', ...args])).rejects.toThrow(`audit chain broken at seq ${seq} (${reason})`);
    expect(out).toContain(`audit chain BROKEN at seq ${seq} (${reason})`);
    return out;
  }

  /**
   * Writes RECORDS records one per batch (each signed), closes the log (a checkpoint of the head,
   * stored and published), and saves the published checkpoint, as an auditor would, before tampering.
   */
  async function writeChain(occurredAt?: Date): Promise<{ records: AuditRecord[]; checkpointFile: string }> {
    const log = new AuditLog(t.db, new KafkaAuditPublisher(producer, '/lienthong/test'), {
      subjectKey: EXAMPLE_SUBJECT_KEY,
      signer: AuditSigner.fromPemFile(join(dir, 'signer.key')),
      batchSize: 1,
      flushIntervalMs: 0,
      logger: silentLogger,
    });
    for (let index = 0; index < RECORDS; index += 1) {
      await log.recordAndWait(lookupEntry(index, occurredAt ? { occurredAt } : {}));
    }
    await log.close();
    const checkpointFile = join(dir, 'checkpoint.json');
    out = '';
    await cli(['checkpoint', '--out', checkpointFile]);
    const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { seq: string };
    expect(saved.seq).toBe(String(RECORDS));
    return { records: await readRecords(t.db, 1n, BigInt(RECORDS), RECORDS), checkpointFile };
  }

  async function exported(): Promise<string> {
    const file = join(dir, 'export.jsonl');
    out = '';
    await cli(['export', '--out', file]);
    return file;
  }

  it('an untouched chain verifies online, against the published checkpoint, and offline from an export', async () => {
    const { checkpointFile } = await writeChain();
    await cli(['verify']);
    expect(out).toMatch(/^audit chain OK: records 1\.\.20 verified \(20 records\)/m);
    expect(out).toMatch(/^compared with the published checkpoint of record 20 signed at /m);
    expect(out).toMatch(
      /^checkpoints: 1 stored, 1 given or published compared, 2 verified \(newest covers records up to 20\)$/m,
    );
    const file = await exported();
    expect(out).toMatch(/^exported records 1\.\.20 \(20\), 20 signatures and 1 checkpoints to /m);
    out = '';
    await cli(['verify', '--offline', file, '--checkpoint', checkpointFile]);
    expect(out).toMatch(/^audit chain OK: records 1\.\.20 verified \(20 records\)/m);
  });

  it('(a) one deleted record is named', async () => {
    const { checkpointFile } = await writeChain();
    await tamper(t.db, 'DELETE FROM audit_record WHERE seq = 7');
    expect(await broken([], 7, 'MISSING_RECORD')).toContain('record 7 is missing');
    await broken(['--offline', await exported(), '--checkpoint', checkpointFile], 7, 'MISSING_RECORD');
  });

  it('(b) the last 10 records deleted with the chain head reset to match are found through the checkpoints', async () => {
    const { records, checkpointFile } = await writeChain();
    await tamper(t.db, 'DELETE FROM audit_record WHERE seq > 10');
    await tamper(t.db, 'DELETE FROM audit_signature WHERE seq > 10');
    await t.db.query('UPDATE audit_chain_head SET last_seq = 10, last_hash = $1 WHERE id = 1', [
      records[9].hash,
    ]);
    // the stored checkpoint still names record 20
    expect(await broken(['--no-kafka'], 11, 'TRUNCATED')).toContain('records 11..20 were removed');
    // and once that is deleted too, the checkpoint published on Kafka does
    await tamper(t.db, 'DELETE FROM audit_checkpoint WHERE seq > 10');
    expect(await broken([], 11, 'TRUNCATED')).toMatch(
      /the published checkpoint signed at .* names record 20/,
    );
    await broken(['--offline', await exported(), '--checkpoint', checkpointFile], 11, 'TRUNCATED');
  });

  it('(c) a rewritten record whose successors were re-hashed is named', async () => {
    const { records, checkpointFile } = await writeChain();
    let prevHash = records[3].hash;
    for (const record of records.slice(4)) {
      const forged = { ...record, prevHash, ...(record.seq === '5' ? { purpose: 'EFORM_PREFILL' } : {}) };
      forged.hash = computeRecordHash(forged);
      await tamper(t.db, 'UPDATE audit_record SET purpose = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [
        forged.purpose,
        forged.prevHash,
        forged.hash,
        forged.seq,
      ]);
      prevHash = forged.hash;
    }
    await t.db.query('UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1', [prevHash]);
    // the signatures of records 5..20 sign the old hashes
    await broken(['--no-kafka'], 5, 'SIGNATURE_HASH_MISMATCH');
    // without them and without the stored checkpoint, the published checkpoint still disagrees
    await tamper(t.db, 'DELETE FROM audit_signature WHERE seq >= 5');
    await tamper(t.db, 'DELETE FROM audit_checkpoint');
    expect(await broken([], 5, 'CHECKPOINT_MISMATCH')).toContain('records 5..20 were rewritten');
    await broken(['--offline', await exported(), '--checkpoint', checkpointFile], 5, 'CHECKPOINT_MISMATCH');
  });

  it('(d) a prefix pruned from a plain session that bypasses the trigger and rewrites the genesis is named', async () => {
    const { records, checkpointFile } = await writeChain();
    // the old way no longer opens anything
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("SELECT set_config('lienthong.audit_retention', 'on', true)");
        await tx.query('DELETE FROM audit_record WHERE seq <= 5');
      }),
    ).rejects.toThrow(/append-only/);
    await t.db.transaction(async (tx) => {
      await tx.exec('SET LOCAL session_replication_role = replica');
      await tx.query('DELETE FROM audit_signature WHERE seq <= 5');
      await tx.query('DELETE FROM audit_record WHERE seq <= 5');
      await tx.query('UPDATE audit_chain_head SET genesis_seq = 6, genesis_prev_hash = $1 WHERE id = 1', [
        records[4].hash,
      ]);
    });
    expect(await broken([], 1, 'GENESIS_UNJUSTIFIED')).toContain(
      'no signed retention record names that start: records 1..5 were removed',
    );
    await broken(['--offline', await exported(), '--checkpoint', checkpointFile], 1, 'GENESIS_UNJUSTIFIED');
  });

  it('an audited prune verifies online and offline: its signed record justifies the new start', async () => {
    const { checkpointFile } = await writeChain(new Date(Date.now() - 30 * 86_400_000));
    out = '';
    // every record is older than a day: the prune removes 1..20 and records itself as 21
    await cli(['prune', '--older-than-days', '1', '--operator', 'ops-tran', '--yes']);
    expect(out).toMatch(
      /^removed 20 audit records; the chain now starts at seq 21 .*; recorded as seq 21 by ops-tran$/m,
    );
    out = '';
    await cli(['verify']);
    expect(out).toMatch(/^audit chain OK: records 21\.\.21 verified \(1 records\)/m);
    expect(out).toMatch(/^compared with the published checkpoint of record 21 /m);
    out = '';
    await cli(['verify', '--offline', await exported(), '--checkpoint', checkpointFile]);
    expect(out).toMatch(/^audit chain OK: records 21\.\.21 verified/m);
  });
});

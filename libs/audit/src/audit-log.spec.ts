/**
 * AuditLog, verifyChain, findBySubject and retention against both drivers (see testing/audit-test-db.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { register } from 'prom-client';
import { SchemaRegistry, type AuditRecord } from '@lienthong/contracts';
import { createLogger } from '@lienthong/observability';
import type { Database, DatabaseKind } from '@lienthong/storage';
import { AuditLog, type AuditLogOptions } from './audit-log.service';
import { computeRecordHash, GENESIS_HASH } from './audit-record';
import { pruneAuditLog } from './audit-retention';
import { AuditSignatureVerifier, AuditSigner } from './audit-signer';
import { AuditChainBrokenError, AuditEntryError, AuditLogClosedError } from './audit.errors';
import { readChainHead } from './audit.repository';
import { verifyChain } from './chain-verifier';
import { SubjectHasher } from './subject-hasher';
import {
  EXAMPLE_SUBJECT_KEY,
  RecordingPublisher,
  lookupEntry,
  personalId,
  until,
} from './testing/audit-fixtures';
import { auditTestDrivers, silentLogger, tamper, type AuditTestDb } from './testing/audit-test-db';

const registry = SchemaRegistry.shared();

async function metricSum(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

async function storedRecords(db: Database): Promise<{ seq: string; request_id: string }[]> {
  return db.query<{ seq: string; request_id: string }>(
    'SELECT seq, request_id FROM audit_record ORDER BY seq',
  );
}

/** A database whose next writes (transactions or single statements) fail before (`down`) or after (`lostAck`) commit. */
function flaky(db: Database): { db: Database; down: number; lostAck: number } {
  const control = { db: db, down: 0, lostAck: 0 };
  const failing =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (control.down > 0) {
        control.down -= 1;
        throw Object.assign(new Error('connection terminated unexpectedly'), { code: '08006' });
      }
      const result = await call(...args);
      if (control.lostAck > 0) {
        control.lostAck -= 1;
        throw Object.assign(new Error('connection lost while committing'), { code: '08006' });
      }
      return result;
    };
  control.db = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'transaction') return failing(target.transaction.bind(target));
      // queryOne: the one statement that appends a batch after the log's own last one
      if (property === 'queryOne') return failing(target.queryOne.bind(target));
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return control;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKeyPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKeyPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe.each(auditTestDrivers())('audit log on %s', (kind: DatabaseKind, harness) => {
  let t: AuditTestDb;
  let logs: AuditLog[];
  let publisher: RecordingPublisher;

  function auditLog(options: Partial<AuditLogOptions> = {}, db: Database = t.db, sink = publisher): AuditLog {
    const log = new AuditLog(db, sink, {
      subjectKey: EXAMPLE_SUBJECT_KEY,
      logger: silentLogger,
      retryBaseMs: 5,
      retryMaxMs: 20,
      ...options,
    });
    logs.push(log);
    return log;
  }

  beforeAll(() => harness.setup());
  afterAll(() => harness.teardown());
  beforeEach(async () => {
    t = await harness.open();
    logs = [];
    publisher = new RecordingPublisher();
  });
  afterEach(async () => {
    await Promise.all(logs.map((log) => log.close()));
    await t.dispose();
  });

  describe('writing', () => {
    it('writes every entry in the order recorded, in batches of at most batchSize', async () => {
      const log = auditLog({ batchSize: 200, flushIntervalMs: 1000 });
      for (let index = 0; index < 450; index += 1) void log.record(lookupEntry(index));
      await log.flush();

      const rows = await storedRecords(t.db);
      expect(rows.map((row) => row.seq)).toEqual(
        Array.from({ length: 450 }, (_, index) => String(index + 1)),
      );
      expect(rows.map((row) => row.request_id)).toEqual(
        Array.from({ length: 450 }, (_, index) => `req-test-${index}`),
      );
      expect(publisher.batches.map((batch) => batch.length)).toEqual([200, 200, 50]);
      expect(await readChainHead(t.db)).toEqual(
        expect.objectContaining({ lastSeq: '450', genesisSeq: '1', genesisPrevHash: GENESIS_HASH }),
      );
    });

    it('writes a quiet period entry after flushIntervalMs without anyone flushing', async () => {
      const log = auditLog({ batchSize: 200, flushIntervalMs: 20 });
      await log.record(lookupEntry(1));
      await log.record(lookupEntry(2));
      await until(async () => (await storedRecords(t.db)).length === 2);
      expect(publisher.records.map((record) => record.seq)).toEqual(['1', '2']);
    });

    it('returns from record() before anything is written', async () => {
      const log = auditLog({ flushIntervalMs: 1000 });
      const accepted = log.record(lookupEntry(1));
      await accepted;
      expect(log.queueDepth).toBe(1);
      expect(await storedRecords(t.db)).toEqual([]);
      await log.flush();
      expect(log.queueDepth).toBe(0);
    });

    it('stores records that match the audit-record contract and hash to their stored hash', async () => {
      const log = auditLog();
      await log.record(lookupEntry(1));
      await log.record(
        lookupEntry(2, {
          service: 'land.lookup',
          upstream: 'land',
          subject: { kind: 'PARCEL', identifier: '26734/12/345' },
          relatedSubjects: [
            { kind: 'CITIZEN', identifier: personalId(7) },
            { kind: 'ENTERPRISE', identifier: '0100109106' },
          ],
          cache: undefined,
          fieldsWithheld: [],
        }),
      );
      await log.record(
        lookupEntry(3, {
          outcome: 'INVALID',
          outcomeCode: 'VALIDATION_FAILED',
          purpose: undefined,
          legalBasis: undefined,
          dossierCode: undefined,
          subject: { kind: 'ENTERPRISE' },
          upstream: 'business-registry',
          upstreamLatencyMs: undefined,
          cache: undefined,
          fieldsReturned: undefined,
          fieldsWithheld: undefined,
        }),
      );
      await log.flush();
      for (const record of publisher.records) {
        const result = registry.validate('audit-record', record);
        expect(result.ok ? [] : result.errors).toEqual([]);
        expect(computeRecordHash(record)).toBe(record.hash);
      }
      expect(publisher.records[0].prevHash).toBe(GENESIS_HASH);
      expect(publisher.records[1].prevHash).toBe(publisher.records[0].hash);
      expect(publisher.records[1].relatedSubjectHashes).toHaveLength(2);
      expect(publisher.records[1].fieldsWithheld).toEqual([]);
      expect(publisher.records[0].upstreamLatencyMs).toBe(12);
      expect(publisher.records[0].fieldsReturned).toEqual([
        'dateOfBirth',
        'fullName',
        'personalId',
        'provenance',
      ]);
      expect(publisher.records[2]).not.toHaveProperty('subjectHash');
      expect(publisher.records[2]).not.toHaveProperty('purpose');
    });

    it('resolves recordAndWait with the committed record', async () => {
      const log = auditLog();
      void log.record(lookupEntry(1));
      const record = await log.recordAndWait(lookupEntry(2));
      expect(record).toEqual(expect.objectContaining({ seq: '2', requestId: 'req-test-2' }));
      const head = await readChainHead(t.db);
      expect(head.lastHash).toBe(record.hash);
    });

    it('refuses an entry that breaks the contract synchronously, naming the field but not the value', () => {
      const log = auditLog();
      const attempt = () =>
        log.record(lookupEntry(1, { dossierCode: personalId(99), purpose: 'dossier processing' }));
      expect(attempt).toThrow(AuditEntryError);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).toContain('/dossierCode SCHEMA_PATTERN');
        expect((error as Error).message).toContain('/purpose SCHEMA_PATTERN');
        expect((error as Error).message).not.toContain(personalId(99));
      }
      expect(() => log.record(lookupEntry(1, { legalBasis: 'a\u0000b' }))).toThrow(/legalBasis/);
      expect(() => log.record(lookupEntry(1, { upstreamLatencyMs: -1 }))).toThrow(
        /upstreamLatencyMs SCHEMA_RANGE/,
      );
      expect(log.queueDepth).toBe(0);
    });

    it('records a detached entry without the caller waiting, and logs one it refuses instead of throwing', async () => {
      const lines: string[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString().split('\n').filter(Boolean));
          done();
        },
      });
      const log = auditLog({ logger: createLogger({ name: 'audit-test', level: 'error', destination }) });
      log.recordDetached(lookupEntry(1));
      expect(() => log.recordDetached(lookupEntry(2, { dossierCode: personalId(98) }))).not.toThrow();
      await log.flush();
      expect((await storedRecords(t.db)).map((row) => row.request_id)).toEqual([lookupEntry(1).requestId]);
      await log.close();
      expect(() => log.recordDetached(lookupEntry(3))).not.toThrow();
      await until(() => lines.length === 2);
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; requestId: string });
      expect(logged.map((line) => [line.msg, line.requestId])).toEqual([
        ['audit entry not recorded', lookupEntry(2).requestId],
        ['audit entry not recorded', lookupEntry(3).requestId],
      ]);
      expect(lines.join('\n')).not.toContain(personalId(98));
    });

    it('refuses records after close and writes what was queued before', async () => {
      const log = auditLog({ flushIntervalMs: 1000 });
      void log.record(lookupEntry(1));
      await log.close();
      expect((await storedRecords(t.db)).length).toBe(1);
      expect(() => log.record(lookupEntry(2))).toThrow(AuditLogClosedError);
      expect(log.status().closed).toBe(true);
    });
  });

  describe('failures and back-pressure', () => {
    it('makes callers wait when the queue is full, then writes everything in order', async () => {
      const log = auditLog({ batchSize: 5, maxQueue: 5, flushIntervalMs: 0 });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      // Another writer holds the chain head, as a slow database or a long batch elsewhere would.
      let locked!: () => void;
      const lockHeld = new Promise<void>((resolve) => (locked = resolve));
      const holder = (await t.peer()).transaction(async (tx) => {
        await tx.query('SELECT last_seq FROM audit_chain_head WHERE id = 1 FOR UPDATE');
        locked();
        await gate;
      });
      await lockHeld; // the log must meet the lock, not race it
      const settled: number[] = [];
      const calls = Array.from({ length: 12 }, (_, index) =>
        log.record(lookupEntry(index)).then(() => settled.push(index)),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(settled.length).toBeLessThan(12);
      expect(log.status().waiting).toBeGreaterThan(0);
      expect(await metricSum('lgsp_audit_queue_depth')).toBeGreaterThanOrEqual(5);
      release();
      await holder;
      await Promise.all(calls);
      await log.flush();
      expect((await storedRecords(t.db)).map((row) => row.request_id)).toEqual(
        Array.from({ length: 12 }, (_, index) => `req-test-${index}`),
      );
      expect(await metricSum('lgsp_audit_backpressure_waits_total')).toBeGreaterThan(0);
    });

    it('keeps a batch the database refused and writes it once the database is back', async () => {
      const control = flaky(t.db);
      control.down = 3;
      const errorsBefore = await metricSum('lgsp_audit_write_errors_total');
      const log = auditLog({}, control.db);
      for (let index = 0; index < 10; index += 1) void log.record(lookupEntry(index));
      await log.flush();
      expect((await storedRecords(t.db)).length).toBe(10);
      expect(await metricSum('lgsp_audit_write_errors_total')).toBe(errorsBefore + 3);
      expect((await verifyChain(t.db)).ok).toBe(true);
      expect(log.status()).not.toHaveProperty('failingSince');
    });

    it('gives up at shutdown after shutdownTimeoutMs when the database stays down, and says so', async () => {
      const control = flaky(t.db);
      control.down = 1_000_000;
      const log = auditLog({ shutdownTimeoutMs: 150, batchSize: 2, maxQueue: 2 }, control.db);
      const waited = log.recordAndWait(lookupEntry(1));
      void log.record(lookupEntry(2));
      const blocked = log.record(lookupEntry(3)); // the queue is full: waits for room
      const late = log.recordAndWait(lookupEntry(4));
      await until(() => log.status().failingSince !== undefined);
      const started = Date.now();
      await log.close();
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(waited).rejects.toThrow(/closed before the record could be written/);
      await expect(late).rejects.toThrow(/closed before the record could be written/);
      await expect(blocked).resolves.toBeUndefined();
      expect(log.status()).toEqual(
        expect.objectContaining({ closed: true, lastError: expect.stringContaining('08006') }),
      );
      expect(await storedRecords(t.db)).toEqual([]);
    });

    it('does not write a batch twice when the commit succeeded but its acknowledgement was lost', async () => {
      const control = flaky(t.db);
      control.lostAck = 1;
      const log = auditLog({ flushIntervalMs: 1000 }, control.db);
      const waits = Array.from({ length: 4 }, (_, index) => log.recordAndWait(lookupEntry(index)));
      await log.flush();
      const records = await Promise.all(waits);
      expect(records.map((record) => record.seq)).toEqual(['1', '2', '3', '4']);
      expect((await storedRecords(t.db)).length).toBe(4);
      expect((await verifyChain(t.db)).ok).toBe(true);
      // the records of the lost acknowledgement are still published
      expect(publisher.records.map((record) => record.seq)).toEqual(['1', '2', '3', '4']);
    });

    it("does not write a batch twice when its commit after the log's own last batch lost its acknowledgement", async () => {
      const control = flaky(t.db);
      const log = auditLog({ flushIntervalMs: 1000 }, control.db);
      const first = log.recordAndWait(lookupEntry(0));
      await log.flush();
      await first;
      // the next batch follows this log's own: it is appended in one statement, whose answer is lost
      control.lostAck = 1;
      const waits = Array.from({ length: 3 }, (_, index) => log.recordAndWait(lookupEntry(index + 1)));
      await log.flush();
      const records = await Promise.all(waits);
      expect(control.lostAck).toBe(0);
      expect(records.map((record) => record.seq)).toEqual(['2', '3', '4']);
      expect((await storedRecords(t.db)).length).toBe(4);
      expect((await verifyChain(t.db)).ok).toBe(true);
    });

    it('keeps records in the database when Kafka publishing fails, and counts the failure', async () => {
      publisher.fail = true;
      const before = await metricSum('lgsp_audit_publish_errors_total', { reason: 'send_failed' });
      const log = auditLog();
      for (let index = 0; index < 3; index += 1) void log.record(lookupEntry(index));
      await log.flush();
      expect((await storedRecords(t.db)).length).toBe(3);
      expect(await metricSum('lgsp_audit_publish_errors_total', { reason: 'send_failed' })).toBe(before + 3);
      expect(await metricSum('lgsp_audit_records_total', { outcome: 'OK' })).toBeGreaterThanOrEqual(3);
    });

    it('publishes each record once, after its batch committed', async () => {
      const seen: string[] = [];
      const checking = {
        publish: async (records: readonly AuditRecord[]) => {
          const rows = await t.db.query<{ id: string }>('SELECT id FROM audit_record');
          const stored = new Set(rows.map((row) => row.id));
          for (const record of records) {
            expect(stored.has(record.id)).toBe(true);
            seen.push(record.seq);
          }
        },
      };
      const log = auditLog({ batchSize: 3 }, t.db, checking as unknown as RecordingPublisher);
      for (let index = 0; index < 7; index += 1) void log.record(lookupEntry(index));
      await log.flush();
      // batches are published concurrently (AuditLogOptions.maxPublishesInFlight), so in no set order
      expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    });
  });

  describe('concurrent writers', () => {
    it('two audit logs on one database produce one gap-free chain that verifies', async () => {
      const peer = await t.peer();
      const errorsBefore = await metricSum('lgsp_audit_write_errors_total');
      const first = auditLog({ batchSize: 7, flushIntervalMs: 1 });
      const second = auditLog({ batchSize: 5, flushIntervalMs: 1 }, peer);
      const writes: Promise<void>[] = [];
      for (let index = 0; index < 300; index += 1) {
        writes.push(first.record(lookupEntry(index, { requestId: `req-a-${index}` })));
        writes.push(second.record(lookupEntry(index, { requestId: `req-b-${index}` })));
        if (index % 25 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(writes);
      await Promise.all([first.flush(), second.flush()]);

      const rows = await storedRecords(t.db);
      expect(rows.map((row) => row.seq)).toEqual(
        Array.from({ length: 600 }, (_, index) => String(index + 1)),
      );
      for (const prefix of ['req-a-', 'req-b-']) {
        const own = rows.filter((row) => row.request_id.startsWith(prefix)).map((row) => row.request_id);
        expect(own).toEqual(Array.from({ length: 300 }, (_, index) => `${prefix}${index}`));
      }
      const verification = await verifyChain(t.db, { pageSize: 64 });
      expect(verification).toEqual(expect.objectContaining({ ok: true, checked: 600 }));
      // a log whose last batch is no longer the head writes after the other's without a failed attempt
      expect(await metricSum('lgsp_audit_write_errors_total')).toBe(errorsBefore);
    });
  });

  describe('verification', () => {
    async function writeChain(count: number, options: Partial<AuditLogOptions> = {}): Promise<AuditLog> {
      const log = auditLog({ batchSize: 4, ...options });
      for (let index = 0; index < count; index += 1) void log.record(lookupEntry(index));
      await log.flush();
      return log;
    }

    it('verifies an intact chain, in full and by range', async () => {
      await writeChain(10);
      expect(await verifyChain(t.db)).toEqual(
        expect.objectContaining({ ok: true, checked: 10, from: '1', to: '10' }),
      );
      expect(await verifyChain(t.db, { from: 4, to: 7 })).toEqual(
        expect.objectContaining({ ok: true, checked: 4, from: '4', to: '7' }),
      );
      expect(await verifyChain(t.db, { pageSize: 3 })).toEqual(
        expect.objectContaining({ ok: true, checked: 10 }),
      );
    });

    it('verifies an empty chain', async () => {
      expect(await verifyChain(t.db)).toEqual(expect.objectContaining({ ok: true, checked: 0 }));
    });

    it('refuses to update audit rows through the append-only trigger', async () => {
      await writeChain(2);
      await expect(
        t.db.query("UPDATE audit_record SET purpose = 'EFORM_PREFILL' WHERE seq = 1"),
      ).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_record WHERE seq = 1')).rejects.toThrow(/append-only/);
      await expect(t.db.query('TRUNCATE audit_record')).rejects.toThrow(/append-only/);
    });

    it('names the seq of a record whose purpose was edited in SQL', async () => {
      await writeChain(10);
      await tamper(t.db, "UPDATE audit_record SET purpose = 'EFORM_PREFILL' WHERE seq = 6");
      const result = await verifyChain(t.db);
      expect(result.ok).toBe(false);
      expect(result.failure).toEqual(expect.objectContaining({ seq: '6', reason: 'HASH_MISMATCH' }));
      expect(result.failure?.message).toMatch(/record 6 does not match its hash/);
      expect(result.checked).toBe(5);
    });

    it('detects a deleted record in the middle and at the end', async () => {
      await writeChain(10);
      await tamper(t.db, 'DELETE FROM audit_record WHERE seq = 4');
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '4', reason: 'MISSING_RECORD' }),
      );
      await tamper(t.db, 'DELETE FROM audit_record WHERE seq >= 9');
      expect((await verifyChain(t.db, { from: 6 })).failure).toEqual(
        expect.objectContaining({ seq: '9', reason: 'MISSING_RECORD' }),
      );
    });

    it('detects a deleted record whose successors were renumbered', async () => {
      await writeChain(6);
      await tamper(t.db, 'DELETE FROM audit_record WHERE seq = 3');
      for (const seq of [4, 5, 6])
        await tamper(t.db, 'UPDATE audit_record SET seq = $1 WHERE seq = $2', [seq - 1, seq]);
      await tamper(t.db, 'UPDATE audit_chain_head SET last_seq = 5 WHERE id = 1');
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '3', reason: 'PREV_HASH_MISMATCH' }),
      );
    });

    it('detects two records that swapped places', async () => {
      await writeChain(6);
      await tamper(t.db, 'UPDATE audit_record SET seq = 1000 WHERE seq = 2');
      await tamper(t.db, 'UPDATE audit_record SET seq = 2 WHERE seq = 3');
      await tamper(t.db, 'UPDATE audit_record SET seq = 3 WHERE seq = 1000');
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '2', reason: 'PREV_HASH_MISMATCH' }),
      );
    });

    it('detects an edited record whose hash was recomputed, at the next record', async () => {
      await writeChain(5);
      const [row] = await t.db.query<Record<string, unknown>>('SELECT * FROM audit_record WHERE seq = 2');
      const edited = publisher.records[1];
      const forged = { ...edited, purpose: 'EFORM_PREFILL' };
      forged.hash = computeRecordHash(forged);
      expect(row.hash).toBe(edited.hash);
      await tamper(t.db, 'UPDATE audit_record SET purpose = $1, hash = $2 WHERE seq = 2', [
        'EFORM_PREFILL',
        forged.hash,
      ]);
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '3', reason: 'PREV_HASH_MISMATCH' }),
      );
    });

    it('detects a chain head that does not name the newest record', async () => {
      await writeChain(5);
      await tamper(t.db, "UPDATE audit_chain_head SET last_hash = repeat('a', 64) WHERE id = 1");
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '5', reason: 'HEAD_MISMATCH' }),
      );
    });

    it('detects a record inserted beyond the head', async () => {
      await writeChain(3);
      const fake = { ...publisher.records[2], id: '6f1d2c3b-4a59-4e87-9d6c-5b4a39281799', seq: '9' };
      await t.db.query(
        `INSERT INTO audit_record (seq, id, occurred_at, request_id, client_id, service, subject_kind,
           subject_key_id, outcome, upstream, prev_hash, hash)
         VALUES ($1, $2, now(), 'req-x', 'x', 'citizen.lookup', 'CITIZEN', $3, 'OK', 'population', $4, $4)`,
        [fake.seq, fake.id, fake.subjectKeyId, fake.hash],
      );
      expect((await verifyChain(t.db)).failure).toEqual(
        expect.objectContaining({ seq: '9', reason: 'RECORD_AFTER_HEAD' }),
      );
    });

    describe('with signatures', () => {
      const signer = AuditSigner.fromPem(signingKeyPem);
      const keys = AuditSignatureVerifier.fromPems([publicKeyPem]);

      it('signs the last record of every batch and verifies the signatures with the public key', async () => {
        await writeChain(10, { signer, batchSize: 4 });
        const result = await verifyChain(t.db, { keys });
        expect(result.ok).toBe(true);
        expect(result.signatures).toEqual(
          expect.objectContaining({ present: 3, verified: 3, unverifiable: 0, lastVerifiedSeq: '10' }),
        );
        const withoutKeys = await verifyChain(t.db);
        expect(withoutKeys.signatures).toEqual(
          expect.objectContaining({
            present: 3,
            verified: 0,
            unverifiable: 3,
            unknownKeyIds: [signer.keyId],
          }),
        );
      });

      it('catches a rewrite of the chain from an edited record onwards, which hashes alone cannot', async () => {
        await writeChain(8, { signer, batchSize: 4 });
        // The attacker edits record 2 and recomputes every later hash and the head.
        const records = publisher.records.map((record) => ({ ...record }));
        records[1].purpose = 'EFORM_PREFILL';
        for (let index = 1; index < records.length; index += 1) {
          records[index].prevHash = records[index - 1].hash;
          records[index].hash = computeRecordHash(records[index]);
          await tamper(
            t.db,
            'UPDATE audit_record SET purpose = $1, prev_hash = $2, hash = $3 WHERE seq = $4',
            [records[index].purpose, records[index].prevHash, records[index].hash, records[index].seq],
          );
        }
        await tamper(t.db, 'UPDATE audit_chain_head SET last_hash = $1 WHERE id = 1', [records[7].hash]);
        // the signature rows still name the original hashes
        expect((await verifyChain(t.db)).failure).toEqual(
          expect.objectContaining({ seq: '4', reason: 'SIGNATURE_HASH_MISMATCH' }),
        );
        // re-pointing them at the forged hashes makes the chain consistent again for anyone without the key...
        for (const seq of [4, 8]) {
          await tamper(t.db, 'UPDATE audit_signature SET hash = $1 WHERE seq = $2', [
            records[seq - 1].hash,
            seq,
          ]);
        }
        expect((await verifyChain(t.db)).ok).toBe(true);
        // ... but the signatures do not verify with the public key
        expect((await verifyChain(t.db, { keys })).failure).toEqual(
          expect.objectContaining({ seq: '4', reason: 'SIGNATURE_INVALID' }),
        );
      });
    });
  });

  describe('subject queries', () => {
    it('finds who looked up a person, directly or through another lookup, newest first', async () => {
      const log = auditLog();
      const person = personalId(42);
      void log.record(
        lookupEntry(1, {
          subject: { kind: 'CITIZEN', identifier: person },
          occurredAt: new Date('2026-10-01T01:00:00Z'),
        }),
      );
      void log.record(lookupEntry(2, { occurredAt: new Date('2026-10-02T01:00:00Z') }));
      void log.record(
        lookupEntry(3, {
          clientId: 'so-tai-nguyen',
          service: 'land.lookup',
          upstream: 'land',
          purpose: 'LAND_ADMINISTRATION',
          subject: { kind: 'PARCEL', identifier: '26734/12/345' },
          relatedSubjects: [{ kind: 'CITIZEN', identifier: person }],
          occurredAt: new Date('2026-10-03T01:00:00Z'),
        }),
      );
      void log.record(
        lookupEntry(4, {
          subject: { kind: 'CITIZEN', identifier: person },
          outcome: 'DENIED',
          outcomeCode: 'PURPOSE_NOT_ALLOWED',
          occurredAt: new Date('2026-10-04T01:00:00Z'),
        }),
      );
      await log.flush();

      const found = await log.findBySubject('CITIZEN', ` ${person.slice(0, 3)} ${person.slice(3)}\n`);
      expect(found.map((record) => [record.requestId, record.match, record.outcome])).toEqual([
        ['req-test-4', 'SUBJECT', 'DENIED'],
        ['req-test-3', 'RELATED', 'OK'],
        ['req-test-1', 'SUBJECT', 'OK'],
      ]);
      expect(found[1]).toEqual(
        expect.objectContaining({
          clientId: 'so-tai-nguyen',
          service: 'land.lookup',
          purpose: 'LAND_ADMINISTRATION',
          dossierCode: '000.17.22.H56-261031-0007',
          occurredAt: '2026-10-03T01:00:00.000Z',
        }),
      );
      expect(JSON.stringify(found)).not.toContain(person);

      const inRange = await log.findBySubject('CITIZEN', person, {
        from: new Date('2026-10-02T00:00:00Z'),
        to: new Date('2026-10-04T00:00:00Z'),
      });
      expect(inRange.map((record) => record.requestId)).toEqual(['req-test-3']);
      expect((await log.findBySubject('CITIZEN', person, { limit: 1 })).map((r) => r.requestId)).toEqual([
        'req-test-4',
      ]);
      expect(await log.findBySubject('ENTERPRISE', person)).toEqual([]);
      expect(await log.findBySubject('CITIZEN', personalId(43))).toEqual([]);
      expect((await log.findBySubject('PARCEL', '26734/12/345')).map((r) => r.requestId)).toEqual([
        'req-test-3',
      ]);
    });

    it('finds records written before a key rotation when the old key is kept as a previous key', async () => {
      const oldKey = `old-${EXAMPLE_SUBJECT_KEY}`;
      const before = auditLog({ subjectKey: oldKey });
      await before.recordAndWait(lookupEntry(1));
      const after = auditLog({ previousSubjectKeys: [oldKey] });
      await after.recordAndWait(lookupEntry(2, { subject: { kind: 'CITIZEN', identifier: personalId(1) } }));
      expect((await after.findBySubject('CITIZEN', personalId(1))).map((r) => r.requestId)).toEqual([
        'req-test-2',
        'req-test-1',
      ]);
      const forgetful = auditLog();
      expect((await forgetful.findBySubject('CITIZEN', personalId(1))).map((r) => r.requestId)).toEqual([
        'req-test-2',
      ]);
      const keyIds = await t.db.query<{ subject_key_id: string }>(
        'SELECT DISTINCT subject_key_id FROM audit_record ORDER BY subject_key_id',
      );
      expect(keyIds.map((row) => row.subject_key_id).sort()).toEqual(
        [new SubjectHasher(oldKey).keyId, after.subjectKeyId].sort(),
      );
    });

    it('stores no personal ID in clear in any column of any audit table, nor in what it publishes', async () => {
      const log = auditLog({ signer: AuditSigner.fromPem(signingKeyPem) });
      const ids = Array.from({ length: 20 }, (_, index) => personalId(500 + index));
      ids.forEach((id, index) =>
        log.record(
          lookupEntry(index, {
            subject: { kind: 'CITIZEN', identifier: id },
            relatedSubjects: [{ kind: 'CITIZEN', identifier: ids[(index + 1) % ids.length] }],
          }),
        ),
      );
      void log.record(
        lookupEntry(99, {
          subject: { kind: 'ENTERPRISE', identifier: '0100109106-001' },
          upstream: 'business-registry',
        }),
      );
      await log.flush();
      const dump: string[] = [];
      for (const table of ['audit_record', 'audit_signature', 'audit_chain_head', 'audit_anchor']) {
        const rows = await t.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
        dump.push(...rows.map((row) => row.row));
      }
      const text = dump.join('\n');
      expect(text.length).toBeGreaterThan(1000);
      for (const id of ids) {
        expect(text).not.toContain(id);
        expect(JSON.stringify(publisher.records)).not.toContain(id);
      }
      expect(text).not.toContain('0100109106');
      // Record ids are UUIDs (whose last group may be all digits) and signatures are stored as bytea (\\x…,
      // so an "x" may precede a run of hex digits): neither is an identifier.
      const withoutUuids = text.replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        '<uuid>',
      );
      expect(withoutUuids).not.toMatch(/(?<![0-9a-fx])[0-9]{12}(?![0-9a-f])/);
    });
  });

  describe('retention', () => {
    const signer = AuditSigner.fromPem(signingKeyPem);
    const keys = AuditSignatureVerifier.fromPems([publicKeyPem]);
    const prune = (
      olderThan: Date,
      extra: { chunkSize?: number; archive?: (r: readonly AuditRecord[]) => Promise<void> } = {},
    ) =>
      pruneAuditLog(t.db, {
        olderThan,
        signer,
        subjectKey: EXAMPLE_SUBJECT_KEY,
        actor: 'ops-nguyen',
        ...extra,
      });

    it('removes a prefix of old records, records the run in the chain, re-anchors it, and keeps writing after it', async () => {
      const log = auditLog({ batchSize: 3, signer });
      for (let index = 0; index < 10; index += 1) {
        void log.record(lookupEntry(index, { occurredAt: new Date(Date.UTC(2025, 0, 1 + index)) }));
      }
      await log.flush();
      const archived: AuditRecord[] = [];
      const result = await prune(new Date(Date.UTC(2025, 0, 7)), {
        chunkSize: 4,
        archive: async (records) => {
          archived.push(...records);
        },
      });
      expect(result).toEqual(
        expect.objectContaining({ removed: 6, genesisSeq: '7', genesisPrevHash: publisher.records[5].hash }),
      );
      expect(archived.map((record) => record.seq)).toEqual(['1', '2', '3', '4', '5', '6']);
      // one retention record per chunk, appended to the chain, naming what it removed
      expect(
        result.records.map(({ seq, clientId, service, upstream, subjectKind, pruned }) => ({
          seq,
          clientId,
          service,
          upstream,
          subjectKind,
          pruned,
        })),
      ).toEqual([
        {
          seq: '11',
          clientId: 'ops-nguyen',
          service: 'audit.prune',
          upstream: 'audit-log',
          subjectKind: 'NONE',
          pruned: { fromSeq: '1', toSeq: '4', lastHash: publisher.records[3].hash },
        },
        {
          seq: '12',
          clientId: 'ops-nguyen',
          service: 'audit.prune',
          upstream: 'audit-log',
          subjectKind: 'NONE',
          pruned: { fromSeq: '5', toSeq: '6', lastHash: publisher.records[5].hash },
        },
      ]);
      expect(result.checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint.genesisSeq])).toEqual([
        ['11', '5'],
        ['12', '7'],
      ]);
      expect((await storedRecords(t.db)).map((row) => row.seq)).toEqual(['7', '8', '9', '10', '11', '12']);
      const anchors = await t.db.query<{ genesis_seq: string; records_removed: string }>(
        'SELECT genesis_seq, records_removed FROM audit_anchor ORDER BY genesis_seq',
      );
      expect(anchors).toEqual([
        { genesis_seq: '5', records_removed: '4' },
        { genesis_seq: '7', records_removed: '2' },
      ]);

      await log.recordAndWait(lookupEntry(10));
      expect(await verifyChain(t.db, { keys })).toEqual(
        expect.objectContaining({ ok: true, checked: 7, from: '7', to: '13' }),
      );
      expect(await verifyChain(t.db, { from: 1 })).toEqual(expect.objectContaining({ ok: true, from: '7' }));
      // the archive continues the chain the database now starts from
      expect(archived[archived.length - 1].hash).toBe((await readChainHead(t.db)).genesisPrevHash);

      expect(await prune(new Date(Date.UTC(2025, 0, 7)))).toEqual(
        expect.objectContaining({ removed: 0, genesisSeq: '7', records: [] }),
      );
    });

    it('removes every old record, leaving only its own record, and the chain verifies and continues', async () => {
      const log = auditLog();
      for (let index = 0; index < 3; index += 1) {
        void log.record(lookupEntry(index, { occurredAt: new Date(Date.UTC(2024, 0, 1)) }));
      }
      await log.flush();
      expect((await prune(new Date(Date.UTC(2025, 0, 1)))).removed).toBe(3);
      expect(await verifyChain(t.db, { keys })).toEqual(expect.objectContaining({ ok: true, checked: 1 }));
      const next = await log.recordAndWait(lookupEntry(4));
      expect(next.seq).toBe('5');
      expect(await verifyChain(t.db, { keys })).toEqual(expect.objectContaining({ ok: true, checked: 2 }));
    });

    it('refuses to re-anchor a chain that does not verify', async () => {
      const log = auditLog();
      for (let index = 0; index < 4; index += 1) {
        void log.record(lookupEntry(index, { occurredAt: new Date(Date.UTC(2024, 0, 1)) }));
      }
      await log.flush();
      await tamper(t.db, "UPDATE audit_record SET client_id = 'someone-else' WHERE seq = 2");
      await expect(prune(new Date(Date.UTC(2025, 0, 1)))).rejects.toThrow(AuditChainBrokenError);
      expect((await storedRecords(t.db)).length).toBe(4);
    });

    it('no session can switch deleting on: the retention setting is gone and a plain DELETE is refused', async () => {
      const log = auditLog();
      for (let index = 0; index < 3; index += 1) void log.record(lookupEntry(index));
      await log.flush();
      await expect(
        t.db.transaction(async (tx) => {
          await tx.query("SELECT set_config('lienthong.audit_retention', 'on', true)");
          await tx.query('DELETE FROM audit_record WHERE seq = 1');
        }),
      ).rejects.toThrow(/append-only/);
      // naming a record that is not a retention record of this transaction opens nothing either
      await expect(
        t.db.transaction(async (tx) => {
          await tx.query("SELECT set_config('lienthong.audit_prune_seq', '3', true)");
          await tx.query('DELETE FROM audit_record WHERE seq = 1');
        }),
      ).rejects.toThrow(/append-only/);
      expect((await storedRecords(t.db)).length).toBe(3);
    });
  });

  it(`runs on ${kind}`, () => {
    expect(t.db.kind).toBe(kind);
  });
});

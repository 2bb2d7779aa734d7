/** `lienthong audit ...` against an embedded database: the audit library's operator face. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { createDatabase, type Database } from '@lienthong/storage';
import { auditCommand, vietnamTime, type AuditCommandIo } from './audit.command';
import { AuditLog, AuditSigner, NoopAuditPublisher } from '@lienthong/audit';
import {
  EXAMPLE_SUBJECT_KEY,
  lookupEntry,
  personalId,
} from '../../../../libs/audit/src/testing/audit-fixtures';
import { migrateForAudit, silentLogger, tamper } from '../../../../libs/audit/src/testing/audit-test-db';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('lienthong audit', () => {
  let shared: Database;
  let dir: string;
  let out: string;
  let err: string;

  beforeAll(async () => {
    shared = await createDatabase({ pgliteDir: 'memory://' });
    dir = mkdtempSync(join(tmpdir(), 'lt-audit-cli-'));
    writeFileSync(join(dir, 'signer.key'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(dir, 'signer.pub'), rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  });
  afterAll(async () => {
    await shared.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await shared.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await migrateForAudit(shared);
    out = '';
    err = '';
  });

  /** The shared database, which the command may "close" as often as it likes. */
  function handle(): Database {
    return new Proxy(shared, {
      get(target, property, receiver) {
        if (property === 'close') return async () => undefined;
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  async function run(
    args: string[],
    options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<void> {
    const io: Partial<AuditCommandIo> = {
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      out: (text) => (out += text),
      err: (text) => (err += text),
      env: { AUDIT_SUBJECT_KEY: EXAMPLE_SUBJECT_KEY, ...options.env },
      openDatabase: async () => handle(),
    };
    const command: Command = auditCommand(io);
    for (const sub of [command, ...command.commands]) {
      sub
        .exitOverride()
        .configureOutput({ writeErr: (text) => (err += text), writeOut: (text) => (out += text) });
    }
    await command.parseAsync(args, { from: 'user' });
  }

  async function writeRecords(count: number, signed = false): Promise<void> {
    const log = new AuditLog(shared, new NoopAuditPublisher(), {
      subjectKey: EXAMPLE_SUBJECT_KEY,
      logger: silentLogger,
      batchSize: 4,
      signer: signed ? AuditSigner.fromPemFile(join(dir, 'signer.key')) : undefined,
    });
    for (let index = 0; index < count; index += 1) {
      void log.record(
        lookupEntry(index, {
          subject: { kind: 'CITIZEN', identifier: personalId(index % 3) },
          occurredAt: new Date(Date.UTC(2026, 9, 1 + index, 2, 15, 2)),
        }),
      );
    }
    await log.close();
  }

  describe('verify', () => {
    it('prints a summary with the signatures it verified', async () => {
      await writeRecords(10, true);
      await run(['verify', '--public-key', join(dir, 'signer.pub')]);
      expect(out).toMatch(
        /^audit chain OK: records 1\.\.10 verified \(10 records\), last hash [0-9a-f]{64}$/m,
      );
      expect(out).toContain('signatures: 3 present, 3 verified (newest covers records up to 10)');
    });

    it('uses AUDIT_SIGNING_KEY_PATH for the signatures by default, and says when none could be checked', async () => {
      await writeRecords(5, true);
      await run(['verify'], { env: { AUDIT_SIGNING_KEY_PATH: join(dir, 'signer.key') } });
      expect(out).toContain('2 verified');
      out = '';
      await run(['verify', '--from', '2', '--to', '4']);
      expect(out).toContain('audit chain OK: records 2..4 verified (3 records)');
      expect(out).toContain('warning: 1 signatures not checked: no public key given');
    });

    it('fails with the seq and the reason when a record was edited in the database', async () => {
      await writeRecords(6);
      await tamper(shared, "UPDATE audit_record SET purpose = 'EFORM_PREFILL' WHERE seq = 3");
      await expect(run(['verify'])).rejects.toThrow('audit chain broken at seq 3 (HASH_MISMATCH)');
      expect(out).toContain('audit chain BROKEN at seq 3 (HASH_MISMATCH): record 3 does not match its hash');
      expect(out).toContain('records checked before the break: 2');
    });

    it('reports an empty chain', async () => {
      await run(['verify', '--json']);
      expect(JSON.parse(out)).toEqual(expect.objectContaining({ ok: true, checked: 0 }));
    });

    it('refuses a bad range argument', async () => {
      await expect(run(['verify', '--from', 'abc'])).rejects.toThrow(/positive whole number/);
    });
  });

  describe('subject', () => {
    it('reads the identifier from standard input and prints who looked it up, when and why', async () => {
      await writeRecords(6);
      await run(['subject', '--kind', 'CITIZEN'], { stdin: `${personalId(1)}\n` });
      const lines = out.trim().split('\n');
      expect(lines[0]).toBe('2 audit records for this CITIZEN identifier, newest first:');
      expect(lines[1]).toMatch(/^when\s+client\s+service\s+purpose\s+dossier\s+outcome\s+how\s+request id$/);
      expect(lines[2]).toMatch(
        /^2026-10-05 09:15:02 \+07:00\s+motcua-lao-cai\s+citizen\.lookup\s+DOSSIER_PROCESSING\s+000\.17\.22\.H56-261031-0007\s+OK\s+looked up\s+req-test-4$/,
      );
      expect(lines[3]).toContain('req-test-1');
      expect(out + err).not.toContain(personalId(1));
    });

    it('filters by date and prints JSON', async () => {
      await writeRecords(6);
      await run(['subject', '--kind', 'CITIZEN', '--from', '2026-10-03', '--json'], { stdin: personalId(0) });
      expect((JSON.parse(out) as { requestId: string }[]).map((record) => record.requestId)).toEqual([
        'req-test-3',
      ]);
    });

    it('warns about an identifier that does not look like its kind, and finds nothing', async () => {
      await writeRecords(2);
      await run(['subject', '--kind', 'CITIZEN'], { stdin: '12345\n' });
      expect(err).toMatch(/^warning: the input is not a valid personal ID \([A-Z_, ]+\); searching anyway$/m);
      expect(out).toBe('no audit records for this CITIZEN identifier\n');
    });

    it('takes no identifier on the command line', async () => {
      await expect(run(['subject', '--kind', 'CITIZEN', '--personal-id', personalId(1)])).rejects.toThrow(
        /unknown option/,
      );
      await expect(run(['subject', '--kind', 'CITIZEN'], { stdin: '\n\n' })).rejects.toThrow(/no identifier/);
      await expect(run(['subject'], { stdin: personalId(1) })).rejects.toThrow(/--kind/);
    });

    it('needs the subject key', async () => {
      await expect(
        run(['subject', '--kind', 'CITIZEN'], { stdin: personalId(1), env: { AUDIT_SUBJECT_KEY: '' } }),
      ).rejects.toThrow(/AUDIT_SUBJECT_KEY is required/);
    });
  });

  describe('prune', () => {
    it('counts without --yes, removes and archives with it, and the archive verifies offline', async () => {
      await writeRecords(6);
      // records occur at 02:15:02 UTC on 1..6 October: a cut-off in (3 October 02:15:02, 4 October 02:15:02]
      // removes exactly three, whatever the time of day the test runs
      const days = Math.ceil((Date.now() - Date.UTC(2026, 9, 4, 2, 15, 2)) / 86_400_000);
      await run(['prune', '--older-than-days', String(days)]);
      expect(out).toMatch(/^3 audit records occurred before .* and would be removed; run again with --yes$/m);
      out = '';
      const archive = join(dir, 'archive.jsonl');
      const signing = { AUDIT_SIGNING_KEY_PATH: join(dir, 'signer.key') };
      await expect(
        run(['prune', '--older-than-days', String(days), '--archive', archive, '--yes']),
      ).rejects.toThrow(/AUDIT_SIGNING_KEY_PATH is required/);
      await run(
        [
          'prune',
          '--older-than-days',
          String(days),
          '--archive',
          archive,
          '--operator',
          'Nguyễn Văn Đức',
          '--yes',
        ],
        { env: signing },
      );
      expect(out).toMatch(
        /^removed 3 audit records; the chain now starts at seq 4 \(anchor [0-9a-f]{64}\); recorded as seq 7 by nguyen-van-duc$/m,
      );
      expect(err).toContain('warning: the new checkpoint was not published (KAFKA_BROKERS is not set)');
      expect(readFileSync(archive, 'utf8').trim().split('\n')).toHaveLength(3);
      out = '';
      await run(['verify'], { env: signing });
      expect(out).toContain('audit chain OK: records 4..7 verified (4 records)');
      expect(out).toContain('records before seq 4 were removed by retention');
      out = '';
      await run(['verify', '--file', archive]);
      expect(out).toMatch(
        /^file OK: records 1\.\.3 \(3\) form a chain from anchor 0{64}, last hash [0-9a-f]{64}$/m,
      );

      const lines = readFileSync(archive, 'utf8').trim().split('\n');
      writeFileSync(archive, [lines[0], lines[2]].join('\n'));
      out = '';
      await expect(run(['verify', '--file', archive])).rejects.toThrow(/does not verify/);
      expect(out).toContain('audit chain BROKEN at seq 2 (MISSING_RECORD)');
    });

    it('needs an age', async () => {
      await expect(run(['prune'])).rejects.toThrow(/--older-than-days/);
    });
  });

  it('prints times in Vietnam time', () => {
    expect(vietnamTime('2026-10-31T17:30:00.000Z')).toBe('2026-11-01 00:30:00 +07:00');
  });
});

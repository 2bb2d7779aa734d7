import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadEnv } from '@lienthong/config';
import { progress } from '../progress';
import {
  AUDIT_SUBJECT_KINDS,
  SchemaRegistry,
  type AuditCheckpoint,
  type AuditRecord,
  type AuditSubjectKind,
} from '@lienthong/contracts';
import { createKafkaClient } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import {
  validateEnterpriseCode,
  validatePersonalId,
  vietnamDateTime,
  vietnamDayStart,
} from '@lienthong/domain';
import { createDatabase, type Database } from '@lienthong/storage';
import {
  AuditError,
  AuditSignatureVerifier,
  AuditSigner,
  ChainVerifier,
  KafkaAuditPublisher,
  SubjectHasher,
  exportAuditLog,
  findSubjectRecords,
  loadAuditEnv,
  loadAuditExport,
  operatorClientId,
  parseCheckpoint,
  pruneAuditLog,
  countPrunable,
  readPublishedCheckpoints,
  verifyChain,
  type ChainVerification,
  type SubjectAccessRecord,
} from '@lienthong/audit';
import { withKafka } from './kafka-context';

/** What the commands read and write; tests replace it. */
export interface AuditCommandIo {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  openDatabase: (env: NodeJS.ProcessEnv) => Promise<Database>;
  /** The newest checkpoints on lgsp.audit.checkpoint.v1; undefined when Kafka is not configured. */
  readPublishedCheckpoints: (env: NodeJS.ProcessEnv) => Promise<AuditCheckpoint[] | undefined>;
  /** Publishes checkpoints (after a prune); false when Kafka is not configured. */
  publishCheckpoints: (env: NodeJS.ProcessEnv, checkpoints: readonly AuditCheckpoint[]) => Promise<boolean>;
}

const defaultIo: AuditCommandIo = {
  stdin: process.stdin,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  openDatabase: async (source) => {
    const env = loadEnv(['DATABASE_URL', 'PGLITE_DIR'], { source });
    return createDatabase({
      url: env.DATABASE_URL,
      pgliteDir: env.PGLITE_DIR,
      applicationName: 'lienthong-cli',
    });
  },
  readPublishedCheckpoints: async (source) => {
    const env = loadEnv(['KAFKA_BROKERS', 'KAFKA_CLIENT_ID'], { source });
    if (!env.KAFKA_BROKERS) return undefined;
    const kafka = createKafkaClient({
      brokers: env.KAFKA_BROKERS,
      clientId: `${env.KAFKA_CLIENT_ID}-cli`,
      logger: createLogger({ name: 'cli', level: 'warn', destination: process.stderr }),
    });
    return readPublishedCheckpoints(kafka);
  },
  publishCheckpoints: async (source, checkpoints) => {
    if (!loadEnv(['KAFKA_BROKERS'], { source }).KAFKA_BROKERS) return false;
    await withKafka(async ({ producer }) => {
      const publisher = new KafkaAuditPublisher(producer, '/lienthong/cli');
      for (const checkpoint of checkpoints) await publisher.publishCheckpoint(checkpoint);
    }, source);
    return true;
  },
};

/** Checkpoints from a file: one checkpoint (or its CloudEvent) as JSON, or several as JSON lines. */
export function readCheckpointFile(file: string): AuditCheckpoint[] {
  const text = readFileSync(file, 'utf8').trim();
  const documents = (() => {
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      return text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line, index) => {
          try {
            return JSON.parse(line) as unknown;
          } catch {
            throw new AuditError(`line ${index + 1} of ${file} is not JSON`);
          }
        });
    }
  })();
  return documents.map((document, index) => {
    const inner =
      document && typeof document === 'object' && 'specversion' in document && 'data' in document
        ? (document as { data: unknown }).data
        : document;
    return parseCheckpoint(inner, documents.length > 1 ? `checkpoint ${index + 1} of ${file}` : file);
  });
}

const MAX_IDENTIFIER_INPUT = 4096;

function positiveInt(value: string): string {
  if (!/^[1-9][0-9]{0,18}$/.test(value)) throw new InvalidArgumentError('must be a positive whole number');
  return value;
}

function dateArg(value: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? vietnamDayStart(value) : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('must be a date (YYYY-MM-DD, Vietnam time) or an RFC 3339 date-time');
  }
  return date;
}

/** `2026-10-31 09:15:02 +07:00`: Vietnam time (no daylight saving), as the data-protection officer reads it. */
export function vietnamTime(iso: string): string {
  const local = vietnamDateTime(iso);
  return `${local.slice(0, 10)} ${local.slice(11, 19)} +07:00`;
}

async function withDatabase<T>(io: AuditCommandIo, run: (db: Database) => Promise<T>): Promise<T> {
  const db = await io.openDatabase(io.env);
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

/**
 * Reads one identifier without it ever appearing in argv (and so in shell history or `ps`): the first
 * non-empty line of standard input, or, on a terminal, typed at a prompt without echo.
 */
export async function readIdentifier(io: AuditCommandIo): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
    io.err('Identifier (not shown): ');
    const typed = await new Promise<string>((resolve, reject) => {
      let value = '';
      const cleanup = () => {
        stdin.setRawMode(false);
        stdin.pause();
        stdin.off('data', onData);
      };
      const onData = (chunk: Buffer | string) => {
        for (const character of chunk.toString('utf8')) {
          if (character === '\r' || character === '\n' || character === '\u0004') {
            cleanup();
            io.err('\n');
            resolve(value);
            return;
          }
          if (character === '\u0003') {
            cleanup();
            io.err('\n');
            reject(new Error('cancelled'));
            return;
          }
          if (character === '\u007f' || character === '\b') value = value.slice(0, -1);
          else if (value.length < MAX_IDENTIFIER_INPUT) value += character;
        }
      };
      stdin.setRawMode(true);
      stdin.on('data', onData);
      stdin.resume();
    });
    return typed.trim();
  }
  let input = '';
  for await (const chunk of io.stdin) {
    input += chunk.toString();
    if (input.length > MAX_IDENTIFIER_INPUT) break;
  }
  return (
    input
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ''
  );
}

/** A warning (never the value) when the identifier does not look like its kind. */
function shapeWarning(kind: AuditSubjectKind, identifier: string): string | undefined {
  if (kind === 'CITIZEN') {
    const result = validatePersonalId(identifier.replace(/\s+/g, ''));
    if (!result.valid)
      return `the input is not a valid personal ID (${result.errors.map((e) => e.code).join(', ')})`;
  }
  if (kind === 'ENTERPRISE') {
    const result = validateEnterpriseCode(identifier.replace(/\s+/g, ''));
    if (!result.valid)
      return `the input is not a valid enterprise code (${result.errors.map((e) => e.code).join(', ')})`;
  }
  return undefined;
}

function formatVerification(
  result: ChainVerification,
  keysGiven: number,
  published: { checkpoints?: readonly AuditCheckpoint[]; note?: string },
): string[] {
  const lines: string[] = [];
  const { head } = result;
  if (result.checked === 0 && result.ok) {
    lines.push(
      BigInt(head.lastSeq) < BigInt(head.genesisSeq)
        ? 'audit chain is empty: nothing to verify'
        : `no audit records in the requested range (chain holds ${head.genesisSeq}..${head.lastSeq})`,
    );
  } else if (result.ok) {
    lines.push(
      `audit chain OK: records ${result.from}..${result.to} verified (${result.checked} records), last hash ${result.lastHash}`,
    );
  } else {
    lines.push(
      `audit chain BROKEN at seq ${result.failure?.seq} (${result.failure?.reason}): ${result.failure?.message}`,
    );
    lines.push(`records checked before the break: ${result.checked}`);
  }
  if (BigInt(head.genesisSeq) > 1n && result.failure?.reason !== 'GENESIS_UNJUSTIFIED') {
    lines.push(
      `records before seq ${head.genesisSeq} were removed by retention; the chain is anchored there`,
    );
  }
  const newest = published.checkpoints?.[0];
  if (newest) {
    lines.push(
      `compared with the published checkpoint of record ${newest.seq} signed at ${newest.createdAt} (key ${newest.keyId.slice(0, 16)})`,
    );
  } else if (published.note) {
    lines.push(published.note);
  }
  const c = result.checkpoints;
  lines.push(
    `checkpoints: ${c.stored} stored, ${c.external} given or published compared, ${c.verified} verified${c.lastVerifiedSeq ? ` (newest covers records up to ${c.lastVerifiedSeq})` : ''}${c.unverifiable > 0 ? `, ${c.unverifiable} by a key not given` : ''}`,
  );
  if (result.ok && result.coveredTo !== undefined && BigInt(result.coveredTo) < BigInt(head.lastSeq)) {
    lines.push(
      `records ${BigInt(result.coveredTo) + 1n}..${head.lastSeq} are not covered by a signature yet (the next checkpoint signs them)`,
    );
  } else if (result.ok && result.coveredTo === undefined && result.checked > 0 && keysGiven > 0) {
    lines.push('warning: no record is covered by a verified signature or checkpoint');
  }
  const s = result.signatures;
  if (s.present === 0) {
    lines.push('signatures: none in range (signing is off, or the range is unsigned)');
  } else {
    lines.push(
      `signatures: ${s.present} present, ${s.verified} verified${s.lastVerifiedSeq ? ` (newest covers records up to ${s.lastVerifiedSeq})` : ''}`,
    );
    if (s.unverifiable > 0) {
      lines.push(
        `warning: ${s.unverifiable} signatures not checked: ${keysGiven === 0 ? 'no public key given (--public-key, or AUDIT_SIGNING_KEY_PATH)' : `signed by unknown key(s) ${s.unknownKeyIds.map((id) => id.slice(0, 16)).join(', ')}`}`,
      );
    }
  }
  return lines;
}

function subjectLines(kind: AuditSubjectKind, records: readonly SubjectAccessRecord[]): string[] {
  if (records.length === 0) return [`no audit records for this ${kind} identifier`];
  const rows = records.map((record) => [
    vietnamTime(record.occurredAt),
    record.clientId,
    record.service,
    record.purpose ?? '-',
    record.dossierCode ?? '-',
    record.outcomeCode ? `${record.outcome} (${record.outcomeCode})` : record.outcome,
    record.match === 'SUBJECT' ? 'looked up' : 'in answer',
    record.requestId,
  ]);
  const header = ['when', 'client', 'service', 'purpose', 'dossier', 'outcome', 'how', 'request id'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ');
  return [
    `${records.length} audit record${records.length === 1 ? '' : 's'} for this ${kind} identifier, newest first:`,
    line(header),
    ...rows.map(line),
  ];
}

export function auditCommand(overrides: Partial<AuditCommandIo> = {}): Command {
  const io: AuditCommandIo = { ...defaultIo, ...overrides };
  const audit = new Command('audit').description(
    'the exchange audit log: verify its hash chain and checkpoints, export it, answer subject requests, prune it',
  );

  audit
    .command('verify')
    .description(
      'recompute the audit hash chain and check its signatures and checkpoints, also against the last checkpoint published on Kafka; exit code 1 at the first bad position',
    )
    .option('--from <seq>', 'first record to check (default: the oldest kept)', positiveInt)
    .option('--to <seq>', 'last record to check (default: the newest)', positiveInt)
    .option(
      '--public-key <pem...>',
      'trusted public key, certificate or private key (PEM) for the signatures (default: AUDIT_SIGNING_KEY_PATH)',
    )
    .option(
      '--checkpoint <file...>',
      'a checkpoint kept outside the database (JSON, e.g. saved by `audit checkpoint`): the chain must reach it and agree with it',
    )
    .option('--no-kafka', 'do not read the last checkpoint published on lgsp.audit.checkpoint.v1')
    .option('--offline <export>', 'verify a file written by `audit export` instead of the database')
    .option(
      '--file <jsonl>',
      'verify an archived run of records (one JSON record per line, as `audit prune --archive` writes) instead of the database',
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        from?: string;
        to?: string;
        publicKey?: string[];
        checkpoint?: string[];
        kafka: boolean;
        offline?: string;
        file?: string;
        json?: boolean;
      }) => {
        const settings = loadAuditEnv({ source: io.env, requireKey: false });
        const keyPaths = options.publicKey ?? (settings.signingKeyPath ? [settings.signingKeyPath] : []);
        const keys = AuditSignatureVerifier.fromPemFiles(keyPaths, settings.signingKeyPassphrase);
        if (options.file) {
          verifyFile(io, options.file, Boolean(options.json));
          return;
        }
        const given = (options.checkpoint ?? []).flatMap((file) => readCheckpointFile(file));
        const notes: string[] = [];
        let published: AuditCheckpoint[] | undefined;
        if (options.offline) {
          // Offline means no database and no broker: only the checkpoints given on the command line.
          const loaded = loadAuditExport(options.offline);
          if (keys.size === 0) {
            for (const { pem } of loaded.header.publicKeys) keys.add(pem);
            if (keys.size > 0) {
              notes.push(
                `warning: signatures checked with the key(s) in the export (${keys
                  .keyIds()
                  .map((id) => id.slice(0, 16))
                  .join(', ')}); pass --public-key to check against a key you hold`,
              );
            }
          }
          published = given;
          const result = await verifyChain(loaded.source, {
            from: options.from,
            to: options.to,
            keys,
            checkpoints: given,
          });
          report(
            result,
            published,
            given.length === 0
              ? 'no checkpoint given (--checkpoint): a cut tail shows only against the checkpoints in the export'
              : undefined,
            notes,
          );
          return;
        }
        let note: string | undefined;
        if (options.kafka) {
          published = await io.readPublishedCheckpoints(io.env);
          if (published === undefined)
            note =
              'warning: not compared with a published checkpoint (KAFKA_BROKERS is not set; --no-kafka to skip)';
          else if (published.length === 0)
            note = 'warning: no checkpoint has been published on lgsp.audit.checkpoint.v1 yet';
        } else {
          note = 'not compared with the published checkpoint (--no-kafka)';
        }
        // The newest checkpoint of a key we trust (of any key when none is given).
        const trusted = (published ?? []).filter((c) => keys.size === 0 || keys.has(c.keyId));
        if (published?.length && trusted.length === 0) {
          note =
            'warning: no checkpoint signed by a trusted key has been published on lgsp.audit.checkpoint.v1';
        }
        published = trusted.slice(0, 1);
        const external = [...given, ...published];
        const verifying = progress('verifying the audit chain', {
          enabled: options.json ? false : undefined,
        });
        const result = await withDatabase(io, (db) =>
          verifyChain(db, {
            from: options.from,
            to: options.to,
            keys,
            checkpoints: external,
            onProgress: (checked, total) => verifying.update(checked, total),
          }),
        ).finally(() => verifying.stop());
        report(result, external, note, notes);

        function report(
          result: ChainVerification,
          checkpoints: readonly AuditCheckpoint[],
          missing: string | undefined,
          extra: string[],
        ): void {
          io.out(
            options.json
              ? `${JSON.stringify(result, null, 2)}\n`
              : `${[...formatVerification(result, keys.size, { checkpoints, note: missing }), ...extra].join('\n')}\n`,
          );
          if (!result.ok) {
            throw new Error(`audit chain broken at seq ${result.failure?.seq} (${result.failure?.reason})`);
          }
        }
      },
    );

  audit
    .command('export')
    .description(
      "write the chain, its signatures and checkpoints and the signer's public key to a JSON-lines file, for `audit verify --offline`",
    )
    .requiredOption('--out <file>', 'file to write (created with mode 0600)')
    .option(
      '--public-key <pem...>',
      'public key(s) to include (default: the public half of AUDIT_SIGNING_KEY_PATH)',
    )
    .action(async (options: { out: string; publicKey?: string[] }) => {
      const settings = loadAuditEnv({ source: io.env, requireKey: false });
      const keyPaths = options.publicKey ?? (settings.signingKeyPath ? [settings.signingKeyPath] : []);
      const verifier = new AuditSignatureVerifier();
      const publicKeys = keyPaths.map((path) => {
        const keyId = verifier.add(readFileSync(path), settings.signingKeyPassphrase, path);
        return { keyId, pem: verifier.publicKeyPem(keyId) };
      });
      const result = await withDatabase(io, (db) => exportAuditLog(db, options.out, { publicKeys }));
      io.out(
        `exported records ${result.head.genesisSeq}..${result.head.lastSeq} (${result.records}), ${result.signatures} signatures and ${result.checkpoints} checkpoints to ${options.out}\n`,
      );
    });

  audit
    .command('checkpoint')
    .description(
      'print the newest checkpoint published on lgsp.audit.checkpoint.v1 (keep it to verify an export or the database later)',
    )
    .option('--out <file>', 'write it to this file instead')
    .action(async (options: { out?: string }) => {
      const published = await io.readPublishedCheckpoints(io.env);
      if (published === undefined)
        throw new ConfigError('KAFKA_BROKERS is required to read the published checkpoint');
      const newest = published[0];
      if (!newest) throw new Error('no checkpoint has been published on lgsp.audit.checkpoint.v1 yet');
      const text = `${JSON.stringify(newest, null, 2)}\n`;
      if (options.out) {
        writeFileSync(options.out, text);
        io.err(
          `checkpoint of record ${newest.seq} (signed at ${newest.createdAt}) written to ${options.out}\n`,
        );
      } else {
        io.out(text);
      }
    });

  audit
    .command('subject')
    .description(
      'who looked up a person, enterprise or parcel, when and why; the identifier is read from standard input (or typed, hidden), never from the command line',
    )
    .addOption(
      new Option('--kind <kind>', 'kind of identifier')
        .choices([...AUDIT_SUBJECT_KINDS])
        .makeOptionMandatory(),
    )
    .option('--from <date>', 'only lookups at or after (YYYY-MM-DD in Vietnam time, or RFC 3339)', dateArg)
    .option('--to <date>', 'only lookups before', dateArg)
    .option('--limit <n>', 'at most this many records, newest first (default 100, at most 1000)', (v) =>
      Number(positiveInt(v)),
    )
    .option('--json', 'print the records as JSON')
    .action(
      async (options: { kind: AuditSubjectKind; from?: Date; to?: Date; limit?: number; json?: boolean }) => {
        const settings = loadAuditEnv({ source: io.env });
        const identifier = await readIdentifier(io);
        if (!identifier) throw new Error('no identifier on standard input');
        const warning = shapeWarning(options.kind, identifier);
        if (warning) io.err(`warning: ${warning}; searching anyway\n`);
        const hashers = [settings.subjectKey, ...settings.previousSubjectKeys].map(
          (key) => new SubjectHasher(key),
        );
        const records = await withDatabase(io, (db) =>
          findSubjectRecords(db, hashers, options.kind, identifier, {
            from: options.from,
            to: options.to,
            limit: options.limit,
          }),
        );
        io.out(
          options.json
            ? `${JSON.stringify(records, null, 2)}\n`
            : `${subjectLines(options.kind, records).join('\n')}\n`,
        );
      },
    );

  audit
    .command('prune')
    .description(
      'retention: remove the oldest records (a verified prefix of the chain) and re-anchor the chain; dry run without --yes',
    )
    .option(
      '--older-than-days <n>',
      'remove records older than this many days (default AUDIT_RETENTION_DAYS)',
      (v) => Number(positiveInt(v)),
    )
    .option('--archive <file>', 'append the removed records to this file (JSON lines) before deleting them')
    .option('--operator <name>', 'who runs it, as recorded in the audit log (default: the OS user)')
    .option('--yes', 'really remove them')
    .action(
      async (options: { olderThanDays?: number; archive?: string; operator?: string; yes?: boolean }) => {
        const settings = loadAuditEnv({ source: io.env, requireKey: Boolean(options.yes) });
        const days = options.olderThanDays ?? settings.retentionDays;
        if (!days) throw new Error('name the retention age: --older-than-days <n> or AUDIT_RETENTION_DAYS');
        const olderThan = new Date(Date.now() - days * 86_400_000);
        await withDatabase(io, async (db) => {
          if (!options.yes) {
            const count = await countPrunable(db, olderThan);
            io.out(
              `${count} audit records occurred before ${olderThan.toISOString()} and would be removed; run again with --yes\n`,
            );
            return;
          }
          if (!settings.signingKeyPath) {
            throw new ConfigError(
              'AUDIT_SIGNING_KEY_PATH is required: retention writes a signed record of what it removes',
            );
          }
          const signer = AuditSigner.fromPemFile(settings.signingKeyPath, settings.signingKeyPassphrase);
          const archive = options.archive;
          const result = await pruneAuditLog(db, {
            olderThan,
            signer,
            subjectKey: settings.subjectKey,
            actor: operatorClientId(options.operator),
            archive: archive
              ? async (records) => {
                  appendFileSync(archive, records.map((record) => `${JSON.stringify(record)}\n`).join(''), {
                    mode: 0o600,
                  });
                }
              : undefined,
          });
          io.out(
            `removed ${result.removed} audit records; the chain now starts at seq ${result.genesisSeq} (anchor ${result.genesisPrevHash})${result.records.length > 0 ? `; recorded as seq ${result.records.map((r) => r.seq).join(', ')} by ${result.records[0].clientId}` : ''}\n`,
          );
          if (result.checkpoints.length > 0 && !(await io.publishCheckpoints(io.env, result.checkpoints))) {
            io.err('warning: the new checkpoint was not published (KAFKA_BROKERS is not set)\n');
          }
        });
      },
    );

  return audit;
}

/** Checks a JSON-lines file of records: each against the contract, and the run as a chain. */
function verifyFile(io: AuditCommandIo, file: string, json: boolean): void {
  const registry = SchemaRegistry.shared();
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0);
  let verifier: ChainVerifier | undefined;
  let first: AuditRecord | undefined;
  let problem: string | undefined;
  for (const [index, line] of lines.entries()) {
    let record: AuditRecord;
    try {
      const parsed: unknown = JSON.parse(line);
      const result = registry.validate('audit-record', parsed);
      if (!result.ok) {
        problem = `line ${index + 1} is not an audit record: ${result.errors.map((e) => `${e.path || '/'} ${e.code}`).join('; ')}`;
        break;
      }
      record = result.value;
    } catch {
      problem = `line ${index + 1} is not JSON`;
      break;
    }
    first ??= record;
    verifier ??= new ChainVerifier({ seq: BigInt(record.seq), prevHash: record.prevHash });
    const failure = verifier.push(record);
    if (failure) {
      problem = `audit chain BROKEN at seq ${failure.seq} (${failure.reason}): ${failure.message}`;
      break;
    }
  }
  const summary = {
    ok: !problem && verifier !== undefined,
    records: verifier?.checked ?? 0,
    ...(first ? { firstSeq: first.seq, anchor: first.prevHash } : {}),
    ...(verifier && verifier.checked > 0
      ? { lastSeq: (verifier.nextSeq - 1n).toString(), lastHash: verifier.lastHash }
      : {}),
    ...(problem ? { problem } : {}),
  };
  if (json) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
  } else if (summary.ok) {
    io.out(
      `file OK: records ${summary.firstSeq}..${summary.lastSeq} (${summary.records}) form a chain from anchor ${summary.anchor}, last hash ${summary.lastHash}\n`,
    );
  } else {
    io.out(`${problem ?? 'the file holds no records'}\n`);
  }
  if (!summary.ok) throw new Error(problem ? `audit file does not verify` : 'the file holds no records');
}

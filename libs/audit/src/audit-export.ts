import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { SchemaRegistry, type AuditCheckpoint, type AuditRecord } from '@lienthong/contracts';
import type { Database } from '@lienthong/storage';
import { parseCheckpoint, readCheckpoints } from './audit-checkpoint';
import type { ChainSource } from './chain-verifier';
import { AuditError } from './audit.errors';
import {
  readChainHead,
  readRecords,
  readSignatures,
  type ChainHead,
  type StoredSignature,
} from './audit.repository';

/**
 * The export file (JSON Lines): a header line, then one line per record, signature and checkpoint. It
 * holds what `verifyChain` needs, so `lienthong audit verify --offline` checks it without a database.
 */
export const AUDIT_EXPORT_FORMAT = 'lienthong-audit-export';
export const AUDIT_EXPORT_VERSION = 1;

export interface AuditExportHeader {
  type: 'header';
  format: typeof AUDIT_EXPORT_FORMAT;
  version: typeof AUDIT_EXPORT_VERSION;
  exportedAt: string;
  head: ChainHead;
  /** Public keys of the signer(s), for convenience; a verifier should trust a key it holds itself. */
  publicKeys: { keyId: string; pem: string }[];
}

type ExportLine =
  | AuditExportHeader
  | { type: 'record'; record: AuditRecord }
  | {
      type: 'signature';
      seq: string;
      hash: string;
      algorithm: string;
      keyId: string;
      signature: string;
      signedAt: string;
    }
  | { type: 'checkpoint'; checkpoint: AuditCheckpoint };

export interface ExportResult {
  head: ChainHead;
  records: number;
  signatures: number;
  checkpoints: number;
}

const ALL = 9_223_372_036_854_775_807n;

/**
 * Writes the whole chain (genesis to head), its signatures and every stored checkpoint (also any beyond
 * the head: they are evidence) to `file`, from one consistent snapshot.
 */
export async function exportAuditLog(
  db: Database,
  file: string,
  options: { publicKeys?: { keyId: string; pem: string }[]; pageSize?: number; now?: Date } = {},
): Promise<ExportResult> {
  const pageSize = options.pageSize ?? 1000;
  const fd = openSync(file, 'w', 0o600);
  const write = (line: ExportLine) => writeSync(fd, `${JSON.stringify(line)}\n`);
  try {
    return await db.transaction(
      async (tx) => {
        const head = await readChainHead(tx);
        write({
          type: 'header',
          format: AUDIT_EXPORT_FORMAT,
          version: AUDIT_EXPORT_VERSION,
          exportedAt: (options.now ?? new Date()).toISOString(),
          head,
          publicKeys: options.publicKeys ?? [],
        });
        const result: ExportResult = { head, records: 0, signatures: 0, checkpoints: 0 };
        let cursor = BigInt(head.genesisSeq);
        const last = BigInt(head.lastSeq);
        while (cursor <= last) {
          const page = await readRecords(tx, cursor, last, pageSize);
          if (page.length === 0) break;
          for (const record of page) write({ type: 'record', record });
          result.records += page.length;
          cursor = BigInt(page[page.length - 1].seq) + 1n;
        }
        for (const signature of await readSignatures(tx, 1n, ALL)) {
          write({
            type: 'signature',
            seq: signature.seq,
            hash: signature.hash,
            algorithm: signature.algorithm,
            keyId: signature.keyId,
            signature: Buffer.from(signature.signature).toString('base64'),
            signedAt: signature.signedAt.toISOString(),
          });
          result.signatures += 1;
        }
        for (const checkpoint of await readCheckpoints(tx, 1n, ALL)) {
          write({ type: 'checkpoint', checkpoint });
          result.checkpoints += 1;
        }
        return result;
      },
      { isolation: 'repeatable read' },
    );
  } finally {
    closeSync(fd);
  }
}

export interface LoadedExport {
  header: AuditExportHeader;
  source: ChainSource;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads an export into memory as a ChainSource; a malformed line is an AuditError naming the line. */
export function loadAuditExport(file: string): LoadedExport {
  const registry = SchemaRegistry.shared();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  let header: AuditExportHeader | undefined;
  const records = new Map<bigint, AuditRecord>();
  const signatures: StoredSignature[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const where = `line ${index + 1} of ${file}`;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      throw new AuditError(`${where} is not JSON`);
    }
    if (!isObject(line)) throw new AuditError(`${where} is not an export line`);
    if (!header) {
      if (
        line.type !== 'header' ||
        line.format !== AUDIT_EXPORT_FORMAT ||
        line.version !== AUDIT_EXPORT_VERSION
      ) {
        throw new AuditError(`${file} is not a ${AUDIT_EXPORT_FORMAT} v${AUDIT_EXPORT_VERSION} file`);
      }
      header = line as unknown as AuditExportHeader;
      return;
    }
    if (line.type === 'record') {
      const result = registry.validate('audit-record', line.record);
      if (!result.ok) {
        throw new AuditError(
          `${where} is not an audit record: ${result.errors.map((e) => `${e.path || '/'} ${e.code}`).join('; ')}`,
        );
      }
      records.set(BigInt(result.value.seq), result.value);
    } else if (line.type === 'signature') {
      const { seq, hash, algorithm, keyId, signature, signedAt } = line;
      if (![seq, hash, algorithm, keyId, signature, signedAt].every((v) => typeof v === 'string')) {
        throw new AuditError(`${where} is not a signature line`);
      }
      signatures.push({
        seq: seq as string,
        hash: hash as string,
        algorithm: algorithm as string,
        keyId: keyId as string,
        signature: Buffer.from(signature as string, 'base64'),
        signedAt: new Date(signedAt as string),
      });
    } else if (line.type === 'checkpoint') {
      checkpoints.push(parseCheckpoint(line.checkpoint, where));
    } else {
      throw new AuditError(`${where} has an unknown type`);
    }
  });
  if (!header) throw new AuditError(`${file} is empty`);
  const head = header.head;
  const bySeq = <T extends { seq: string }>(a: T, b: T) =>
    BigInt(a.seq) < BigInt(b.seq) ? -1 : BigInt(a.seq) > BigInt(b.seq) ? 1 : 0;
  signatures.sort(bySeq);
  checkpoints.sort(bySeq);
  const sorted = [...records.values()].sort(bySeq);
  const inRange = (from: bigint, to: bigint) => (item: { seq: string }) =>
    BigInt(item.seq) >= from && BigInt(item.seq) <= to;
  const source: ChainSource = {
    readHead: async () => head,
    readRecords: async (from, to, limit) => {
      // first index with seq >= from (records are sorted)
      let low = 0;
      let high = sorted.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (BigInt(sorted[middle].seq) < from) low = middle + 1;
        else high = middle;
      }
      const out: AuditRecord[] = [];
      for (let index = low; index < sorted.length && out.length < limit; index += 1) {
        if (BigInt(sorted[index].seq) > to) break;
        out.push(sorted[index]);
      }
      return out;
    },
    readSignatures: async (from, to) => signatures.filter(inRange(from, to)),
    readCheckpoints: async (from, to) => checkpoints.filter(inRange(from, to)),
    readCheckpointsAfter: async (seq) => checkpoints.filter((c) => BigInt(c.seq) > seq),
  };
  return { header, source };
}

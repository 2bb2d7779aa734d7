import type { AuditRecord } from '@lienthong/contracts';
import type { AuditEntry } from '../audit-record';
import type { AuditPublisher } from '../audit-publisher';

/** A 48-byte key, fixed so that example hashes are reproducible. Never use it outside tests and examples. */
export const EXAMPLE_SUBJECT_KEY = 'example-subject-key-for-tests-and-examples-only!';

/** Syntactically valid personal IDs (Hà Nội, male, born 1990), distinct per index. */
export function personalId(index: number): string {
  return `0010900${String(index).padStart(5, '0')}`;
}

export function lookupEntry(index: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    requestId: `req-test-${index}`,
    clientId: 'motcua-lao-cai',
    credentialId: '2026-01',
    service: 'citizen.lookup',
    purpose: 'DOSSIER_PROCESSING',
    legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 47/2020/NĐ-CP; Nghị định 13/2023/NĐ-CP, Điều 17',
    dossierCode: '000.17.22.H56-261031-0007',
    subject: { kind: 'CITIZEN', identifier: personalId(index) },
    outcome: 'OK',
    upstream: 'population',
    upstreamLatencyMs: 12.4,
    cache: 'MISS',
    fieldsReturned: ['fullName', 'dateOfBirth', 'personalId', 'provenance'],
    fieldsWithheld: ['fatherName'],
    ...overrides,
  };
}

/** Keeps every batch it is given; `fail` makes the next publishes reject. */
export class RecordingPublisher implements AuditPublisher {
  readonly batches: AuditRecord[][] = [];
  fail = false;

  get records(): AuditRecord[] {
    return this.batches.flat();
  }

  async publish(records: readonly AuditRecord[]): Promise<void> {
    if (this.fail) throw new Error('broker unavailable');
    this.batches.push([...records]);
  }
}

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

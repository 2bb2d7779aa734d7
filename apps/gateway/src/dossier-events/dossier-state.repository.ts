import { Injectable } from '@nestjs/common';
import { isTerminalStatus, type DossierStatus } from '@lienthong/domain';
import type { DossierDirectory, KnownDossier } from '@lienthong/security';
import { Database } from '@lienthong/storage';

/**
 * How long an answer is reused. Every lookup and search declares a dossier, so without reuse each one costs a
 * database round trip; this process forgets a dossier the moment it accepts an event for it, so only a change
 * made elsewhere (another gateway instance, a procedure chain in the relay) is seen up to this much later.
 */
const REUSE_MS = 1000;
/** Dossiers remembered at most; past it the oldest half is dropped. */
const MAX_REMEMBERED = 20_000;

interface Remembered {
  answer: Promise<KnownDossier | undefined>;
  until: number;
}

/**
 * What the gateway knows of a dossier from the events it accepted (`dossier_state`): its agency and
 * whether it is closed. The access guard asks it about the dossier a lookup or a search declares.
 * Concurrent questions about one dossier share one read.
 */
@Injectable()
export class DossierStateRepository implements DossierDirectory {
  private readonly remembered = new Map<string, Remembered>();

  constructor(private readonly database: Database) {}

  find(dossierCode: string): Promise<KnownDossier | undefined> {
    const now = Date.now();
    const known = this.remembered.get(dossierCode);
    if (known && known.until > now) return known.answer;
    if (this.remembered.size >= MAX_REMEMBERED) this.dropOldest();
    const entry: Remembered = { answer: this.read(dossierCode), until: now + REUSE_MS };
    this.remembered.delete(dossierCode);
    this.remembered.set(dossierCode, entry);
    // a failed read is not reused; a read that `forget` overtook is not kept (the entry is gone)
    entry.answer.catch(() => {
      if (this.remembered.get(dossierCode) === entry) this.remembered.delete(dossierCode);
    });
    return entry.answer;
  }

  forget(dossierCodes: Iterable<string>): void {
    for (const code of dossierCodes) this.remembered.delete(code);
  }

  private async read(dossierCode: string): Promise<KnownDossier | undefined> {
    const row = await this.database.queryOne<{ agency_code: string; status: DossierStatus }>(
      'SELECT agency_code, status FROM dossier_state WHERE dossier_code = $1',
      [dossierCode],
    );
    return row ? { agencyCode: row.agency_code, closed: isTerminalStatus(row.status) } : undefined;
  }

  /** Insertion order is age order: drop the older half. */
  private dropOldest(): void {
    let drop = this.remembered.size / 2;
    for (const code of this.remembered.keys()) {
      if (drop-- <= 0) break;
      this.remembered.delete(code);
    }
  }
}

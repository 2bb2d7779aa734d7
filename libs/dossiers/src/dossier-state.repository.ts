import { Injectable } from '@nestjs/common';
import { isTerminalStatus, type DossierStatus } from '@lienthong/domain';
import { DossierDirectory, type KnownDossier } from '@lienthong/security';
import { Database, type Queryable } from '@lienthong/storage';

/** A dossier's last accepted state as the ingest path checks the next event against it. */
export interface DossierStateRow {
  dossier_code: string;
  agency_code: string;
  status: DossierStatus;
  last_occurred_at: Date;
  event_count: number;
}

/** A dossier's state as GET /v1/dossiers/{code} shows it. */
export interface DossierSummaryRow extends DossierStateRow {
  procedure_code: string;
  updated_at: Date;
}

/** A dossier's state with the payload of its last accepted event, for a status written in its name. */
export interface DossierStateWithLastEvent {
  agency_code: string;
  procedure_code: string;
  status: DossierStatus;
  last_occurred_at: Date;
  event_count: number;
  /** The last accepted event as it was kept; null when that event is not in `dossier_event`. */
  payload: unknown;
}

/** One accepted event of a dossier's history. */
export interface DossierHistoryRow {
  event_id: string;
  seq: number;
  status: DossierStatus;
  occurred_at: Date;
  received_at: Date;
}

/** An event already accepted: its dossier and its place in the dossier's history. */
export interface KnownEvent {
  event_id: string;
  dossier_code: string;
  seq: number;
}

/** The state a dossier is left in by the events accepted for it. */
export interface DossierStateWrite {
  dossierCode: string;
  agencyCode: string;
  procedureCode: string;
  status: string;
  lastEventId: string;
  lastOccurredAt: Date;
  eventCount: number;
}

/** One accepted event as it is kept (idempotency by event id, history). */
export interface DossierEventWrite {
  eventId: string;
  dossierCode: string;
  seq: number;
  status: string;
  occurredAt: Date;
  requestId: string;
  payload: unknown;
}

/**
 * How long an answer of `find` is reused. Every lookup and search declares a dossier, so without reuse each one
 * costs a database round trip; this process forgets a dossier the moment it accepts an event for it, so only a
 * change made elsewhere (another gateway instance, a procedure chain in the relay) is seen up to this much later.
 */
const REUSE_MS = 1000;
/** Dossiers remembered at most; past it the oldest half is dropped. */
const MAX_REMEMBERED = 20_000;

interface Remembered {
  answer: Promise<KnownDossier | undefined>;
  until: number;
}

/**
 * The dossiers the gateway accepted events for (`dossier_state`) and the events themselves (`dossier_event`,
 * migration 0003). Methods taking `tx` run inside the caller's transaction; each is one statement.
 *
 * It is also the access guard's directory of known dossiers: `find` says what the gateway knows of a dossier
 * (its agency and whether it is closed) for the dossier a lookup or a search declares. Concurrent questions
 * about one dossier share one read.
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

  /**
   * Locks the states of `codes` in code order (so two transactions never deadlock) and returns those known.
   * Read the events already accepted (`knownEvents`) after this, in a statement of its own: one that waited
   * for a lock must see what the transaction it waited for committed.
   */
  async lockForUpdate(tx: Queryable, codes: readonly string[]): Promise<Map<string, DossierStateRow>> {
    const rows = await tx.query<DossierStateRow>(
      `SELECT dossier_code, agency_code, status, last_occurred_at, event_count FROM dossier_state
        WHERE dossier_code IN (SELECT jsonb_array_elements_text($1::jsonb))
        ORDER BY dossier_code FOR UPDATE`,
      [JSON.stringify(codes)],
    );
    return new Map(rows.map((row) => [row.dossier_code, row]));
  }

  /** Locks one dossier's state, with its procedure (a hand-over reads it); null when none was accepted. */
  lockOne(
    tx: Queryable,
    dossierCode: string,
  ): Promise<{ agency_code: string; procedure_code: string; status: DossierStatus } | null> {
    return tx.queryOne(
      'SELECT agency_code, procedure_code, status FROM dossier_state WHERE dossier_code = $1 FOR UPDATE',
      [dossierCode],
    );
  }

  /**
   * Locks one dossier's state (its row only, not its event's) and reads it with its last accepted event's
   * payload, in one statement; null when no event was accepted for the dossier.
   */
  lockWithLastEvent(tx: Queryable, dossierCode: string): Promise<DossierStateWithLastEvent | null> {
    return tx.queryOne<DossierStateWithLastEvent>(
      `SELECT s.agency_code, s.procedure_code, s.status, s.last_occurred_at, s.event_count, e.payload
         FROM dossier_state s LEFT JOIN dossier_event e ON e.event_id = s.last_event_id
        WHERE s.dossier_code = $1 FOR UPDATE OF s`,
      [dossierCode],
    );
  }

  /** The events of `ids` already accepted, by event id. */
  async knownEvents(tx: Queryable, ids: readonly string[]): Promise<Map<string, KnownEvent>> {
    const rows = await tx.query<KnownEvent>(
      `SELECT event_id, dossier_code, seq FROM dossier_event
        WHERE event_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
      [JSON.stringify(ids)],
    );
    return new Map(rows.map((row) => [row.event_id, row]));
  }

  /**
   * Writes accepted events and the states they leave their dossiers in, in one statement: the states (one
   * row per dossier) and the events.
   */
  async writeAccepted(
    tx: Queryable,
    states: readonly DossierStateWrite[],
    events: readonly DossierEventWrite[],
  ): Promise<void> {
    const stateParams: unknown[] = [];
    const stateRows = states.map((state, i) => {
      stateParams.push(
        state.dossierCode,
        state.agencyCode,
        state.procedureCode,
        state.status,
        state.lastEventId,
        state.lastOccurredAt,
        state.eventCount,
      );
      const b = i * 7;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::uuid, $${b + 6}::timestamptz, $${b + 7}::int)`;
    });
    const eventParams: unknown[] = [];
    const offset = stateParams.length;
    const eventRows = events.map((event, i) => {
      eventParams.push(
        event.eventId,
        event.dossierCode,
        event.seq,
        event.status,
        event.occurredAt,
        event.requestId,
        JSON.stringify(event.payload),
      );
      const b = offset + i * 7;
      return `($${b + 1}::uuid, $${b + 2}, $${b + 3}::int, $${b + 4}, $${b + 5}::timestamptz, $${b + 6}, $${b + 7}::jsonb)`;
    });
    await tx.query(
      `WITH states AS (
         INSERT INTO dossier_state (dossier_code, agency_code, procedure_code, status, last_event_id, last_occurred_at, event_count)
         VALUES ${stateRows.join(', ')}
         ON CONFLICT (dossier_code) DO UPDATE SET
           agency_code = EXCLUDED.agency_code, procedure_code = EXCLUDED.procedure_code, status = EXCLUDED.status,
           last_event_id = EXCLUDED.last_event_id, last_occurred_at = EXCLUDED.last_occurred_at,
           event_count = EXCLUDED.event_count, updated_at = now())
       INSERT INTO dossier_event (event_id, dossier_code, seq, status, occurred_at, request_id, payload)
       VALUES ${eventRows.join(', ')}`,
      [...stateParams, ...eventParams],
    );
  }

  /** A dossier's state, or null when no event was accepted for it. */
  summary(dossierCode: string): Promise<DossierSummaryRow | null> {
    return this.database.queryOne<DossierSummaryRow>(
      `SELECT dossier_code, agency_code, procedure_code, status, last_occurred_at, event_count, updated_at
         FROM dossier_state WHERE dossier_code = $1`,
      [dossierCode],
    );
  }

  /** A dossier's accepted events in order. */
  history(dossierCode: string): Promise<DossierHistoryRow[]> {
    return this.database.query<DossierHistoryRow>(
      `SELECT event_id, seq, status, occurred_at, received_at FROM dossier_event
        WHERE dossier_code = $1 ORDER BY seq`,
      [dossierCode],
    );
  }

  /** The payload of the dossier's latest accepted event and the request that posted it; null when none. */
  latestEvent(dossierCode: string): Promise<{ payload: unknown; request_id: string | null } | null> {
    return this.database.queryOne<{ payload: unknown; request_id: string | null }>(
      `SELECT e.payload, e.request_id FROM dossier_state s
         JOIN dossier_event e ON e.event_id = s.last_event_id
        WHERE s.dossier_code = $1`,
      [dossierCode],
    );
  }
}

import { DynamicModule, Global, Inject, Injectable, Module, Optional } from '@nestjs/common';
import type { IndicatorCounts, ReportingPeriod } from '@lienthong/contracts';
import {
  buildIndicatorReport,
  deriveDossierFacts,
  evaluationInstant,
  FORMULA_VERSION,
  periodBounds,
  SATISFIED_MIN_SCORE,
  toIndicatorEvent,
  type ComputedIndicatorReport,
  type DossierFacts,
  type IndicatorEvent,
} from '@lienthong/domain';
import { Database, GroupCommit, type Queryable } from '@lienthong/storage';

/** One dossier behind a number of the scorecard. */
export interface IndicatorDossierRow {
  dossierCode: string;
  receivedAt: string | null;
  dueAt: string | null;
  resolvedAt: string | null;
  intakeDigitised: boolean;
  resultDigitised: boolean;
}

/** Optional provider: the wall clock (ms since the epoch) that decides which period is running. */
export const INDICATOR_CLOCK = Symbol('INDICATOR_CLOCK');

/**
 * Optional provider: what the online-payment figure counts (PAID_ONLINE_SOURCE). `payment-platform`: the
 * dossiers with a payment the national payment platform confirmed by a signed notification (table payment,
 * written by the gateway's payments route), whatever the one-stop system claims; `claims` (default): the
 * one-stop system's `payment.paidOnline`.
 */
export const PAID_ONLINE_SOURCE = Symbol('PAID_ONLINE_SOURCE');
export type PaidOnlineSource = 'claims' | 'payment-platform';

/** Makes PAID_ONLINE_SOURCE known to every IndicatorStore of the app. */
@Global()
@Module({})
export class PaidOnlineSourceModule {
  static forRoot(source: PaidOnlineSource | undefined): DynamicModule {
    return {
      module: PaidOnlineSourceModule,
      providers: [{ provide: PAID_ONLINE_SOURCE, useValue: source ?? 'claims' }],
      exports: [PAID_ONLINE_SOURCE],
    };
  }
}

/** First key of the advisory lock that serialises the re-derivation of one dossier's facts. */
export const DOSSIER_LOCK_CLASS = 766;

export interface RecordOutcome {
  /** False when the event id had been applied before: nothing changed. */
  applied: boolean;
  /** The dossier's facts after the event, when it was applied. */
  facts?: DossierFacts;
}

interface CountRow {
  agency_code: string;
  received: string;
  resolved_on_time: string;
  resolved_late: string;
  pending_in_time: string;
  pending_overdue: string;
  received_online: string;
  paid_online: string;
  digitised_at_intake: string;
  results_digitised: string;
  reused_store: string | null;
  reused_portal: string | null;
  ratings: string;
  ratings_satisfied: string;
}

/*
 * The counting rules of libs/domain/src/indicators/indicator-aggregator.ts in SQL, over the facts table and
 * the reuse store's records of which dossier reused which document (document_reuse, migration 0004):
 * $1 period start, $2 period end (excluded), $3 evaluation instant, $4 lowest satisfied score,
 * $5 agency code or null for every agency. The store's spec holds the two to each other.
 */
const IN_PERIOD = (column: string) => `(${column} >= $1 AND ${column} < $2)`;
const OPEN_AT_EVALUATION = '(received_at < $3 AND (closed_at IS NULL OR closed_at >= $3))';
const RELEVANT = `(${IN_PERIOD('received_at')} OR ${IN_PERIOD('resolved_at')} OR (rating_score IS NOT NULL AND ${IN_PERIOD('rated_at')}) OR ${OPEN_AT_EVALUATION})`;

const PAID_ONLINE: Record<PaidOnlineSource, string> = {
  claims: 'paid_online',
  'payment-platform': `EXISTS (SELECT 1 FROM payment p
    WHERE p.dossier_code = indicator_dossier.dossier_code AND p.status = 'CONFIRMED')`,
};

const COUNT_SQL = (paidOnline: string) => `
SELECT agency_code,
  count(*) FILTER (WHERE ${IN_PERIOD('received_at')}) AS received,
  count(*) FILTER (WHERE ${IN_PERIOD('resolved_at')} AND on_time IS DISTINCT FROM false) AS resolved_on_time,
  count(*) FILTER (WHERE ${IN_PERIOD('resolved_at')} AND on_time = false) AS resolved_late,
  count(*) FILTER (WHERE ${OPEN_AT_EVALUATION} AND (due_at IS NULL OR due_at >= $3)) AS pending_in_time,
  count(*) FILTER (WHERE ${OPEN_AT_EVALUATION} AND due_at < $3) AS pending_overdue,
  count(*) FILTER (WHERE ${IN_PERIOD('received_at')} AND online) AS received_online,
  count(*) FILTER (WHERE ${IN_PERIOD('received_at')} AND ${paidOnline}) AS paid_online,
  count(*) FILTER (WHERE ${IN_PERIOD('received_at')} AND digitised_at_intake) AS digitised_at_intake,
  count(*) FILTER (WHERE ${IN_PERIOD('resolved_at')} AND result_digitised) AS results_digitised,
  sum(GREATEST(components_reused_store, (
    SELECT count(*) FROM document_reuse r WHERE r.dossier_code = indicator_dossier.dossier_code
  ))) FILTER (WHERE ${IN_PERIOD('received_at')}) AS reused_store,
  sum(components_reused_portal) FILTER (WHERE ${IN_PERIOD('received_at')}) AS reused_portal,
  count(*) FILTER (WHERE rating_score IS NOT NULL AND ${IN_PERIOD('rated_at')}) AS ratings,
  count(*) FILTER (WHERE rating_score >= $4 AND ${IN_PERIOD('rated_at')}) AS ratings_satisfied
FROM indicator_dossier
WHERE ($5::text IS NULL OR agency_code = $5::text) AND ${RELEVANT}
GROUP BY agency_code
ORDER BY agency_code`;

/** The types of the upserted columns, in the order of UPSERT_SQL (updated_at is now()). */
const UPSERT_COLUMNS = [
  'text',
  'text',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'timestamptz',
  'boolean',
  'boolean',
  'boolean',
  'boolean',
  'boolean',
  'boolean',
  'integer',
  'integer',
  'smallint',
  'timestamptz',
  'text',
  'integer',
] as const;

const UPSERT_SQL = (rows: string) => `
INSERT INTO indicator_dossier (
  dossier_code, agency_code, received_at, due_at, resolved_at, closed_at, on_time, online, fee_required,
  paid_online, digitised_at_intake, result_digitised, components_reused_store, components_reused_portal,
  rating_score, rated_at, formula_version, event_count, updated_at)
VALUES ${rows}
ON CONFLICT (dossier_code) DO UPDATE SET
  agency_code = EXCLUDED.agency_code, received_at = EXCLUDED.received_at, due_at = EXCLUDED.due_at,
  resolved_at = EXCLUDED.resolved_at, closed_at = EXCLUDED.closed_at, on_time = EXCLUDED.on_time,
  online = EXCLUDED.online, fee_required = EXCLUDED.fee_required, paid_online = EXCLUDED.paid_online,
  digitised_at_intake = EXCLUDED.digitised_at_intake, result_digitised = EXCLUDED.result_digitised,
  components_reused_store = EXCLUDED.components_reused_store,
  components_reused_portal = EXCLUDED.components_reused_portal, rating_score = EXCLUDED.rating_score,
  rated_at = EXCLUDED.rated_at, formula_version = EXCLUDED.formula_version,
  event_count = EXCLUDED.event_count, updated_at = now()`;

/** Events applied in one transaction at most (18 parameters per dossier stay far below the limit). */
const MAX_GROUP_EVENTS = 500;

/**
 * The Decision 766 indicators as the relay keeps them: every applied dossier status event (once per event
 * id) and, per dossier, the facts derived from all its events (libs/domain/src/indicators). Counts and
 * scores are computed from the facts when asked, for any agency and any DAY, MONTH or QUARTER, so a late
 * event corrects the period its dossier's dates fall in as soon as it is applied, and the stock of a
 * running period (pending in time / overdue) is always taken now.
 *
 * API (stable, used by the relay's consumer and metrics, the gateway's read API and operations-center
 * reporting): `record(event)`, `report(agencyCode, period)`, `reports(period)`, `agencies(period)`.
 */
@Injectable()
export class IndicatorStore {
  private readonly clock: () => number;
  private readonly countSql: string;
  private readonly groups: GroupCommit<IndicatorEvent, RecordOutcome>;

  constructor(
    private readonly db: Database,
    @Optional() @Inject(INDICATOR_CLOCK) clock?: () => number,
    @Optional() @Inject(PAID_ONLINE_SOURCE) paidOnline?: PaidOnlineSource,
  ) {
    this.clock = clock ?? Date.now;
    this.countSql = COUNT_SQL(PAID_ONLINE[paidOnline ?? 'claims']);
    this.groups = new GroupCommit<IndicatorEvent, RecordOutcome>({
      commit: (events) => this.recordGroup(events),
      sizeOf: () => 1,
      maxGroupSize: MAX_GROUP_EVENTS,
      // PGlite has one connection: one group at a time, the next one gathering meanwhile
      concurrency: db.kind === 'pglite' ? 1 : 2,
    });
  }

  /**
   * Applies one dossier status event: records it (a repeated event id changes nothing and returns
   * `applied: false`) and re-derives its dossier's facts from every event of the dossier, so the order in
   * which events arrive does not matter. Concurrent calls are applied together (group commit): one
   * transaction records a group's events, locks their dossiers and saves their facts in one statement
   * each, so a consumer handing over a fetched batch costs a few round trips, not six per event.
   */
  record(event: IndicatorEvent): Promise<RecordOutcome> {
    return this.groups.submit(toIndicatorEvent(event));
  }

  /** One group commit: each event's outcome, in order; `facts` are the dossier's after the whole group. */
  private async recordGroup(events: readonly IndicatorEvent[]): Promise<RecordOutcome[]> {
    // the first occurrence of an event id in the group is the one that can apply
    const ids = events.map((event) => event.eventId.toLowerCase());
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      if (!first.has(id)) first.set(id, i);
    });
    const unique = [...first.values()].map((i) => events[i]);
    return this.db.transaction(async (tx) => {
      // The events, and in the same statement the locks of their dossiers, in code order so two groups never
      // wait on each other in a cycle (the sort needs every inserted row first; selecting the count is what makes
      // the statement take them, as an unreferenced CTE would not run). The read of each dossier's
      // events that follows is a statement of its own: its snapshot is taken once the locks are held, so it
      // sees what a group that held them before committed.
      const inserted = await tx.query<{ event_id: string; dossier_code: string }>(
        `WITH inserted AS (
           INSERT INTO indicator_event (event_id, dossier_code, occurred_at, payload)
           SELECT event_id, dossier_code, occurred_at, payload FROM jsonb_to_recordset($1::jsonb)
             AS r(event_id uuid, dossier_code text, occurred_at timestamptz, payload jsonb)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id, dossier_code),
         locked AS (
           SELECT pg_advisory_xact_lock($2::int, hashtext(code)) FROM (
             SELECT DISTINCT dossier_code AS code FROM inserted ORDER BY 1) AS sorted)
         SELECT event_id, dossier_code, (SELECT count(*) FROM locked) AS locks FROM inserted`,
        [
          JSON.stringify(
            unique.map((event) => ({
              event_id: event.eventId,
              dossier_code: event.dossierCode,
              occurred_at: new Date(event.occurredAt).toISOString(),
              payload: event,
            })),
          ),
          DOSSIER_LOCK_CLASS,
        ],
      );
      const applied = new Set(inserted.map((row) => row.event_id.toLowerCase()));
      const codes = [...new Set(inserted.map((row) => row.dossier_code))];
      const facts = new Map<string, DossierFacts>();
      if (codes.length > 0) {
        const rows = await tx.query<{ dossier_code: string; payload: IndicatorEvent }>(
          `SELECT dossier_code, payload FROM indicator_event
            WHERE dossier_code IN (SELECT jsonb_array_elements_text($1::jsonb))`,
          [JSON.stringify(codes)],
        );
        const byDossier = new Map<string, IndicatorEvent[]>();
        for (const row of rows) {
          const list = byDossier.get(row.dossier_code);
          if (list) list.push(row.payload);
          else byDossier.set(row.dossier_code, [row.payload]);
        }
        const saved: { facts: DossierFacts; eventCount: number }[] = [];
        for (const [code, payloads] of byDossier) {
          const derived = deriveDossierFacts(payloads) as DossierFacts;
          facts.set(code, derived);
          saved.push({ facts: derived, eventCount: payloads.length });
        }
        await this.saveFacts(tx, saved);
      }
      return events.map((event, i) =>
        first.get(ids[i]) === i && applied.has(ids[i])
          ? { applied: true, facts: facts.get(event.dossierCode) }
          : { applied: false },
      );
    });
  }

  /**
   * Counts and scores of one agency for one period (formula version FORMULA_VERSION); undefined when the
   * agency has nothing in the period (no dossier received, resolved or rated in it, none pending at its
   * evaluation instant).
   */
  async report(agencyCode: string, period: ReportingPeriod): Promise<ComputedIndicatorReport | undefined> {
    const [report] = await this.compute(period, agencyCode);
    return report;
  }

  /** The reports of every agency with something in the period, by agency code. */
  reports(period: ReportingPeriod): Promise<ComputedIndicatorReport[]> {
    return this.compute(period, null);
  }

  /**
   * The dossiers behind one agency's number in the period, by the same rules as the counts: `late` resolved
   * in the period after their due time (resolvedLate); `not-digitised` received in the period without a
   * digitised intake, or resolved in it without a digitised result (digitisedAtIntake, resultsDigitised);
   * `received` every dossier received in the period. Oldest first, at most `limit`.
   */
  async dossiersBehind(
    agencyCode: string,
    period: ReportingPeriod,
    kind: 'late' | 'not-digitised' | 'received',
    limit: number,
  ): Promise<IndicatorDossierRow[]> {
    const { start, end } = periodBounds(period);
    const where =
      kind === 'late'
        ? `${IN_PERIOD('resolved_at')} AND on_time = false`
        : kind === 'not-digitised'
          ? `((${IN_PERIOD('received_at')} AND NOT digitised_at_intake) OR (${IN_PERIOD('resolved_at')} AND NOT result_digitised))`
          : IN_PERIOD('received_at');
    const rows = await this.db.query<{
      dossier_code: string;
      received_at: Date | string | null;
      due_at: Date | string | null;
      resolved_at: Date | string | null;
      intake_digitised: boolean;
      result_digitised: boolean;
    }>(
      `SELECT dossier_code, received_at, due_at, resolved_at,
              digitised_at_intake AS intake_digitised, result_digitised
         FROM indicator_dossier
        WHERE agency_code = $3 AND ${where}
        ORDER BY received_at NULLS LAST, dossier_code
        LIMIT $4`,
      [start, end, agencyCode, limit],
    );
    const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
    return rows.map((row) => ({
      dossierCode: row.dossier_code,
      receivedAt: iso(row.received_at),
      dueAt: iso(row.due_at),
      resolvedAt: iso(row.resolved_at),
      intakeDigitised: row.intake_digitised,
      resultDigitised: row.result_digitised,
    }));
  }

  /** Agency codes with something in the period, sorted. */
  async agencies(period: ReportingPeriod): Promise<string[]> {
    const { start, end } = periodBounds(period);
    const asOf = evaluationInstant(period, this.clock());
    const rows = await this.db.query<{ agency_code: string }>(
      `SELECT DISTINCT agency_code FROM indicator_dossier WHERE ${RELEVANT} ORDER BY agency_code`,
      [start, end, asOf],
    );
    return rows.map((row) => row.agency_code);
  }

  private async compute(
    period: ReportingPeriod,
    agencyCode: string | null,
  ): Promise<ComputedIndicatorReport[]> {
    const { start, end } = periodBounds(period);
    const asOf = evaluationInstant(period, this.clock());
    const rows = await this.db.query<CountRow>(this.countSql, [
      start,
      end,
      asOf,
      SATISFIED_MIN_SCORE,
      agencyCode,
    ]);
    return rows.map((row) => buildIndicatorReport(row.agency_code, period, countsOf(row)));
  }

  /** Saves the facts of several dossiers (each at most once) in one statement. */
  private async saveFacts(
    tx: Queryable,
    dossiers: readonly { facts: DossierFacts; eventCount: number }[],
  ): Promise<void> {
    if (dossiers.length === 0) return;
    const params: unknown[] = [];
    const rows = dossiers.map(({ facts, eventCount }, i) => {
      params.push(
        facts.dossierCode,
        facts.agencyCode,
        facts.receivedAt,
        facts.dueAt,
        facts.resolvedAt,
        facts.closedAt,
        facts.onTime,
        facts.online,
        facts.feeRequired,
        facts.paidOnline,
        facts.digitisedAtIntake,
        facts.resultDigitised,
        facts.componentsReusedFromStore,
        facts.componentsReusedFromPortal,
        facts.ratingScore,
        facts.ratedAt,
        FORMULA_VERSION,
        eventCount,
      );
      const b = i * UPSERT_COLUMNS.length;
      return `(${UPSERT_COLUMNS.map((type, c) => `$${b + c + 1}::${type}`).join(', ')}, now())`;
    });
    await tx.query(UPSERT_SQL(rows.join(', ')), params);
  }
}

function countsOf(row: CountRow): IndicatorCounts {
  return {
    received: Number(row.received),
    resolvedOnTime: Number(row.resolved_on_time),
    resolvedLate: Number(row.resolved_late),
    pendingInTime: Number(row.pending_in_time),
    pendingOverdue: Number(row.pending_overdue),
    receivedOnline: Number(row.received_online),
    paidOnline: Number(row.paid_online),
    digitisedAtIntake: Number(row.digitised_at_intake),
    resultsDigitised: Number(row.results_digitised),
    componentsReusedFromStore: Number(row.reused_store ?? 0),
    componentsReusedFromPortal: Number(row.reused_portal ?? 0),
    ratings: Number(row.ratings),
    ratingsSatisfied: Number(row.ratings_satisfied),
  };
}

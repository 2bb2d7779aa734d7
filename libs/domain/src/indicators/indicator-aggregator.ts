import type { IndicatorCounts, ReportingPeriod } from '@lienthong/contracts';
import { deriveDossierFacts, type DossierFacts, type IndicatorEvent } from './dossier-facts';
import {
  buildIndicatorReport,
  emptyIndicatorCounts,
  SATISFIED_MIN_SCORE,
  type ComputedIndicatorReport,
} from './indicator-formulas';
import { evaluationInstant, periodBounds } from './indicator-period';

/**
 * Counts per (agency, period) from per-dossier facts (part of formula version FORMULA_VERSION). A period
 * counts the flows that happened in it and the stock at its evaluation instant (its end, or now while
 * it runs, see {@link evaluationInstant}):
 *
 * - received, receivedOnline, paidOnline, digitisedAtIntake, componentsReusedFromStore/FromPortal: dossiers
 *   received in the period (the intake facts belong to the reception, whenever they become known);
 * - resolvedOnTime / resolvedLate, resultsDigitised: dossiers resolved in the period;
 * - pendingInTime / pendingOverdue: dossiers received before the evaluation instant and not closed by it,
 *   whenever they were received (carried over from earlier periods included); overdue when their due date
 *   is before the evaluation instant;
 * - ratings / ratingsSatisfied: ratings given in the period.
 *
 * componentsReusedFromStore of a dossier is the larger of what its events report and the reuse-store records
 * of the dossier (documents the gateway's reuse store returned to a search made for it, table
 * document_reuse): both can describe the same reuse, so the larger, not the sum.
 *
 * Each dossier counts by its own dates, so an event that arrives after its period has closed corrects that
 * period, never the period it arrived in. IndicatorStore (relay) runs the same rules in SQL; its spec holds
 * the two to each other.
 */

/** What one dossier adds to the counts of a period whose instants are [start, end) and stock is taken at asOf. */
export function dossierContribution(
  facts: DossierFacts,
  window: { start: Date; end: Date; asOf: Date },
  reuseStoreRecords = 0,
): IndicatorCounts {
  const inside = (at: Date | null) => at !== null && at >= window.start && at < window.end;
  const counts = emptyIndicatorCounts();
  if (inside(facts.receivedAt)) {
    counts.received = 1;
    counts.receivedOnline = facts.online ? 1 : 0;
    counts.paidOnline = facts.paidOnline ? 1 : 0;
    counts.digitisedAtIntake = facts.digitisedAtIntake ? 1 : 0;
    counts.componentsReusedFromStore = Math.max(facts.componentsReusedFromStore, reuseStoreRecords);
    counts.componentsReusedFromPortal = facts.componentsReusedFromPortal;
  }
  if (inside(facts.resolvedAt)) {
    if (facts.onTime === false) counts.resolvedLate = 1;
    else counts.resolvedOnTime = 1;
    counts.resultsDigitised = facts.resultDigitised ? 1 : 0;
  }
  const open =
    facts.receivedAt !== null &&
    facts.receivedAt < window.asOf &&
    (facts.closedAt === null || facts.closedAt >= window.asOf);
  if (open) {
    if (facts.dueAt !== null && facts.dueAt < window.asOf) counts.pendingOverdue = 1;
    else counts.pendingInTime = 1;
  }
  if (facts.ratingScore !== null && inside(facts.ratedAt)) {
    counts.ratings = 1;
    counts.ratingsSatisfied = facts.ratingScore >= SATISFIED_MIN_SCORE ? 1 : 0;
  }
  return counts;
}

function hasAny(counts: IndicatorCounts): boolean {
  return Object.values(counts).some((n) => n > 0);
}

function add(into: IndicatorCounts, more: IndicatorCounts): void {
  for (const key of Object.keys(into) as (keyof IndicatorCounts)[]) into[key] += more[key];
}

/**
 * Counts per agency for one period; agencies with nothing in the period are absent. `now` decides the
 * evaluation instant of a running period; `reuseStoreRecords` gives the reuse-store records per dossier code.
 */
export function countIndicators(
  facts: Iterable<DossierFacts>,
  period: ReportingPeriod,
  now: Date | number,
  reuseStoreRecords: ReadonlyMap<string, number> = new Map(),
): Map<string, IndicatorCounts> {
  const { start, end } = periodBounds(period);
  const window = { start, end, asOf: evaluationInstant(period, now) };
  const byAgency = new Map<string, IndicatorCounts>();
  for (const dossier of facts) {
    const contribution = dossierContribution(dossier, window, reuseStoreRecords.get(dossier.dossierCode));
    if (!hasAny(contribution)) continue;
    let counts = byAgency.get(dossier.agencyCode);
    if (!counts) byAgency.set(dossier.agencyCode, (counts = emptyIndicatorCounts()));
    add(counts, contribution);
  }
  return byAgency;
}

/** Groups events by dossier and derives each dossier's facts. */
export function factsFromEvents(events: Iterable<IndicatorEvent>): DossierFacts[] {
  const byDossier = new Map<string, IndicatorEvent[]>();
  for (const event of events) {
    const list = byDossier.get(event.dossierCode);
    if (list) list.push(event);
    else byDossier.set(event.dossierCode, [event]);
  }
  const facts: DossierFacts[] = [];
  for (const list of byDossier.values()) {
    const derived = deriveDossierFacts(list);
    if (derived) facts.push(derived);
  }
  return facts;
}

/**
 * The reports of every agency with something in the period, from raw status events (any order,
 * duplicates allowed), sorted by agency code.
 */
export function aggregateIndicators(
  events: Iterable<IndicatorEvent>,
  period: ReportingPeriod,
  now: Date | number,
  reuseStoreRecords?: ReadonlyMap<string, number>,
): ComputedIndicatorReport[] {
  return [...countIndicators(factsFromEvents(events), period, now, reuseStoreRecords).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agencyCode, counts]) => buildIndicatorReport(agencyCode, period, counts));
}

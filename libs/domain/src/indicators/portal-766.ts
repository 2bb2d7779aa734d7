import type { IndicatorGroup, ReportingPeriod } from '@lienthong/contracts';
import { DossierStatus } from '../dossier/dossier-status';
import { deriveDossierFacts, type DossierFacts, type IndicatorEvent } from './dossier-facts';
import { evaluationInstant, periodBounds } from './indicator-period';

/**
 * Decision 766/QĐ-TTg as the National Public Service Portal scores it, formula version
 * {@link PORTAL_FORMULA_VERSION}: the sub-criteria of the six groups with their points, thresholds and the
 * portal's conventions, fitted to the portal's own scoring responses saved publicly for one province in 2026
 * (issue 14). One criterion per row of {@link PORTAL_766_CRITERIA}; every row names its source and how sure
 * the fit is (`confidence`). docs/indicators.md is the same table for people.
 *
 * Rules common to the criteria:
 * - A measured criterion scores `points × min(1, ratio / fullAt)`: full points from `fullAt` up (80% or 50% for
 *   CLGQ, 90% for the dossier satisfaction of MDHL, 100% elsewhere), rounded to 2 decimals.
 * - Nothing to judge (denominator 0): the portal gives 0 for timeliness (TDGQ), payment (TTTT.3) and dossier
 *   satisfaction (MDHL.3); every other criterion gets its full points (`emptyDenominator`).
 * - A criterion needing data the gateway does not have (procedure publication in the national database,
 *   feedback handling, the citizen's data store, VNeID, certified copies) is "not measured here": `points`
 *   null, left out of the group's points and of `measuredMaxPoints`, never given full marks.
 * - Periods: MONTH, QUARTER, YEAR (the portal evaluates those). Flows count by the dossier's own dates in the
 *   period; the stock (overdue in process) is taken at the period's end, or now while it runs.
 *
 * Per dossier (from its status events, any order, duplicates allowed; dossier-facts.ts for the shared facts):
 * - closed: resolved (RESOLVED, else RESULT_RETURNED) or ended without a result (REJECTED, WITHDRAWN,
 *   STOPPED), whichever came first. TDGQ judges every closure in the period, refusals included.
 * - supplement wait: from each SUPPLEMENT_REQUESTED to the next event of another status (the citizen's
 *   supplement); the time the dossier waited on the citizen is added to its due date.
 * - on time: closed at or before due date + supplement wait (or without a due date) and asked for a
 *   supplement at most once — a second request counts as late whatever the dates.
 * - overdue in process at the evaluation instant: open, and past due date + supplement wait, or asked twice.
 */
export const PORTAL_FORMULA_VERSION = '766-portal-2026.1';

/** Where a criterion's figures come from. */
export type CriterionSource =
  | 'gateway-events'
  | 'gateway-audit'
  | 'catalogue'
  | 'feedback'
  | 'citizen-store'
  | 'identity'
  | 'certification';

export interface PortalCriterion {
  /** `CKMB.4`: group and the criterion's place in it, as the portal's scoring response lists them. */
  readonly code: string;
  readonly group: IndicatorGroup;
  /** Vietnamese title. */
  readonly title: string;
  readonly points: number;
  /** The ratio from which the criterion gets full points (1 = 100%). */
  readonly fullAt: number;
  /** Points when there is nothing to judge. */
  readonly emptyDenominator: 'zero' | 'full';
  /** The formula in words, naming its counts. */
  readonly formula: string;
  readonly source: CriterionSource;
  /** Where the rule comes from. */
  readonly basis: string;
  /** How sure the fit to the portal's responses is. */
  readonly confidence: 'high' | 'medium' | 'low';
  /** Numerator and denominator from the counts; absent when the gateway cannot measure the criterion. */
  readonly measure?: (counts: PortalCounts) => { numerator: number; denominator: number };
}

/** What the gateway counts for one agency and period: the raw figures behind every measured criterion. */
export interface PortalCounts {
  /** Dossiers received in the period. */
  received: number;
  /** … of which synced to the portal (an OK portal.sync in the audit log). */
  receivedSynced: number;
  /** … of which lodged online. */
  receivedOnline: number;
  /** Procedures with a dossier received in the period, and those with an online one among them. */
  procedures: number;
  proceduresOnline: number;
  /** Closures in the period (resolved, refused, withdrawn, stopped), and those on time. */
  closed: number;
  closedOnTime: number;
  /** Open at the evaluation instant and overdue by the rules above. */
  overdueInProcess: number;
  /** Closures in the period held against satisfaction: late, or rated dissatisfied (1–2). */
  closedDissatisfiedOrLate: number;
  /** Received dossiers with a fee, and those paid online. */
  feeBearing: number;
  paidOnline: number;
  /** Dossiers resolved in the period, and those whose result was issued electronically. */
  resolved: number;
  resultsElectronic: number;
  /** Received dossiers digitised at intake. */
  digitisedAtIntake: number;
  /** Received dossiers that reused at least one component (reuse store or national portal). */
  reusing: number;
  /** Received dossiers whose intake used the National Population Database (a citizen lookup in the audit log). */
  populationData: number;
}

/** A rating this low counts as dissatisfied (1 very dissatisfied, 2 dissatisfied on the 1-5 scale). */
export const DISSATISFIED_MAX_SCORE = 2;

const FIT = 'Fitted to the portal’s scoring responses (one province, 2026), issue 14';

export const PORTAL_766_CRITERIA: readonly PortalCriterion[] = Object.freeze([
  {
    code: 'CKMB.1',
    group: 'CKMB',
    title: 'Công bố TTHC đúng hạn',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'full',
    formula:
      'procedures published in the national procedure database on time / procedures due for publication',
    source: 'catalogue',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'CKMB.2',
    group: 'CKMB',
    title: 'Cập nhật TTHC đúng hạn',
    points: 4,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'procedures updated in the national database on time / procedures due for an update',
    source: 'catalogue',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'CKMB.3',
    group: 'CKMB',
    title: 'Công khai đầy đủ nội dung TTHC',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'procedures published with full content / procedures published',
    source: 'catalogue',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'CKMB.4',
    group: 'CKMB',
    title: 'Hồ sơ đồng bộ lên Cổng DVCQG',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'receivedSynced / received',
    source: 'gateway-audit',
    basis: `${FIT}; dossiers synced as the gateway's audit log shows its portal.sync calls`,
    confidence: 'medium',
    measure: (c) => ({ numerator: c.receivedSynced, denominator: c.received }),
  },
  {
    code: 'TDGQ.1',
    group: 'TDGQ',
    title: 'Giải quyết hồ sơ đúng hạn',
    points: 20,
    fullAt: 1,
    emptyDenominator: 'zero',
    formula:
      'closedOnTime / (closed + overdueInProcess); closed counts refused, withdrawn and stopped dossiers; ' +
      'the supplement wait extends the due date; a second supplement request is late',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'medium',
    measure: (c) => ({ numerator: c.closedOnTime, denominator: c.closed + c.overdueInProcess }),
  },
  {
    code: 'CLGQ.1',
    group: 'CLGQ',
    title: 'TTHC cung cấp DVC trực tuyến toàn trình',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'procedures offered fully online / procedures eligible',
    source: 'catalogue',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'CLGQ.2',
    group: 'CLGQ',
    title: 'TTHC phát sinh hồ sơ trực tuyến',
    points: 4,
    fullAt: 0.8,
    emptyDenominator: 'full',
    formula: 'proceduresOnline / procedures (procedures with a dossier received in the period), full at 80%',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'medium',
    measure: (c) => ({ numerator: c.proceduresOnline, denominator: c.procedures }),
  },
  {
    code: 'CLGQ.3',
    group: 'CLGQ',
    title: 'Hồ sơ tiếp nhận trực tuyến',
    points: 6,
    fullAt: 0.5,
    emptyDenominator: 'full',
    formula: 'receivedOnline / received, full at 50%',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'high',
    measure: (c) => ({ numerator: c.receivedOnline, denominator: c.received }),
  },
  {
    code: 'TTTT.1',
    group: 'TTTT',
    title: 'TTHC có phí tích hợp thanh toán trực tuyến',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'fee-bearing procedures connected to the portal’s payment platform / fee-bearing procedures',
    source: 'catalogue',
    basis: FIT,
    confidence: 'low',
  },
  {
    code: 'TTTT.2',
    group: 'TTTT',
    title: 'TTHC phát sinh thanh toán trực tuyến',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'fee-bearing procedures with an online payment in the period / fee-bearing procedures',
    source: 'catalogue',
    basis: FIT,
    confidence: 'low',
  },
  {
    code: 'TTTT.3',
    group: 'TTTT',
    title: 'Hồ sơ thanh toán trực tuyến',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'zero',
    formula: 'paidOnline / feeBearing (received dossiers with a fee)',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'high',
    measure: (c) => ({ numerator: c.paidOnline, denominator: c.feeBearing }),
  },
  {
    code: 'MDHL.1',
    group: 'MDHL',
    title: 'Xử lý phản ánh, kiến nghị đúng hạn',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'feedback answered on time / feedback due',
    source: 'feedback',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'MDHL.2',
    group: 'MDHL',
    title: 'Hài lòng về xử lý phản ánh, kiến nghị',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'satisfied feedback ratings / feedback ratings',
    source: 'feedback',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'MDHL.3',
    group: 'MDHL',
    title: 'Hài lòng về giải quyết hồ sơ',
    points: 6,
    fullAt: 0.9,
    emptyDenominator: 'zero',
    formula:
      `(closed − closedDissatisfiedOrLate) / closed, full at 90%; against: late, rated 1–${DISSATISFIED_MAX_SCORE}, ` +
      'or complained about (no complaint data here: none counted)',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'medium',
    measure: (c) => ({ numerator: c.closed - c.closedDissatisfiedOrLate, denominator: c.closed }),
  },
  {
    code: 'MDSH.1',
    group: 'MDSH',
    title: 'Kết quả giải quyết điện tử',
    points: 6,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'resultsElectronic / resolved',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'high',
    measure: (c) => ({ numerator: c.resultsElectronic, denominator: c.resolved }),
  },
  {
    code: 'MDSH.2',
    group: 'MDSH',
    title: 'Hồ sơ được số hoá',
    points: 4,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'digitisedAtIntake / received',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'high',
    measure: (c) => ({ numerator: c.digitisedAtIntake, denominator: c.received }),
  },
  {
    code: 'MDSH.3',
    group: 'MDSH',
    title: 'Tái sử dụng dữ liệu, giấy tờ đã số hoá',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'reusing / received (a dossier counts once, however many components it reused)',
    source: 'gateway-events',
    basis: FIT,
    confidence: 'medium',
    measure: (c) => ({ numerator: c.reusing, denominator: c.received }),
  },
  {
    code: 'MDSH.4',
    group: 'MDSH',
    title: 'Kết quả đồng bộ vào kho dữ liệu công dân',
    points: 4,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'results linked to the citizen’s data store on the portal / results issued',
    source: 'citizen-store',
    basis: FIT,
    confidence: 'medium',
  },
  {
    code: 'MDSH.5',
    group: 'MDSH',
    title: 'Khai thác dữ liệu dân cư',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'populationData / received (a citizen lookup or verification audited for the dossier)',
    source: 'gateway-audit',
    basis: FIT,
    confidence: 'low',
    measure: (c) => ({ numerator: c.populationData, denominator: c.received }),
  },
  {
    code: 'MDSH.6',
    group: 'MDSH',
    title: 'Xác thực định danh điện tử (VNeID)',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'dossiers lodged by an account authenticated with VNeID / dossiers lodged online',
    source: 'identity',
    basis: FIT,
    confidence: 'low',
  },
  {
    code: 'MDSH.7',
    group: 'MDSH',
    title: 'Chứng thực bản sao điện tử',
    points: 2,
    fullAt: 1,
    emptyDenominator: 'full',
    formula: 'certified electronic copies issued / certification requests',
    source: 'certification',
    basis: FIT,
    confidence: 'low',
  },
]);

export const PORTAL_766_GROUPS: Readonly<Record<IndicatorGroup, { title: string; points: number }>> =
  Object.freeze({
    CKMB: { title: 'Công khai, minh bạch', points: 18 },
    TDGQ: { title: 'Tiến độ giải quyết', points: 20 },
    CLGQ: { title: 'Dịch vụ công trực tuyến', points: 12 },
    TTTT: { title: 'Thanh toán trực tuyến', points: 10 },
    MDHL: { title: 'Mức độ hài lòng', points: 18 },
    MDSH: { title: 'Số hoá hồ sơ', points: 22 },
  });

const GROUP_ORDER: readonly IndicatorGroup[] = ['CKMB', 'TDGQ', 'CLGQ', 'TTTT', 'MDHL', 'MDSH'];

// --- per dossier ---------------------------------------------------------------------------------------

/** The portal scoring's facts of one dossier: the shared facts plus closures, supplements and audit marks. */
export interface PortalDossierFacts extends DossierFacts {
  procedureCode?: string;
  /** How the dossier ended without a result, if it did (and before any resolution). */
  endedAs: 'REJECTED' | 'WITHDRAWN' | 'STOPPED' | null;
  /** SUPPLEMENT_REQUESTED events (distinct). */
  supplementRequests: number;
  /** Time spent waiting on the citizen's supplements, up to the closure (or the last event). */
  supplementWaitMs: number;
  /** An OK portal.sync for the dossier in the audit log. */
  syncedToPortal: boolean;
  /** A citizen lookup or verification audited for the dossier. */
  populationData: boolean;
}

/** An indicator event that may also name its procedure (the canonical event does). */
export type PortalIndicatorEvent = IndicatorEvent & { procedureCode?: string };

const ENDED = new Set<string>([DossierStatus.REJECTED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED]);

/**
 * The facts of one dossier from its events (any order, duplicates allowed); undefined without events.
 * `marks.confirmedPayment`, when given, replaces the events' `payment.paidOnline` claim: the dossier was paid
 * online when the national payment platform confirmed a payment of it (a confirmed payment also makes it
 * fee-bearing).
 */
export function derivePortalDossierFacts(
  events: readonly PortalIndicatorEvent[],
  marks: {
    procedureCode?: string;
    syncedToPortal?: boolean;
    populationData?: boolean;
    confirmedPayment?: boolean;
  } = {},
): PortalDossierFacts | undefined {
  const facts = deriveDossierFacts(events);
  if (!facts) return undefined;
  const byId = new Map<string, PortalIndicatorEvent>();
  for (const event of events) if (!byId.has(event.eventId)) byId.set(event.eventId, event);
  const timeline = [...byId.values()]
    .map((event) => ({ event, at: Date.parse(event.occurredAt) }))
    .filter((t) => Number.isFinite(t.at))
    .sort((a, b) => a.at - b.at);
  const closedAt = facts.closedAt?.getTime() ?? Infinity;

  let supplementRequests = 0;
  let supplementWaitMs = 0;
  let waitingSince: number | undefined;
  for (const { event, at } of timeline) {
    if (at > closedAt) break;
    if (event.status === DossierStatus.SUPPLEMENT_REQUESTED) {
      supplementRequests += 1;
      waitingSince ??= at;
    } else if (waitingSince !== undefined) {
      supplementWaitMs += at - waitingSince;
      waitingSince = undefined;
    }
  }
  const ended = timeline.find((t) => ENDED.has(t.event.status) && t.at <= closedAt);
  const endedAs =
    ended && (facts.resolvedAt === null || ended.at < facts.resolvedAt.getTime())
      ? (ended.event.status as PortalDossierFacts['endedAs'])
      : null;
  const procedureCode =
    marks.procedureCode ?? [...timeline].reverse().find((t) => t.event.procedureCode)?.event.procedureCode;
  const payment =
    marks.confirmedPayment === undefined
      ? {}
      : {
          paidOnline: marks.confirmedPayment,
          feeRequired: facts.feeRequired || marks.confirmedPayment,
        };
  return {
    ...facts,
    ...payment,
    ...(procedureCode ? { procedureCode } : {}),
    endedAs,
    supplementRequests,
    supplementWaitMs,
    syncedToPortal: marks.syncedToPortal === true,
    populationData: marks.populationData === true,
  };
}

/** True when a closed dossier closed on time by the portal's rules. */
export function closedOnTime(facts: PortalDossierFacts): boolean {
  if (facts.closedAt === null) return false;
  if (facts.supplementRequests >= 2) return false;
  if (facts.dueAt === null) return true;
  return facts.closedAt.getTime() - facts.supplementWaitMs <= facts.dueAt.getTime();
}

/** True when an open dossier is overdue at `asOf` by the portal's rules. */
export function overdueAt(facts: PortalDossierFacts, asOf: Date): boolean {
  if (facts.supplementRequests >= 2) return true;
  return facts.dueAt !== null && facts.dueAt.getTime() + facts.supplementWaitMs < asOf.getTime();
}

// --- per agency and period ---------------------------------------------------------------------------

export function emptyPortalCounts(): PortalCounts {
  return {
    received: 0,
    receivedSynced: 0,
    receivedOnline: 0,
    procedures: 0,
    proceduresOnline: 0,
    closed: 0,
    closedOnTime: 0,
    overdueInProcess: 0,
    closedDissatisfiedOrLate: 0,
    feeBearing: 0,
    paidOnline: 0,
    resolved: 0,
    resultsElectronic: 0,
    digitisedAtIntake: 0,
    reusing: 0,
    populationData: 0,
  };
}

/** The periods the portal evaluates. */
export const PORTAL_PERIOD_KINDS: readonly ReportingPeriod['kind'][] = Object.freeze([
  'MONTH',
  'QUARTER',
  'YEAR',
]);

/**
 * Counts per agency for one period (MONTH, QUARTER or YEAR); agencies with nothing in it are absent. `now`
 * decides the evaluation instant of a running period.
 */
export function countPortalIndicators(
  dossiers: Iterable<PortalDossierFacts>,
  period: ReportingPeriod,
  now: Date | number,
): Map<string, PortalCounts> {
  if (!PORTAL_PERIOD_KINDS.includes(period.kind)) {
    throw new RangeError(`the portal evaluates months, quarters and years, not ${period.kind}`);
  }
  const { start, end } = periodBounds(period);
  const asOf = evaluationInstant(period, now);
  const inside = (at: Date | null) => at !== null && at >= start && at < end;
  const byAgency = new Map<string, { counts: PortalCounts; procedures: Map<string, boolean> }>();
  for (const d of dossiers) {
    const received = inside(d.receivedAt);
    const closed = inside(d.closedAt);
    const open = d.receivedAt !== null && d.receivedAt < asOf && (d.closedAt === null || d.closedAt >= asOf);
    const overdue = open && overdueAt(d, asOf);
    if (!received && !closed && !overdue) continue;
    let agency = byAgency.get(d.agencyCode);
    if (!agency)
      byAgency.set(d.agencyCode, (agency = { counts: emptyPortalCounts(), procedures: new Map() }));
    const c = agency.counts;
    if (received) {
      c.received += 1;
      if (d.syncedToPortal) c.receivedSynced += 1;
      if (d.online) c.receivedOnline += 1;
      if (d.feeRequired) {
        c.feeBearing += 1;
        if (d.paidOnline) c.paidOnline += 1;
      }
      if (d.digitisedAtIntake) c.digitisedAtIntake += 1;
      if (d.componentsReusedFromStore + d.componentsReusedFromPortal > 0) c.reusing += 1;
      if (d.populationData) c.populationData += 1;
      const procedure = d.procedureCode ?? '?';
      agency.procedures.set(procedure, (agency.procedures.get(procedure) ?? false) || d.online);
    }
    if (closed) {
      c.closed += 1;
      const onTime = closedOnTime(d);
      if (onTime) c.closedOnTime += 1;
      const dissatisfied = d.ratingScore !== null && d.ratingScore <= DISSATISFIED_MAX_SCORE;
      if (!onTime || dissatisfied) c.closedDissatisfiedOrLate += 1;
      if (d.endedAs === null && d.resolvedAt !== null) {
        c.resolved += 1;
        if (d.resultDigitised) c.resultsElectronic += 1;
      }
    }
    if (overdue) c.overdueInProcess += 1;
  }
  const out = new Map<string, PortalCounts>();
  for (const [agencyCode, { counts, procedures }] of byAgency) {
    counts.procedures = procedures.size;
    counts.proceduresOnline = [...procedures.values()].filter(Boolean).length;
    out.set(agencyCode, counts);
  }
  return out;
}

// --- scores --------------------------------------------------------------------------------------------

export interface PortalCriterionScore {
  code: string;
  title: string;
  maxPoints: number;
  /** False: the gateway has no data for it ("not measured here"); `points` is then null. */
  measured: boolean;
  points: number | null;
  numerator?: number;
  denominator?: number;
  /** numerator / denominator, null when the denominator is 0. */
  ratio?: number | null;
  fullAt: number;
  emptyDenominator: 'zero' | 'full';
  formula: string;
  source: CriterionSource;
  confidence: PortalCriterion['confidence'];
}

export interface PortalGroupScore {
  group: IndicatorGroup;
  title: string;
  maxPoints: number;
  /** Sum of the measured criteria's points. */
  points: number;
  /** Sum of the measured criteria's maximum points: what `points` is out of. */
  measuredMaxPoints: number;
  criteria: PortalCriterionScore[];
}

export interface PortalIndicatorReport {
  agencyCode: string;
  period: ReportingPeriod;
  formulaVersion: typeof PORTAL_FORMULA_VERSION;
  /** Points over the measured criteria, per group, and their total. */
  scores: Record<IndicatorGroup, number> & { total: number };
  /** What those points are out of (the measured criteria's maximum), per group, and in total. */
  measuredMax: Record<IndicatorGroup, number> & { total: number };
  groups: PortalGroupScore[];
  counts: PortalCounts;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** One criterion's score from the counts. */
export function scoreCriterion(criterion: PortalCriterion, counts: PortalCounts): PortalCriterionScore {
  const base = {
    code: criterion.code,
    title: criterion.title,
    maxPoints: criterion.points,
    fullAt: criterion.fullAt,
    emptyDenominator: criterion.emptyDenominator,
    formula: criterion.formula,
    source: criterion.source,
    confidence: criterion.confidence,
  };
  if (!criterion.measure) return { ...base, measured: false, points: null };
  const { numerator, denominator } = criterion.measure(counts);
  if (denominator <= 0) {
    return {
      ...base,
      measured: true,
      points: criterion.emptyDenominator === 'zero' ? 0 : criterion.points,
      numerator,
      denominator,
      ratio: null,
    };
  }
  const ratio = Math.max(0, numerator / denominator);
  return {
    ...base,
    measured: true,
    points: round2(criterion.points * Math.min(1, ratio / criterion.fullAt)),
    numerator,
    denominator,
    ratio: Math.round(ratio * 10_000) / 10_000,
  };
}

/** The report of one agency and period from its counts. */
export function buildPortalIndicatorReport(
  agencyCode: string,
  period: ReportingPeriod,
  counts: PortalCounts,
): PortalIndicatorReport {
  const scores = { total: 0 } as PortalIndicatorReport['scores'];
  const measuredMax = { total: 0 } as PortalIndicatorReport['measuredMax'];
  const groups = GROUP_ORDER.map((group): PortalGroupScore => {
    const criteria = PORTAL_766_CRITERIA.filter((c) => c.group === group).map((c) =>
      scoreCriterion(c, counts),
    );
    const measured = criteria.filter((c) => c.measured);
    const points = round2(measured.reduce((sum, c) => sum + (c.points ?? 0), 0));
    const measuredMaxPoints = measured.reduce((sum, c) => sum + c.maxPoints, 0);
    scores[group] = points;
    measuredMax[group] = measuredMaxPoints;
    return {
      group,
      title: PORTAL_766_GROUPS[group].title,
      maxPoints: PORTAL_766_GROUPS[group].points,
      points,
      measuredMaxPoints,
      criteria,
    };
  });
  scores.total = round2(GROUP_ORDER.reduce((sum, g) => sum + scores[g], 0));
  measuredMax.total = GROUP_ORDER.reduce((sum, g) => sum + measuredMax[g], 0);
  return {
    agencyCode,
    period: { kind: period.kind, key: period.key },
    formulaVersion: PORTAL_FORMULA_VERSION,
    scores,
    measuredMax,
    groups,
    counts: { ...counts },
  };
}

/** The reports of every agency with something in the period, by agency code. */
export function scorePortalIndicators(
  dossiers: Iterable<PortalDossierFacts>,
  period: ReportingPeriod,
  now: Date | number,
): PortalIndicatorReport[] {
  return [...countPortalIndicators(dossiers, period, now).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agencyCode, counts]) => buildPortalIndicatorReport(agencyCode, period, counts));
}

const SOURCE_LABELS: Readonly<Record<CriterionSource, string>> = Object.freeze({
  'gateway-events': 'gateway: dossier status events',
  'gateway-audit': 'gateway: audit log',
  catalogue: 'not measured here: national procedure database',
  feedback: 'not measured here: feedback (PAKN) system',
  'citizen-store': 'not measured here: citizen’s data store on the portal',
  identity: 'not measured here: VNeID',
  certification: 'not measured here: electronic certification system',
});

/** docs/indicators.md's table of the sub-criteria, generated from PORTAL_766_CRITERIA (a spec keeps them equal). */
export function portalCriteriaMarkdown(): string {
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  const rows = PORTAL_766_CRITERIA.map(
    (c) =>
      `| ${c.code} | ${c.title} | ${c.points} | ${percent(c.fullAt)} | ${c.measure ? (c.emptyDenominator === 'zero' ? '0' : 'full') : '—'} | ${c.formula} | ${SOURCE_LABELS[c.source]} | ${c.confidence} |`,
  );
  return [
    '| code | sub-criterion | points | full at | nothing to judge | formula | source | confidence |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

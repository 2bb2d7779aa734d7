/**
 * A synthetic month of dossiers (October 2026) whose Decision 766 outcomes are decided before any event is
 * written: each dossier gets an outcome (resolved on time, late, pending in time, overdue, withdrawn, never
 * received, or resolved in October with its resolution delivered late, in November) and its attributes
 * (channel, fee and online payment, digitisation, reuse, rating). The events are then written to match.
 *
 * The expected counts and scores are computed here from the plan alone, with their own arithmetic — never by
 * calling the aggregator under test — so the unit acceptance test (libs/domain) and the end-to-end test
 * (test/indicators) check the implementation against what the month was built to contain.
 */
import type { DossierStatusEvent, IndicatorCounts, IndicatorScores } from '@lienthong/contracts';

export type Outcome =
  | 'ON_TIME'
  | 'LATE'
  | 'PENDING_IN_TIME'
  | 'PENDING_OVERDUE'
  | 'WITHDRAWN'
  | 'NOT_RECEIVED'
  | 'LATE_ARRIVAL_ON_TIME'
  | 'LATE_ARRIVAL_LATE'
  // with `portalCases` only: what the portal's scoring treats apart (supplements, stopped processing)
  | 'SUPPLEMENTED_ON_TIME'
  | 'SECOND_SUPPLEMENT'
  | 'STOPPED';

export const OUTCOMES: readonly Outcome[] = [
  'ON_TIME',
  'LATE',
  'PENDING_IN_TIME',
  'PENDING_OVERDUE',
  'WITHDRAWN',
  'NOT_RECEIVED',
  'LATE_ARRIVAL_ON_TIME',
  'LATE_ARRIVAL_LATE',
];

/**
 * Outcomes added with `portalCases`: resolved after its due date but within it once the two days the citizen
 * took to supplement are subtracted; resolved before its due date after two supplement requests; stopped.
 */
export const PORTAL_OUTCOMES: readonly Outcome[] = ['SUPPLEMENTED_ON_TIME', 'SECOND_SUPPLEMENT', 'STOPPED'];

export interface DossierPlan {
  dossierCode: string;
  agencyCode: string;
  /** MaTTHC of every event of the dossier. */
  procedureCode: string;
  outcome: Outcome;
  channel: 'ONLINE' | 'COUNTER' | 'POSTAL';
  /** When the dossier was received (or submitted, for NOT_RECEIVED). */
  receivedAt: Date;
  /** The appointment date in force at the end (an extension replaces an earlier one). */
  dueAt: Date;
  /** An earlier appointment date, sent first and replaced by dueAt (an extension). */
  extendedFrom?: Date;
  /** Resolution: in October for ON_TIME/LATE/LATE_ARRIVAL_*, in November for some pending ones. */
  resolvedAt?: Date;
  /** Withdrawal, rejection or stop time. */
  closedAt?: Date;
  /** Supplement requests and when the citizen supplied (the dossier waits on the citizen in between). */
  supplements?: { requestedAt: Date; suppliedAt: Date }[];
  feeRequired: boolean;
  paidOnline: boolean;
  componentsSubmitted: number;
  componentsDigitised: number;
  componentsReused: number;
  componentsReusedFromPortal: number;
  digitisedAtIntake: boolean;
  resultDigitised: boolean;
  rating?: { score: number; ratedAt: Date };
}

export interface SyntheticMonth {
  plans: DossierPlan[];
  /** Every event except the held-back resolutions, each dossier's in order, dossiers interleaved. */
  onTime: DossierStatusEvent[];
  /** RESOLVED and RESULT_RETURNED of the LATE_ARRIVAL_* dossiers: October events delivered in November. */
  late: DossierStatusEvent[];
}

export const MONTH = { kind: 'MONTH', key: '2026-10' } as const;
export const NEXT_MONTH = { kind: 'MONTH', key: '2026-11' } as const;
/** 2026-11-01T00:00:00+07:00, the end of October in Asia/Ho_Chi_Minh time. */
export const END_OF_OCTOBER = new Date('2026-10-31T17:00:00Z');
export const END_OF_NOVEMBER = new Date('2026-11-30T17:00:00Z');

const PROCEDURES = ['1.001193', '1.004222', '2.001610', '1.005194', '1.009974', '1.001776', '2.000815'];
const HOUR = 3_600_000;

/** mulberry32: a small deterministic generator, so a seed always gives the same month. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An instant given in Asia/Ho_Chi_Minh wall-clock time. */
export function vn(month: number, day: number, hour: number, minute = 0): Date {
  return new Date(Date.UTC(2026, month - 1, day, hour - 7, minute));
}

const iso = (date: Date) => date.toISOString();

export function planMonth(options: {
  seed: number;
  agencies: readonly string[];
  salt?: string;
  /** Add the PORTAL_OUTCOMES to every agency (the default month is unchanged without it). */
  portalCases?: boolean;
}): SyntheticMonth {
  const random = seededRandom(options.seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number) => random() < p;
  let idCounter = 0;
  const salt = options.salt ?? 'seed';
  const eventId = () => {
    idCounter += 1;
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    // a UUID v4 shape; the counter and salt keep ids unique within and across runs
    const tag = Buffer.from(`${salt}:${idCounter}`).toString('hex').padEnd(12, '0').slice(-12);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${tag}`;
  };

  const plans: DossierPlan[] = [];
  const sequence = new Map<string, number>();
  for (const agencyCode of options.agencies) {
    const outcomes: Outcome[] = [];
    for (const outcome of OUTCOMES) for (let i = int(2, 5); i > 0; i--) outcomes.push(outcome);
    if (options.portalCases) {
      for (const outcome of PORTAL_OUTCOMES) for (let i = int(2, 4); i > 0; i--) outcomes.push(outcome);
    }
    for (const outcome of outcomes) {
      const plan = planDossier(agencyCode, outcome, { int, chance });
      const day = `${agencyCode}-26${String(localMonth(plan.receivedAt)).padStart(2, '0')}${String(localDay(plan.receivedAt)).padStart(2, '0')}`;
      const seq = (sequence.get(day) ?? 0) + 1;
      sequence.set(day, seq);
      plan.dossierCode = `${day}-${String(seq).padStart(4, '0')}`;
      plan.procedureCode = PROCEDURES[plans.length % PROCEDURES.length];
      plans.push(plan);
    }
  }

  const perDossier = plans.map((plan, index) => writeEvents(plan, index, eventId));
  // interleave the dossiers' events, keeping each dossier's own order
  const onTime: DossierStatusEvent[] = [];
  const queues = perDossier.map((d) => [...d.onTime]);
  while (queues.some((q) => q.length > 0)) {
    const open = queues.filter((q) => q.length > 0);
    onTime.push(open[int(0, open.length - 1)].shift() as DossierStatusEvent);
  }
  return { plans, onTime, late: perDossier.flatMap((d) => d.late) };
}

const localMonth = (date: Date) => new Date(date.getTime() + 7 * HOUR).getUTCMonth() + 1;
const localDay = (date: Date) => new Date(date.getTime() + 7 * HOUR).getUTCDate();

function planDossier(
  agencyCode: string,
  outcome: Outcome,
  { int, chance }: { int: (min: number, max: number) => number; chance: (p: number) => boolean },
): DossierPlan {
  const channel: DossierPlan['channel'] =
    outcome === 'NOT_RECEIVED' || chance(0.5) ? 'ONLINE' : chance(0.5) ? 'COUNTER' : 'POSTAL';
  const componentsSubmitted = int(1, 4);
  const digitisedAtIntake = chance(0.7);
  const componentsReused = digitisedAtIntake
    ? int(0, Math.min(2, componentsSubmitted))
    : int(0, componentsSubmitted - 1);
  const componentsReusedFromPortal = int(0, componentsReused);
  const componentsDigitised = digitisedAtIntake
    ? componentsSubmitted - componentsReused
    : componentsSubmitted - componentsReused - 1;
  const feeRequired = outcome !== 'NOT_RECEIVED' && outcome !== 'WITHDRAWN' && chance(0.5);
  const plan: DossierPlan = {
    dossierCode: '',
    agencyCode,
    procedureCode: '',
    outcome,
    channel,
    receivedAt: vn(10, int(1, 25), int(8, 15), int(0, 59)),
    dueAt: new Date(0),
    feeRequired,
    paidOnline: feeRequired && chance(0.6),
    componentsSubmitted,
    componentsDigitised,
    componentsReused,
    componentsReusedFromPortal,
    digitisedAtIntake,
    resultDigitised: chance(0.8),
  };
  const at5pm = (base: Date, days: number) => vn(localMonth(base), localDay(base) + days, 17);
  const at10am = (base: Date, days: number) => vn(localMonth(base), localDay(base) + days, 10);
  switch (outcome) {
    case 'ON_TIME':
    case 'LATE_ARRIVAL_ON_TIME': {
      const k = int(3, 5);
      plan.dueAt = at5pm(plan.receivedAt, k);
      plan.resolvedAt = at10am(plan.receivedAt, int(1, k));
      if (chance(0.4)) {
        // resolved after the first appointment date, before the extended one: on time by the rule
        plan.extendedFrom = at5pm(plan.receivedAt, 1);
        plan.resolvedAt = at10am(plan.receivedAt, int(2, k));
      }
      break;
    }
    case 'LATE':
    case 'LATE_ARRIVAL_LATE':
      plan.dueAt = at5pm(plan.receivedAt, int(1, 2));
      plan.resolvedAt = at10am(plan.dueAt, int(1, 3));
      break;
    case 'PENDING_IN_TIME':
      plan.receivedAt = vn(10, int(20, 28), int(8, 15), int(0, 59));
      plan.dueAt = vn(11, int(2, 10), 17);
      if (chance(0.5)) plan.resolvedAt = vn(11, int(1, 14), 10);
      break;
    case 'PENDING_OVERDUE':
      plan.receivedAt = vn(10, int(1, 20), int(8, 15), int(0, 59));
      plan.dueAt = at5pm(plan.receivedAt, int(2, 5));
      if (chance(0.5)) plan.resolvedAt = vn(11, int(3, 15), 10);
      break;
    case 'WITHDRAWN':
      plan.dueAt = at5pm(plan.receivedAt, 5);
      plan.closedAt = at10am(plan.receivedAt, 1);
      break;
    case 'NOT_RECEIVED':
      plan.dueAt = at5pm(plan.receivedAt, 5);
      plan.closedAt = new Date(plan.receivedAt.getTime() + 2 * HOUR);
      break;
    case 'SUPPLEMENTED_ON_TIME':
      // due on day 2 at 17:00, resolved on day 4 at 10:00 (41 h late), after waiting 48 h on the citizen
      plan.dueAt = at5pm(plan.receivedAt, 2);
      plan.supplements = [
        { requestedAt: at10am(plan.receivedAt, 1), suppliedAt: at10am(plan.receivedAt, 3) },
      ];
      plan.resolvedAt = at10am(plan.receivedAt, 4);
      break;
    case 'SECOND_SUPPLEMENT':
      // resolved a day before its due date, but asked to supplement twice
      plan.dueAt = at5pm(plan.receivedAt, 5);
      plan.supplements = [
        { requestedAt: at10am(plan.receivedAt, 1), suppliedAt: at5pm(plan.receivedAt, 1) },
        { requestedAt: at10am(plan.receivedAt, 2), suppliedAt: at5pm(plan.receivedAt, 2) },
      ];
      plan.resolvedAt = at10am(plan.receivedAt, 4);
      break;
    case 'STOPPED':
      plan.dueAt = at5pm(plan.receivedAt, 5);
      plan.closedAt = at10am(plan.receivedAt, 2);
      break;
  }
  const resolvedInOctober = plan.resolvedAt !== undefined && plan.resolvedAt < END_OF_OCTOBER;
  const meantForOctober = [
    'ON_TIME',
    'LATE',
    'LATE_ARRIVAL_ON_TIME',
    'LATE_ARRIVAL_LATE',
    'SUPPLEMENTED_ON_TIME',
    'SECOND_SUPPLEMENT',
  ].includes(outcome);
  if (meantForOctober !== resolvedInOctober)
    throw new Error(`plan error: ${outcome} resolved at ${String(plan.resolvedAt)}`);
  if (plan.resolvedAt && chance(0.6)) {
    plan.rating = {
      score: int(1, 5),
      ratedAt: new Date(plan.resolvedAt.getTime() + 2 * HOUR),
    };
  }
  return plan;
}

function writeEvents(
  plan: DossierPlan,
  index: number,
  eventId: () => string,
): { onTime: DossierStatusEvent[]; late: DossierStatusEvent[] } {
  const onTime: DossierStatusEvent[] = [];
  const late: DossierStatusEvent[] = [];
  const event = (
    status: DossierStatusEvent['status'],
    at: Date,
    extra: Partial<DossierStatusEvent> = {},
  ): DossierStatusEvent => ({
    eventId: eventId(),
    dossierCode: plan.dossierCode,
    agencyCode: plan.agencyCode,
    procedureCode: plan.procedureCode || PROCEDURES[index % PROCEDURES.length],
    status,
    occurredAt: iso(at),
    channel: plan.channel,
    applicant: { kind: 'ENTERPRISE', enterpriseCode: '0100233488' },
    ...extra,
  });
  const t0 = plan.receivedAt;
  const due = { dueAt: iso(plan.dueAt) };
  const intake = {
    componentsSubmitted: plan.componentsSubmitted,
    componentsDigitised: plan.componentsDigitised,
    componentsReused: plan.componentsReused,
    componentsReusedFromPortal: plan.componentsReusedFromPortal,
  };

  if (plan.outcome === 'NOT_RECEIVED') {
    onTime.push(
      event('SUBMITTED', t0, { documents: { componentsSubmitted: plan.componentsSubmitted } }),
      event('REJECTED', plan.closedAt as Date, { note: 'Hồ sơ không thuộc thẩm quyền giải quyết' }),
    );
    return { onTime, late };
  }
  if (plan.channel === 'ONLINE') {
    onTime.push(
      event('SUBMITTED', new Date(t0.getTime() - 3 * HOUR), {
        documents: { componentsSubmitted: plan.componentsSubmitted },
      }),
    );
  }
  const firstDue = plan.extendedFrom ? { dueAt: iso(plan.extendedFrom) } : due;
  onTime.push(
    event('RECEIVED', t0, {
      ...firstDue,
      documents: intake,
      payment: { required: plan.feeRequired },
    }),
  );
  let t = t0.getTime();
  const step = (minutes: number) => new Date((t += minutes * 60_000));
  onTime.push(event('IN_PROCESS', step(30), firstDue));
  if (plan.feeRequired) {
    onTime.push(event('PAYMENT_REQUESTED', step(30), { ...firstDue, payment: { required: true } }));
    onTime.push(
      event('IN_PROCESS', step(30), {
        ...firstDue,
        payment: { required: true, paidOnline: plan.paidOnline },
      }),
    );
  }
  if (plan.extendedFrom) {
    // the extension (gia hạn) is recorded after the first appointment date has passed
    t = plan.extendedFrom.getTime() - 2 * HOUR;
    onTime.push(event('IN_PROCESS', step(0), { ...due, note: 'Gia hạn thời gian giải quyết' }));
  }
  for (const supplement of plan.supplements ?? []) {
    onTime.push(
      event('SUPPLEMENT_REQUESTED', supplement.requestedAt, { ...firstDue, note: 'Bổ sung giấy tờ' }),
    );
    onTime.push(event('IN_PROCESS', supplement.suppliedAt, firstDue));
  }
  if (plan.outcome === 'WITHDRAWN' || plan.outcome === 'STOPPED') {
    onTime.push(event(plan.outcome, plan.closedAt as Date, due));
    return { onTime, late };
  }
  if (plan.resolvedAt) {
    const resolution = [
      event('RESOLVED', plan.resolvedAt, {
        ...due,
        documents: { resultsDigitised: plan.resultDigitised ? 1 : 0 },
      }),
      event('RESULT_RETURNED', new Date(plan.resolvedAt.getTime() + HOUR), {
        ...due,
        ...(plan.rating ? { rating: { score: plan.rating.score, ratedAt: iso(plan.rating.ratedAt) } } : {}),
      }),
    ];
    (plan.outcome.startsWith('LATE_ARRIVAL') ? late : onTime).push(...resolution);
  }
  return { onTime, late };
}

/** Satisfied ratings: 4 and 5 on the 1-5 scale (formula version 766-2022.1). */
const SATISFIED = 4;

const zero = (): IndicatorCounts => ({
  received: 0,
  resolvedOnTime: 0,
  resolvedLate: 0,
  pendingInTime: 0,
  pendingOverdue: 0,
  receivedOnline: 0,
  paidOnline: 0,
  digitisedAtIntake: 0,
  resultsDigitised: 0,
  componentsReusedFromStore: 0,
  componentsReusedFromPortal: 0,
  ratings: 0,
  ratingsSatisfied: 0,
});

/**
 * October's counts per agency from the plan: before the late resolutions arrive (`lateDelivered: false`)
 * the LATE_ARRIVAL_* dossiers are still in process at the end of October; after, they are resolved in it.
 */
export function expectedOctober(
  plans: readonly DossierPlan[],
  lateDelivered: boolean,
): Map<string, IndicatorCounts> {
  const out = new Map<string, IndicatorCounts>();
  for (const plan of plans) {
    const c = out.get(plan.agencyCode) ?? zero();
    out.set(plan.agencyCode, c);
    if (plan.outcome === 'NOT_RECEIVED') continue;
    c.received += 1;
    if (plan.channel === 'ONLINE') c.receivedOnline += 1;
    if (plan.paidOnline) c.paidOnline += 1;
    if (plan.digitisedAtIntake) c.digitisedAtIntake += 1;
    c.componentsReusedFromPortal += plan.componentsReusedFromPortal;
    c.componentsReusedFromStore += plan.componentsReused - plan.componentsReusedFromPortal;

    const arrived = !plan.outcome.startsWith('LATE_ARRIVAL') || lateDelivered;
    switch (plan.outcome) {
      case 'ON_TIME':
      case 'LATE':
      case 'LATE_ARRIVAL_ON_TIME':
      case 'LATE_ARRIVAL_LATE':
        if (arrived) {
          if (plan.outcome.endsWith('ON_TIME')) c.resolvedOnTime += 1;
          else c.resolvedLate += 1;
          if (plan.resultDigitised) c.resultsDigitised += 1;
          if (plan.rating) {
            c.ratings += 1;
            if (plan.rating.score >= SATISFIED) c.ratingsSatisfied += 1;
          }
        } else if (plan.dueAt < END_OF_OCTOBER) {
          c.pendingOverdue += 1;
        } else {
          c.pendingInTime += 1;
        }
        break;
      case 'PENDING_IN_TIME':
        c.pendingInTime += 1;
        break;
      case 'PENDING_OVERDUE':
        c.pendingOverdue += 1;
        break;
      case 'SUPPLEMENTED_ON_TIME':
      case 'SECOND_SUPPLEMENT':
        // formula 766-2022.1 judges by the dates alone
        if (plan.resolvedAt && plan.resolvedAt <= plan.dueAt) c.resolvedOnTime += 1;
        else c.resolvedLate += 1;
        if (plan.resultDigitised) c.resultsDigitised += 1;
        if (plan.rating) {
          c.ratings += 1;
          if (plan.rating.score >= SATISFIED) c.ratingsSatisfied += 1;
        }
        break;
      case 'WITHDRAWN':
      case 'STOPPED':
        break;
    }
  }
  return out;
}

/** November's resolutions per agency: only the pending dossiers resolved in November, whatever arrives late. */
export function expectedNovemberResolutions(
  plans: readonly DossierPlan[],
): Map<string, { resolvedOnTime: number; resolvedLate: number; received: number }> {
  const out = new Map<string, { resolvedOnTime: number; resolvedLate: number; received: number }>();
  for (const plan of plans) {
    const c = out.get(plan.agencyCode) ?? { resolvedOnTime: 0, resolvedLate: 0, received: 0 };
    out.set(plan.agencyCode, c);
    if (!plan.resolvedAt || plan.resolvedAt < END_OF_OCTOBER) continue;
    if (plan.resolvedAt <= plan.dueAt) c.resolvedOnTime += 1;
    else c.resolvedLate += 1;
  }
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const share = (n: number, d: number) => (d === 0 ? 1 : Math.min(1, n / d));

/** The formula version 766-2022.1 scores, written out independently of the formula module. */
export function expectedScores(c: IndicatorCounts): IndicatorScores {
  const handled = c.resolvedOnTime + c.resolvedLate + c.pendingInTime + c.pendingOverdue;
  const scores = {
    CKMB: 18,
    TDGQ: round2(20 * share(c.resolvedOnTime + c.pendingInTime, handled)),
    CLGQ: round2(12 * share(c.receivedOnline, c.received)),
    TTTT: round2(10 * share(c.paidOnline, c.received)),
    MDHL: round2(18 * share(c.ratingsSatisfied, c.ratings)),
    MDSH: round2(
      8 * share(c.digitisedAtIntake, c.received) +
        8 * share(c.resultsDigitised, c.resolvedOnTime + c.resolvedLate) +
        6 * share(c.componentsReusedFromStore + c.componentsReusedFromPortal, c.received),
    ),
  };
  const total = round2(scores.CKMB + scores.TDGQ + scores.CLGQ + scores.TTTT + scores.MDHL + scores.MDSH);
  return { ...scores, total };
}

/** A few events of the list sent again with the same eventId (at-least-once delivery). */
export function duplicatesOf<T>(events: readonly T[], seed: number, share = 0.15): T[] {
  const random = seededRandom(seed);
  return events.filter(() => random() < share);
}

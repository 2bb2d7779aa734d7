import { dueAt, type ChainDefinition, type ChainDefinitions, type TimeLimit } from '@lienthong/domain';
import type { ChainStatus, StepStatus } from './chain-runner';

/** One chain of an agency as its durable tables hold it, for counting (ChainIndicatorRepository). */
export interface ChainFact {
  chainCode: string;
  status: ChainStatus;
  startedAt: Date;
  /** When it completed, stopped or failed; null while running. */
  finishedAt: Date | null;
  /** Each step's status, by step id. */
  steps: Readonly<Record<string, StepStatus>>;
}

/** Figures of one chain code, or of all an agency's chains, in a period. */
export interface ChainCounts {
  /** Chains started in the period. */
  started: number;
  /** Chains completed in the period, and of them within / beyond the chain's time limit. */
  completed: number;
  onTime: number;
  late: number;
  /** Chains a refused step stopped, or a step that could not be sent failed, in the period. */
  stopped: number;
  failed: number;
  /** Chains still running at the period's end (or now) past the chain's time limit. */
  overdueRunning: number;
  /** onTime / completed, 0–1 rounded to 4 decimals; null with nothing completed. */
  onTimeRatio: number | null;
  /**
   * Data reused instead of asked of the citizen again, in the chains started in the period: fields read from
   * the national databases (once per chain), and fields a step received from an earlier step's result.
   */
  reuse: { nationalFields: number; stepFields: number };
}

export interface ChainIndicators {
  totals: ChainCounts;
  byChain: ({ chainCode: string } & ChainCounts)[];
}

/**
 * A chain's time limit: the sum of its steps' legal time limits (working days and hours apart), the time the
 * citizen would be owed if each procedure were applied for one after the other.
 */
export function chainTimeLimit(chain: ChainDefinition): { workingDays: number; hours: number } {
  let workingDays = 0;
  let hours = 0;
  for (const step of chain.steps) {
    const limit: TimeLimit = step.timeLimit;
    workingDays += limit.workingDays ?? 0;
    hours += limit.hours ?? 0;
  }
  return { workingDays, hours };
}

/** When a chain started at `startedAt` is due: its hours, then its working days (Vietnam time). */
export function chainDueAt(chain: ChainDefinition, startedAt: Date): Date {
  const { workingDays, hours } = chainTimeLimit(chain);
  const afterHours = new Date(startedAt.getTime() + hours * 3_600_000);
  return workingDays > 0 ? dueAt(afterHours, { workingDays })! : afterHours;
}

/** The fields a chain reads once from the national databases, and those each step takes from earlier steps. */
export function chainReuse(chain: ChainDefinition): {
  national: readonly string[];
  fromSteps: ReadonlyMap<string, number>;
} {
  const national = new Set<string>();
  const fromSteps = new Map<string, number>();
  for (const step of chain.steps) {
    for (const need of step.needs) {
      if (need.from.kind === 'national') need.fields.forEach((f) => national.add(f));
      if (need.from.kind === 'step')
        fromSteps.set(step.id, (fromSteps.get(step.id) ?? 0) + need.fields.length);
    }
  }
  return { national: [...national], fromSteps };
}

/** A step that was sent to its agency system, and so received what it needed from the earlier steps. */
const SENT: ReadonlySet<StepStatus> = new Set(['SUBMITTED', 'DONE', 'REFUSED']);

const empty = (): ChainCounts => ({
  started: 0,
  completed: 0,
  onTime: 0,
  late: 0,
  stopped: 0,
  failed: 0,
  overdueRunning: 0,
  onTimeRatio: null,
  reuse: { nationalFields: 0, stepFields: 0 },
});

/**
 * An agency's chains counted for the period [start, end): a chain counts as started by its start, as completed
 * (on time or late against chainDueAt), stopped or failed by the time it finished, and as overdue when still
 * running at the period's end — or at `now`, for the running period — past its time limit. A chain whose
 * definition is no longer configured is left out.
 */
export function countChains(
  definitions: ChainDefinitions,
  facts: readonly ChainFact[],
  period: { start: Date; end: Date },
  now: Date,
): ChainIndicators {
  const totals = empty();
  const byChain = new Map<string, ChainCounts>();
  const within = (at: Date | null) => at !== null && at >= period.start && at < period.end;
  const stock = period.end.getTime() < now.getTime() ? period.end : now;
  for (const fact of facts) {
    const chain = definitions.chains.get(fact.chainCode);
    if (!chain) continue;
    const counts = byChain.get(fact.chainCode) ?? empty();
    byChain.set(fact.chainCode, counts);
    const add = (key: Exclude<keyof ChainCounts, 'onTimeRatio' | 'reuse'>) => {
      counts[key] += 1;
      totals[key] += 1;
    };
    const due = chainDueAt(chain, fact.startedAt);
    if (within(fact.startedAt)) {
      add('started');
      const reuse = chainReuse(chain);
      const stepFields = [...reuse.fromSteps].reduce(
        (sum, [step, n]) => sum + (SENT.has(fact.steps[step]) ? n : 0),
        0,
      );
      for (const target of [counts, totals]) {
        target.reuse.nationalFields += reuse.national.length;
        target.reuse.stepFields += stepFields;
      }
    }
    if (fact.status === 'COMPLETED' && within(fact.finishedAt)) {
      add('completed');
      add(fact.finishedAt!.getTime() <= due.getTime() ? 'onTime' : 'late');
    } else if (fact.status === 'STOPPED' && within(fact.finishedAt)) {
      add('stopped');
    } else if (fact.status === 'FAILED' && within(fact.finishedAt)) {
      add('failed');
    }
    // open at the stock time: started before it, not finished by it
    const open = fact.startedAt < stock && (fact.finishedAt === null || fact.finishedAt >= stock);
    if (open && due.getTime() < stock.getTime()) add('overdueRunning');
  }
  const ratio = (c: ChainCounts) => {
    c.onTimeRatio = c.completed === 0 ? null : Math.round((c.onTime / c.completed) * 10_000) / 10_000;
  };
  ratio(totals);
  const list = [...byChain]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([chainCode, c]) => {
      ratio(c);
      return { chainCode, ...c };
    });
  return { totals, byChain: list };
}

import type { ReportingPeriod } from '@lienthong/contracts';
import { INDICATOR_PERIOD_KINDS, periodBounds, periodOf } from '@lienthong/domain';

/** The period just before `period` (Vietnam time, as every reporting period). */
export function previousPeriod(period: ReportingPeriod): ReportingPeriod {
  return periodOf(period.kind, periodBounds(period).start.getTime() - 1);
}

/**
 * What the schedule reports at `now`: the current and the previous day, month and quarter. The previous
 * ones are still reported because late events (a dossier resolved just before midnight, synced after it)
 * can change them; an unchanged report costs one hash comparison.
 */
export function scheduledPeriods(now: Date): ReportingPeriod[] {
  return INDICATOR_PERIOD_KINDS.flatMap((kind) => {
    const current = periodOf(kind, now);
    return [current, previousPeriod(current)];
  });
}

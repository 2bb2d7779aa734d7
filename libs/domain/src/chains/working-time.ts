import { VIETNAM_UTC_OFFSET_MS } from '@lienthong/calendar';
import type { TimeLimit } from './chain-definitions';

const DAY_MS = 86_400_000;

/**
 * When a step started at `from` is due: `hours` later, or at the end of the `workingDays`-th working day
 * after the day it started (Vietnam time; Saturdays and Sundays are not working days, public holidays are
 * not known here and count as working days). Undefined without a limit.
 */
export function dueAt(from: Date, limit: TimeLimit): Date | undefined {
  if (limit.hours !== undefined) return new Date(from.getTime() + limit.hours * 3_600_000);
  if (limit.workingDays === undefined) return undefined;
  // midnight starting the step's local day, as a UTC instant
  let day = Math.floor((from.getTime() + VIETNAM_UTC_OFFSET_MS) / DAY_MS);
  let left = limit.workingDays;
  while (left > 0) {
    day += 1;
    const weekday = new Date(day * DAY_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  // the end of that local day
  return new Date((day + 1) * DAY_MS - VIETNAM_UTC_OFFSET_MS - 1);
}

import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { IndicatorCounts, PeriodKind } from '@lienthong/contracts';
import { emptyIndicatorCounts, periodOf, type ComputedIndicatorReport } from '@lienthong/domain';
import { gauge } from '@lienthong/observability';
import { IndicatorStore } from '@lienthong/indicators';

/** Agencies exposed one by one; the rest are summed under agency="_other", so the series stay bounded. */
export const INDICATOR_METRICS_MAX_AGENCIES = 200;
export const OTHER_AGENCIES_LABEL = '_other';
const PERIOD_KINDS: readonly PeriodKind[] = ['DAY', 'MONTH'];
const COUNTERS = Object.keys(emptyIndicatorCounts()) as (keyof IndicatorCounts)[];

let source: IndicatorStore | undefined;

gauge({
  name: 'lgsp_indicator_count',
  help:
    'Decision 766 counts of the current day and month (Asia/Ho_Chi_Minh) per agency, computed at scrape time; ' +
    `agencies beyond the ${INDICATOR_METRICS_MAX_AGENCIES} with most dossiers received are summed under agency="${OTHER_AGENCIES_LABEL}"`,
  labelNames: ['agency', 'period_kind', 'counter'] as const,
  async collect() {
    this.reset();
    const store = source;
    if (!store) return;
    try {
      const now = Date.now();
      for (const kind of PERIOD_KINDS) {
        for (const [agency, counts] of bounded(await store.reports(periodOf(kind, now)))) {
          for (const counter of COUNTERS) this.set({ agency, period_kind: kind, counter }, counts[counter]);
        }
      }
    } catch {
      // database unreachable: readiness reports it; the gauge stays empty for this scrape
      this.reset();
    }
  },
});

/** The most active agencies one by one, the rest summed. */
function bounded(reports: ComputedIndicatorReport[]): [string, IndicatorCounts][] {
  if (reports.length <= INDICATOR_METRICS_MAX_AGENCIES) return reports.map((r) => [r.agencyCode, r.counts]);
  const sorted = [...reports].sort(
    (a, b) => b.counts.received - a.counts.received || (a.agencyCode < b.agencyCode ? -1 : 1),
  );
  const other = emptyIndicatorCounts();
  for (const report of sorted.slice(INDICATOR_METRICS_MAX_AGENCIES)) {
    for (const counter of COUNTERS) other[counter] += report.counts[counter];
  }
  return [
    ...sorted
      .slice(0, INDICATOR_METRICS_MAX_AGENCIES)
      .map((r): [string, IndicatorCounts] => [r.agencyCode, r.counts]),
    [OTHER_AGENCIES_LABEL, other],
  ];
}

/**
 * Exposes `lgsp_indicator_count{agency,period_kind,counter}` on /metrics: the counts of today and of this
 * month, read from IndicatorStore when Prometheus scrapes. Labels are bounded: two period kinds, the 13
 * counters of the report contract, at most INDICATOR_METRICS_MAX_AGENCIES + 1 agencies, and no period key.
 */
@Injectable()
export class IndicatorMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(private readonly store: IndicatorStore) {}

  onModuleInit(): void {
    source = this.store;
  }

  onModuleDestroy(): void {
    if (source === this.store) source = undefined;
  }
}

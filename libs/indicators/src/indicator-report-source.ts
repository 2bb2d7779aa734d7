import type { IndicatorReport, ReportingPeriod } from '@lienthong/contracts';
import type { Database } from '@lienthong/storage';
import { IndicatorStore, type PaidOnlineSource } from './indicator.store';

/**
 * Where the reporter gets the indicator numbers of an agency and period. The relay's indicator aggregation
 * (IndicatorStore, apps/relay/src/indicators/) satisfies it; specs use fakes.
 */
export interface IndicatorReportSource {
  /** Agencies with something to report for the period. */
  agencies(period: ReportingPeriod): Promise<string[]>;
  /** The agency's numbers for the period (no version, no generatedAt), or undefined when there are none. */
  report(
    agencyCode: string,
    period: ReportingPeriod,
  ): Promise<Omit<IndicatorReport, 'version' | 'generatedAt'> | undefined>;
}

/**
 * The indicator source outside the relay's module (`lienthong indicators report`): the aggregation's store
 * over the same database. Inside the relay the IndicatorsModule's own IndicatorStore is injected instead.
 */
export function indicatorReportSourceFor(
  database: Database,
  paidOnline?: PaidOnlineSource,
): IndicatorReportSource {
  return new IndicatorStore(database, undefined, paidOnline);
}

import type { ReportingPeriod } from '@lienthong/contracts';
import { parsePeriodKey, periodBounds, validateAgencyCode } from '@lienthong/domain';
import { ProblemException } from '@lienthong/observability';

/** What the per-agency count routes read from `?agency=&period=`: the agency, the period and its instants. */
export interface AgencyPeriod {
  agencyCode: string;
  period: ReportingPeriod;
  /** The period's first instant (included) and the next period's first (excluded), Vietnam time. */
  start: Date;
  end: Date;
}

/** The `agency` query parameter, checked: 400 problem+json INVALID_AGENCY_CODE naming the parameter. */
export function agencyQuery(agency: unknown): string {
  const agencyCode = typeof agency === 'string' ? agency : '';
  const check = validateAgencyCode(agencyCode);
  if (!check.valid) {
    throw new ProblemException(
      400,
      'INVALID_AGENCY_CODE',
      'Invalid agency code',
      'Name the agency in the "agency" query parameter: groups of 0-9 and A-Z separated by dots, at most 35 characters.',
      check.errors.map((e) => ({ path: '/agency', code: e.code, message: e.message })),
    );
  }
  return agencyCode;
}

/**
 * The `agency` and `period` query parameters of the per-agency count routes (deliveries, hand-overs,
 * chains), checked alike: 400 problem+json INVALID_AGENCY_CODE or INVALID_PERIOD, naming the parameter.
 */
export function agencyPeriodQuery(agency: unknown, periodKey: unknown): AgencyPeriod {
  const agencyCode = agencyQuery(agency);
  const period = parsePeriodKey(periodKey);
  if (!period) {
    throw new ProblemException(
      400,
      'INVALID_PERIOD',
      'Invalid period',
      'Name the period in the "period" query parameter: YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY.',
      [{ path: '/period', code: 'PERIOD_FORMAT', message: 'Expected YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY' }],
    );
  }
  return { agencyCode, period, ...periodBounds(period) };
}

import type { IndicatorCounts, ReportingPeriod } from '@lienthong/contracts';
import type { DossierFacts } from './dossier-facts';
import { aggregateIndicators, countIndicators } from './indicator-aggregator';
import { emptyIndicatorCounts } from './indicator-formulas';

const A = '000.17.22.H56';
const B = '000.00.14.H56';
const d = (iso: string) => new Date(iso);

function facts(partial: Partial<DossierFacts>): DossierFacts {
  return {
    dossierCode: `${A}-261005-0001`,
    agencyCode: A,
    receivedAt: null,
    dueAt: null,
    resolvedAt: null,
    closedAt: null,
    onTime: null,
    online: false,
    feeRequired: false,
    paidOnline: false,
    digitisedAtIntake: false,
    resultDigitised: false,
    componentsReusedFromStore: 0,
    componentsReusedFromPortal: 0,
    ratingScore: null,
    ratedAt: null,
    ...partial,
  };
}

const counts = (partial: Partial<IndicatorCounts>): IndicatorCounts => ({
  ...emptyIndicatorCounts(),
  ...partial,
});
const OCT: ReportingPeriod = { kind: 'MONTH', key: '2026-10' };
const NOV: ReportingPeriod = { kind: 'MONTH', key: '2026-11' };
const NOW = d('2026-11-22T12:00:00+07:00');

/** Received 5 Oct, due 8 Oct, resolved 12 Oct (late), online, paid online, digitised, reused, rated 5. */
const lateResolved = facts({
  receivedAt: d('2026-10-05T09:00:00+07:00'),
  dueAt: d('2026-10-08T17:00:00+07:00'),
  resolvedAt: d('2026-10-12T10:00:00+07:00'),
  closedAt: d('2026-10-12T10:00:00+07:00'),
  onTime: false,
  online: true,
  feeRequired: true,
  paidOnline: true,
  digitisedAtIntake: true,
  resultDigitised: true,
  componentsReusedFromStore: 2,
  componentsReusedFromPortal: 1,
  ratingScore: 5,
  ratedAt: d('2026-10-12T15:00:00+07:00'),
});

describe('countIndicators', () => {
  it.each<[string, DossierFacts, ReportingPeriod, Partial<IndicatorCounts> | undefined]>([
    [
      'the month of reception and resolution holds the whole story',
      lateResolved,
      OCT,
      {
        received: 1,
        resolvedLate: 1,
        receivedOnline: 1,
        paidOnline: 1,
        digitisedAtIntake: 1,
        resultsDigitised: 1,
        componentsReusedFromStore: 2,
        componentsReusedFromPortal: 1,
        ratings: 1,
        ratingsSatisfied: 1,
      },
    ],
    [
      'the day of reception: received, and still pending in time at its end',
      lateResolved,
      { kind: 'DAY', key: '2026-10-05' },
      {
        received: 1,
        receivedOnline: 1,
        paidOnline: 1,
        digitisedAtIntake: 1,
        componentsReusedFromStore: 2,
        componentsReusedFromPortal: 1,
        pendingInTime: 1,
      },
    ],
    [
      'a day after the due date: overdue stock only',
      lateResolved,
      { kind: 'DAY', key: '2026-10-10' },
      { pendingOverdue: 1 },
    ],
    [
      'the day of resolution: late, rated',
      lateResolved,
      { kind: 'DAY', key: '2026-10-12' },
      {
        resolvedLate: 1,
        resultsDigitised: 1,
        ratings: 1,
        ratingsSatisfied: 1,
      },
    ],
    ['a later month: nothing', lateResolved, NOV, undefined],
    [
      'a dossier open since September is carried over into October',
      facts({ receivedAt: d('2026-09-20T09:00:00+07:00'), dueAt: d('2026-11-20T17:00:00+07:00') }),
      OCT,
      { pendingInTime: 1 },
    ],
    [
      'the running month takes its stock now: overdue since 20 November',
      facts({ receivedAt: d('2026-09-20T09:00:00+07:00'), dueAt: d('2026-11-20T17:00:00+07:00') }),
      NOV,
      { pendingOverdue: 1 },
    ],
    [
      'closed exactly at the end of October: still in October’s stock',
      facts({
        receivedAt: d('2026-10-20T09:00:00+07:00'),
        resolvedAt: d('2026-11-01T00:00:00+07:00'),
        closedAt: d('2026-11-01T00:00:00+07:00'),
        onTime: true,
      }),
      OCT,
      { received: 1, pendingInTime: 1 },
    ],
    [
      'withdrawn: received, then out of the stock',
      facts({ receivedAt: d('2026-10-20T09:00:00+07:00'), closedAt: d('2026-10-21T09:00:00+07:00') }),
      OCT,
      { received: 1 },
    ],
    [
      'a rating of 3 is counted, not as satisfied',
      facts({ ratingScore: 3, ratedAt: d('2026-10-02T09:00:00+07:00') }),
      OCT,
      { ratings: 1 },
    ],
    [
      'never received and never rated: nothing',
      facts({ closedAt: d('2026-10-02T09:00:00+07:00') }),
      OCT,
      undefined,
    ],
  ])('%s', (_name, dossier, period, expected) => {
    const result = countIndicators([dossier], period, NOW);
    expect(result.get(A)).toEqual(expected === undefined ? undefined : counts(expected));
  });

  it('sums per agency and lists only agencies with something in the period', () => {
    const other = facts({ agencyCode: B, receivedAt: d('2026-10-07T09:00:00+07:00'), online: true });
    const result = countIndicators([lateResolved, other, { ...other, dossierCode: 'x' }], OCT, NOW);
    expect([...result.keys()].sort()).toEqual([B, A].sort());
    expect(result.get(B)).toEqual(counts({ received: 2, receivedOnline: 2, pendingInTime: 2 }));
    expect(countIndicators([lateResolved, other], { kind: 'DAY', key: '2026-10-06' }, NOW).has(B)).toBe(
      false,
    );
  });

  it('moves a late-arriving resolution into the period it happened in', () => {
    const base = {
      eventId: '',
      dossierCode: `${A}-261020-0001`,
      agencyCode: A,
      channel: 'COUNTER' as const,
    };
    const received = {
      ...base,
      eventId: '10000000-0000-4000-8000-000000000001',
      status: 'RECEIVED' as const,
      occurredAt: '2026-10-20T09:00:00+07:00',
      dueAt: '2026-10-25T17:00:00+07:00',
    };
    const resolved = {
      ...base,
      eventId: '10000000-0000-4000-8000-000000000002',
      status: 'RESOLVED' as const,
      occurredAt: '2026-10-24T09:00:00+07:00',
    };
    const [octoberBefore] = aggregateIndicators([received], OCT, NOW);
    const [novemberBefore] = aggregateIndicators([received], NOV, NOW);
    expect(octoberBefore.counts).toEqual(counts({ received: 1, pendingOverdue: 1 }));
    expect(novemberBefore.counts).toEqual(counts({ pendingOverdue: 1 }));
    const [octoberAfter] = aggregateIndicators([received, resolved, received], OCT, NOW);
    expect(octoberAfter.counts).toEqual(counts({ received: 1, resolvedOnTime: 1 }));
    expect(aggregateIndicators([resolved, received], NOV, NOW)).toEqual([]);
  });
});

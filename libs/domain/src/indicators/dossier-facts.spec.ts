import {
  deriveDossierFacts,
  toIndicatorEvent,
  type DossierFacts,
  type IndicatorEvent,
} from './dossier-facts';

const DOSSIER = '000.17.22.H56-261005-0001';
let n = 0;

function ev(
  status: IndicatorEvent['status'],
  occurredAt: string,
  extra: Partial<IndicatorEvent> = {},
): IndicatorEvent {
  n += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    dossierCode: DOSSIER,
    agencyCode: '000.17.22.H56',
    status,
    occurredAt,
    channel: 'COUNTER',
    ...extra,
  };
}

const d = (iso: string) => new Date(iso);

describe('deriveDossierFacts', () => {
  type Case = [name: string, events: IndicatorEvent[], expected: Partial<DossierFacts>];
  const cases: Case[] = [
    [
      'a counter dossier resolved before its due date',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { dueAt: '2026-10-08T17:00:00+07:00' }),
        ev('IN_PROCESS', '2026-10-05T10:00:00+07:00'),
        ev('RESOLVED', '2026-10-07T10:00:00+07:00'),
        ev('RESULT_RETURNED', '2026-10-07T15:00:00+07:00'),
      ],
      {
        receivedAt: d('2026-10-05T09:00:00+07:00'),
        dueAt: d('2026-10-08T17:00:00+07:00'),
        resolvedAt: d('2026-10-07T10:00:00+07:00'),
        closedAt: d('2026-10-07T10:00:00+07:00'),
        onTime: true,
        online: false,
      },
    ],
    [
      'resolved after the due date is late',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { dueAt: '2026-10-06T17:00:00+07:00' }),
        ev('RESOLVED', '2026-10-06T17:00:01+07:00'),
      ],
      { onTime: false },
    ],
    [
      'resolved exactly at the due date is on time',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { dueAt: '2026-10-06T17:00:00+07:00' }),
        ev('RESOLVED', '2026-10-06T17:00:00+07:00'),
      ],
      { onTime: true },
    ],
    [
      'an extension re-sent later replaces the first due date',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { dueAt: '2026-10-06T17:00:00+07:00' }),
        ev('IN_PROCESS', '2026-10-06T15:00:00+07:00', { dueAt: '2026-10-09T17:00:00+07:00' }),
        ev('RESOLVED', '2026-10-08T10:00:00+07:00'),
      ],
      { dueAt: d('2026-10-09T17:00:00+07:00'), onTime: true },
    ],
    [
      'a due date sent after the resolution does not change it',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { dueAt: '2026-10-06T17:00:00+07:00' }),
        ev('RESOLVED', '2026-10-08T10:00:00+07:00'),
        ev('RESULT_RETURNED', '2026-10-08T11:00:00+07:00', { dueAt: '2026-10-30T17:00:00+07:00' }),
      ],
      { dueAt: d('2026-10-06T17:00:00+07:00'), onTime: false },
    ],
    [
      'no due date at all is on time',
      [ev('RECEIVED', '2026-10-05T09:00:00+07:00'), ev('RESOLVED', '2026-12-05T09:00:00+07:00')],
      { dueAt: null, onTime: true },
    ],
    [
      'an online dossier is received when RECEIVED happens, not when submitted',
      [
        ev('SUBMITTED', '2026-10-04T22:00:00+07:00', { channel: 'ONLINE' }),
        ev('RECEIVED', '2026-10-05T08:00:00+07:00', { channel: 'ONLINE' }),
      ],
      {
        receivedAt: d('2026-10-05T08:00:00+07:00'),
        online: true,
        resolvedAt: null,
        closedAt: null,
        onTime: null,
      },
    ],
    [
      'rejected at intake: never received, closed',
      [
        ev('SUBMITTED', '2026-10-04T22:00:00+07:00', { channel: 'ONLINE' }),
        ev('REJECTED', '2026-10-05T08:00:00+07:00', { channel: 'ONLINE' }),
      ],
      { receivedAt: null, resolvedAt: null, closedAt: d('2026-10-05T08:00:00+07:00') },
    ],
    [
      'withdrawn after reception: received, closed, not resolved',
      [ev('RECEIVED', '2026-10-05T09:00:00+07:00'), ev('WITHDRAWN', '2026-10-06T09:00:00+07:00')],
      {
        receivedAt: d('2026-10-05T09:00:00+07:00'),
        resolvedAt: null,
        closedAt: d('2026-10-06T09:00:00+07:00'),
        onTime: null,
      },
    ],
    [
      'without a RECEIVED event, the first status that implies reception',
      [ev('IN_PROCESS', '2026-10-06T09:00:00+07:00'), ev('RESOLVED', '2026-10-07T09:00:00+07:00')],
      { receivedAt: d('2026-10-06T09:00:00+07:00') },
    ],
    [
      'without RESOLVED, the return of the result resolves it',
      [ev('RECEIVED', '2026-10-05T09:00:00+07:00'), ev('RESULT_RETURNED', '2026-10-09T09:00:00+07:00')],
      { resolvedAt: d('2026-10-09T09:00:00+07:00') },
    ],
    [
      'payment: the latest event carrying each field',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', { payment: { required: false } }),
        ev('PAYMENT_REQUESTED', '2026-10-05T10:00:00+07:00', { payment: { required: true } }),
        ev('IN_PROCESS', '2026-10-05T11:00:00+07:00', { payment: { required: true, paidOnline: true } }),
        ev('RESOLVED', '2026-10-05T12:00:00+07:00', { payment: { required: true } }),
      ],
      { feeRequired: true, paidOnline: true },
    ],
    [
      'documents: every component digital (digitised + reused), reuse split by source',
      [
        ev('SUBMITTED', '2026-10-05T08:00:00+07:00', { documents: { componentsSubmitted: 3 } }),
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', {
          documents: { componentsDigitised: 1, componentsReused: 2, componentsReusedFromPortal: 1 },
        }),
        ev('RESOLVED', '2026-10-06T09:00:00+07:00', { documents: { resultsDigitised: 1 } }),
      ],
      {
        digitisedAtIntake: true,
        resultDigitised: true,
        componentsReusedFromStore: 1,
        componentsReusedFromPortal: 1,
      },
    ],
    [
      'documents: one component still on paper',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00', {
          documents: { componentsSubmitted: 4, componentsDigitised: 2, componentsReused: 1 },
        }),
        ev('RESOLVED', '2026-10-06T09:00:00+07:00', { documents: { resultsDigitised: 0 } }),
      ],
      {
        digitisedAtIntake: false,
        resultDigitised: false,
        componentsReusedFromStore: 1,
        componentsReusedFromPortal: 0,
      },
    ],
    [
      'documents: without componentsSubmitted, one digitised component is enough',
      [ev('RECEIVED', '2026-10-05T09:00:00+07:00', { documents: { componentsDigitised: 1 } })],
      { digitisedAtIntake: true },
    ],
    [
      'rating: the latest one, at its ratedAt or else at the event time',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00'),
        ev('RESOLVED', '2026-10-06T09:00:00+07:00', { rating: { score: 2 } }),
        ev('RESULT_RETURNED', '2026-10-06T10:00:00+07:00', {
          rating: { score: 5, ratedAt: '2026-10-07T08:00:00+07:00' },
        }),
      ],
      { ratingScore: 5, ratedAt: d('2026-10-07T08:00:00+07:00') },
    ],
    [
      'agency: the latest event names it',
      [
        ev('RECEIVED', '2026-10-05T09:00:00+07:00'),
        ev('IN_PROCESS', '2026-10-06T09:00:00+07:00', { agencyCode: '000.00.14.H56' }),
      ],
      { agencyCode: '000.00.14.H56' },
    ],
  ];

  it.each(cases)('%s', (_name, events, expected) => {
    expect(deriveDossierFacts(events)).toEqual(expect.objectContaining(expected));
  });

  it('gives the same facts whatever the order and however often an event is repeated', () => {
    const events = cases[12][1];
    const expected = deriveDossierFacts(events);
    expect(deriveDossierFacts([...events].reverse())).toEqual(expected);
    expect(deriveDossierFacts([events[2], events[0], events[2], events[1], events[0]])).toEqual(expected);
  });

  it('has no facts without events', () => {
    expect(deriveDossierFacts([])).toBeUndefined();
  });

  it('keeps nothing of the applicant when an event is reduced to what the indicators need', () => {
    const full = {
      ...ev('RECEIVED', '2026-10-05T09:00:00+07:00'),
      procedureCode: '1.001193',
      applicant: { kind: 'CITIZEN', personalId: '001090012345' },
      handler: { name: 'Đỗ Minh Quang' },
      note: 'ghi chú',
    } as IndicatorEvent;
    expect(JSON.stringify(toIndicatorEvent(full))).not.toMatch(
      /001090012345|applicant|handler|note|procedure/,
    );
  });
});

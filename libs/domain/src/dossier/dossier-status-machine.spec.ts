import { DOSSIER_STATUSES, DossierStatus } from './dossier-status';
import { canTransition, nextDossierStatuses, TransitionRefusalCode } from './dossier-status-machine';

// The legal moves, written out independently of the implementation's table.
const LEGAL = new Set([
  'null>SUBMITTED',
  'null>RECEIVED',
  'SUBMITTED>RECEIVED',
  'SUBMITTED>REJECTED',
  'SUBMITTED>WITHDRAWN',
  'RECEIVED>IN_PROCESS',
  'RECEIVED>SUPPLEMENT_REQUESTED',
  'RECEIVED>PAYMENT_REQUESTED',
  'RECEIVED>WITHDRAWN',
  'RECEIVED>STOPPED',
  'RECEIVED>RESOLVED',
  'IN_PROCESS>IN_PROCESS',
  'IN_PROCESS>SUPPLEMENT_REQUESTED',
  'IN_PROCESS>PAYMENT_REQUESTED',
  'IN_PROCESS>RESOLVED',
  'IN_PROCESS>STOPPED',
  'IN_PROCESS>WITHDRAWN',
  'SUPPLEMENT_REQUESTED>IN_PROCESS',
  'SUPPLEMENT_REQUESTED>WITHDRAWN',
  'SUPPLEMENT_REQUESTED>STOPPED',
  'PAYMENT_REQUESTED>IN_PROCESS',
  'PAYMENT_REQUESTED>RESOLVED',
  'PAYMENT_REQUESTED>WITHDRAWN',
  'PAYMENT_REQUESTED>STOPPED',
  'RESOLVED>RESULT_RETURNED',
]);

const FROM: (DossierStatus | null)[] = [null, ...DOSSIER_STATUSES];
const ALL_PAIRS = FROM.flatMap((from) =>
  DOSSIER_STATUSES.map(
    (to) => [String(from), to, LEGAL.has(`${from}>${to}`)] as [string, DossierStatus, boolean],
  ),
);
const asFrom = (s: string) => (s === 'null' ? null : (s as DossierStatus));

describe('canTransition', () => {
  it('enumerates 110 pairs, 25 of them legal', () => {
    expect(ALL_PAIRS).toHaveLength(110);
    expect(ALL_PAIRS.filter(([, , legal]) => legal)).toHaveLength(25);
  });

  it.each(ALL_PAIRS)('%s → %s allowed: %s', (from, to, legal) => {
    const result = canTransition(asFrom(from), to);
    expect(result.allowed).toBe(legal);
    if (legal) {
      expect(result).toEqual({ allowed: true });
    } else {
      expect(result.code).toBeDefined();
      expect(result.reason).toEqual(expect.any(String));
    }
  });

  it.each<[DossierStatus | null, DossierStatus, TransitionRefusalCode]>([
    [null, DossierStatus.IN_PROCESS, 'ILLEGAL_INITIAL_STATUS'],
    [null, DossierStatus.RESULT_RETURNED, 'ILLEGAL_INITIAL_STATUS'],
    [null, DossierStatus.REJECTED, 'ILLEGAL_INITIAL_STATUS'],
    [DossierStatus.REJECTED, DossierStatus.RECEIVED, 'FROM_TERMINAL'],
    [DossierStatus.WITHDRAWN, DossierStatus.IN_PROCESS, 'FROM_TERMINAL'],
    [DossierStatus.STOPPED, DossierStatus.IN_PROCESS, 'FROM_TERMINAL'],
    [DossierStatus.RESULT_RETURNED, DossierStatus.RESOLVED, 'FROM_TERMINAL'],
    [DossierStatus.RESULT_RETURNED, DossierStatus.RESULT_RETURNED, 'FROM_TERMINAL'],
    [DossierStatus.SUBMITTED, DossierStatus.SUBMITTED, 'REPEATED_STATUS'],
    [DossierStatus.RECEIVED, DossierStatus.RECEIVED, 'REPEATED_STATUS'],
    [DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.SUPPLEMENT_REQUESTED, 'REPEATED_STATUS'],
    [DossierStatus.PAYMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED, 'REPEATED_STATUS'],
    [DossierStatus.RESOLVED, DossierStatus.RESOLVED, 'REPEATED_STATUS'],
    [DossierStatus.IN_PROCESS, DossierStatus.RECEIVED, 'BACK_TO_INTAKE'],
    [DossierStatus.IN_PROCESS, DossierStatus.SUBMITTED, 'BACK_TO_INTAKE'],
    [DossierStatus.RECEIVED, DossierStatus.SUBMITTED, 'BACK_TO_INTAKE'],
    [DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.RECEIVED, 'BACK_TO_INTAKE'],
    [DossierStatus.RESOLVED, DossierStatus.RECEIVED, 'BACK_TO_INTAKE'],
    [DossierStatus.SUBMITTED, DossierStatus.IN_PROCESS, 'ILLEGAL_TRANSITION'],
    [DossierStatus.SUBMITTED, DossierStatus.RESOLVED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.RECEIVED, DossierStatus.REJECTED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.RECEIVED, DossierStatus.RESULT_RETURNED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.IN_PROCESS, DossierStatus.RESULT_RETURNED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.IN_PROCESS, DossierStatus.REJECTED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.RESOLVED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.PAYMENT_REQUESTED, DossierStatus.SUPPLEMENT_REQUESTED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.RESOLVED, DossierStatus.STOPPED, 'ILLEGAL_TRANSITION'],
    [DossierStatus.RESOLVED, DossierStatus.WITHDRAWN, 'ILLEGAL_TRANSITION'],
    [DossierStatus.RESOLVED, DossierStatus.IN_PROCESS, 'ILLEGAL_TRANSITION'],
  ])('%s → %s is refused with %s', (from, to, code) => {
    expect(canTransition(from, to)).toMatchObject({ allowed: false, code });
  });

  it.each([
    ['DONE', DossierStatus.IN_PROCESS],
    [DossierStatus.IN_PROCESS, 'DONE'],
    [null, 'DONE'],
    [DossierStatus.IN_PROCESS, 4],
  ])('refuses unknown statuses (%p → %p)', (from, to) => {
    expect(canTransition(from as DossierStatus, to as DossierStatus)).toMatchObject({
      allowed: false,
      code: 'UNKNOWN_STATUS',
    });
  });

  it('lets no terminal status go anywhere', () => {
    for (const from of [
      DossierStatus.REJECTED,
      DossierStatus.WITHDRAWN,
      DossierStatus.STOPPED,
      DossierStatus.RESULT_RETURNED,
    ]) {
      expect(nextDossierStatuses(from)).toEqual([]);
      for (const to of DOSSIER_STATUSES) expect(canTransition(from, to).code).toBe('FROM_TERMINAL');
    }
  });

  it('walks a typical life cycle with a supplement and a payment', () => {
    const path: (DossierStatus | null)[] = [
      null,
      DossierStatus.SUBMITTED,
      DossierStatus.RECEIVED,
      DossierStatus.IN_PROCESS,
      DossierStatus.SUPPLEMENT_REQUESTED,
      DossierStatus.IN_PROCESS,
      DossierStatus.IN_PROCESS,
      DossierStatus.PAYMENT_REQUESTED,
      DossierStatus.RESOLVED,
      DossierStatus.RESULT_RETURNED,
    ];
    for (let i = 1; i < path.length; i++) {
      expect(canTransition(path[i - 1], path[i] as DossierStatus)).toEqual({ allowed: true });
    }
  });

  it('offers SUBMITTED and RECEIVED to a new dossier', () => {
    expect(nextDossierStatuses(null)).toEqual([DossierStatus.SUBMITTED, DossierStatus.RECEIVED]);
  });
});

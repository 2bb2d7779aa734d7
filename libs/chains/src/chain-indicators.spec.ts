import { loadProcedureCatalogue } from '@lienthong/catalogue';
import { loadChainDefinitions } from './chain-definitions-file';
import { chainDueAt, chainReuse, chainTimeLimit, countChains, type ChainFact } from './chain-indicators';

const definitions = loadChainDefinitions(
  'deploy/config/chains.yaml',
  loadProcedureCatalogue('deploy/config/procedures.yaml'),
);
const BIRTH = 'birth-residence-health-insurance';
const birth = definitions.chains.get(BIRTH)!;
/** December 2026 in Vietnam time. */
const DECEMBER = { start: new Date('2026-11-30T17:00:00Z'), end: new Date('2026-12-31T17:00:00Z') };
const ALL_DONE = {
  'birth-registration': 'DONE',
  'permanent-residence': 'DONE',
  'health-insurance-card': 'DONE',
} as const;

const fact = (overrides: Partial<ChainFact>): ChainFact => ({
  chainCode: BIRTH,
  status: 'COMPLETED',
  startedAt: new Date('2026-12-07T02:00:00Z'),
  finishedAt: new Date('2026-12-10T02:00:00Z'),
  steps: ALL_DONE,
  ...overrides,
});

describe('a chain’s time limit and reuse', () => {
  it('adds up its steps’ legal limits: 1 + 7 + 5 working days for the birth chain', () => {
    expect(chainTimeLimit(birth)).toEqual({ workingDays: 13, hours: 0 });
    // started on Monday 7 December: the 13th working day after it is Thursday 24 December, to its end (Vietnam time)
    expect(chainDueAt(birth, new Date('2026-12-07T02:00:00Z')).toISOString()).toBe(
      '2026-12-24T16:59:59.999Z',
    );
  });

  it('names the fields read once from the population database and those passed between steps', () => {
    const reuse = chainReuse(birth);
    expect([...reuse.national].sort()).toEqual([
      'father.dateOfBirth',
      'father.fullName',
      'mother.dateOfBirth',
      'mother.fullName',
      'mother.residence',
    ]);
    expect(Object.fromEntries(reuse.fromSteps)).toEqual({
      'permanent-residence': 2,
      'health-insurance-card': 2,
    });
  });
});

describe('countChains', () => {
  const facts: ChainFact[] = [
    // completed in 3 working days
    fact({}),
    // started Tuesday 1 December, due at the end of Friday 18 December, completed on Monday 21st
    fact({ startedAt: new Date('2026-12-01T02:00:00Z'), finishedAt: new Date('2026-12-21T03:00:00Z') }),
    // the first step refused: nothing passed on between steps
    fact({
      status: 'STOPPED',
      finishedAt: new Date('2026-12-07T05:00:00Z'),
      steps: {
        'birth-registration': 'REFUSED',
        'permanent-residence': 'SKIPPED',
        'health-insurance-card': 'SKIPPED',
      },
    }),
    // started in November and still running, long past its 13 working days
    fact({
      status: 'RUNNING',
      startedAt: new Date('2026-11-02T02:00:00Z'),
      finishedAt: null,
      steps: {
        'birth-registration': 'DONE',
        'permanent-residence': 'DONE',
        'health-insurance-card': 'SUBMITTED',
      },
    }),
    // completed in November: another period's
    fact({ startedAt: new Date('2026-11-03T02:00:00Z'), finishedAt: new Date('2026-11-05T02:00:00Z') }),
    // a chain no longer configured
    fact({ chainCode: 'retired-chain' }),
  ];

  it('counts the period’s chains on time and late against their limit, with the data they reused', () => {
    const { totals, byChain } = countChains(definitions, facts, DECEMBER, new Date('2027-01-15T00:00:00Z'));
    expect(totals).toEqual({
      started: 3,
      completed: 2,
      onTime: 1,
      late: 1,
      stopped: 1,
      failed: 0,
      overdueRunning: 1,
      onTimeRatio: 0.5,
      // five population fields for each chain started; two fields to each of two steps, for the two that ran
      reuse: { nationalFields: 15, stepFields: 8 },
    });
    expect(byChain).toEqual([{ chainCode: BIRTH, ...totals }]);
  });

  it('judges a running chain against now during the running period', () => {
    const running = fact({
      status: 'RUNNING',
      startedAt: new Date('2026-12-01T02:00:00Z'),
      finishedAt: null,
      steps: {
        'birth-registration': 'DONE',
        'permanent-residence': 'READY',
        'health-insurance-card': 'SUBMITTED',
      },
    });
    const early = countChains(definitions, [running], DECEMBER, new Date('2026-12-10T00:00:00Z'));
    expect(early.totals).toMatchObject({ started: 1, overdueRunning: 0, onTimeRatio: null });
    // only the card step was sent: its two fields from the birth registration count, not the residence step's
    expect(early.totals.reuse).toEqual({ nationalFields: 5, stepFields: 2 });
    const later = countChains(definitions, [running], DECEMBER, new Date('2026-12-22T00:00:00Z'));
    expect(later.totals.overdueRunning).toBe(1);
  });

  it('answers zeros for an agency without chains', () => {
    expect(countChains(definitions, [], DECEMBER, new Date())).toEqual({
      totals: {
        started: 0,
        completed: 0,
        onTime: 0,
        late: 0,
        stopped: 0,
        failed: 0,
        overdueRunning: 0,
        onTimeRatio: null,
        reuse: { nationalFields: 0, stepFields: 0 },
      },
      byChain: [],
    });
  });
});

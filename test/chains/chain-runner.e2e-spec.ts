/**
 * The chain runner on both databases (embedded PGlite and PostgreSQL) against the three agency-system
 * simulators over real HTTP: the national chains run to the end with each step's results passed on and
 * nothing asked twice, a refusal follows its step's policy with the reason for the citizen, a system down
 * delays a chain that then completes exactly once, and a runner that dies mid-step is taken over without
 * repeating the step.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import {
  CivilStatusClient,
  ResidenceClient,
  SocialSecurityClient,
  type ChainSystemClient,
} from '@lienthong/adapters/chain-systems';
import {
  ChainRunner,
  ParentDossierStatusRepository,
  loadChainDefinitions,
  type ChainView,
  type NationalData,
} from '@lienthong/chains';
import { DossierStateRepository } from '@lienthong/dossiers';
import { Outbox, Topic } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { parseChainDefinitions, type NationalSource } from '@lienthong/domain';
import { createDatabase, Database, loadMigrations, migrate, PGLITE_MEMORY } from '@lienthong/storage';
import { CivilStatusSimulator, startCivilStatusSimulator } from '../../apps/simulators/src/civil-status';
import { ResidenceSimulator, startResidenceSimulator } from '../../apps/simulators/src/residence';
import {
  SocialSecuritySimulator,
  startSocialSecuritySimulator,
} from '../../apps/simulators/src/social-security';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { waitFor } from '../support/http';

const MOTHER = '001195012345';
const FATHER = '001093054321';
const FAST = { retries: 0, timeoutMs: 2_000, halfOpenAfterMs: 200 };

const birthApplication = {
  'child.fullName': 'Nguyễn Minh An',
  'child.sex': 'FEMALE',
  'child.dateOfBirth': '2024-02-29',
  'child.placeOfBirth': 'Bệnh viện Phụ sản Hà Nội',
  'child.ethnicity': 'Kinh',
  'child.nationality': 'Việt Nam',
  'mother.personalId': MOTHER,
  'father.personalId': FATHER,
  'declarant.personalId': MOTHER,
  'declarant.relationship': 'ME',
  'residence.householdHeadPersonalId': FATHER,
  'healthInsurance.registeredClinic': 'Trạm y tế phường Hoàn Kiếm',
};

/**
 * A stand-in for the national population database's answers about the applicants: the fields the chain asks
 * of it, from fixed records, and a log of what was asked.
 */
class PopulationRecords implements NationalData {
  readonly asked: { source: NationalSource; fields: readonly string[] }[] = [];
  readonly people: Record<string, Record<string, string>> = {
    [MOTHER]: {
      fullName: 'Trần Thị Bình',
      dateOfBirth: '1995-03-08',
      residence: 'Số 12 phố Hàng Bài, Hoàn Kiếm, Hà Nội',
    },
    [FATHER]: {
      fullName: 'Nguyễn Văn Cường',
      dateOfBirth: '1993-07-21',
      residence: 'Số 12 phố Hàng Bài, Hoàn Kiếm, Hà Nội',
    },
  };

  async read(
    source: NationalSource,
    fields: readonly string[],
    application: Readonly<Record<string, string>>,
  ) {
    this.asked.push({ source, fields });
    const out: Record<string, string> = {};
    for (const field of fields) {
      const [role, attribute] = field.split('.');
      const person = this.people[application[`${role}.personalId`]];
      if (person?.[attribute]) out[field] = person[attribute];
    }
    return out;
  }
}

describe.each([
  ['PGlite', 'pglite'],
  ['PostgreSQL', 'postgres'],
] as const)('chain runner on %s', (_label, kind) => {
  let civil: CivilStatusSimulator;
  let residence: ResidenceSimulator;
  let vss: SocialSecuritySimulator;
  let systems: Map<string, ChainSystemClient>;
  let db: Database;
  let isolated: IsolatedDatabase | undefined;
  let population: PopulationRecords;
  const definitions = loadChainDefinitions('deploy/config/chains.yaml');
  const ctx = { requestId: 'chain-test' };
  /** How long an agency system stays down in the outage test. */
  const systemDownMs = kind === 'postgres' ? 60_000 : 3_000;

  const runner = (options: { leaseMs?: number; parentStatus?: ParentDossierStatusRepository } = {}) =>
    new ChainRunner(db, definitions, {
      systems,
      national: population,
      retryBaseMs: 50,
      retryMaxMs: 200,
      ...options,
    });

  /** Runs due work until the chain leaves RUNNING. */
  async function settle(code: string, run = runner()): Promise<ChainView> {
    let view: ChainView | undefined;
    await waitFor(
      async () => {
        await run.runDue(16, ctx);
        view = await run.view(code);
        return view?.status !== 'RUNNING';
      },
      30_000,
      `chain ${code} settled`,
      50,
    );
    return view!;
  }

  const parentCode = () => `000.00.31.H29-261206-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    [civil, residence, vss] = await Promise.all([
      startCivilStatusSimulator(),
      startResidenceSimulator(),
      startSocialSecuritySimulator({ processingDelayMs: 100 }),
    ]);
    systems = new Map<string, ChainSystemClient>([
      [
        'civil-status-v1',
        new CivilStatusClient({
          url: civil.url,
          username: 'lienthong',
          password: 'lienthong-dev',
          resilience: FAST,
        }),
      ],
      [
        'residence-v1',
        new ResidenceClient({
          url: residence.url,
          clientId: 'lienthong',
          clientSecret: 'lienthong-dev-secret',
          resilience: FAST,
        }),
      ],
      [
        'social-security-v1',
        new SocialSecurityClient({
          url: vss.url,
          clientId: 'lienthong',
          secret: 'lienthong-dev-hmac-secret',
          resilience: FAST,
        }),
      ],
    ]);
    if (kind === 'postgres') {
      isolated = await createIsolatedDatabase('chain_runner');
      db = await createDatabase({ url: isolated.url, applicationName: 'test' });
    } else {
      db = await createDatabase({ pgliteDir: PGLITE_MEMORY });
    }
    await migrate(db, {
      migrations: loadMigrations(),
      logger: { log: () => undefined, warn: () => undefined },
    });
  });
  afterAll(async () => {
    await Promise.all([...systems.values()].map((s) => s.close()));
    await Promise.all([civil.close(), residence.close(), vss.close()]);
    await db.close();
    await isolated?.drop();
  });
  beforeEach(() => {
    population = new PopulationRecords();
  });
  afterEach(() => {
    civil.faults.set({ down: false });
    civil.refusals.clear();
    residence.refusals.clear();
  });

  it('runs the birth chain to a health-insurance card, each system getting the earlier results and the reused data', async () => {
    const code = parentCode();
    const started = await runner().start(
      {
        parentDossierCode: code,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    expect(started.steps.map((s) => [s.id, s.status])).toEqual([
      ['birth-registration', 'READY'],
      ['permanent-residence', 'WAITING'],
      ['health-insurance-card', 'WAITING'],
    ]);
    // the population database is read once, for the fields the steps need from it
    expect(population.asked).toEqual([
      { source: 'population', fields: expect.arrayContaining(['mother.fullName', 'mother.residence']) },
    ]);
    const done = await settle(code);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps.map((s) => s.status)).toEqual(['DONE', 'DONE', 'DONE']);
    const childId = done.steps[0].results!['child.personalId'];
    expect(done.steps[2].results).toEqual({
      'healthInsurance.cardNumber': expect.stringMatching(/^TE1/),
      'healthInsurance.validFrom': '2024-02-29',
      'healthInsurance.validUntil': '2030-02-28',
    });
    // what each system stored: the reused parents' data at civil status, the child's new ID further on
    const birth = civil.store.births.get(`${code}.birth-registration`)!;
    expect(birth.request.mother).toMatchObject({
      personalId: MOTHER,
      fullName: 'Trần Thị Bình',
      dateOfBirth: '1995-03-08',
    });
    expect(residence.store.registrations.get(`${code}.permanent-residence`)?.request).toMatchObject({
      congDan: { soDinhDanh: childId },
      diaChiThuongTru: 'Số 12 phố Hàng Bài, Hoàn Kiếm, Hà Nội',
    });
    expect(vss.store.insuredChildren.has(childId)).toBe(true);
    const kinds = (await runner().transitions(code)).map((t) => [t.step, t.kind]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        [null, 'chain.started'],
        ['birth-registration', 'step.done'],
        ['health-insurance-card', 'step.submitted'],
        ['health-insurance-card', 'step.done'],
        [null, 'chain.completed'],
      ]),
    );
    // started again with the same application: the same chain, nothing sent again
    const again = await runner().start(
      {
        parentDossierCode: code,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    expect(again.status).toBe('COMPLETED');
    await expect(
      runner().start(
        {
          parentDossierCode: code,
          chainCode: 'birth-residence-health-insurance',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: { ...birthApplication, 'child.fullName': 'Khác' },
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'CHAIN_CONFLICT' });
  });

  it('refuses to start without the application fields the chain needs, naming them', async () => {
    const { 'child.placeOfBirth': _p, 'mother.personalId': _m, ...partial } = birthApplication;
    await expect(
      runner().start(
        {
          parentDossierCode: parentCode(),
          chainCode: 'birth-residence-health-insurance',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: partial,
        },
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'APPLICATION_FIELD_MISSING',
      fields: ['child.placeOfBirth', 'mother.personalId'],
    });
    await expect(
      runner().start(
        {
          parentDossierCode: parentCode(),
          chainCode: 'no-such-chain',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: birthApplication,
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'UNKNOWN_CHAIN' });
  });

  it('refuses to start a chain whose steps need data the national database does not hold', async () => {
    const code = parentCode();
    const unknownFather = { ...birthApplication, 'father.personalId': '001093099999' };
    await expect(
      runner().start(
        {
          parentDossierCode: code,
          chainCode: 'birth-residence-health-insurance',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: unknownFather,
        },
        ctx,
      ),
    ).rejects.toMatchObject({
      code: 'NATIONAL_DATA_MISSING',
      fields: ['father.fullName', 'father.dateOfBirth'],
    });
    expect(await runner().view(code)).toBeUndefined();
  });

  it('stops the chain with the reason for the citizen when a stop step is refused; a continue step lets it go on', async () => {
    const stopped = parentCode();
    civil.refusals.add({
      match: `${stopped}.birth-registration`,
      code: 'THIEU_GIAY_CHUNG_SINH',
      reason: 'Thiếu giấy chứng sinh.',
    });
    await runner().start(
      {
        parentDossierCode: stopped,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    const view = await settle(stopped);
    expect(view.status).toBe('STOPPED');
    expect(view.stopReason).toEqual({
      step: 'birth-registration',
      code: 'THIEU_GIAY_CHUNG_SINH',
      reason: 'Thiếu giấy chứng sinh.',
    });
    expect(view.steps.map((s) => s.status)).toEqual(['REFUSED', 'SKIPPED', 'SKIPPED']);
    expect(residence.store.registrations.has(`${stopped}.permanent-residence`)).toBe(false);

    const continued = parentCode();
    residence.refusals.add({
      match: `${continued}.permanent-residence`,
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ thường trú không đúng.',
    });
    await runner().start(
      {
        parentDossierCode: continued,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    const after = await settle(continued);
    expect(after.status).toBe('COMPLETED');
    expect(after.steps.map((s) => s.status)).toEqual(['DONE', 'REFUSED', 'DONE']);
    expect(after.steps[1].refusal).toEqual({ code: 'SAI_DIA_CHI', reason: 'Địa chỉ thường trú không đúng.' });
  });

  it('stops the chain with the citizen-visible reason when a province makes a refused residence step stop it', async () => {
    // a province whose card step needs the registered residence, and whose residence step stops the chain
    const document = load(readFileSync(join(__dirname, '../../deploy/config/chains.yaml'), 'utf8')) as {
      chains: Record<string, { steps: { id: string; needs: unknown[]; onRefused: unknown }[] }>;
    };
    const steps = document.chains['birth-residence-health-insurance'].steps;
    const residenceStep = steps.find((step) => step.id === 'permanent-residence')!;
    residenceStep.onRefused = { action: 'stop' };
    steps
      .find((step) => step.id === 'health-insurance-card')!
      .needs.push({ from: 'step:permanent-residence', fields: ['residence.address'] });
    const province = parseChainDefinitions(document, { source: 'province chains' });
    const code = parentCode();
    residence.refusals.add({
      match: `${code}.permanent-residence`,
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ thường trú không đúng.',
    });
    const run = new ChainRunner(db, province, {
      systems,
      national: population,
      retryBaseMs: 50,
      retryMaxMs: 200,
    });
    await run.start(
      {
        parentDossierCode: code,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    const view = await settle(code, run);
    expect(view.status).toBe('STOPPED');
    expect(view.stopReason).toEqual({
      step: 'permanent-residence',
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ thường trú không đúng.',
    });
    expect(view.steps.map((s) => s.status)).toEqual(['DONE', 'REFUSED', 'SKIPPED']);
    // the birth stands at civil status; no card was asked for
    const childId = view.steps[0].results!['child.personalId'];
    expect(civil.store.births.has(`${code}.birth-registration`)).toBe(true);
    expect(vss.store.insuredChildren.has(childId)).toBe(false);
  });

  it('moves the parent dossier the one-stop system received: in process, then resolved or stopped with the reason', async () => {
    // the outbox's rows are read back; its dispatcher is never started here
    const outbox = new Outbox(
      db,
      {} as never,
      { logger: createLogger({ name: 'chain-runner-e2e', level: 'silent' }) } as never,
      { pollMs: 60_000 },
    );
    const withStatus = () =>
      runner({
        parentStatus: new ParentDossierStatusRepository(outbox, new DossierStateRepository(db)),
      });
    // dossier codes as a one-stop system makes them (the status events require the day's 4-digit sequence)
    let sequence = 0;
    const dossierCode = () => `000.00.31.H29-261207-${String(++sequence).padStart(4, '0')}`;
    const received = async (code: string) => {
      const eventId = randomUUID();
      const at = new Date(Date.now() - 60_000);
      const event = {
        eventId,
        dossierCode: code,
        agencyCode: '000.00.31.H29',
        procedureCode: '1.001193',
        status: 'RECEIVED',
        occurredAt: at.toISOString(),
        channel: 'COUNTER',
        applicant: { kind: 'CITIZEN', personalId: MOTHER },
      };
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO dossier_state (dossier_code, agency_code, procedure_code, status, last_event_id, last_occurred_at, event_count)
           VALUES ($1, '000.00.31.H29', '1.001193', 'RECEIVED', $2::uuid, $3, 1)`,
          [code, eventId, at],
        );
        await tx.query(
          `INSERT INTO dossier_event (event_id, dossier_code, seq, status, occurred_at, payload)
           VALUES ($1::uuid, $2, 1, 'RECEIVED', $3, $4::jsonb)`,
          [eventId, code, at, JSON.stringify(event)],
        );
      });
    };
    const statuses = async (code: string) => ({
      history: (
        await db.query<{ status: string; note: string | null }>(
          `SELECT status, payload->>'note' AS note FROM dossier_event WHERE dossier_code = $1 ORDER BY seq`,
          [code],
        )
      ).map((row) => (row.note ? `${row.status}: ${row.note}` : row.status)),
      published: (
        await db.query<{ value: Buffer | Uint8Array }>(
          'SELECT value FROM outbox WHERE topic = $1 AND message_key = $2 ORDER BY id',
          [Topic.DossierStatus, code],
        )
      ).map((row) => JSON.parse(Buffer.from(row.value).toString()).data.status),
    });
    const start = (code: string) =>
      withStatus().start(
        {
          parentDossierCode: code,
          chainCode: 'birth-residence-health-insurance',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: birthApplication,
        },
        ctx,
      );

    const stopped = dossierCode();
    await received(stopped);
    civil.refusals.add({
      match: `${stopped}.birth-registration`,
      code: 'THIEU_GIAY_CHUNG_SINH',
      reason: 'Thiếu giấy chứng sinh.',
    });
    await start(stopped);
    expect((await settle(stopped, withStatus())).status).toBe('STOPPED');
    expect(await statuses(stopped)).toEqual({
      history: ['RECEIVED', 'IN_PROCESS', 'STOPPED: Thiếu giấy chứng sinh.'],
      published: ['IN_PROCESS', 'STOPPED'],
    });

    // a refused continue step: the chain completes and so the dossier is resolved
    const continued = dossierCode();
    await received(continued);
    residence.refusals.add({
      match: `${continued}.permanent-residence`,
      code: 'SAI_DIA_CHI',
      reason: 'Địa chỉ thường trú không đúng.',
    });
    await start(continued);
    // the same application sent again changes nothing
    await start(continued);
    expect((await settle(continued, withStatus())).status).toBe('COMPLETED');
    expect(await statuses(continued)).toEqual({
      history: ['RECEIVED', 'IN_PROCESS', 'RESOLVED'],
      published: ['IN_PROCESS', 'RESOLVED'],
    });

    // a dossier the one-stop system has not reported yet is left to it; the chain runs all the same
    const unreported = dossierCode();
    await start(unreported);
    expect((await settle(unreported, withStatus())).status).toBe('COMPLETED');
    expect(await statuses(unreported)).toEqual({ history: [], published: [] });
  });

  it(
    'waits out a system that is down (a whole minute on PostgreSQL) and then completes the step exactly once',
    async () => {
      const code = parentCode();
      civil.faults.set({ down: true });
      const run = runner();
      await run.start(
        {
          parentDossierCode: code,
          chainCode: 'birth-residence-health-insurance',
          agencyCode: '000.00.31.H29',
          clientId: 'one-stop',
          application: birthApplication,
        },
        ctx,
      );
      // the civil-status system stays down while the runner keeps trying: a minute on the production
      // database, a few seconds on the embedded one (the same code; the suite runs on both)
      const downUntil = Date.now() + systemDownMs;
      while (Date.now() < downUntil) {
        await run.runDue(16, ctx);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await run.view(code))?.steps[0].attempts ?? 0).toBeGreaterThanOrEqual(3);
      expect((await run.view(code))?.steps[0].status).toBe('READY');
      expect(civil.store.births.has(`${code}.birth-registration`)).toBe(false);
      civil.faults.set({ down: false });
      const done = await settle(code, run);
      expect(done.status).toBe('COMPLETED');
      expect([...civil.store.births.keys()].filter((k) => k.startsWith(code))).toEqual([
        `${code}.birth-registration`,
      ]);
      expect(
        (await run.transitions(code)).filter((t) => t.kind === 'step.retry').length,
      ).toBeGreaterThanOrEqual(2);
    },
    systemDownMs + 90_000,
  );

  it('takes over a step whose runner died after sending it, without a second registration', async () => {
    const code = parentCode();
    // a runner that claims the step, sends it, and dies before recording the answer
    const dying = runner({ leaseMs: 300 });
    await dying.start(
      {
        parentDossierCode: code,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    (dying as unknown as { record: () => Promise<void> }).record = async () => {
      throw new Error('killed before recording');
    };
    await expect(dying.runDue(16, ctx)).rejects.toThrow('killed before recording');
    expect(civil.store.births.has(`${code}.birth-registration`)).toBe(true);
    const issuedBefore = civil.store.births.get(`${code}.birth-registration`)!.outcome;

    // another runner takes the step over once the lease has run out; the system answers its stored result
    const done = await settle(code, runner());
    expect(done.status).toBe('COMPLETED');
    expect(done.steps[0].attempts).toBe(2);
    expect(done.steps[0].results?.['child.personalId']).toBe(
      (issuedBefore as { personalId: string }).personalId,
    );
    expect(civil.store.births.get(`${code}.birth-registration`)!.outcome).toEqual(issuedBefore);
  });

  it('marks a step past its legal time limit as overdue, once', async () => {
    const code = parentCode();
    let now = new Date();
    const run = new ChainRunner(db, definitions, {
      systems,
      national: population,
      retryBaseMs: 50,
      now: () => now,
    });
    civil.faults.set({ down: true });
    await run.start(
      {
        parentDossierCode: code,
        chainCode: 'birth-residence-health-insurance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: birthApplication,
      },
      ctx,
    );
    await run.runDue(16, ctx);
    expect((await run.view(code))?.steps[0].overdue).toBe(false);
    // birth registration: one working day; a week later it is overdue
    now = new Date(now.getTime() + 7 * 86_400_000);
    await run.runDue(16, ctx);
    await run.runDue(16, ctx);
    const view = await run.view(code);
    expect(view?.steps[0]).toMatchObject({ status: 'READY', overdue: true });
    expect((await run.transitions(code)).filter((t) => t.kind === 'step.overdue')).toEqual([
      expect.objectContaining({ step: 'birth-registration', detail: { dueAt: view?.steps[0].dueAt } }),
    ]);
  });

  it('runs the death chain to the funeral allowance', async () => {
    const code = parentCode();
    const deceased = `0010520${String(Math.floor(Math.random() * 90000) + 10000)}`;
    population.people[deceased] = {
      fullName: 'Nguyễn Văn Đức',
      dateOfBirth: '1952-01-15',
      residence: 'Số 12 phố Hàng Bài, Hoàn Kiếm, Hà Nội',
    };
    await runner().start(
      {
        parentDossierCode: code,
        chainCode: 'death-residence-funeral-allowance',
        agencyCode: '000.00.31.H29',
        clientId: 'one-stop',
        application: {
          'deceased.personalId': deceased,
          'deceased.dateOfDeath': '2026-11-30',
          'deceased.placeOfDeath': 'Bệnh viện Bạch Mai',
          'deceased.causeOfDeath': 'Bệnh',
          'declarant.personalId': FATHER,
          'declarant.relationship': 'CON',
          'beneficiary.personalId': FATHER,
          'beneficiary.bankAccount': '0011001234567',
        },
      },
      ctx,
    );
    const done = await settle(code);
    expect(done.status).toBe('COMPLETED');
    expect(done.steps[0].status).toBe('DONE');
    expect(done.steps[2]).toMatchObject({ status: 'DONE', results: { 'benefit.amount': '23400000' } });
    expect(vss.store.decidedDeaths.has(deceased)).toBe(true);
  });
});

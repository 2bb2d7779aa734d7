/**
 * `npm run bench -- chains`: procedure chains run by the chain runner against the three agency-system
 * simulators, 100 birth chains at once, on PostgreSQL and on the embedded PGlite default in the same run.
 * Prints chains completed per second and the runner's own time per step — from the step becoming ready to
 * its result being recorded, less the time spent inside the agency systems' calls and the waits they asked
 * for (Retry-After of the asynchronous system) — beside those systems' own time. Asserts nothing.
 */
import { performance } from 'node:perf_hooks';
import {
  CivilStatusClient,
  ResidenceClient,
  SocialSecurityClient,
  type ChainCallContext,
  type ChainStepAnswer,
  type ChainStepRequest,
  type ChainSystemClient,
} from '@lienthong/adapters/chain-systems';
import { ChainRunner, loadChainDefinitions, type NationalData } from '@lienthong/chains';
import { createDatabase, type Database, loadMigrations, migrate, PGLITE_MEMORY } from '@lienthong/storage';
import { startCivilStatusSimulator } from '../../apps/simulators/src/civil-status';
import { startResidenceSimulator } from '../../apps/simulators/src/residence';
import { startSocialSecuritySimulator } from '../../apps/simulators/src/social-security';
import { createIsolatedDatabase } from '../support/database';
import { BenchEnvironment, percentile } from './bench-environment';

const CHAINS = Number(process.env.LGSP_BENCH_CHAINS ?? 100);
const RUNNERS = 2;

/** Time spent in the agency systems per step (calls, and the waits they asked for), by transaction id. */
class TimedSystem implements ChainSystemClient {
  constructor(
    private readonly inner: ChainSystemClient,
    private readonly spent: Map<string, number>,
    private readonly references: Map<string, string>,
  ) {}

  get interface() {
    return this.inner.interface;
  }
  get operations() {
    return this.inner.operations;
  }

  async submit(request: ChainStepRequest, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    return this.timed(request.transactionId, () => this.inner.submit(request, ctx));
  }

  async check(reference: string, ctx: ChainCallContext): Promise<ChainStepAnswer> {
    return this.timed(this.references.get(reference) ?? reference, () => this.inner.check(reference, ctx));
  }

  private async timed(id: string, call: () => Promise<ChainStepAnswer>): Promise<ChainStepAnswer> {
    const started = performance.now();
    try {
      const answer = await call();
      if (answer.state === 'pending') {
        this.references.set(answer.reference, id);
        this.spent.set(id, (this.spent.get(id) ?? 0) + answer.retryAfterMs);
      }
      return answer;
    } finally {
      this.spent.set(id, (this.spent.get(id) ?? 0) + performance.now() - started);
    }
  }

  health() {
    return this.inner.health();
  }
  close() {
    return this.inner.close();
  }
}

const parents: Record<string, Record<string, string>> = {};
const national: NationalData = {
  read: async (_source, fields, application) =>
    Object.fromEntries(
      fields.map((field) => [field, parents[application['mother.personalId']]?.[field] ?? 'Hà Nội']),
    ),
};

function application(n: number): Record<string, string> {
  return {
    'child.fullName': `Nguyễn Minh ${n}`,
    'child.sex': n % 2 ? 'MALE' : 'FEMALE',
    'child.dateOfBirth': '2024-02-29',
    'child.placeOfBirth': 'Bệnh viện Phụ sản Hà Nội',
    'child.ethnicity': 'Kinh',
    'child.nationality': 'Việt Nam',
    'mother.personalId': '001195012345',
    'father.personalId': '001093054321',
    'declarant.personalId': '001195012345',
    'declarant.relationship': 'ME',
    'residence.householdHeadPersonalId': '001093054321',
    'healthInsurance.registeredClinic': 'Trạm y tế phường Hoàn Kiếm',
  };
}

async function measure(db: Database, kind: string) {
  const [civil, residence, vss] = await Promise.all([
    startCivilStatusSimulator(),
    startResidenceSimulator(),
    startSocialSecuritySimulator({ processingDelayMs: 0 }),
  ]);
  const spent = new Map<string, number>();
  const references = new Map<string, string>();
  const fast = { retries: 1, retryInitialDelayMs: 20, retryMaxDelayMs: 100 };
  const systems = new Map<string, ChainSystemClient>(
    [
      new CivilStatusClient({
        url: civil.url,
        username: 'lienthong',
        password: 'lienthong-dev',
        resilience: fast,
      }),
      new ResidenceClient({
        url: residence.url,
        clientId: 'lienthong',
        clientSecret: 'lienthong-dev-secret',
        resilience: fast,
      }),
      new SocialSecurityClient({
        url: vss.url,
        clientId: 'lienthong',
        secret: 'lienthong-dev-hmac-secret',
        resilience: fast,
      }),
    ].map((client) => [client.interface, new TimedSystem(client, spent, references)]),
  );
  const definitions = loadChainDefinitions('deploy/config/chains.yaml');
  const runner = new ChainRunner(db, definitions, { systems, national, retryBaseMs: 100 });
  const prefix = `000.00.31.H29-261206-${String(process.pid % 10000).padStart(4, '0')}${kind === 'pglite' ? 'g' : 'p'}`;
  const codes = Array.from({ length: CHAINS }, (_, n) => `${prefix}-${n}`);
  try {
    const started = performance.now();
    await Promise.all(
      codes.map((code, n) =>
        runner.start(
          {
            parentDossierCode: code,
            chainCode: 'birth-residence-health-insurance',
            agencyCode: '000.00.31.H29',
            clientId: 'bench',
            application: application(n),
          },
          { requestId: `bench-${n}` },
        ),
      ),
    );
    const startedAll = performance.now();
    let done = false;
    const loops = Array.from({ length: RUNNERS }, async () => {
      while (!done) {
        const worked = await runner.runDue(16, { requestId: 'bench' });
        if (worked === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    const deadline = Date.now() + 300_000;
    for (;;) {
      const [{ open }] = await db.query<{ open: number }>(
        "SELECT count(*)::int AS open FROM chain_instance WHERE parent_dossier_code LIKE $1 AND status = 'RUNNING'",
        [`${prefix}-%`],
      );
      if (open === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    done = true;
    await Promise.all(loops);
    const finished = performance.now();
    const steps = await db.query<{
      parent_dossier_code: string;
      step_id: string;
      started_at: Date;
      finished_at: Date;
    }>(
      `SELECT parent_dossier_code, step_id, started_at, finished_at FROM chain_step
        WHERE parent_dossier_code LIKE $1 AND status = 'DONE'`,
      [`${prefix}-%`],
    );
    const [{ completed }] = await db.query<{ completed: number }>(
      "SELECT count(*)::int AS completed FROM chain_instance WHERE parent_dossier_code LIKE $1 AND status = 'COMPLETED'",
      [`${prefix}-%`],
    );
    const overhead: number[] = [];
    const systemTime: number[] = [];
    for (const step of steps) {
      const id = `${step.parent_dossier_code}.${step.step_id}`.slice(-64);
      const inSystems = spent.get(id) ?? 0;
      const total = new Date(step.finished_at).getTime() - new Date(step.started_at).getTime();
      overhead.push(Math.max(0, total - inSystems));
      systemTime.push(inSystems);
    }
    return {
      kind,
      completed,
      startMs: startedAll - started,
      seconds: (finished - startedAll) / 1000,
      overhead,
      systemTime,
      steps: steps.length,
    };
  } finally {
    await Promise.all([...systems.values()].map((s) => s.close()));
    await Promise.all([civil.close(), residence.close(), vss.close()]);
  }
}

export async function chainsBench(env: BenchEnvironment): Promise<void> {
  const runs = [];
  const isolated = await createIsolatedDatabase('bench_chains').catch(() => undefined);
  const databases: [string, () => Promise<Database>][] = [
    ...(isolated
      ? [
          ['postgres', () => createDatabase({ url: isolated.url, applicationName: 'bench-chains' })] as [
            string,
            () => Promise<Database>,
          ],
        ]
      : []),
    ['pglite', () => createDatabase({ pgliteDir: PGLITE_MEMORY })],
  ];
  for (const [kind, open] of databases) {
    const db = await open();
    try {
      await migrate(db, {
        migrations: loadMigrations(),
        logger: { log: () => undefined, warn: () => undefined },
      });
      runs.push(await measure(db, kind));
    } finally {
      await db.close();
    }
  }
  await isolated?.drop().catch(() => undefined);

  console.log(
    `\nchains: ${CHAINS} birth chains at once (3 steps each), ${RUNNERS} runner loops, one process`,
  );
  const line = (name: string, values: string[]) =>
    console.log(`  ${name.padEnd(44)} ${values.map((v) => v.padStart(12)).join(' ')}`);
  line('', ['completed', 'chains/s', 'start ms', 'ovh p50 ms', 'ovh p99 ms', 'sys p50 ms', 'sys p99 ms']);
  const figures: Record<string, number> = {};
  for (const run of runs) {
    line(run.kind, [
      `${run.completed}/${CHAINS}`,
      (run.completed / run.seconds).toFixed(1),
      run.startMs.toFixed(0),
      percentile(run.overhead, 50).toFixed(1),
      percentile(run.overhead, 99).toFixed(1),
      percentile(run.systemTime, 50).toFixed(1),
      percentile(run.systemTime, 99).toFixed(1),
    ]);
    figures[`${run.kind}Completed`] = run.completed;
    figures[`${run.kind}ChainsPerSecond`] = run.completed / run.seconds;
    figures[`${run.kind}StepOverheadP50Ms`] = percentile(run.overhead, 50);
    figures[`${run.kind}StepOverheadP99Ms`] = percentile(run.overhead, 99);
    figures[`${run.kind}SystemP99Ms`] = percentile(run.systemTime, 99);
  }
  console.log(
    '  ovh: a step from ready to recorded, less its time in the agency systems and the waits they asked for; sys: that time',
  );
  env.record('chains', figures);
}

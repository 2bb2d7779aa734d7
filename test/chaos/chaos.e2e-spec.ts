/**
 * The fault suite (docs: README, "Fault suite"): six faults, each under steady load from several posters,
 * counted by an independent consumer of the topics, the portal simulator's store and the database. Every
 * row must show 0 lost, 0 applied twice and 0 ghosts; the table is printed at the end.
 *
 * `npm run chaos` runs them at full size (LGSP_CHAOS_SCALE=full); within `npm test` they run shortened.
 */
import { Topic } from '@lienthong/messaging';
import { ChaosStack, formatTable, Row, runScenario, SCALE, sleep, startChaosStack } from './harness';

describe(`fault suite (${SCALE.name} size)`, () => {
  let stack: ChaosStack;
  const rows: Row[] = [];

  beforeAll(async () => {
    stack = await startChaosStack();
  }, 400_000);

  afterAll(async () => {
    if (rows.length > 0) {
      process.stdout.write(`\nfault suite, ${SCALE.name} size:\n${formatTable(rows)}\n\n`);
    }
    await stack?.stop();
  }, 120_000);

  /** Runs the scenario, keeps its row for the table, and checks what holds for every fault. */
  async function scenario(name: string, fault: () => Promise<number>): Promise<Row> {
    const row = await runScenario(stack, name, fault);
    rows.push(row);
    expect(row.unexpected).toEqual([]);
    expect(row.answered).toBeGreaterThan(0);
    expect({ lost: row.lost, appliedTwice: row.appliedTwice, ghosts: row.ghosts }).toEqual({
      lost: 0,
      appliedTwice: 0,
      ghosts: 0,
    });
    expect(row.acceptedAfter).toBe(true);
    return row;
  }

  const timeout = SCALE.name === 'full' ? 900_000 : 240_000;

  it(
    'one broker of three killed with SIGKILL and restarted',
    async () => {
      await scenario('broker SIGKILL', async () => {
        const node = stack.cluster.node(await stack.cluster.busiestLeader(Topic.DossierStatus));
        await node.kill('SIGKILL');
        await sleep(SCALE.brokerDownMs);
        await node.start();
        return Date.now();
      });
    },
    timeout,
  );
});

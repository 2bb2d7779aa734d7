/**
 * The relay's roles in processes of their own (RELAY_ROLES), against the real broker, PostgreSQL, the
 * gateway over HTTP and the portal simulator: one relay process routes to the ministries, another syncs
 * the portal, and between them every posted event reaches its ministry topic and the portal once, in
 * order per dossier. Each process's readiness names its roles.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../deploy/local/kafka/local-kafka';
import { collectMinistryTopics, PipelineStack, startPipelineStack } from '../support/pipeline-stack';
import { getJson, waitFor } from '../support/http';

const SEQUENCE = ['SUBMITTED', 'RECEIVED', 'IN_PROCESS', 'RESOLVED', 'RESULT_RETURNED'] as const;
const PORTAL_CODES = [1, 2, 4, 9, 10];
const PROCEDURES = ['1.001193', '1.004222', '2.001610', '1.005194', '1.009974', '1.001776'];
const DOSSIERS = 120;
const POSTERS = 8;

const root = join(__dirname, '..', '..');
const n = () => String(Math.floor(Math.random() * 90) + 10);
const AGENCY = `000.${n()}.${n()}.H${n()}`;

function makeEvents() {
  const base = Date.now() - 86_400_000;
  return Array.from({ length: DOSSIERS }, (_, d) =>
    SEQUENCE.map((status, step) => ({
      eventId: randomUUID(),
      dossierCode: `${AGENCY}-261122-${String(d + 1).padStart(4, '0')}`,
      agencyCode: AGENCY,
      procedureCode: PROCEDURES[d % PROCEDURES.length],
      status,
      occurredAt: new Date(base + d * 1000 + step * 60_000).toISOString(),
      channel: d % 2 ? 'ONLINE' : 'COUNTER',
      applicant: { kind: 'CITIZEN', personalId: '001090012345' },
    })),
  );
}

describe('relay roles in separate processes', () => {
  let stack: PipelineStack;
  let portalRelay: ChildProcess | undefined;
  let portalRelayUrl = '';
  let portalRelayOutput = '';

  beforeAll(async () => {
    // the stack's own relay process routes to the ministries only
    stack = await startPipelineStack({ RELAY_ROLES: 'ministry-routing' });
    const port = await freePort();
    portalRelayUrl = `http://127.0.0.1:${port}`;
    portalRelay = spawn(process.execPath, [join(root, 'dist', 'apps', 'relay', 'src', 'main.js')], {
      env: { ...stack.env, RELAY_ROLES: 'portal-sync', RELAY_PORT: String(port), LGSP_EXIT_WITH_PARENT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) =>
      (portalRelayOutput = (portalRelayOutput + chunk.toString()).slice(-20_000));
    portalRelay.stdout?.on('data', keep);
    portalRelay.stderr?.on('data', keep);
    await waitFor(
      async () => (await getJson(`${portalRelayUrl}/health/ready`)).status === 200,
      60_000,
      'the portal-sync relay to be ready',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nrelay output:\n${portalRelayOutput}`);
    });
  }, 300_000);

  afterAll(async () => {
    if (portalRelay && portalRelay.exitCode === null && portalRelay.signalCode === null) {
      const exited = new Promise((resolve) => portalRelay?.once('exit', resolve));
      portalRelay.kill('SIGTERM');
      await exited;
    }
    await stack?.stop();
  }, 60_000);

  it('each relay process reports on /health/ready the roles it runs, and only the portal one a database', async () => {
    const routing = await getJson(`${stack.relayUrl}/health/ready`);
    expect(routing.status).toBe(200);
    expect(routing.body.info.relay).toEqual({ status: 'up', roles: ['ministry-routing'] });
    expect(routing.body.info.database).toBeUndefined();
    const portal = await getJson(`${portalRelayUrl}/health/ready`);
    expect(portal.status).toBe(200);
    expect(portal.body.info.relay).toEqual({ status: 'up', roles: ['portal-sync'] });
    expect(portal.body.info.database).toEqual(expect.objectContaining({ status: 'up' }));
  });

  it('events posted to the gateway reach their ministry topic and the portal once each, in order per dossier', async () => {
    const events = makeEvents();
    const statuses: number[] = [];
    for (let step = 0; step < SEQUENCE.length; step++) {
      await Promise.all(
        Array.from({ length: POSTERS }, async (_, poster) => {
          const mine = events.filter((_, d) => d % POSTERS === poster).map((list) => list[step]);
          // half the posters send one batch per round, the others one event per request
          const bodies = poster % 2 ? mine : [{ events: mine }];
          for (const body of bodies) {
            const response = await getJson(`${stack.gateway.url}/v1/dossier-events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.apiKey}` },
              body: JSON.stringify(body),
            });
            statuses.push(response.status);
          }
        }),
      );
    }
    expect(new Set(statuses)).toEqual(new Set([202]));
    const total = DOSSIERS * SEQUENCE.length;

    const ministries = await collectMinistryTopics(stack.kafka.brokers);
    try {
      const mine = () =>
        [...ministries.byDossier.entries()].filter(([code]) => code.startsWith(AGENCY)).flatMap(([, l]) => l);
      await waitFor(() => mine().length >= total, 180_000, 'every event on the ministry topics').catch(
        (error: Error) => {
          throw new Error(`${error.message}; ${mine().length} of ${total} arrived\n${stack.relayLog()}`);
        },
      );
      for (const list of events) {
        const received = ministries.byDossier.get(list[0].dossierCode) ?? [];
        expect(received.map((r) => r.eventId)).toEqual(list.map((e) => e.eventId));
        expect(new Set(received.map((r) => r.topic)).size).toBe(1);
      }
    } finally {
      await ministries.stop();
    }

    const held = (code: string) => stack.portal.store.dossier(code)?.statusHistory.length ?? 0;
    await waitFor(
      () => events.every((list) => held(list[0].dossierCode) >= SEQUENCE.length),
      180_000,
      'the portal to hold every event',
    ).catch((error: Error) => {
      const synced = events.reduce((sum, list) => sum + held(list[0].dossierCode), 0);
      throw new Error(`${error.message}; ${synced} of ${total} synced\n${portalRelayOutput}`);
    });
    for (const list of events) {
      const stored = stack.portal.store.dossier(list[0].dossierCode);
      // the dialect carries no event id: each step once, in order, by status and time
      expect(stored?.statusHistory.map((entry) => Number(entry.status))).toEqual(PORTAL_CODES);
    }
    // nothing reached the portal twice
    expect(stack.portal.store.stats().duplicates).toBe(0);
    expect(stack.portal.store.stats().applied).toBe(total);
  }, 420_000);
});

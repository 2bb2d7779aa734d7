/**
 * The national procedure catalogue, end to end: the portal simulator serves a catalogue that names procedures
 * deploy/config/procedures.yaml does not; before a sync the gateway refuses an event of such a procedure with
 * 422 problem+json, `lienthong catalogue sync` (the real CLI, over real HTTP) stores the catalogue in the
 * suite's own PostgreSQL database, and then the gateway accepts the same kind of event and the relay routes it
 * to its ministry's topic on the real broker, both without a restart. Every valid example of the dossier event
 * contract posted through the gateway reaches a ministry topic too.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { nextDossierStatuses, type DossierStatus } from '@lienthong/domain';
import { createKafkaClient, initTopics, type ConsumerPort } from '@lienthong/messaging';
import { generateApiKey } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { startGateway, type RunningGateway } from '../../apps/gateway/src/bootstrap';
import { LiveCatalogue } from '@lienthong/catalogue';
import { startRelay, type RunningRelay } from '../../apps/relay/src/bootstrap';
import { startPortalSimulator, type PortalSimulator } from '../../apps/simulators/src/portal';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, TEST_AUDIT_SUBJECT_KEY, testEnv, waitFor } from '../support/http';

const root = join(__dirname, '..', '..');
const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');
const run = promisify(execFile);

/** An agency code of this run only, so records of earlier runs on the same broker are told apart. */
function agency(): string {
  const n = () => String(Math.floor(Math.random() * 90) + 10);
  return `000.${n()}.${n()}.H${n()}`;
}

/** The shortest path of statuses from a new dossier to `target` (target included). */
function pathTo(target: DossierStatus): DossierStatus[] {
  const queue: DossierStatus[][] = nextDossierStatuses(null).map((s) => [s]);
  for (let path = queue.shift(); path; path = queue.shift()) {
    const last = path[path.length - 1];
    if (last === target) return path;
    for (const next of nextDossierStatuses(last)) if (!path.includes(next)) queue.push([...path, next]);
  }
  throw new Error(`no path to ${target}`);
}

describe('national procedure catalogue sync', () => {
  let database: IsolatedDatabase;
  let portal: PortalSimulator;
  let gateway: RunningGateway;
  let relay: RunningRelay;
  let ministry: ConsumerPort;
  const apiKey = generateApiKey();
  const agencyCode = agency();
  const received = new Map<string, { topic: string; id: string }[]>();
  let sequence = 0;

  const dossierCode = () => `${agencyCode}-261031-${String(++sequence).padStart(4, '0')}`;
  const post = (body: unknown) =>
    getJson(`${gateway.url}/v1/dossier-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    });
  const submitted = (procedureCode: string): DossierStatusEvent => ({
    eventId: randomUUID(),
    dossierCode: dossierCode(),
    agencyCode,
    procedureCode,
    status: 'SUBMITTED',
    portalStatusCode: 1,
    occurredAt: '2026-10-31T08:02:10+07:00',
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  });

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    await initTopics({
      brokers: brokers(),
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    database = await createIsolatedDatabase('catalogue');
    portal = await startPortalSimulator({ port: 0 });
    const env = testEnv({
      DATABASE_URL: database.url,
      PORTAL_URL: portal.url,
      LGSP_DEMO_API_KEY: apiKey,
      LOG_LEVEL: 'error',
      CATALOGUE_RELOAD_MS: '250',
      // the suite runs the sync itself, with the CLI
      CATALOGUE_SYNC_INTERVAL_MS: '0',
    });
    gateway = await startGateway({ env });
    // ministry routing in a process of its own, as deployed: on PostgreSQL it reads the synced catalogue
    relay = await startRelay({ env: { ...env, RELAY_ROLES: 'ministry-routing' } });

    const kafka = createKafkaClient({ clientId: 'e2e-catalogue-ministry', brokers: brokers() });
    ministry = kafka.consumer({ groupId: `e2e-catalogue-${randomUUID()}` });
    await ministry.connect();
    await ministry.subscribe({ topics: [/^lgsp\.dossier\.status\.v1\.[a-z0-9-]+$/], fromBeginning: true });
    await ministry.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(`${agencyCode}-`)) return;
        const envelope = JSON.parse(message.value?.toString() ?? '{}') as { id: string };
        received.set(key, [...(received.get(key) ?? []), { topic, id: envelope.id }]);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await ministry?.disconnect();
    await relay?.close();
    await gateway?.close();
    await portal?.close();
    await database?.drop().catch(() => undefined);
  }, 60_000);

  it('refuses a procedure only the national catalogue knows until a sync, then routes it to its ministry', async () => {
    // 2.001255 (Nhập quốc tịch Việt Nam): sector QT of branch BTP in the simulator, absent from procedures.yaml
    const before = await post(submitted('2.001255'));
    expect(before.status).toBe(422);
    expect(before.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(before.body).toMatchObject({
      status: 422,
      code: 'UNKNOWN_PROCEDURE',
      errors: [{ path: '/procedureCode', code: 'UNKNOWN_PROCEDURE' }],
    });

    const sync = await run(process.execPath, [join(root, 'bin', 'lienthong.js'), 'catalogue', 'sync'], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        PORTAL_URL: portal.url,
        AUDIT_SUBJECT_KEY: TEST_AUDIT_SUBJECT_KEY,
        LOG_LEVEL: 'warn',
      },
    });
    expect(sync.stdout).toMatch(
      /^sync \d+ at .*: 12 procedure\(s\), 7 sector\(s\), 4 agenc\(ies\), 1 skipped/,
    );
    const status = await run(process.execPath, [join(root, 'bin', 'lienthong.js'), 'catalogue', 'status'], {
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    });
    expect(status.stdout).toContain('held: 12 procedure(s), 7 sector(s), 4 agenc(ies)');
    const audited = await gateway.app
      .get(Database)
      .query<{ client_id: string; upstream: string; outcome: string }>(
        `SELECT client_id, upstream, outcome FROM audit_record WHERE service = 'catalogue.sync'`,
      );
    expect(audited).toEqual([
      { client_id: expect.any(String), upstream: 'public-service-portal', outcome: 'OK' },
    ]);

    // the relay picks the sync up on its reload interval; the event must not reach it before
    await waitFor(
      () => relay.app.get(LiveCatalogue).catalogue.route({ procedureCode: '2.001255' }) !== undefined,
      10_000,
      "the relay's catalogue to hold the synced procedure",
    );
    const event = submitted('2.001255');
    const accepted = await waitFor(
      async () => {
        const answer = await post(event);
        return answer.status === 422 ? undefined : answer;
      },
      10_000,
      "the gateway's catalogue to hold the synced procedure",
    );
    expect(accepted.status).toBe(202);

    const copies = await waitFor(
      () => received.get(event.dossierCode),
      90_000,
      "the event on the Ministry of Justice's topic",
    );
    expect(copies).toEqual([{ topic: 'lgsp.dossier.status.v1.bo-tu-phap', id: event.eventId }]);

    // a procedure neither catalogue knows is still refused
    expect((await post(submitted('9.999999'))).status).toBe(422);
  }, 150_000);

  it('routes every valid example of the dossier event contract, posted through the gateway, to a ministry topic', async () => {
    const dir = join(root, 'contracts', 'examples', 'dossier-status-event', 'valid');
    const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(8);
    const examples: { name: string; event: DossierStatusEvent }[] = [];
    for (const name of names) {
      const example = JSON.parse(readFileSync(join(dir, name), 'utf8')) as DossierStatusEvent;
      const code = dossierCode();
      const steps = pathTo(example.status as DossierStatus);
      const at = new Date(example.occurredAt).getTime();
      // the statuses that lead to the example's, a minute apart, then the example itself (this run's dossier)
      const leadIn = steps.slice(0, -1).map((status, i) => ({
        eventId: randomUUID(),
        dossierCode: code,
        agencyCode,
        procedureCode: example.procedureCode,
        ...(example.sectorCode ? { sectorCode: example.sectorCode } : {}),
        status,
        occurredAt: new Date(at - (steps.length - i) * 60_000).toISOString(),
        channel: example.channel,
        applicant: example.applicant,
      }));
      const event = { ...example, eventId: randomUUID(), dossierCode: code, agencyCode };
      for (const step of [...leadIn, event]) {
        const answer = await post(step);
        expect([name, step.status, answer.status, answer.body]).toEqual([
          name,
          step.status,
          202,
          expect.anything(),
        ]);
      }
      examples.push({ name, event });
    }

    await waitFor(
      () =>
        examples.every(({ event }) => received.get(event.dossierCode)?.some((r) => r.id === event.eventId)),
      90_000,
      'every example on a ministry topic',
    );
    for (const { name, event } of examples) {
      const copy = received.get(event.dossierCode)?.find((r) => r.id === event.eventId);
      expect([name, copy?.topic]).toEqual([
        name,
        expect.stringMatching(/^lgsp\.dossier\.status\.v1\.[a-z0-9-]+$/),
      ]);
    }
  }, 150_000);
});

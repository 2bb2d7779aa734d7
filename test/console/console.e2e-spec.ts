/**
 * The operations console in real Chromium (Debian's `chromium`, driven by playwright-core), against the
 * whole stack really started: a Kafka broker of the suite's own (the relay's consumer groups are fixed
 * names, so no other suite's relay may share them), PostgreSQL, the gateway and the relay in this process
 * (as `npm start` runs them on embedded PGlite), and the population, business-registry, land, portal and
 * operations-center simulators over real HTTP. One browser, the pages in order: sign-in, the overview with
 * a population outage switched on and off, a dead letter found, dry-run, replayed and delivered, the
 * Decision 766 scorecard of a synthetic month, and the refusals. Screenshots go to var/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { DossierStatusEvent } from '@lienthong/contracts';
import { PORTAL_FORMULA_VERSION } from '@lienthong/domain';
import { createEvent, EventProducer, initTopics, toKafkaMessage, Topic } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { createDevPki } from '@lienthong/pki';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import {
  RunningBusinessRegistrySimulator,
  startBusinessRegistrySimulator,
} from '../../apps/simulators/src/business-registry';
import { RunningLandSimulator, startLandSimulator } from '../../apps/simulators/src/land';
import {
  OperationsCenterSimulator,
  startOperationsCenterSimulator,
} from '../../apps/simulators/src/operations-center';
import { PopulationSimulator, startPopulationSimulator } from '../../apps/simulators/src/population';
import { PortalSimulator, startPortalSimulator } from '../../apps/simulators/src/portal';
import { freePort, LocalKafka } from '../../deploy/local/kafka/local-kafka';
import { expectedOctober, MONTH, planMonth } from '../indicators/synthetic-month';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';

const root = join(__dirname, '..', '..');
const SCREENSHOTS = join(root, 'var', 'screenshots');
const CHROMIUM = process.env.LGSP_CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const silent = createLogger({ name: 'console-e2e', level: 'silent' });

const KEYS = {
  demo: generateApiKey(),
  operator: generateApiKey(),
  dpo: generateApiKey(),
  plain: generateApiKey(),
};

function clientsDocument() {
  const client = (id: string, key: string, roles: string[], services: Record<string, unknown> = {}) => ({
    id,
    name: `${id} (console e2e)`,
    kind: 'ADMIN',
    enabled: true,
    ...(roles.length ? { roles } : {}),
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services,
  });
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        requiresDossierCode: true,
      },
    },
    clients: [
      client('console-operator', KEYS.operator, ['OPERATOR']),
      client('console-dpo', KEYS.dpo, ['DATA_PROTECTION_OFFICER']),
      client('console-plain', KEYS.plain, [], { 'indicators.read': {} }),
    ],
  };
}

/** A unique agency code of this run. */
function agencyCode(): string {
  const n = () => String(Math.floor(Math.random() * 90) + 10);
  return `000.${n()}.${n()}.H${n()}`;
}

describe('operations console in Chromium', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-console-'));
  let kafka: LocalKafka;
  let database: IsolatedDatabase;
  let population: PopulationSimulator;
  let registry: RunningBusinessRegistrySimulator;
  let land: RunningLandSimulator;
  let portal: PortalSimulator;
  let operationsCenter: OperationsCenterSimulator;
  let relay: RunningRelay;
  let gateway: RunningGateway;
  let producer: EventProducer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let lookups: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    kafka = new LocalKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: mkdtempSync(join(tmpdir(), 'lienthong-test-kafka-')),
      heapMb: 512,
      defaultPartitions: 3,
    });
    await kafka.start();
    await initTopics({
      brokers: [kafka.brokers],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    database = await createIsolatedDatabase('console');
    createDevPki(join(work, 'pki'), { agencies: [] });
    population = await startPopulationSimulator({ pkiDir: join(work, 'pki'), size: 1_000, logger: silent });
    registry = await startBusinessRegistrySimulator({ size: 200, logger: silent });
    land = await startLandSimulator({ size: 200, enterpriseCount: 200, logger: silent });
    portal = await startPortalSimulator({ port: 0, logger: silent });
    operationsCenter = await startOperationsCenterSimulator({ logger: silent });
    // audit signing on, as npm start runs: the data-protection page shows the last verified checkpoint
    const signingKey = join(work, 'audit-signer.pem');
    writeFileSync(
      signingKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    const env = testEnv({
      KAFKA_BROKERS: kafka.brokers,
      DATABASE_URL: database.url,
      CLIENTS_FILE: clientsFile,
      PKI_DIR: join(work, 'pki'),
      POPULATION_URL: population.serviceUrl,
      BUSINESS_REGISTRY_URL: registry.url,
      LAND_URL: land.url,
      PORTAL_URL: portal.url,
      OPERATIONS_CENTER_URL: operationsCenter.url,
      POPULATION_TIMEOUT_MS: '1000',
      POPULATION_VALIDITY_MS: '1000',
      UPSTREAM_RETRIES: '0',
      UPSTREAM_CIRCUIT_FAILURES: '3',
      UPSTREAM_CIRCUIT_HALF_OPEN_MS: '1000',
      PORTAL_RETRY_BASE_MS: '200',
      PORTAL_RETRY_MAX_MS: '1000',
      PORTAL_SYNC_MAX_ATTEMPTS: '3',
      LGSP_DEMO_API_KEY: KEYS.demo,
      AUDIT_SIGNING_KEY_PATH: signingKey,
      // one certificate named by a setting (the rest of the population client's comes from the dev PKI)
      POPULATION_CA_PATH: join(work, 'pki', 'ca.crt'),
    });
    relay = await startRelay({ env: { ...env, LOG_LEVEL: 'error' } });
    gateway = await startGateway({ env: { ...env, LOG_LEVEL: 'error' } });
    producer = relay.app.get(EventProducer);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await lookups?.stop();
    await browser?.close();
    await gateway?.close();
    await relay?.close();
    await Promise.all([population, registry, land, portal, operationsCenter].map((s) => s?.close()));
    await kafka?.stop();
    if (kafka) rmSync(kafka.dataDir, { recursive: true, force: true });
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  /** Citizen lookups through the gateway, one every 100 ms, so the population upstream sees traffic. */
  function startLookups(): { stop(): Promise<void> } {
    const people = population.dataset.sample(200);
    let running = true;
    let n = 0;
    const loop = (async () => {
      while (running) {
        const person = people[n++ % people.length];
        await getJson(`${gateway.url}/v1/citizens/lookup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.demo}` },
          body: JSON.stringify({
            personalId: person.personalId,
            purpose: 'DOSSIER_PROCESSING',
            dossierCode: '000.17.22.H56-261031-0007',
          }),
        }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
      },
    };
  }

  async function publish(events: readonly DossierStatusEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 250) {
      await producer.send(
        Topic.DossierStatus,
        events.slice(i, i + 250).map((data) =>
          toKafkaMessage(
            createEvent({
              id: data.eventId,
              type: 'vn.lienthong.dossier.status.v1',
              source: '/lienthong/gateway',
              subject: data.dossierCode,
              time: data.occurredAt,
              data,
            }),
            data.dossierCode,
          ),
        ),
      );
    }
  }

  const upstream = (name: string) => page.getByTestId(`upstream-${name}`);

  async function signIn(key: string): Promise<void> {
    await page.goto(`${gateway.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('signs an operator in with an API key, into an HttpOnly SameSite=Strict session cookie', async () => {
    await signIn(KEYS.operator);
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain('console-operator');
    const [cookie] = (await context.cookies()).filter((c) => c.name === 'lt_console');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
  });

  it('shows every upstream, Kafka and the database up on the overview', async () => {
    for (const name of [
      'population',
      'business-registry',
      'land',
      'public-service-portal',
      'operations-center',
    ]) {
      await expectStatus(name, 'up', 20_000);
    }
    await page.getByTestId('kafka').getByText('up').waitFor();
    await page.getByTestId('database').getByText('up').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  async function expectStatus(name: string, status: string, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => (await upstream(name).getByTestId('status').textContent()) === status,
      timeoutMs,
      `${name} ${status} on the overview`,
    );
  }

  it('shows the population upstream degraded with its circuit open during an outage, and up once it ends', async () => {
    lookups = startLookups();
    await waitFor(
      async () => Number(await upstream('population').locator('dd').nth(1).textContent()) > 0,
      20_000,
      'population calls on the overview',
    );
    population.faults.set({ down: true });
    await expectStatus('population', 'degraded', 15_000);
    await waitFor(
      async () => (await upstream('population').getByTestId('circuit').textContent()) === 'open',
      15_000,
      'the population circuit open on the overview',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-population-down.png'), fullPage: true });
    population.faults.clear();
    await expectStatus('population', 'up', 45_000);
    expect(await upstream('population').getByTestId('circuit').textContent()).toBe('closed');
    // the overview with an hour's charts that show something: traffic, the outage and the recovery
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-after-outage.png'), fullPage: true });
    await lookups.stop();
    lookups = undefined;
  }, 120_000);

  async function checkConnection(name: string): Promise<Record<string, string>> {
    await page.goto(`${gateway.url}/console#/upstream?name=${name}`);
    await page.reload();
    await page.getByTestId('upstream-title').waitFor();
    const before = await page.getByTestId('check-result').count();
    await page.getByRole('button', { name: 'Check connection' }).click();
    await page.getByRole('button', { name: 'Check connection' }).waitFor({ timeout: 30_000 });
    expect(before).toBe(0);
    await page.getByTestId('check-result').waitFor();
    const statuses: Record<string, string> = {};
    for (const step of ['dns', 'tcp', 'tls', 'authentication', 'call']) {
      statuses[step] =
        (await page.getByTestId(`step-${step}`).getByTestId('step-status').textContent()) ?? '';
    }
    return statuses;
  }

  it("shows an upstream's failures by reason, and checks its connection step by step; a fault shows in the failing step", async () => {
    // the outage above left failed population lookups in the audit log
    const [expected] = await gateway.app
      .get(Database)
      .query<{ code: string; count: string }>(
        "SELECT outcome_code AS code, count(*)::text AS count FROM audit_record WHERE upstream = 'population' AND outcome = 'UPSTREAM_ERROR' GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
      );
    expect(expected).toBeDefined();
    await page.goto(`${gateway.url}/console#/overview`);
    await upstream('population').getByRole('link').click();
    await page.getByTestId('upstream-title').waitFor();
    expect(await page.getByTestId('upstream-title').textContent()).toBe('National Population Database');
    expect(await page.getByTestId(`failure-${expected.code}`).getByTestId('count').textContent()).toBe(
      expected.count,
    );

    const allPass = { dns: 'ok', tcp: 'ok', tls: 'ok', authentication: 'ok', call: 'ok' };
    expect(await checkConnection('population')).toEqual(allPass);
    // the population simulator's chain, verified against the dev CA, with days to expiry
    const chain = await page.getByTestId('step-tls').locator('table.certificates tbody tr').count();
    expect(chain).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('step-tls').getByTestId('step-detail').textContent()).toMatch(
      /expires in \d+ days/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'upstream-population.png'), fullPage: true });
    // the two plain-HTTP simulators: no TLS to test, the rest passes
    expect(await checkConnection('business-registry')).toEqual({ ...allPass, tls: 'skipped' });
    expect(await page.getByTestId('step-authentication').getByTestId('step-detail').textContent()).toContain(
      'access token',
    );
    // the land simulator runs without an API key here: nothing to authenticate
    expect(await checkConnection('land')).toEqual({ ...allPass, tls: 'skipped', authentication: 'skipped' });

    population.faults.set({ down: true });
    try {
      expect(await checkConnection('population')).toEqual({ ...allPass, call: 'failed' });
      expect(await page.getByTestId('check-result').textContent()).toContain('A step failed');
      expect(await page.getByTestId('step-call').getByTestId('step-detail').textContent()).toContain(
        'POPULATION_UNAVAILABLE',
      );
      await page.screenshot({
        path: join(SCREENSHOTS, 'upstream-population-check-failed.png'),
        fullPage: true,
      });
    } finally {
      population.faults.clear();
    }

    const checks = await gateway.app
      .get(Database)
      .query<Record<string, unknown>>(
        "SELECT client_id, upstream, outcome, outcome_code FROM audit_record WHERE service = 'console.check-connection' ORDER BY seq",
      );
    expect(checks).toEqual([
      { client_id: 'console-operator', upstream: 'population', outcome: 'OK', outcome_code: null },
      { client_id: 'console-operator', upstream: 'business-registry', outcome: 'OK', outcome_code: null },
      { client_id: 'console-operator', upstream: 'land', outcome: 'OK', outcome_code: null },
      {
        client_id: 'console-operator',
        upstream: 'population',
        outcome: 'UPSTREAM_ERROR',
        outcome_code: 'CALL_FAILED',
      },
    ]);
  }, 90_000);

  it('finds a dead letter, dry-runs and replays it with progress; the portal gets it and the audit log records it', async () => {
    const code = `${agencyCode()}-261201-${String(Math.floor(Math.random() * 9000) + 1000)}`;
    portal.faults.set({ rejectDossiers: [code] });
    const occurredAt = new Date(Date.now() - 60_000).toISOString();
    await publish([
      {
        eventId: randomUUID(),
        dossierCode: code,
        agencyCode: code.split('-')[0],
        procedureCode: '1.001193',
        channel: 'ONLINE',
        applicant: { kind: 'ORGANISATION' },
        status: 'RECEIVED',
        occurredAt,
        dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      },
    ]);
    await page.goto(`${gateway.url}/console#/dead-letters`);
    const row = page.locator('tr', { hasText: code });
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Find' }).click();
        // the list is read again: the button says "Reading…" until it is done
        await page.getByRole('button', { name: 'Find' }).waitFor({ timeout: 30_000 });
        return (await row.count()) === 1;
      },
      60_000,
      'the rejected dossier among the dead letters',
      1_000,
    );
    portal.faults.set({ rejectDossiers: null });
    expect(portal.store.has(code)).toBe(false);

    await row.getByRole('button', { name: 'Inspect' }).click();
    await page.getByTestId('inspect').waitFor();
    expect(await page.getByTestId('inspect').textContent()).toContain(code);
    await page.screenshot({ path: join(SCREENSHOTS, 'dead-letters.png'), fullPage: true });

    await row.getByRole('checkbox').check();
    await page.getByRole('button', { name: /^Dry run/ }).click();
    await page.getByTestId('dry-run').waitFor();
    expect(await page.getByTestId('dry-run').textContent()).toContain('1 dead letter(s) would be sent back');
    expect(await page.getByTestId('dry-run').textContent()).toContain(code);
    expect(portal.store.has(code)).toBe(false);

    await page.getByRole('button', { name: 'Replay 1', exact: true }).click();
    await page.getByTestId('replay').getByText('Replay finished').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('progress').textContent()).toBe('1 / 1');
    expect(await page.getByTestId('replay').textContent()).toContain('REPLAYED');
    expect(await page.locator('progress').getAttribute('value')).toBe('1');
    // the letter stays in the topic, marked as replayed (from the audit log) once the list is read again
    await row.getByTestId('replayed').getByText('console-operator').waitFor({ timeout: 30_000 });
    expect(await row.getByTestId('replayed').textContent()).toMatch(/^yes, .* by console-operator$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'dead-letters-replayed.png'), fullPage: true });

    await waitFor(() => portal.store.has(code), 30_000, 'the replayed dossier at the portal');
    const audit = await gateway.app
      .get(Database)
      .query<Record<string, unknown>>(
        "SELECT client_id, service, upstream, outcome, dossier_code FROM audit_record WHERE service = 'dlq.replay'",
      );
    expect(audit).toEqual([
      {
        client_id: 'console-operator',
        service: 'dlq.replay',
        upstream: 'dead-letters',
        outcome: 'OK',
        dossier_code: code,
      },
    ]);
  }, 120_000);

  it('lists a dossier the portal does not have among the sync gaps, and syncs it again from there, audited', async () => {
    const code = `${agencyCode()}-261202-${String(Math.floor(Math.random() * 9000) + 1000)}`;
    portal.faults.set({ rejectDossiers: [code] });
    const accepted = await getJson(`${gateway.url}/v1/dossier-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.demo}` },
      body: JSON.stringify({
        eventId: randomUUID(),
        dossierCode: code,
        agencyCode: code.split('-')[0],
        procedureCode: '1.001193',
        channel: 'ONLINE',
        applicant: { kind: 'ORGANISATION' },
        status: 'RECEIVED',
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
    });
    expect(accepted.status).toBeLessThan(300);
    const database = gateway.app.get(Database);
    // the portal refused it: the relay's audited attempt says why
    const refusal = await waitFor(
      async () =>
        (
          await database.query<{ code: string }>(
            "SELECT COALESCE(outcome_code, outcome) AS code FROM audit_record WHERE service = 'portal.sync' AND dossier_code = $1 AND outcome <> 'OK'",
            [code],
          )
        )[0],
      30_000,
      'the portal refusing the dossier',
    );
    portal.faults.set({ rejectDossiers: null });

    await page.goto(`${gateway.url}/console#/portal-sync?minAge=0`);
    await page.reload();
    const row = page.getByTestId(`gap-${code}`);
    await row.waitFor();
    expect(await page.getByTestId('gap-count').textContent()).toContain('1 dossier(s)');
    expect(await row.getByTestId('last-error').textContent()).toBe(refusal.code);
    await page.screenshot({ path: join(SCREENSHOTS, 'portal-sync-gaps.png'), fullPage: true });

    await row.getByRole('button', { name: 'Sync again' }).click();
    await row.getByTestId('queued').waitFor();
    await waitFor(() => portal.store.has(code), 30_000, 'the dossier synced again at the portal');
    await waitFor(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await page.getByTestId('gap-count').textContent())?.startsWith('0 dossier(s)');
      },
      30_000,
      'the gap closed',
      500,
    );
    expect(await row.count()).toBe(0);
    const audit = await database.query<Record<string, unknown>>(
      "SELECT client_id, upstream, outcome, dossier_code FROM audit_record WHERE service = 'portal.sync-again'",
    );
    expect(audit).toEqual([
      { client_id: 'console-operator', upstream: 'public-service-portal', outcome: 'OK', dossier_code: code },
    ]);
  }, 90_000);

  it('lists the certificates in use with days to expiry, agreeing with the expiry metric, and the signing keys', async () => {
    await page.goto(`${gateway.url}/console#/certificates`);
    await page.getByTestId('certificates').waitFor();
    const ca = page.getByTestId('certificate-POPULATION_CA_PATH');
    expect(await ca.getByTestId('subject').textContent()).toContain('Lien Thong Development CA');
    expect(await ca.getByTestId('use').textContent()).toBe('upstream CA');
    // the metric's end of validity, read from the same file
    const metrics = await fetch(`${gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${KEYS.operator}` },
    }).then((r) => r.text());
    const notAfter = Number(
      /^lgsp_certificate_not_after_timestamp_seconds\{certificate="POPULATION_CA_PATH",[^}]*\} (\d+)$/m.exec(
        metrics,
      )?.[1],
    );
    expect(notAfter).toBeGreaterThan(Date.now() / 1000);
    expect(Number(await ca.getByTestId('days').textContent())).toBe(
      Math.floor((notAfter * 1000 - Date.now()) / 86_400_000),
    );
    // what the population client loaded from the development PKI: its client certificate and the signer
    const loaded = page.getByTestId('certificate-population (loaded)');
    expect(await loaded.getByTestId('use').allTextContents()).toEqual(
      expect.arrayContaining(['client certificate', 'upstream signer']),
    );
    // the audit signing key, by the id its checkpoints carry
    const [checkpoint] = await gateway.app
      .get(Database)
      .query<{ key_id: string }>('SELECT key_id FROM audit_checkpoint ORDER BY seq DESC LIMIT 1');
    expect(await page.getByTestId('key-AUDIT_SIGNING_KEY_PATH').getByTestId('key-id').textContent()).toBe(
      checkpoint.key_id,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'certificates.png'), fullPage: true });
  }, 60_000);

  it('shows the Decision 766 scorecard of a synthetic month with the numbers it was built with', async () => {
    const agency = agencyCode();
    const month = planMonth({ seed: 766, agencies: [agency], salt: randomUUID() });
    await publish([...month.onTime, ...month.late]);
    const counts = expectedOctober(month.plans, true).get(agency)!;
    await waitFor(
      async () => {
        const r = await getJson(
          `${gateway.url}/v1/indicators?agency=${agency}&period=${MONTH.key}&formula=766-2022.1`,
          {
            headers: { authorization: `Bearer ${KEYS.demo}` },
          },
        );
        return r.status === 200 && JSON.stringify(r.body.counts) === JSON.stringify(counts);
      },
      60_000,
      'the synthetic month aggregated',
    );
    // every dossier of the month at the portal, so that the portal's own formulas (CKMB.4) are settled
    let portal: Awaited<ReturnType<typeof getJson>> = { status: 0, body: {}, headers: new Headers() };
    await waitFor(
      async () => {
        portal = await getJson(`${gateway.url}/v1/indicators?agency=${agency}&period=${MONTH.key}`, {
          headers: { authorization: `Bearer ${KEYS.demo}` },
        });
        return portal.status === 200 && portal.body.counts.receivedSynced === counts.received;
      },
      60_000,
      'every dossier of the month synced to the portal',
      1_000,
    );
    // the card scores as GET /v1/indicators does by default: the portal's formulas
    expect(portal.status).toBe(200);
    expect(portal.body.formulaVersion).toBe(PORTAL_FORMULA_VERSION);
    // its raw counts agree with the plan the month was built from
    expect(portal.body.counts).toMatchObject({
      received: counts.received,
      receivedOnline: counts.receivedOnline,
      digitisedAtIntake: counts.digitisedAtIntake,
    });
    await page.goto(`${gateway.url}/console#/scorecard?period=${MONTH.key}&agency=${agency}`);
    await page.reload();
    await page.getByTestId('scores').waitFor();
    expect(await page.getByTestId('score-total').textContent()).toBe(String(portal.body.scores.total));
    expect(await page.getByTestId('measured-max').textContent()).toBe(String(portal.body.measuredMax.total));
    for (const group of ['CKMB', 'TDGQ', 'CLGQ', 'TTTT', 'MDHL', 'MDSH'] as const) {
      expect([group, await page.getByTestId(`score-${group}`).getByTestId('value').textContent()]).toEqual([
        group,
        String(portal.body.scores[group]),
      ]);
    }
    // a criterion the gateway measures, with its counts, and one it cannot
    await page.getByTestId('score-CKMB').locator('summary').click();
    expect(await page.getByTestId('criterion-CKMB.4').getByTestId('points').textContent()).toContain('/ 6');
    expect(await page.getByTestId('criterion-CKMB.1').getByTestId('points').textContent()).toContain(
      'not measured here',
    );
    for (const [name, value] of Object.entries(portal.body.counts as Record<string, number>)) {
      expect([name, await page.getByTestId(`count-${name}`).textContent()]).toEqual([name, String(value)]);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'scorecard.png'), fullPage: true });

    // the dossiers behind the numbers, by the counts' own rules
    const behind = async (label: string) => {
      await page.getByTestId('behind').getByRole('button', { name: label }).click();
      await page.getByTestId('behind-count').waitFor();
      await waitFor(
        async () => ((await page.getByTestId('behind-count').textContent()) ?? '').endsWith('dossier(s)'),
        5_000,
        `the ${label} list`,
      );
      return page.getByTestId('behind-row').getByTestId('code').allTextContents();
    };
    const late = await behind('Resolved late');
    expect(late.length).toBe(counts.resolvedLate);
    expect(new Set(late).size).toBe(late.length);
    expect(late.every((code) => code.startsWith(`${agency}-`))).toBe(true);
    const resolved = counts.resolvedOnTime + counts.resolvedLate;
    const notDigitised = await behind('Not digitised');
    // a dossier may miss both, so at least the larger of the two shortfalls, at most their sum
    const intake = counts.received - counts.digitisedAtIntake;
    const results = resolved - counts.resultsDigitised;
    expect(notDigitised.length).toBeGreaterThanOrEqual(Math.max(intake, results));
    expect(notDigitised.length).toBeLessThanOrEqual(intake + results);
    await page.screenshot({ path: join(SCREENSHOTS, 'scorecard-dossiers.png'), fullPage: true });
    // the portal simulator took every dossier of the month
    await waitFor(
      async () => (await behind('Not synced to the portal')).length === 0,
      60_000,
      'every dossier of the month synced to the portal',
      1_000,
    );
  }, 90_000);

  it('refuses a signed-out visitor, a client without a console role, an officer without OPERATOR and a forged action', async () => {
    // a state-changing call without the session's CSRF token
    const forged = await page.evaluate(async () => {
      const r = await fetch('/console/api/dead-letters/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: ['0-0'], dryRun: true }),
      });
      return { status: r.status, body: await r.json() };
    });
    expect(forged).toMatchObject({ status: 403, body: { code: 'CSRF_REFUSED' } });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    const signedOut = await page.evaluate(async () => (await fetch('/console/api/overview')).status);
    expect(signedOut).toBe(401);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });

    const anonymous = await getJson(`${gateway.url}/console/api/overview`);
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });

    await signIn(KEYS.plain);
    await page.getByTestId('signin-error').waitFor();
    expect(await page.getByTestId('signin-error').textContent()).toContain('OPERATOR');
    expect((await context.cookies()).filter((c) => c.name === 'lt_console' && c.value)).toEqual([]);

    await signIn(KEYS.dpo);
    await page.getByTestId('who').waitFor();
    const officer = await page.evaluate(async () => {
      const r = await fetch('/console/api/overview');
      return { status: r.status, body: await r.json() };
    });
    expect(officer).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED' } });
    // an officer lands on the data-protection page, and the operator's pages say what they need
    await page.getByTestId('audit-chain').waitFor();
    expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual([
      'Data protection',
    ]);
    await page.goto(`${gateway.url}/console#/overview`);
    await page.getByText('These pages need the OPERATOR role.').waitFor();

    const signIns = await gateway.app
      .get(Database)
      .query<Record<string, unknown>>(
        "SELECT client_id, outcome, outcome_code FROM audit_record WHERE service = 'console.signin' ORDER BY seq",
      );
    expect(signIns).toEqual([
      { client_id: 'console-operator', outcome: 'OK', outcome_code: null },
      { client_id: 'console-plain', outcome: 'DENIED', outcome_code: 'ROLE_REQUIRED' },
      { client_id: 'console-dpo', outcome: 'OK', outcome_code: null },
    ]);
  }, 60_000);

  it('shows a data-protection officer who looked up a person (the ID in a POST body only), audits the search, and shows the audit chain and its last verified checkpoint', async () => {
    const person = population.dataset.citizenAt(1); // not among the overview's lookups
    const requestId = `console-dpo-${randomUUID()}`;
    const dossierCode = '000.17.22.H56-261031-0042';
    const looked = await getJson(`${gateway.url}/v1/citizens/lookup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${KEYS.demo}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({ personalId: person.personalId, purpose: 'DOSSIER_PROCESSING', dossierCode }),
    });
    expect(looked.status).toBe(200);
    const database = gateway.app.get(Database);
    const lookup = await waitFor(
      async () =>
        (
          await database.query<{ client_id: string; subject_hash: string }>(
            'SELECT client_id, subject_hash FROM audit_record WHERE request_id = $1',
            [requestId],
          )
        )[0],
      10_000,
      'the lookup in the audit log',
    );

    // an operator may not search; the officer is still signed in from the refusals above
    const operatorTry = await getJson(`${gateway.url}/console/api/data-protection/audit-chain`, {
      headers: { authorization: `Bearer ${KEYS.operator}` },
    });
    expect(operatorTry).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED' } });

    const urls: string[] = [];
    page.on('request', (request) => urls.push(`${request.method()} ${request.url()}`));
    await page.goto(`${gateway.url}/console#/data-protection`);
    await page.getByLabel('Personal ID').fill(person.personalId);
    await page.getByRole('button', { name: 'Who looked up this person' }).click();
    await page.getByTestId('subject-records').waitFor();
    const rows = page.getByTestId('subject-record');
    expect(await rows.count()).toBe(1);
    expect(await rows.getByTestId('client').textContent()).toBe(lookup.client_id);
    expect(await rows.getByTestId('service').textContent()).toBe('citizen.lookup');
    expect(await rows.getByTestId('purpose').textContent()).toBe('DOSSIER_PROCESSING');
    expect(await rows.getByTestId('dossier').textContent()).toBe(dossierCode);
    expect(urls.filter((url) => url.includes(person.personalId))).toEqual([]);
    expect(urls).toContain(`POST ${gateway.url}/console/api/data-protection/lookups`);

    // the search is itself on record, under the officer, hashed as the lookup was
    const searches = await database.query<Record<string, unknown>>(
      "SELECT client_id, subject_kind, subject_hash FROM audit_record WHERE service = 'audit.subjects'",
    );
    expect(searches).toEqual([
      { client_id: 'console-dpo', subject_kind: 'CITIZEN', subject_hash: lookup.subject_hash },
    ]);

    // the chain verified, with a checkpoint signed after the lookup
    await waitFor(
      async () => {
        await page.reload();
        await page.getByTestId('audit-chain').waitFor();
        return (await page.getByTestId('checkpoint-seq').count()) === 1;
      },
      30_000,
      'a verified checkpoint on the data-protection page',
      1_000,
    );
    expect(await page.getByTestId('chain-status').textContent()).toBe('intact');
    const [newest] = await database.query<{ seq: string }>(
      'SELECT max(seq)::text AS seq FROM audit_checkpoint',
    );
    expect(BigInt((await page.getByTestId('checkpoint-seq').textContent())!)).toBeLessThanOrEqual(
      BigInt(newest.seq),
    );
    await page.getByLabel('Personal ID').fill(person.personalId);
    await page.getByRole('button', { name: 'Who looked up this person' }).click();
    await page.getByTestId('subject-records').waitFor();
    // the first search now shows in the person's history
    expect(await rows.count()).toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'data-protection.png'), fullPage: true });
  }, 90_000);
});

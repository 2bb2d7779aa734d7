/**
 * Procedure chains through the gateway and the relay: the one-stop system starts the birth chain of an
 * application with POST /v1/chains, the gateway reads the parents' data from the population simulator (under
 * the client's citizen.lookup grant, audited), the relay's chains role runs the steps against the three
 * agency-system simulators, and GET /v1/chains/{code} shows the chain to its end. Refusals are
 * problem+json with stable codes, and every exchange is in the audit log.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { SchemaRegistry } from '@lienthong/contracts';
import { ConsumerPort, initTopics, ministryTopic, Topic } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { createDevPki } from '@lienthong/pki';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import { CivilStatusSimulator, startCivilStatusSimulator } from '../../apps/simulators/src/civil-status';
import { PopulationSimulator, startPopulationSimulator } from '../../apps/simulators/src/population';
import { ResidenceSimulator, startResidenceSimulator } from '../../apps/simulators/src/residence';
import {
  SocialSecuritySimulator,
  startSocialSecuritySimulator,
} from '../../apps/simulators/src/social-security';
import { freePort } from '../../deploy/local/kafka/local-kafka';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';
import { joinedConsumer } from '../support/joined-consumer';

const silent = createLogger({ name: 'chains-e2e', level: 'silent' });
const KEYS = { onestop: generateApiKey(), other: generateApiKey(), lookupsOnly: generateApiKey() };

function clientsDocument() {
  const client = (id: string, key: string, agencies: string[], services: Record<string, unknown>) => ({
    id,
    name: id,
    kind: 'ONE_STOP_SYSTEM',
    enabled: true,
    agencies,
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services,
  });
  const lookup = { 'citizen.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' } };
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
      client('e2e-onestop', KEYS.onestop, ['000.*.*.H56'], {
        ...lookup,
        chains: {},
        'dossier.events': {},
        'indicators.read': {},
      }),
      client('e2e-other', KEYS.other, ['000.*.*.H29'], { ...lookup, chains: {} }),
      client('e2e-lookups-only', KEYS.lookupsOnly, ['000.*.*.H56'], lookup),
    ],
  };
}

describe('procedure chains through the gateway and the relay', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-chains-'));
  let database: IsolatedDatabase;
  let population: PopulationSimulator;
  let civil: CivilStatusSimulator;
  let residence: ResidenceSimulator;
  let vss: SocialSecuritySimulator;
  let gateway: RunningGateway;
  let relay: RunningRelay | undefined;
  let env: NodeJS.ProcessEnv;
  let child: ChildProcess | undefined;
  let consumer: ConsumerPort;
  /** lgsp.chain.events.v1 as a consumer receives it: raw values by parent dossier code, in order. */
  const chainEvents = new Map<string, string[]>();
  /** lgsp.dossier.status.v1 and the Ministry of Justice's copy, as consumers reading from the beginning see them. */
  const statusEvents = new Map<string, { topic: string; id: string; source: string; data: any }[]>();
  const JUSTICE = ministryTopic('bo-tu-phap');
  let sequence = 0;

  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) => {
    const requestId = `chains-e2e-${++sequence}`;
    const answer = await getJson(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-request-id': requestId,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { ...answer, requestId };
  };

  const parentCode = (agency = '000.00.31.H56') =>
    `${agency}-261206-${String(Math.floor(Math.random() * 9000) + 1000)}`;

  let mother: { personalId: string; fullName: string; dateOfBirth: string };
  let father: { personalId: string; fullName: string };
  const application = () => ({
    'child.fullName': 'Nguyễn Minh An',
    'child.sex': 'FEMALE',
    'child.dateOfBirth': '2024-02-29',
    'child.placeOfBirth': 'Bệnh viện Sản Nhi Lào Cai',
    'child.ethnicity': 'Kinh',
    'child.nationality': 'Việt Nam',
    'mother.personalId': mother.personalId,
    'father.personalId': father.personalId,
    'declarant.personalId': mother.personalId,
    'declarant.relationship': 'ME',
    'residence.householdHeadPersonalId': father.personalId,
    'healthInsurance.registeredClinic': 'Trạm y tế phường Cốc Lếu',
  });

  beforeAll(async () => {
    createDevPki(join(work, 'pki'), { agencies: [] });
    [population, civil, residence, vss] = await Promise.all([
      startPopulationSimulator({ pkiDir: join(work, 'pki'), size: 500, logger: silent }),
      startCivilStatusSimulator(),
      startResidenceSimulator(),
      startSocialSecuritySimulator({ processingDelayMs: 200 }),
    ]);
    const [m, f] = population.dataset.sample(2);
    mother = m;
    father = f;
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS as string],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    // joined before the first chain starts (it reads from the beginning anyway)
    consumer = await joinedConsumer({
      brokers: [process.env.KAFKA_BROKERS as string],
      topics: [Topic.ChainEvents, Topic.DossierStatus, JUSTICE],
      name: 'chains-e2e',
      timeoutMs: 150_000,
      onMessage: (message, topic) => {
        const key = message.key!.toString();
        if (topic === Topic.ChainEvents) {
          chainEvents.set(key, [...(chainEvents.get(key) ?? []), message.value!.toString()]);
          return;
        }
        const event = JSON.parse(message.value!.toString());
        statusEvents.set(key, [
          ...(statusEvents.get(key) ?? []),
          { topic, id: event.id, source: event.source, data: event.data },
        ]);
      },
    });
    database = await createIsolatedDatabase('chains_api');
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    env = testEnv({
      DATABASE_URL: database.url,
      CLIENTS_FILE: clientsFile,
      PKI_DIR: join(work, 'pki'),
      POPULATION_URL: population.serviceUrl,
      // ministry routing too: the parent dossier's statuses reach the ministry of its procedure
      RELAY_ROLES: 'chains,ministry-routing',
      CHAIN_CIVIL_STATUS_URL: civil.url,
      CHAIN_RESIDENCE_URL: residence.url,
      CHAIN_SOCIAL_SECURITY_URL: vss.url,
      CHAIN_RUNNER_INTERVAL_MS: '100',
      LOG_LEVEL: process.env.CHAINS_E2E_LOG ?? 'silent',
      AUDIT_FLUSH_INTERVAL_MS: '10',
    });
    gateway = await startGateway({ env });
    relay = await startRelay({ env });
  }, 240_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await relay?.close();
    await gateway?.close();
    await consumer?.disconnect();
    await Promise.all([population, civil, residence, vss].map((s) => s?.close()));
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('runs the birth chain from one application: the parents are read once from the population database, each agency gets the earlier results', async () => {
    const code = parentCode();
    // the one-stop desk receives the birth registration dossier, the chain's parent
    const received = await call('POST', '/v1/dossier-events', KEYS.onestop, {
      eventId: randomUUID(),
      dossierCode: code,
      agencyCode: '000.00.31.H56',
      procedureCode: '1.001193',
      status: 'RECEIVED',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      channel: 'COUNTER',
      applicant: { kind: 'CITIZEN', personalId: mother.personalId },
    });
    expect(received.status).toBe(202);
    const started = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: application(),
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      parentDossierCode: code,
      status: 'RUNNING',
      agencyCode: '000.00.31.H56',
    });

    let view: Record<string, any> = {};
    await waitFor(
      async () => {
        view = (await call('GET', `/v1/chains/${code}`, KEYS.onestop)).body;
        return view.status !== 'RUNNING';
      },
      60_000,
      'the chain finished',
      200,
    );
    expect(view.status).toBe('COMPLETED');
    expect(view.steps.map((s: { status: string }) => s.status)).toEqual(['DONE', 'DONE', 'DONE']);
    const childId = view.steps[0].results['child.personalId'];
    expect(view.steps[2].results['healthInsurance.cardNumber']).toMatch(/^TE1/);

    // the civil-status system got the mother's name and date of birth from the population database
    const birth = civil.store.births.get(`${code}.birth-registration`)!;
    expect(birth.request.mother).toMatchObject({
      personalId: mother.personalId,
      fullName: mother.fullName,
      dateOfBirth: mother.dateOfBirth,
    });
    expect(birth.request.father).toMatchObject({ personalId: father.personalId, fullName: father.fullName });
    expect(residence.store.registrations.get(`${code}.permanent-residence`)?.request.congDan.soDinhDanh).toBe(
      childId,
    );
    expect(vss.store.insuredChildren.has(childId)).toBe(true);

    // audited: the start, the two population reads for this dossier, and the reads of the chain
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      await waitFor(
        async () =>
          (
            await pg.query("SELECT 1 FROM audit_record WHERE service = 'chains.read' AND dossier_code = $1", [
              code,
            ])
          ).rowCount! > 0,
        10_000,
        'the chain reads audited',
      );
      const { rows } = await pg.query<{ service: string; outcome: string; client_id: string }>(
        `SELECT service, outcome, client_id FROM audit_record
          WHERE dossier_code = $1 AND service IN ('chains.start', 'citizen.lookup') ORDER BY seq`,
        [code],
      );
      expect(rows).toEqual([
        { service: 'citizen.lookup', outcome: 'OK', client_id: 'e2e-onestop' },
        { service: 'citizen.lookup', outcome: 'OK', client_id: 'e2e-onestop' },
        { service: 'chains.start', outcome: 'OK', client_id: 'e2e-onestop' },
      ]);
    } finally {
      await pg.end();
    }

    // every transition reached lgsp.chain.events.v1 in order, valid against its contract, without values
    await waitFor(
      () => chainEvents.get(code)?.some((raw) => JSON.parse(raw).data.kind === 'chain.completed'),
      60_000,
      'the chain events on Kafka',
    );
    const registry = SchemaRegistry.shared();
    const events = chainEvents.get(code)!.map((raw) => JSON.parse(raw));
    for (const event of events) {
      expect(event).toMatchObject({ type: 'vn.lienthong.chain.event.v1', subject: code });
      expect(registry.validate('chain-event', event.data).ok).toBe(true);
    }
    const kinds = events.map((e) => [e.data.kind, e.data.step ?? null]);
    expect(kinds[0]).toEqual(['chain.started', null]);
    expect(kinds.at(-1)).toEqual(['chain.completed', null]);
    expect(kinds.filter(([kind]) => kind === 'step.done')).toEqual(
      expect.arrayContaining([
        ['step.done', 'birth-registration'],
        ['step.done', 'permanent-residence'],
        ['step.done', 'health-insurance-card'],
      ]),
    );
    expect(kinds.filter(([kind]) => kind === 'step.done')).toHaveLength(3);
    expect(kinds.findIndex(([, step]) => step === 'birth-registration')).toBeLessThan(
      kinds.findIndex(([, step]) => step === 'permanent-residence'),
    );
    expect(chainEvents.get(code)!.join('\n')).not.toContain(childId);
    expect(chainEvents.get(code)!.join('\n')).not.toContain(mother.personalId);

    // the parent dossier: received by the one-stop system, in process and resolved by the chain, each once,
    // on the dossier-status topic and on the Ministry of Justice's (the parent procedure is a birth registration)
    const statuses = (topic: string) =>
      (statusEvents.get(code) ?? []).filter((e) => e.topic === topic).map((e) => e.data.status);
    await waitFor(
      () => statuses(Topic.DossierStatus).includes('RESOLVED') && statuses(JUSTICE).includes('RESOLVED'),
      60_000,
      'the parent dossier resolved on the status and ministry topics',
    );
    expect(statuses(Topic.DossierStatus)).toEqual(['RECEIVED', 'IN_PROCESS', 'RESOLVED']);
    expect(statuses(JUSTICE)).toEqual(['RECEIVED', 'IN_PROCESS', 'RESOLVED']);
    const onStatusTopic = statusEvents.get(code)!.filter((e) => e.topic === Topic.DossierStatus);
    expect(onStatusTopic.map((e) => e.source)).toEqual([
      '/lienthong/gateway',
      '/lienthong/chain-runner',
      '/lienthong/chain-runner',
    ]);
    for (const { data } of onStatusTopic.slice(1)) {
      expect(registry.validate('dossier-status-event', data).ok).toBe(true);
      expect(data).toMatchObject({
        agencyCode: '000.00.31.H56',
        procedureCode: '1.001193',
        channel: 'COUNTER',
      });
    }
    const dossier = await call('GET', `/v1/dossiers/${code}`, KEYS.onestop);
    expect(dossier.body.status).toBe('RESOLVED');
    expect(dossier.body.history.map((h: { seq: number; status: string }) => [h.seq, h.status])).toEqual([
      [1, 'RECEIVED'],
      [2, 'IN_PROCESS'],
      [3, 'RESOLVED'],
    ]);

    // in the agency's chain numbers: completed well within its 13 working days, with what it reused
    const month = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
    const numbers = await call(
      'GET',
      `/v1/indicators/chains?agency=000.00.31.H56&period=${month}`,
      KEYS.onestop,
    );
    expect(numbers.status).toBe(200);
    expect(numbers.body.totals).toEqual({
      started: 1,
      completed: 1,
      onTime: 1,
      late: 0,
      stopped: 0,
      failed: 0,
      overdueRunning: 0,
      onTimeRatio: 1,
      // the parents' names, dates of birth and the mother's residence from the population database; the
      // child's personal ID and birth certificate number passed to each of the two later steps
      reuse: { nationalFields: 5, stepFields: 4 },
    });
    expect(numbers.body.byChain).toEqual([
      { chainCode: 'birth-residence-health-insurance', ...numbers.body.totals },
    ]);
    const badPeriod = await call(
      'GET',
      '/v1/indicators/chains?agency=000.00.31.H56&period=soon',
      KEYS.onestop,
    );
    expect([badPeriod.status, badPeriod.body.code]).toEqual([400, 'INVALID_PERIOD']);

    // the same application again answers the same chain; another one under the code is refused
    const again = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: application(),
    });
    expect([again.status, again.body.status]).toEqual([201, 'COMPLETED']);
    const conflict = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: { ...application(), 'child.fullName': 'Nguyễn Minh Anh' },
    });
    expect([conflict.status, conflict.body.code]).toEqual([409, 'CHAIN_CONFLICT']);
    expect(conflict.headers.get('content-type')).toContain('application/problem+json');
  }, 90_000);

  it('resumes a chain after its relay is killed with SIGKILL mid-chain, repeating no step', async () => {
    // the relay as a process of its own, so it can be killed
    await relay?.close();
    relay = undefined;
    execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build.mjs')]);
    const port = await freePort();
    let output = '';
    const launch = () => {
      child = spawn(
        process.execPath,
        [join(__dirname, '..', '..', 'dist', 'apps', 'relay', 'src', 'main.js')],
        {
          env: { ...env, RELAY_PORT: String(port), LOG_LEVEL: 'warn', LGSP_EXIT_WITH_PARENT: '1' },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      return waitFor(
        async () =>
          (await getJson(`http://127.0.0.1:${port}/health/ready`).catch(() => ({ status: 0 }))).status ===
          200,
        60_000,
        'the relay process ready',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nrelay output:\n${output}`);
      });
    };
    // the card is decided only after a while: the chain waits at its last step
    vss.settings.processingDelayMs = 4_000;
    await launch();
    const code = parentCode();
    const started = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: application(),
    });
    expect(started.status).toBe(201);
    await waitFor(
      async () => {
        const view = (await call('GET', `/v1/chains/${code}`, KEYS.onestop)).body;
        return view.steps?.[1].status === 'DONE' && view.steps?.[2].status === 'SUBMITTED';
      },
      60_000,
      'the chain waiting at its last step',
      100,
    );
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child!.kill('SIGKILL');
    await exited;
    vss.settings.processingDelayMs = 0;
    await launch();
    let view: Record<string, any> = {};
    await waitFor(
      async () => {
        view = (await call('GET', `/v1/chains/${code}`, KEYS.onestop)).body;
        return view.status !== 'RUNNING';
      },
      60_000,
      'the chain finished after the restart',
      200,
    );
    expect(view.status).toBe('COMPLETED');
    // each system saw its step once: one birth, one residence registration, one card file
    expect([...civil.store.births.keys()].filter((k) => k.startsWith(code))).toHaveLength(1);
    expect([...residence.store.registrations.keys()].filter((k) => k.startsWith(code))).toHaveLength(1);
    expect([...vss.store.files.values()].filter((f) => f.ma_yeu_cau.startsWith(code))).toHaveLength(1);
    expect(view.steps.map((s: { attempts: number }) => s.attempts)).toEqual([1, 1, expect.any(Number)]);
    child!.kill('SIGTERM');
  }, 180_000);

  it('answers a bad request with problem+json and a stable code, and keeps other agencies out', async () => {
    const { 'child.placeOfBirth': _omit, ...partial } = application();
    const missing = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: parentCode(),
      chainCode: 'birth-residence-health-insurance',
      application: partial,
    });
    expect([missing.status, missing.body.code]).toEqual([422, 'APPLICATION_FIELD_MISSING']);
    expect(missing.body.errors).toEqual([
      { path: '/application/child.placeOfBirth', code: 'REQUIRED', message: 'is required' },
    ]);
    const unknown = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: parentCode(),
      chainCode: 'no-such-chain',
      application: application(),
    });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'UNKNOWN_CHAIN']);
    const invalid = await call('POST', '/v1/chains', KEYS.onestop, {
      parentDossierCode: 'nope',
      chainCode: 7,
    });
    expect([invalid.status, invalid.body.code]).toEqual([400, 'INVALID_BODY']);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual([
      '/parentDossierCode',
      '/chainCode',
      '/application',
    ]);

    const code = parentCode();
    const other = await call('POST', '/v1/chains', KEYS.other, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: application(),
    });
    expect([other.status, other.body.code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);
    const notGranted = await call('POST', '/v1/chains', KEYS.lookupsOnly, {
      parentDossierCode: code,
      chainCode: 'birth-residence-health-insurance',
      application: application(),
    });
    expect([notGranted.status, notGranted.body.code]).toEqual([403, 'SERVICE_NOT_ALLOWED']);
    const notFound = await call('GET', `/v1/chains/${code}`, KEYS.onestop);
    expect([notFound.status, notFound.body.code]).toEqual([404, 'CHAIN_NOT_FOUND']);
    const probe = await call('GET', `/v1/chains/${code}`, KEYS.other);
    expect([probe.status, probe.body.code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);
    // nothing was recorded for the refused starts
    expect(civil.store.births.has(`${code}.birth-registration`)).toBe(false);
  });
});

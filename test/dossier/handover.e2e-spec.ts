/**
 * Non-boundary intake end to end, against the real broker and PostgreSQL: a civil-status dossier received at
 * one commune (agency A, Cốc Lếu) is handed over to the commune that resolves it (agency B, Tân Phú). A
 * consumer of lgsp.dossier.handover.v1 reads each step keyed by B; B's client accepts the dossier and returns
 * the result; A's client reads GET /v1/dossiers/{code} and sees RESULT_RETURNED. A cannot decide on its own
 * hand-over, a procedure the catalogue keeps to its competent agency is refused, and every step is audited.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { validate, type DossierHandoverEvent } from '@lienthong/contracts';
import { decodeEvent, initTopics, Topic, type ConsumerPort } from '@lienthong/messaging';
import { createDevPki } from '@lienthong/pki';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';
import { joinedConsumer } from '../support/joined-consumer';

const KEYS = { receiving: generateApiKey(), competent: generateApiKey() };
/** Where the citizen files (UBND phường Cốc Lếu) and who resolves (UBND xã Tân Phú), as in the catalogue. */
const RECEIVING = '000.31.05.H56';
const COMPETENT = '000.17.22.H56';
const BIRTH_REGISTRATION = '1.001193';
/** Certification of copies: the catalogue does not open it to non-boundary intake. */
const CERTIFICATION = '2.000815';

function clientsDocument() {
  const client = (id: string, key: string, agencies: string[]) => ({
    id,
    name: id,
    kind: 'ONE_STOP_SYSTEM',
    enabled: true,
    agencies,
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services: { 'dossier.events': {}, 'indicators.read': {} },
  });
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP',
        requiresDossierCode: true,
      },
    },
    clients: [
      client('e2e-coc-leu', KEYS.receiving, [RECEIVING]),
      client('e2e-tan-phu', KEYS.competent, [COMPETENT]),
    ],
  };
}

/** A dossier code of the receiving agency no other run of this suite has used (the broker is shared). */
function newDossierCode(): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const random = (below: number) => Math.floor(Math.random() * below);
  return `${RECEIVING}-26${two(random(12) + 1)}${two(random(28) + 1)}-${random(9000) + 1000}`;
}

describe('non-boundary intake: hand-over between agencies', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-handover-'));
  let database: IsolatedDatabase;
  let gateway: RunningGateway;
  let consumer: ConsumerPort;
  let sequence = 0;
  /** What B's consumer on lgsp.dossier.handover.v1 received: key, data and the raw record. */
  const received: { key: string; data: DossierHandoverEvent; raw: string }[] = [];

  const call = async (method: 'GET' | 'POST', path: string, key: string, body?: unknown) =>
    getJson(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-request-id': `handover-e2e-${++sequence}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  const receive = (dossierCode: string, procedureCode: string) =>
    call('POST', '/v1/dossier-events', KEYS.receiving, {
      eventId: randomUUID(),
      dossierCode,
      agencyCode: RECEIVING,
      procedureCode,
      status: 'RECEIVED',
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      channel: 'COUNTER',
      applicant: { kind: 'CITIZEN', personalId: '001090012345' },
    });

  const onTopic = (dossierCode: string) => received.filter((r) => r.data.dossierCode === dossierCode);

  /** Waits for `count` records of the dossier on the topic; on a timeout, says where the outbox rows stand. */
  const waitForTopic = async (dossierCode: string, count: number, what: string) => {
    try {
      await waitFor(() => onTopic(dossierCode).length >= count, 60_000, what, 50);
    } catch (error) {
      const pg = new Client({ connectionString: database.url });
      await pg.connect();
      try {
        const rows = (
          await pg.query(
            'SELECT id, message_key, published_at, attempts, last_error FROM outbox WHERE topic = $1 ORDER BY id',
            [Topic.DossierHandover],
          )
        ).rows;
        throw new Error(
          `${(error as Error).message}; outbox: ${JSON.stringify(rows)}; received: ${received.length}`,
        );
      } finally {
        await pg.end();
      }
    }
    expect(onTopic(dossierCode)).toHaveLength(count);
  };

  beforeAll(async () => {
    createDevPki(join(work, 'pki'), { agencies: [] });
    const brokers = (process.env.KAFKA_BROKERS as string).split(',');
    // the topic exists before anyone produces to it or subscribes (the registry's topics, this one included)
    await initTopics({
      brokers,
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    // joined before the first hand-over is produced (it reads from the beginning anyway)
    consumer = await joinedConsumer({
      brokers,
      topics: [Topic.DossierHandover],
      name: 'e2e-handover',
      onMessage: (message) => {
        const key = message.key?.toString() ?? '';
        const raw = message.value?.toString() ?? '';
        const decoded = decodeEvent<DossierHandoverEvent>(raw);
        if (!decoded.ok) throw new Error(decoded.reason);
        received.push({ key, data: decoded.event.data, raw });
      },
    });
    database = await createIsolatedDatabase('handover');
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: database.url,
        CLIENTS_FILE: clientsFile,
        PKI_DIR: join(work, 'pki'),
        AUDIT_FLUSH_INTERVAL_MS: '10',
      }),
    });
  }, 180_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await gateway?.close();
    await database?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 150_000);

  it('is accepted by the competent agency and its result returned where the citizen filed', async () => {
    const dossierCode = newDossierCode();
    expect((await receive(dossierCode, BIRTH_REGISTRATION)).status).toBe(202);

    // the competent agency cannot read the dossier before it is handed over
    expect((await call('GET', `/v1/dossiers/${dossierCode}`, KEYS.competent)).status).toBe(403);

    const handed = await call('POST', `/v1/dossiers/${dossierCode}/handover`, KEYS.receiving, {
      competentAgency: COMPETENT,
    });
    expect(handed.status).toBe(201);
    expect(handed.body).toMatchObject({
      receivingAgency: RECEIVING,
      competentAgency: COMPETENT,
      state: 'HANDED_OVER',
    });

    // B's system reads it from the topic, keyed by B, without the applicant
    await waitForTopic(dossierCode, 1, 'the hand-over on lgsp.dossier.handover.v1');
    const [first] = onTopic(dossierCode);
    expect(first.key).toBe(COMPETENT);
    expect(first.data).toMatchObject({
      dossierCode,
      procedureCode: BIRTH_REGISTRATION,
      receivingAgency: RECEIVING,
      competentAgency: COMPETENT,
      state: 'HANDED_OVER',
    });
    expect(validate('dossier-handover', first.data).ok).toBe(true);
    expect(first.raw).not.toContain('001090012345');

    // a second hand-over is a conflict; the receiving agency cannot accept its own hand-over
    const again = await call('POST', `/v1/dossiers/${dossierCode}/handover`, KEYS.receiving, {
      competentAgency: COMPETENT,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('HANDOVER_EXISTS');
    const own = await call('POST', `/v1/dossiers/${dossierCode}/handover/decision`, KEYS.receiving, {
      decision: 'ACCEPT',
    });
    expect(own.status).toBe(403);
    expect(own.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(own.body.code).toBe('AGENCY_NOT_ALLOWED');
    // nor return a result before the competent agency accepted
    const early = await call('POST', `/v1/dossiers/${dossierCode}/handover/result`, KEYS.competent);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('HANDOVER_NOT_ACCEPTED');

    // B accepts, reads the dossier, and returns the result
    const accepted = await call('POST', `/v1/dossiers/${dossierCode}/handover/decision`, KEYS.competent, {
      decision: 'ACCEPT',
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('ACCEPTED');
    const readByB = await call('GET', `/v1/dossiers/${dossierCode}`, KEYS.competent);
    expect(readByB.status).toBe(200);
    expect(readByB.body.handover.state).toBe('ACCEPTED');
    const returned = await call('POST', `/v1/dossiers/${dossierCode}/handover/result`, KEYS.competent);
    expect(returned.status).toBe(200);
    expect(returned.body.state).toBe('RESULT_RETURNED');

    // A sees where the hand-over stands on its dossier
    const readByA = await call('GET', `/v1/dossiers/${dossierCode}`, KEYS.receiving);
    expect(readByA.status).toBe(200);
    expect(readByA.body).toMatchObject({
      dossierCode,
      agencyCode: RECEIVING,
      status: 'RECEIVED',
      handover: { receivingAgency: RECEIVING, competentAgency: COMPETENT, state: 'RESULT_RETURNED' },
    });
    const { handedOverAt, decidedAt, resultReturnedAt } = readByA.body.handover;
    expect(Date.parse(handedOverAt)).toBeLessThanOrEqual(Date.parse(decidedAt));
    expect(Date.parse(decidedAt)).toBeLessThanOrEqual(Date.parse(resultReturnedAt));

    // every step on the topic, in order, keyed by B
    await waitForTopic(dossierCode, 3, 'the three steps on the topic');
    expect(onTopic(dossierCode).map((r) => [r.key, r.data.state])).toEqual([
      [COMPETENT, 'HANDED_OVER'],
      [COMPETENT, 'ACCEPTED'],
      [COMPETENT, 'RESULT_RETURNED'],
    ]);

    // every step audited, the refusals with their code
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const audited = async () =>
        (
          await pg.query(
            `SELECT service, outcome, outcome_code FROM audit_record
              WHERE service LIKE 'dossier.handover%' AND dossier_code = $1 ORDER BY seq`,
            [dossierCode],
          )
        ).rows.map((r: { service: string; outcome: string; outcome_code: string }) =>
          [r.service, r.outcome, r.outcome_code].join(' '),
        );
      await waitFor(async () => (await audited()).length === 6, 10_000, 'the hand-over steps audited', 50);
      expect(await audited()).toEqual([
        'dossier.handover OK HANDED_OVER',
        'dossier.handover INVALID HANDOVER_EXISTS',
        'dossier.handover.decision DENIED AGENCY_NOT_ALLOWED',
        'dossier.handover.result INVALID HANDOVER_NOT_ACCEPTED',
        'dossier.handover.decision OK ACCEPTED',
        'dossier.handover.result OK RESULT_RETURNED',
      ]);
    } finally {
      await pg.end();
    }
  }, 180_000);

  it('returns a refused dossier to the receiving agency, which may hand it over again', async () => {
    const dossierCode = newDossierCode();
    expect((await receive(dossierCode, BIRTH_REGISTRATION)).status).toBe(202);
    const path = `/v1/dossiers/${dossierCode}/handover`;
    expect((await call('POST', path, KEYS.receiving, { competentAgency: COMPETENT })).status).toBe(201);
    const noReason = await call('POST', `${path}/decision`, KEYS.competent, { decision: 'REFUSE' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { path: string }) => e.path)).toEqual(['/reason']);
    const reason = 'Người được đăng ký khai sinh không cư trú tại xã Tân Phú.';
    const refused = await call('POST', `${path}/decision`, KEYS.competent, { decision: 'REFUSE', reason });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ state: 'REFUSED', reason });
    const readByA = await call('GET', `/v1/dossiers/${dossierCode}`, KEYS.receiving);
    expect(readByA.body.handover).toMatchObject({ state: 'REFUSED', reason });
    // the dossier is back with A alone
    expect((await call('GET', `/v1/dossiers/${dossierCode}`, KEYS.competent)).status).toBe(403);
    await waitForTopic(dossierCode, 2, 'the refusal on the topic');
    expect(onTopic(dossierCode)[1].data).toMatchObject({ state: 'REFUSED', reason });
    // handed over again after the refusal
    expect((await call('POST', path, KEYS.receiving, { competentAgency: COMPETENT })).status).toBe(201);
  }, 150_000);

  it('refuses a procedure the catalogue keeps to its agency, an agency not competent, and an unknown dossier', async () => {
    const certification = newDossierCode();
    expect((await receive(certification, CERTIFICATION)).status).toBe(202);
    const notAllowed = await call('POST', `/v1/dossiers/${certification}/handover`, KEYS.receiving, {
      competentAgency: COMPETENT,
    });
    expect(notAllowed.status).toBe(422);
    expect(notAllowed.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(notAllowed.body.code).toBe('NON_BOUNDARY_NOT_ALLOWED');

    const birth = newDossierCode();
    expect((await receive(birth, BIRTH_REGISTRATION)).status).toBe(202);
    const notCompetent = await call('POST', `/v1/dossiers/${birth}/handover`, KEYS.receiving, {
      competentAgency: '000.00.14.H56',
    });
    expect(notCompetent.status).toBe(422);
    expect(notCompetent.body.code).toBe('AGENCY_NOT_COMPETENT');

    const unknown = await call('POST', `/v1/dossiers/${newDossierCode()}/handover`, KEYS.receiving, {
      competentAgency: COMPETENT,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('UNKNOWN_DOSSIER');

    // another agency's client cannot hand A's dossier over
    const foreign = await call('POST', `/v1/dossiers/${birth}/handover`, KEYS.competent, {
      competentAgency: COMPETENT,
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('AGENCY_NOT_ALLOWED');
    // none of them reached the topic: a hand-over made after them arrives alone (one key, one partition, in order)
    expect(
      (await call('POST', `/v1/dossiers/${birth}/handover`, KEYS.receiving, { competentAgency: COMPETENT }))
        .status,
    ).toBe(201);
    await waitForTopic(birth, 1, 'the later hand-over on the topic');
    expect(onTopic(birth).map((r) => r.data.state)).toEqual(['HANDED_OVER']);
    expect(onTopic(certification)).toEqual([]);
  }, 150_000);

  it('counts the hand-overs of each agency in the period beside its indicators', async () => {
    // the month of now in Vietnam time; the suite's own database holds the hand-overs of the tests above
    const period = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
    const competent = await call(
      'GET',
      `/v1/indicators/handovers?agency=${COMPETENT}&period=${period}`,
      KEYS.competent,
    );
    expect(competent.status).toBe(200);
    // three dossiers handed over to it (the refused one handed over again counts its latest hand-over)
    expect(competent.body).toMatchObject({
      agencyCode: COMPETENT,
      handedOver: 0,
      received: 3,
      accepted: 1,
      refused: 0,
      resultsReturned: 1,
    });
    const receiving = await call(
      'GET',
      `/v1/indicators/handovers?agency=${RECEIVING}&period=${period}`,
      KEYS.receiving,
    );
    expect(receiving.body).toMatchObject({ agencyCode: RECEIVING, handedOver: 3, received: 0 });
    const bad = await call('GET', `/v1/indicators/handovers?agency=${RECEIVING}&period=soon`, KEYS.receiving);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_PERIOD');
  }, 30_000);
});

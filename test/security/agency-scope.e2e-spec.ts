/**
 * Agency scope end to end: the real gateway over HTTP, real PostgreSQL and the suite's Kafka broker.
 * Two one-stop systems of two provinces (A: Lào Cai, H56; B: Hà Nội, H29) each keep to their own
 * agencies: each is refused 403 on the other's dossier events, dossier reads, document register, search
 * and revoke, and lookups bound to the other's dossiers, and every refusal is in the audit log. On
 * Kafka, an event on A's own inbound topic for B's agency is dead-lettered and audited, one for A's
 * agency accepted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { AuditLog } from '@lienthong/audit';
import { createKafkaClient, DeadLetterHeader, inboundTopic, initTopics, Topic } from '@lienthong/messaging';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { vietnamDate } from '@lienthong/domain';
import { testEnv, waitFor } from '../support/http';

const A = { id: 'motcua-a', agency: '000.17.22.H56', key: generateApiKey() };
const B = { id: 'motcua-b', agency: '000.31.05.H29', key: generateApiKey() };
const RUN = String((Date.now() % 9000) + 1000);

function clientsDocument() {
  const client = (party: typeof A, pattern: string) => ({
    id: party.id,
    name: `${party.id} (e2e)`,
    kind: 'ONE_STOP_SYSTEM',
    enabled: true,
    agencies: [pattern],
    kafka: { principal: party.id },
    apiKeys: [{ id: 'k1', sha256: hashApiKey(party.key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 500 },
    services: {
      'citizen.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
      'dossier.events': {},
      'documents.register': { purposes: ['DOSSIER_PROCESSING'] },
      'documents.search': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
    },
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
    clients: [client(A, '000.*.*.H56'), client(B, '000.*.*.H29')],
  };
}

/** Dossier sequence numbers start at a random point, so runs against one database never collide. */
let sequence = Math.floor(Math.random() * 8000);
/** A new dossier code of `agency`, distinct per call. */
const newDossier = (agency: string) => `${agency}-261120-${String(++sequence).padStart(4, '0')}`;

function statusEvent(agency: string, dossierCode: string, status = 'SUBMITTED') {
  return {
    eventId: randomUUID(),
    dossierCode,
    agencyCode: agency,
    procedureCode: '1.001193',
    status,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

function documentOf(agency: string, dossierCode: string) {
  const content = Buffer.from(`kết quả ${randomUUID()}`);
  return {
    owner: { kind: 'CITIZEN', personalId: '001090012345' },
    documentType: 'KQ.GPXD',
    issuingAgency: { agencyCode: agency, name: `Ủy ban nhân dân (${agency})` },
    dossierCode,
    issuedOn: vietnamDate(new Date()),
    contentHash: { algorithm: 'sha256', value: createHash('sha256').update(content).digest('hex') },
    storageRef: `reuse-store://e2e/${randomUUID()}.pdf`,
    purpose: 'DOSSIER_PROCESSING',
  };
}

interface Reply {
  status: number;
  body: { code?: string; [key: string]: unknown };
  requestId: string;
}

describe('each client keeps to its agencies', () => {
  let dir: string;
  let gateway: RunningGateway;
  /** Request ids of the refused calls, with the client that made them. */
  const refused: { requestId: string; clientId: string; code: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-agency-scope-e2e-'));
    const clientsFile = join(dir, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    // each producing client's own inbound topic (topics init creates them in a deployment)
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS as string],
      partitions: 2,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
      extra: [inboundTopic(A.id), inboundTopic(B.id)],
    });
    gateway = await startGateway({
      // a consumer group of its own: other suites' gateways read other inbound topics
      env: testEnv({ CLIENTS_FILE: clientsFile, KAFKA_CLIENT_ID: `lienthong-scope-${RUN}` }),
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: 'GET' | 'POST', path: string, key: string, body?: unknown): Promise<Reply> {
    const requestId = `scope-${randomUUID()}`;
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        'x-request-id': requestId,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, requestId };
  }

  /** Expects a 403 problem with `code` and remembers it for the audit check. */
  function expectRefused(reply: Reply, clientId: string, code: string): void {
    expect([reply.status, reply.body.code]).toEqual([403, code]);
    refused.push({ requestId: reply.requestId, clientId, code });
  }

  /** What each party owns: a dossier with an accepted event, and a registered document. */
  async function holdings(party: typeof A) {
    const dossierCode = newDossier(party.agency);
    expect(
      (await call('POST', '/v1/dossier-events', party.key, statusEvent(party.agency, dossierCode))).status,
    ).toBe(202);
    const registered = await call('POST', '/v1/documents', party.key, documentOf(party.agency, dossierCode));
    expect(registered.status).toBe(201);
    return { dossierCode, documentId: String(registered.body.id) };
  }

  it("refuses each client the other's dossier events, reads, documents and lookups, and audits each refusal", async () => {
    const ofA = await holdings(A);
    const ofB = await holdings(B);

    for (const [self, other, theirs] of [
      [A, B, ofB],
      [B, A, ofA],
    ] as const) {
      // dossier events: a new dossier of the other agency, and an event on the other's stored dossier
      expectRefused(
        await call(
          'POST',
          '/v1/dossier-events',
          self.key,
          statusEvent(other.agency, newDossier(other.agency)),
        ),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      expectRefused(
        await call('POST', '/v1/dossier-events', self.key, {
          ...statusEvent(self.agency, theirs.dossierCode, 'RECEIVED'),
        }),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      // dossier read
      expectRefused(
        await call('GET', `/v1/dossiers/${theirs.dossierCode}`, self.key),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      // documents: register for the other agency, search recording a reuse against its dossier, revoke
      expectRefused(
        await call('POST', '/v1/documents', self.key, documentOf(other.agency, newDossier(other.agency))),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      expectRefused(
        await call('POST', '/v1/documents/search', self.key, {
          ownerPersonalId: '001090012345',
          purpose: 'DOSSIER_PROCESSING',
          dossierCode: theirs.dossierCode,
        }),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      expectRefused(
        await call('POST', `/v1/documents/${theirs.documentId}/revoke`, self.key, { reason: 'not ours' }),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
      // a lookup bound to the other's dossier
      expectRefused(
        await call('POST', '/v1/citizens/lookup', self.key, {
          personalId: '001090012345',
          purpose: 'DOSSIER_PROCESSING',
          dossierCode: theirs.dossierCode,
        }),
        self.id,
        'AGENCY_NOT_ALLOWED',
      );
    }

    // what each owns is untouched and still its own
    for (const [party, own] of [
      [A, ofA],
      [B, ofB],
    ] as const) {
      const read = await call('GET', `/v1/dossiers/${own.dossierCode}`, party.key);
      expect([read.status, read.body.agencyCode, read.body.status]).toEqual([200, party.agency, 'SUBMITTED']);
      const search = await call('POST', '/v1/documents/search', party.key, {
        ownerPersonalId: '001090012345',
        purpose: 'DOSSIER_PROCESSING',
        dossierCode: own.dossierCode,
      });
      expect(search.status).toBe(200);
      expect((search.body.documents as { documentId: string }[]).map((d) => d.documentId)).toContain(
        own.documentId,
      );
    }

    // every refusal is in the audit log as DENIED, with its reason, under the client that tried
    await gateway.app.get(AuditLog).flush();
    const rows = await gateway.app.get(Database).query<{
      request_id: string;
      client_id: string;
      outcome: string;
      outcome_code: string;
      upstream: string;
    }>(
      `SELECT request_id, client_id, outcome, outcome_code, upstream FROM audit_record
        WHERE request_id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(refused.map((r) => r.requestId))],
    );
    expect(refused).toHaveLength(14);
    for (const attempt of refused) {
      expect(rows.filter((row) => row.request_id === attempt.requestId)).toEqual([
        expect.objectContaining({
          client_id: attempt.clientId,
          outcome: 'DENIED',
          outcome_code: attempt.code,
        }),
      ]);
    }
  });

  it('refuses a dossier-processing lookup naming a closed dossier of its own agency, saying so', async () => {
    const open = newDossier(A.agency);
    const closed = newDossier(A.agency);
    for (const code of [open, closed]) {
      expect((await call('POST', '/v1/dossier-events', A.key, statusEvent(A.agency, code))).status).toBe(202);
    }
    const withdrawn = { ...statusEvent(A.agency, closed, 'WITHDRAWN'), occurredAt: new Date().toISOString() };
    expect((await call('POST', '/v1/dossier-events', A.key, withdrawn)).status).toBe(202);

    const lookup = (dossierCode: string) =>
      call('POST', '/v1/citizens/lookup', A.key, {
        personalId: '001090012345',
        purpose: 'DOSSIER_PROCESSING',
        dossierCode,
      });
    const refusal = await lookup(closed);
    expectRefused(refusal, A.id, 'DOSSIER_CLOSED');
    expect(String(refusal.body.detail)).toContain(closed);
    // the open dossier passes the access checks (no population upstream is configured in this suite)
    const allowed = await lookup(open);
    expect(allowed.status).not.toBe(403);

    await gateway.app.get(AuditLog).flush();
    const row = await gateway.app
      .get(Database)
      .queryOne<{ outcome: string; outcome_code: string; dossier_code: string }>(
        'SELECT outcome, outcome_code, dossier_code FROM audit_record WHERE request_id = $1',
        [refusal.requestId],
      );
    expect(row).toEqual({ outcome: 'DENIED', outcome_code: 'DOSSIER_CLOSED', dossier_code: closed });
  });

  it("dead-letters and audits an event on A's own topic for B's agency, and accepts one for A's", async () => {
    const foreign = statusEvent(B.agency, newDossier(B.agency));
    const own = statusEvent(A.agency, newDossier(A.agency));
    const kafka = createKafkaClient({
      clientId: 'test-scope',
      brokers: [process.env.KAFKA_BROKERS as string],
    });
    const producer = kafka.producer();
    await producer.connect();
    const envelope = (data: { dossierCode: string }) =>
      JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        subject: data.dossierCode,
        source: '/motcua-a/e2e',
        type: 'vn.lienthong.dossier.status.v1',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        data,
      });
    await producer.send({
      topic: inboundTopic(A.id),
      messages: [
        { key: foreign.dossierCode, value: envelope(foreign) },
        { key: own.dossierCode, value: envelope(own) },
      ],
    });
    await producer.disconnect();

    // the dead letter of the foreign event, with its reason
    const consumer = kafka.consumer({ groupId: `test-scope-dlq-${randomUUID()}` });
    const deadLetters: { key: string; code: string; topic: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [Topic.DeadLetter], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        deadLetters.push({
          key: message.key?.toString() ?? '',
          code: header(DeadLetterHeader.Code),
          topic: header(DeadLetterHeader.SourceTopic),
        });
      },
    });
    try {
      const letter = await waitFor(
        () => deadLetters.find((d) => d.key === foreign.dossierCode),
        60_000,
        'the dead letter of the foreign event',
      );
      expect(letter).toEqual({
        key: foreign.dossierCode,
        code: 'AGENCY_NOT_ALLOWED',
        topic: inboundTopic(A.id),
      });
    } finally {
      await consumer.disconnect();
    }

    // the event of A's agency went through, as A's
    const accepted = await waitFor(
      async () => {
        const read = await call('GET', `/v1/dossiers/${own.dossierCode}`, A.key);
        return read.status === 200 ? read : undefined;
      },
      60_000,
      "the event of A's agency to be accepted",
    );
    expect(accepted.body).toMatchObject({ agencyCode: A.agency, status: 'SUBMITTED' });
    const notKept = await call('GET', `/v1/dossiers/${foreign.dossierCode}`, B.key);
    expect([notKept.status, notKept.body.code]).toEqual([404, 'DOSSIER_NOT_FOUND']);

    await gateway.app.get(AuditLog).flush();
    const audit = await gateway.app.get(Database).query<{
      dossier_code: string;
      client_id: string;
      outcome: string;
      outcome_code: string;
    }>(
      `SELECT dossier_code, client_id, outcome, outcome_code FROM audit_record
        WHERE service = 'dossier.events' AND dossier_code IN ($1, $2) ORDER BY seq`,
      [foreign.dossierCode, own.dossierCode],
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        {
          dossier_code: foreign.dossierCode,
          client_id: A.id,
          outcome: 'DENIED',
          outcome_code: 'AGENCY_NOT_ALLOWED',
        },
        { dossier_code: own.dossierCode, client_id: A.id, outcome: 'OK', outcome_code: 'ACCEPTED' },
      ]),
    );
  }, 120_000);
});

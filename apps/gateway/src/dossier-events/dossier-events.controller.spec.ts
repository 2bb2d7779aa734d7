/**
 * Who may post dossier status events and read a dossier back, over HTTP on the project's HTTP app
 * conventions: embedded PostgreSQL (PGlite) with the migrations, the real client registry and access
 * policy, and a producer that keeps what would have gone to Kafka.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dump } from 'js-yaml';
import type { OutgoingMessage } from '@lienthong/messaging';
import { AuditLog } from '@lienthong/audit';
import { Outbox, Topic } from '@lienthong/messaging';
import { generateApiKey, hashApiKey } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { KEYS, testClientsDocument } from '../../../../libs/security/src/testing/security.fixtures';
import { buildOpenApi } from '../bootstrap';
import { createIngestTestApp } from './testing/ingest-test-app';

const AGENCY = '000.17.22.H56';
/** A one-stop system of another province (H29): none of AGENCY's dossiers are its business. */
const OTHER_KEY = generateApiKey();

/** What Kafka would have received, by topic. */
const published: { topic: string; message: OutgoingMessage }[] = [];
const publishedIds = () =>
  published
    .filter((p) => p.topic === Topic.DossierStatus)
    .map((p) => (JSON.parse(String(p.message.value)) as { id: string }).id);

let dossiers = 0;
const newDossier = () => ++dossiers;

function event(status: string, dossier: number, minutes = 0, agency = AGENCY) {
  return {
    eventId: randomUUID(),
    dossierCode: `${agency}-261120-${String(dossier).padStart(4, '0')}`,
    agencyCode: agency,
    procedureCode: '1.001193',
    status,
    occurredAt: new Date(Date.parse('2026-11-20T09:00:00+07:00') + minutes * 60_000).toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

describe('dossier events: access', () => {
  let dir: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-dossier-events-'));
    const document = testClientsDocument();
    document.clients.push({
      id: 'motcua-ha-noi',
      name: 'Hệ thống một cửa Hà Nội (test)',
      kind: 'ONE_STOP_SYSTEM',
      enabled: true,
      agencies: ['000.*.*.H29'],
      apiKeys: [{ id: 'k1', sha256: hashApiKey(OTHER_KEY) }],
      rateLimit: { requestsPerMinute: 600, burst: 20 },
      services: { 'dossier.events': {} },
    });
    // Rate limits are not what this suite is about.
    for (const client of document.clients) client.rateLimit = { requestsPerMinute: 6000, burst: 1000 };
    writeFileSync(join(dir, 'clients.yaml'), dump(document));
    app = await createIngestTestApp({ clientsFile: join(dir, 'clients.yaml'), published });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown, key?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/dossier-events',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      payload: JSON.stringify(body),
    });
  const dossier = (code: string, key?: string) =>
    app.inject({
      method: 'GET',
      url: `/v1/dossiers/${code}`,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  it('takes a batch and a single event from a client granted dossier.events, and lets it read the dossier', async () => {
    const dossier1 = newDossier();
    const first = event('SUBMITTED', dossier1);
    const other = event('SUBMITTED', newDossier());
    const batch = await post({ events: [first, other] }, KEYS.oneStop);
    expect(batch.statusCode).toBe(202);
    expect(batch.json()).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });

    const next = event('RECEIVED', dossier1, 5);
    const single = await post(next, KEYS.oneStop);
    expect(single.statusCode).toBe(202);
    expect(single.json()).toMatchObject({ outcome: 'ACCEPTED', eventId: next.eventId, seq: 2 });
    await app.get(Outbox).drain();
    expect(publishedIds()).toEqual(expect.arrayContaining([first.eventId, other.eventId, next.eventId]));

    const read = await dossier(first.dossierCode, KEYS.oneStop);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ dossierCode: first.dossierCode, status: 'RECEIVED' });
    expect(read.json().history.map((h: { eventId: string }) => h.eventId)).toEqual([
      first.eventId,
      next.eventId,
    ]);
  });

  it.each([
    ['no credentials', undefined, 401, 'UNAUTHENTICATED'],
    ['an unknown key', generateApiKey(), 401, 'INVALID_CREDENTIALS'],
    ['an expired key', KEYS.ministryOld, 401, 'INVALID_CREDENTIALS'],
    ['a disabled client', KEYS.disabled, 401, 'INVALID_CREDENTIALS'],
    ['a client without dossier.events', KEYS.ministry, 403, 'SERVICE_NOT_ALLOWED'],
  ])('refuses a post with %s as problem+json and keeps nothing', async (_name, key, status, code) => {
    const single = event('SUBMITTED', newDossier());
    const inBatch = event('SUBMITTED', newDossier());
    for (const body of [single, { events: [inBatch] }, [inBatch]]) {
      const response = await post(body, key);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status, code });
      if (status === 401) expect(response.headers['www-authenticate']).toContain('Bearer');
    }
    // Refused before the body is looked at: an oversized batch is not even counted.
    const oversize = await post({ events: Array.from({ length: 501 }, () => ({})) }, key);
    expect([oversize.statusCode, oversize.json().code]).toEqual([status, code]);

    await app.get(Outbox).drain();
    expect(publishedIds()).not.toContain(single.eventId);
    expect(publishedIds()).not.toContain(inBatch.eventId);
    for (const code of [single.dossierCode, inBatch.dossierCode]) {
      const read = await dossier(code, KEYS.oneStop);
      expect([read.statusCode, read.json().code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
    }
  });

  it('refuses a procedure the catalogue cannot route with 422 UNKNOWN_PROCEDURE, and records and publishes nothing of it', async () => {
    const unknown = { ...event('SUBMITTED', newDossier()), procedureCode: '9.999999' };
    const single = await post(unknown, KEYS.oneStop);
    expect(single.statusCode).toBe(422);
    expect(single.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(single.json()).toMatchObject({
      status: 422,
      code: 'UNKNOWN_PROCEDURE',
      errors: [{ path: '/procedureCode', code: 'UNKNOWN_PROCEDURE' }],
    });

    // in a batch, the routable event is accepted and only the unknown one refused
    const known = event('SUBMITTED', newDossier());
    const alsoUnknown = { ...event('SUBMITTED', newDossier()), procedureCode: '9.999998' };
    const batch = await post({ events: [known, alsoUnknown] }, KEYS.oneStop);
    expect(batch.statusCode).toBe(422);
    expect(batch.json()).toMatchObject({
      code: 'BATCH_PARTIALLY_REJECTED',
      accepted: 1,
      rejected: 1,
      results: [
        { index: 0, outcome: 'ACCEPTED' },
        { index: 1, outcome: 'REJECTED', code: 'UNKNOWN_PROCEDURE' },
      ],
    });

    // an unknown procedure code under a sector the catalogue knows routes by its sector
    const bySector = { ...event('SUBMITTED', newDossier()), procedureCode: '9.999997', sectorCode: 'HT' };
    expect((await post(bySector, KEYS.oneStop)).statusCode).toBe(202);

    await app.get(Outbox).drain();
    expect(publishedIds()).toEqual(expect.arrayContaining([known.eventId, bySector.eventId]));
    expect(publishedIds()).not.toContain(unknown.eventId);
    expect(publishedIds()).not.toContain(alsoUnknown.eventId);
    for (const code of [unknown.dossierCode, alsoUnknown.dossierCode]) {
      const read = await dossier(code, KEYS.oneStop);
      expect([read.statusCode, read.json().code]).toEqual([404, 'DOSSIER_NOT_FOUND']);
    }
  });

  it('refuses to show a dossier without credentials or to a client without dossier.events', async () => {
    const known = event('SUBMITTED', newDossier());
    expect((await post(known, KEYS.oneStop)).statusCode).toBe(202);

    const anonymous = await dossier(known.dossierCode);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(anonymous.json())).not.toContain(known.eventId);

    const ministry = await dossier(known.dossierCode, KEYS.ministry);
    expect([ministry.statusCode, ministry.json().code]).toEqual([403, 'SERVICE_NOT_ALLOWED']);
    expect(JSON.stringify(ministry.json())).not.toContain(known.eventId);

    // Credentials are checked before the code: an anonymous caller learns nothing about it.
    const malformed = await dossier('not-a-code');
    expect([malformed.statusCode, malformed.json().code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  /** The audit records of one client, newest last. */
  async function auditOf(clientId: string) {
    await app.get(AuditLog).flush();
    return app
      .get(Database)
      .query<{ service: string; dossier_code: string | null; outcome: string; outcome_code: string | null }>(
        `SELECT service, dossier_code, outcome, outcome_code FROM audit_record WHERE client_id = $1 ORDER BY seq`,
        [clientId],
      );
  }

  it("refuses another agency's events and reads with 403, keeps nothing, and audits each refusal", async () => {
    const ours = event('SUBMITTED', newDossier());
    expect((await post(ours, KEYS.oneStop)).statusCode).toBe(202);

    // an event of an agency outside the client's scope, alone or in a batch
    const foreign = event('SUBMITTED', newDossier());
    const single = await post(foreign, OTHER_KEY);
    expect([single.statusCode, single.json().code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);
    const batch = await post({ events: [event('SUBMITTED', newDossier())] }, OTHER_KEY);
    expect([batch.statusCode, batch.json().code]).toEqual([403, 'BATCH_REJECTED']);
    expect(batch.json().results[0]).toMatchObject({ outcome: 'REJECTED', code: 'AGENCY_NOT_ALLOWED' });

    // a stored dossier of our agency cannot be taken over by naming the client's own agency
    const takeover = { ...event('RECEIVED', 0, 5, '000.17.22.H29'), dossierCode: ours.dossierCode };
    const moved = await post(takeover, OTHER_KEY);
    expect([moved.statusCode, moved.json().code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);

    // nor read, nor probed for existence
    const read = await dossier(ours.dossierCode, OTHER_KEY);
    expect([read.statusCode, read.json().code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);
    expect(JSON.stringify(read.json())).not.toContain(ours.eventId);
    const unknown = await dossier(`${AGENCY}-261120-9999`, OTHER_KEY);
    expect([unknown.statusCode, unknown.json().code]).toEqual([403, 'AGENCY_NOT_ALLOWED']);

    await app.get(Outbox).drain();
    expect(publishedIds()).not.toContain(foreign.eventId);
    expect(publishedIds()).not.toContain(takeover.eventId);
    const after = await dossier(ours.dossierCode, KEYS.oneStop);
    expect(after.json()).toMatchObject({ agencyCode: AGENCY, status: 'SUBMITTED' });

    expect(await auditOf('motcua-ha-noi')).toEqual([
      {
        service: 'dossier.events',
        dossier_code: foreign.dossierCode,
        outcome: 'DENIED',
        outcome_code: 'AGENCY_NOT_ALLOWED',
      },
      expect.objectContaining({
        service: 'dossier.events',
        outcome: 'DENIED',
        outcome_code: 'AGENCY_NOT_ALLOWED',
      }),
      {
        service: 'dossier.events',
        dossier_code: ours.dossierCode,
        outcome: 'DENIED',
        outcome_code: 'AGENCY_NOT_ALLOWED',
      },
      {
        service: 'dossier.read',
        dossier_code: ours.dossierCode,
        outcome: 'DENIED',
        outcome_code: 'AGENCY_NOT_ALLOWED',
      },
      {
        service: 'dossier.read',
        dossier_code: `${AGENCY}-261120-9999`,
        outcome: 'DENIED',
        outcome_code: 'AGENCY_NOT_ALLOWED',
      },
    ]);
  });

  it('never moves a dossier to another agency, even one the client also acts for', async () => {
    const first = event('SUBMITTED', newDossier());
    expect((await post(first, KEYS.oneStop)).statusCode).toBe(202);
    // motcua acts for H56 and H41
    const move = { ...event('RECEIVED', 0, 5, '000.17.22.H41'), dossierCode: first.dossierCode };
    const moved = await post(move, KEYS.oneStop);
    expect([moved.statusCode, moved.json().code]).toEqual([403, 'DOSSIER_AGENCY_CHANGE']);
    const read = await dossier(first.dossierCode, KEYS.oneStop);
    expect(read.json()).toMatchObject({ agencyCode: AGENCY, status: 'SUBMITTED' });
    expect(await auditOf('motcua')).toEqual(
      expect.arrayContaining([
        {
          service: 'dossier.events',
          dossier_code: first.dossierCode,
          outcome: 'OK',
          outcome_code: 'ACCEPTED',
        },
        {
          service: 'dossier.events',
          dossier_code: first.dossierCode,
          outcome: 'DENIED',
          outcome_code: 'DOSSIER_AGENCY_CHANGE',
        },
        { service: 'dossier.read', dossier_code: first.dossierCode, outcome: 'OK', outcome_code: null },
      ]),
    );
  });

  it('declares bearer authentication and the refusals in the OpenAPI document', () => {
    const document = buildOpenApi(app);
    const operations = [
      document.paths['/v1/dossier-events']?.post,
      document.paths['/v1/dossiers/{dossierCode}']?.get,
    ];
    for (const operation of operations) {
      expect(operation?.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
  });
});

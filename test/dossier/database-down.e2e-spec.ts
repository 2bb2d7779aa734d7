/**
 * PostgreSQL unreachable under ingest: the gateway reaches its database through a TCP proxy
 * (test/support/tcp-proxy.ts) that the test cuts, dropping every connection and refusing new ones; the
 * shared server itself is never stopped. While it is cut, every post is answered 503 problem+json
 * DATABASE_UNAVAILABLE with Retry-After (never a 500) and nothing is recorded; once restored, the
 * gateway takes posts again without being restarted (the pool opens new connections). A connection cut
 * while the ingest's COMMIT is on its way leaves the outcome to the server: the gateway asks it, and answers
 * as it says, or OUTCOME_UNKNOWN when it cannot be asked in time — never that nothing was recorded.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { generateApiKey } from '@lienthong/security';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';
import { getJson, testEnv, waitFor } from '../support/http';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';

const AGENCY = '000.31.22.H56';
let dossiers = 0;

function newEvent() {
  dossiers++;
  return {
    eventId: randomUUID(),
    dossierCode: `${AGENCY}-261205-${String(dossiers).padStart(4, '0')}`,
    agencyCode: AGENCY,
    procedureCode: '1.001193',
    status: 'SUBMITTED',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    channel: 'ONLINE',
    applicant: { kind: 'CITIZEN', personalId: '001090012345' },
  };
}

describe('dossier ingest with the database unreachable', () => {
  const apiKey = generateApiKey();
  let database: IsolatedDatabase;
  let proxy: TcpProxy;
  let gateway: RunningGateway;

  const post = (body: unknown) =>
    getJson(`${gateway.url}/v1/dossier-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    });

  async function recorded(ids: string[]): Promise<string[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ event_id: string }>(
        'SELECT event_id::text AS event_id FROM dossier_event WHERE event_id = ANY($1::uuid[])',
        [ids],
      );
      return rows.map((row) => row.event_id);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    database = await createIsolatedDatabase('dbdown');
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: proxied.toString(),
        LGSP_DEMO_API_KEY: apiKey,
        KAFKA_SEND_TIMEOUT_MS: '3000',
        DATABASE_COMMIT_CHECK_MS: '2000',
      }),
    });
  }, 120_000);

  afterAll(async () => {
    await gateway?.close().catch(() => undefined);
    await proxy?.close();
    await database?.drop().catch(() => undefined);
  }, 60_000);

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while cut, on other routes too, and takes posts again once restored', async () => {
    const before = newEvent();
    expect((await post(before)).status).toBe(202);

    proxy.cut();
    const refused: ReturnType<typeof newEvent>[] = [];
    for (let i = 0; i < 6; i++) {
      const events = i % 2 ? [newEvent(), newEvent()] : [newEvent()];
      const response = await post(events.length === 1 ? events[0] : { events });
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(response.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(JSON.stringify(response.body)).not.toMatch(/stack|ECONN|001090012345/);
      refused.push(...events);
    }

    // a route that does not answer database failures itself says the same, not 500
    const counts = await getJson(`${gateway.url}/v1/indicators/handovers?agency=${AGENCY}&period=2026-12`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(counts.status).toBe(503);
    expect(counts.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(counts.body).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });

    proxy.restore();
    // the first refused event, sent again as is, goes through without restarting anything
    const again = await waitFor(
      async () => {
        const response = await post(refused[0]);
        expect(response.status).not.toBe(500);
        return response.status === 202 ? response : undefined;
      },
      30_000,
      'a post to be accepted after the database came back',
    );
    expect(again.body).toMatchObject({ outcome: 'ACCEPTED', eventId: refused[0].eventId });
    expect((await post(newEvent())).status).toBe(202);
    const countsAgain = await getJson(
      `${gateway.url}/v1/indicators/handovers?agency=${AGENCY}&period=2026-12`,
      { headers: { authorization: `Bearer ${apiKey}` } },
    );
    expect(countsAgain.status).toBe(200);

    const ids = refused.map((event) => event.eventId);
    expect(await recorded([before.eventId, ...ids])).toEqual(
      expect.arrayContaining([before.eventId, refused[0].eventId]),
    );
    expect((await recorded(ids.slice(1))).length).toBe(0);
  }, 120_000);

  it('answers 202 a post whose COMMIT reply was lost once the server says it committed, and records it once', async () => {
    const event = newEvent();
    const cut = proxy.cutAt('COMMIT\0', 'after', event.eventId);
    const answer = post(event);
    await cut;
    proxy.restore();
    const response = await answer;
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ outcome: 'ACCEPTED', eventId: event.eventId });
    expect(await recorded([event.eventId])).toEqual([event.eventId]);
    const again = await post(event);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'DUPLICATE', eventId: event.eventId });
  }, 60_000);

  it('answers 503 OUTCOME_UNKNOWN when the server cannot be asked in time, and the event sent again is a DUPLICATE', async () => {
    const event = newEvent();
    const cut = proxy.cutAt('COMMIT\0', 'after', event.eventId);
    const response = await post(event);
    await cut;
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(response.body).toMatchObject({ status: 503, code: 'OUTCOME_UNKNOWN' });
    expect(JSON.stringify(response.body)).not.toMatch(/stack|ECONN|001090012345/);
    // the server did commit: an answer saying nothing was recorded would have been false
    expect(await recorded([event.eventId])).toEqual([event.eventId]);

    proxy.restore();
    const again = await waitFor(
      async () => {
        const answer = await post(event);
        return answer.status === 503 ? undefined : answer;
      },
      30_000,
      'the event sent again to be answered',
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ outcome: 'DUPLICATE', eventId: event.eventId });
  }, 60_000);
});

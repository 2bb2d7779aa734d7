/**
 * Ingest on PostgreSQL when the same events arrive twice at once (a one-stop system sending again a request
 * it got no answer to): concurrent group commits lock the same dossier, and the later one may not yet see
 * what the earlier one committed. Each event must still be accepted once and answered DUPLICATE the
 * other time, never a 500.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dump } from 'js-yaml';
import { Database } from '@lienthong/storage';
import { KEYS, testClientsDocument } from '../../../../libs/security/src/testing/security.fixtures';
import { createIsolatedDatabase, type IsolatedDatabase } from '../../../../test/support/database';
import { createIngestTestApp } from './testing/ingest-test-app';

const AGENCY = '000.17.22.H56';

const event = (status: string, dossier: number, minutes: number) => ({
  eventId: randomUUID(),
  dossierCode: `${AGENCY}-261121-${String(dossier).padStart(4, '0')}`,
  agencyCode: AGENCY,
  procedureCode: '1.001193',
  status,
  occurredAt: new Date(Date.parse('2026-11-21T09:00:00+07:00') + minutes * 60_000).toISOString(),
  channel: 'ONLINE',
  applicant: { kind: 'CITIZEN', personalId: '001090012345' },
});

describe('dossier events: the same events twice at once, on PostgreSQL', () => {
  let dir: string;
  let database: IsolatedDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-dossier-races-'));
    const document = testClientsDocument();
    for (const client of document.clients) client.rateLimit = { requestsPerMinute: 60_000, burst: 10_000 };
    writeFileSync(join(dir, 'clients.yaml'), dump(document));
    database = await createIsolatedDatabase('dossier_races');
    app = await createIngestTestApp({ clientsFile: join(dir, 'clients.yaml'), databaseUrl: database.url });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/v1/dossier-events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.oneStop}` },
      payload: JSON.stringify(body),
    });

  it('accepts each event once and answers the copy DUPLICATE, for dossiers new and known', async () => {
    const dossiers = Array.from({ length: 40 }, (_, i) => i + 1);
    // half the dossiers exist already, so their copies meet on the dossier's lock
    for (const n of dossiers.filter((n) => n % 2 === 0)) {
      expect((await post(event('SUBMITTED', n, 0))).statusCode).toBe(202);
    }
    const next = dossiers.map((n) => event(n % 2 === 0 ? 'RECEIVED' : 'SUBMITTED', n, 5));
    const answers = await Promise.all(next.flatMap((e) => [post(e), post(e)]));
    expect(answers.filter((a) => a.statusCode !== 202 && a.statusCode !== 200).map((a) => a.json())).toEqual(
      [],
    );
    const outcomes = new Map<string, string[]>();
    for (const answer of answers) {
      const body = answer.json() as { eventId: string; outcome: string };
      outcomes.set(body.eventId, [...(outcomes.get(body.eventId) ?? []), body.outcome].sort());
    }
    for (const e of next)
      expect([e.eventId, outcomes.get(e.eventId)]).toEqual([e.eventId, ['ACCEPTED', 'DUPLICATE']]);
    const stored = await app
      .get(Database)
      .query<{ n: number }>(
        'SELECT count(*)::int AS n FROM dossier_event WHERE event_id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)',
        [JSON.stringify(next.map((e) => e.eventId))],
      );
    expect(stored[0].n).toBe(next.length);
  }, 60_000);
});

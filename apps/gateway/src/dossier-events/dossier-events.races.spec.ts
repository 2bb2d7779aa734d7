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
import { Global, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { dump } from 'js-yaml';
import { AuditModule } from '@lienthong/audit';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import { ContractsModule } from '@lienthong/contracts';
import { DossierHandoverRepository, DossierStateRepository } from '@lienthong/dossiers';
import { EventProducer, MESSAGING_OPTIONS, Outbox } from '@lienthong/messaging';
import { createHttpApp, createLogger } from '@lienthong/observability';
import { SecurityModule } from '@lienthong/security';
import { Database, StorageModule } from '@lienthong/storage';
import { EXAMPLE_SUBJECT_KEY } from '../../../../libs/audit/src/testing/audit-fixtures';
import { KEYS, NOW, testClientsDocument } from '../../../../libs/security/src/testing/security.fixtures';
import { createIsolatedDatabase, type IsolatedDatabase } from '../../../../test/support/database';
import { DossierEventsController } from './dossier-events.controller';
import { DossierEventsService } from './dossier-events.service';
import { HandoverService } from './handover.service';
import { IngestRouting } from './ingest-routing';

const logger = createLogger({ name: 'dossier-events-races', level: 'silent' });
const AGENCY = '000.17.22.H56';

@Global()
@Module({
  providers: [
    { provide: EventProducer, useValue: { send: async () => [] } },
    { provide: MESSAGING_OPTIONS, useValue: { brokers: [], clientId: 'spec', logger } },
    Outbox,
  ],
  exports: [EventProducer, Outbox],
})
class KafkaInMemoryModule {}

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
    @Module({
      imports: [
        ContractsModule,
        StorageModule.forRoot({ url: database.url, migrate: true }),
        SecurityModule.forRoot({ clientsFile: join(dir, 'clients.yaml'), now: () => NOW }),
        KafkaInMemoryModule,
        AuditModule.forRoot({ subjectKey: EXAMPLE_SUBJECT_KEY, publisher: false }),
      ],
      controllers: [DossierEventsController],
      providers: [
        DossierEventsService,
        HandoverService,
        DossierStateRepository,
        DossierHandoverRepository,
        {
          provide: IngestRouting,
          useValue: new IngestRouting(loadProcedureCatalogue('deploy/config/procedures.yaml')),
        },
      ],
    })
    class TestModule {}
    app = await createHttpApp(TestModule, { logger });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
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

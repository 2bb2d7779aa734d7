/**
 * Decision 766 indicators end to end, against the suite's real Kafka broker and PostgreSQL: a synthetic
 * October of dossiers is produced to lgsp.dossier.status.v1 in CloudEvents envelopes as the gateway
 * publishes them, the relay's indicator consumer group aggregates it, and GET /v1/indicators on the gateway
 * must show exactly the counts and scores the month was built with — before and after resolutions of
 * October arrive late in November, with events delivered twice. The relay's /metrics must show the
 * current day's and month's counts.
 */
import { randomUUID } from 'node:crypto';
import type { DossierStatusEvent, IndicatorCounts } from '@lienthong/contracts';
import { validate } from '@lienthong/contracts';
import { FORMULA_VERSION, periodOf, PORTAL_FORMULA_VERSION } from '@lienthong/domain';
import { createEvent, EventProducer, initTopics, toKafkaMessage, Topic } from '@lienthong/messaging';
import { Database } from '@lienthong/storage';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import { IndicatorStore } from '@lienthong/indicators';
import { getJson, testEnv, waitFor } from '../support/http';
import {
  duplicatesOf,
  expectedNovemberResolutions,
  expectedOctober,
  expectedScores,
  MONTH,
  NEXT_MONTH,
  planMonth,
} from './synthetic-month';

const DEMO_KEY = `lt_e2e_${randomUUID().replace(/-/g, '')}`;
const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');

/** Agency codes of this run only, so earlier runs on the same database or broker cannot interfere. */
function agencies(count: number): string[] {
  const codes = new Set<string>();
  const n = () => String(Math.floor(Math.random() * 90) + 10);
  while (codes.size < count) codes.add(`000.${n()}.${n()}.H${n()}`);
  return [...codes];
}

describe('Decision 766 indicators through the relay', () => {
  let relay: RunningRelay;
  let gateway: RunningGateway;
  let producer: EventProducer;
  const [first, second, third, current] = agencies(4);
  const month = planMonth({ seed: 766, agencies: [first, second, third], salt: randomUUID() });

  beforeAll(async () => {
    await initTopics({
      brokers: brokers(),
      partitions: 6,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    relay = await startRelay({ env: testEnv({ LOG_LEVEL: 'error' }) });
    gateway = await startGateway({ env: testEnv({ LGSP_DEMO_API_KEY: DEMO_KEY }) });
    producer = relay.app.get(EventProducer);
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await relay?.close();
  });

  /** Publishes events as the gateway does: envelope id = eventId, key = dossier code. */
  async function publish(events: readonly DossierStatusEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 250) {
      const messages = events.slice(i, i + 250).map((data) =>
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
      );
      await producer.send(Topic.DossierStatus, messages);
    }
  }

  // the 2022 formulas: the report contract's counts, which the synthetic month's plan states directly
  const indicators = (agency: string, period: string) =>
    getJson(`${gateway.url}/v1/indicators?agency=${agency}&period=${period}&formula=${FORMULA_VERSION}`, {
      headers: { authorization: `Bearer ${DEMO_KEY}` },
    });

  /** Waits until GET /v1/indicators shows the expected October counts for every agency, then checks it all. */
  async function expectOctober(expected: Map<string, IndicatorCounts>, what: string): Promise<void> {
    for (const [agency, counts] of expected) {
      const response = await waitFor(
        async () => {
          const r = await indicators(agency, '2026-10');
          return r.status === 200 && JSON.stringify(r.body.counts) === JSON.stringify(counts) ? r : undefined;
        },
        45_000,
        `${what} for ${agency}`,
      ).catch(async (error: Error) => {
        const last = await indicators(agency, '2026-10');
        throw new Error(
          `${error.message}\nlast answer: ${JSON.stringify(last.body)}\nexpected: ${JSON.stringify(counts)}`,
        );
      });
      expect(response.body).toEqual({
        agencyCode: agency,
        period: MONTH,
        formulaVersion: FORMULA_VERSION,
        counts,
        scores: expectedScores(counts),
        generatedAt: expect.any(String),
      });
      expect(validate('indicator-report', { ...response.body, version: 1 }).ok).toBe(true);
    }
  }

  it('counts the month exactly, corrects October when its resolutions arrive late, and counts duplicates once', async () => {
    const duplicates = duplicatesOf(month.onTime, 11);
    await publish([...month.onTime, ...duplicates]);
    await expectOctober(expectedOctober(month.plans, false), 'October before the late resolutions');

    const store = relay.app.get(IndicatorStore);
    const novemberBefore = await Promise.all([first, second, third].map((a) => store.report(a, NEXT_MONTH)));

    // November: the October resolutions that were held back arrive, twice, with more redeliveries
    await publish([...month.late, ...duplicatesOf(month.onTime, 12), ...month.late]);
    await expectOctober(expectedOctober(month.plans, true), 'October corrected by the late resolutions');

    // every event applied once, none twice
    const mine = new Set(month.plans.map((p) => p.dossierCode));
    const rows = await relay.app
      .get(Database)
      .query<{ dossier_code: string }>(
        'SELECT dossier_code FROM indicator_event WHERE dossier_code = ANY($1)',
        [[...mine]],
      );
    expect(rows.length).toBe(month.onTime.length + month.late.length);

    // November's flow is untouched by October's late events; its stock lost exactly the late dossiers
    const resolutions = expectedNovemberResolutions(month.plans);
    const lateDossiers = new Set(month.late.map((e) => e.dossierCode));
    for (const [i, agency] of [first, second, third].entries()) {
      const after = await store.report(agency, NEXT_MONTH);
      expect({
        received: after?.counts.received,
        resolvedOnTime: after?.counts.resolvedOnTime,
        resolvedLate: after?.counts.resolvedLate,
      }).toEqual(resolutions.get(agency));
      const before = novemberBefore[i];
      const pending = (r: typeof after) => (r ? r.counts.pendingInTime + r.counts.pendingOverdue : 0);
      const late = month.plans.filter(
        (p) => p.agencyCode === agency && lateDossiers.has(p.dossierCode),
      ).length;
      expect(pending(before) - pending(after)).toBe(late);
    }
    expect((await store.agencies(MONTH)).filter((a) => [first, second, third].includes(a))).toEqual(
      [first, second, third].sort(),
    );

    // by default GET /v1/indicators scores as the portal does: closures judged, refusals and withdrawals included
    const of = (agency: string, outcomes: string[]) =>
      month.plans.filter((p) => p.agencyCode === agency && outcomes.includes(p.outcome)).length;
    for (const agency of [first, second, third]) {
      const portal = await getJson(`${gateway.url}/v1/indicators?agency=${agency}&period=2026-10`, {
        headers: { authorization: `Bearer ${DEMO_KEY}` },
      });
      expect(portal.body.formulaVersion).toBe(PORTAL_FORMULA_VERSION);
      expect(portal.body.counts).toMatchObject({
        received: month.plans.filter((p) => p.agencyCode === agency && p.outcome !== 'NOT_RECEIVED').length,
        closed: of(agency, [
          'ON_TIME',
          'LATE',
          'LATE_ARRIVAL_ON_TIME',
          'LATE_ARRIVAL_LATE',
          'WITHDRAWN',
          'NOT_RECEIVED',
        ]),
        closedOnTime: of(agency, ['ON_TIME', 'LATE_ARRIVAL_ON_TIME', 'WITHDRAWN', 'NOT_RECEIVED']),
        overdueInProcess: of(agency, ['PENDING_OVERDUE']),
      });
    }
  }, 60_000);

  it('shows the current day and month on the relay /metrics', async () => {
    const at = new Date(Date.now() - 60_000);
    const due = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const base = (n: number, channel: 'ONLINE' | 'COUNTER') => ({
      dossierCode: `${current}-${periodOf('DAY', at).key.slice(2).replace(/-/g, '')}-${String(n).padStart(4, '0')}`,
      agencyCode: current,
      procedureCode: '1.001193',
      channel,
      applicant: { kind: 'ORGANISATION' as const },
    });
    const events: DossierStatusEvent[] = [
      {
        ...base(1, 'ONLINE'),
        eventId: randomUUID(),
        status: 'RECEIVED',
        occurredAt: at.toISOString(),
        dueAt: due,
      },
      {
        ...base(2, 'ONLINE'),
        eventId: randomUUID(),
        status: 'RECEIVED',
        occurredAt: at.toISOString(),
        dueAt: due,
      },
      {
        ...base(3, 'COUNTER'),
        eventId: randomUUID(),
        status: 'RECEIVED',
        occurredAt: at.toISOString(),
        dueAt: due,
      },
      {
        ...base(3, 'COUNTER'),
        eventId: randomUUID(),
        status: 'RESOLVED',
        occurredAt: new Date(at.getTime() + 1000).toISOString(),
      },
    ];
    await publish(events);
    const sample = (text: string, kind: string, counter: string) => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('lgsp_indicator_count{') &&
            l.includes(`agency="${current}"`) &&
            l.includes(`period_kind="${kind}"`) &&
            l.includes(`counter="${counter}"`),
        );
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const text = await waitFor(
      async () => {
        const r = await getJson(`${relay.url}/metrics`);
        return sample(String(r.body), 'MONTH', 'resolvedOnTime') === 1 ? String(r.body) : undefined;
      },
      30_000,
      'the current month on /metrics',
    );
    const expected = {
      received: 3,
      receivedOnline: 2,
      resolvedOnTime: 1,
      pendingInTime: 2,
      pendingOverdue: 0,
    };
    // near midnight the scrape may already be in the next day (or month): only the periods still running
    const kinds = (['DAY', 'MONTH'] as const).filter(
      (k) => periodOf(k, Date.now()).key === periodOf(k, at).key,
    );
    for (const kind of kinds) {
      for (const [counter, value] of Object.entries(expected)) {
        expect([kind, counter, sample(text, kind, counter)]).toEqual([kind, counter, value]);
      }
    }
  }, 60_000);
});

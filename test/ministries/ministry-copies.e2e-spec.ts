/**
 * Minimum data to each ministry, end to end against the suite's real Kafka broker: canonical dossier events
 * are produced to lgsp.dossier.status.v1 as the gateway publishes them, the real relay routes them, and a
 * ministry's consumer reading its own topic must receive the ministry copy of deploy/config/procedures.yaml:
 * a valid vn.lienthong.dossier.status.ministry.v1 envelope, no personal ID unless the sector is granted it,
 * the same pseudonym for the same person within a ministry and another one at another ministry.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaIdOf, type DossierStatusEvent, type MinistryDossierStatusEvent } from '@lienthong/contracts';
import {
  createEvent,
  decodeEvent,
  EventProducer,
  headersToStrings,
  initTopics,
  toKafkaMessage,
  Topic,
  createKafkaClient,
  type ConsumerPort,
} from '@lienthong/messaging';
import { Database } from '@lienthong/storage';
import { RunningRelay, startRelay } from '../../apps/relay/src/bootstrap';
import { PortalSimulator, startPortalSimulator } from '../../apps/simulators/src/portal';
import { MinistryPseudonyms } from '../../apps/relay/src/ministries/ministry-copy';
import { testEnv, TEST_MINISTRY_PSEUDONYM_KEY, waitFor } from '../support/http';

const brokers = () => (process.env.KAFKA_BROKERS as string).split(',');

interface Received {
  topic: string;
  headers: Record<string, string>;
  raw: string;
  type: string;
  id: string;
  data: MinistryDossierStatusEvent;
}

/** An agency code of this run only, so records of earlier runs on the same broker are told apart. */
function agency(): string {
  const n = () => String(Math.floor(Math.random() * 90) + 10);
  return `000.${n()}.${n()}.H${n()}`;
}

describe('ministry copies through the relay', () => {
  let relay: RunningRelay;
  let portal: PortalSimulator;
  let ministry: ConsumerPort;
  const received = new Map<string, Received[]>();
  const agencyCode = agency();
  const PERSON = '001090012345';
  const ENTERPRISE = '0314409058';
  let sequence = 0;

  function event(procedureCode: string, overrides: Partial<DossierStatusEvent> = {}): DossierStatusEvent {
    sequence += 1;
    return {
      eventId: randomUUID(),
      dossierCode: `${agencyCode}-261031-${String(sequence).padStart(4, '0')}`,
      agencyCode,
      procedureCode,
      status: 'RESULT_RETURNED',
      portalStatusCode: 10,
      occurredAt: '2026-10-31T10:02:45+07:00',
      channel: 'ONLINE',
      applicant: { kind: 'CITIZEN', personalId: PERSON },
      handler: { name: 'Đỗ Minh Quang', position: 'Chuyên viên' },
      note: 'Đã trả kết quả.',
      documents: { componentsSubmitted: 2, componentsDigitised: 2 },
      payment: { required: false },
      rating: { score: 4 },
      ...overrides,
    };
  }

  beforeAll(async () => {
    await initTopics({
      brokers: brokers(),
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    // the portal too, so that the relay's portal calls can be read back from the audit log
    portal = await startPortalSimulator({ port: 0 });
    relay = await startRelay({
      env: testEnv({
        LOG_LEVEL: 'error',
        PORTAL_URL: portal.url,
        PORTAL_RETRY_BASE_MS: '100',
        // events the catalogue cannot route are set aside on the unrouted topic, read below
        UNKNOWN_PROCEDURE_POLICY: 'unrouted',
      }),
    });

    // a ministry's consumer, reading the ministry topics as any outside system would
    const kafka = createKafkaClient({ clientId: 'e2e-ministry', brokers: brokers() });
    ministry = kafka.consumer({ groupId: `e2e-ministry-${randomUUID()}` });
    await ministry.connect();
    await ministry.subscribe({
      topics: [/^lgsp\.dossier\.status\.v1\.[a-z0-9-]+$/, Topic.DossierUnrouted],
      fromBeginning: true,
    });
    await ministry.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith(`${agencyCode}-`)) return;
        const raw = message.value?.toString() ?? '';
        const decoded = decodeEvent<MinistryDossierStatusEvent>(raw);
        if (!decoded.ok) throw new Error(`${topic} ${key}: ${decoded.reason}`);
        const list = received.get(key) ?? [];
        list.push({
          topic,
          headers: headersToStrings(message.headers),
          raw,
          type: decoded.event.type,
          id: decoded.event.id,
          data: decoded.event.data,
        });
        received.set(key, list);
      },
    });
  }, 60_000);

  afterAll(async () => {
    await ministry?.disconnect();
    await relay?.close();
    await portal?.close();
  });

  /** The canonical envelope of an event as the gateway publishes it, with any further record headers. */
  const canonical = (data: DossierStatusEvent, headers?: Record<string, string>) =>
    toKafkaMessage(
      createEvent({
        id: data.eventId,
        type: 'vn.lienthong.dossier.status.v1',
        source: '/lienthong/gateway',
        subject: data.dossierCode,
        time: data.occurredAt,
        dataschema: schemaIdOf('dossier-status-event'),
        requestId: `req-${data.eventId}`,
        data,
      }),
      data.dossierCode,
      headers,
    );

  it('routes every valid example of the contract to a ministry, and sets an unknown procedure aside on the unrouted topic', async () => {
    const dir = join(__dirname, '..', '..', 'contracts', 'examples', 'dossier-status-event', 'valid');
    const examples = readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .map((name) => {
        const example = JSON.parse(readFileSync(join(dir, name), 'utf8')) as DossierStatusEvent;
        // this run's agency and dossier, so records of earlier runs are told apart
        const own = event(example.procedureCode);
        return { name, data: { ...example, eventId: own.eventId, dossierCode: own.dossierCode, agencyCode } };
      });
    expect(examples.length).toBeGreaterThanOrEqual(8);
    const unknown = event('9.999999');
    await relay.app
      .get(EventProducer)
      .send(Topic.DossierStatus, [...examples.map(({ data }) => canonical(data)), canonical(unknown)]);

    await waitFor(
      () => [...examples.map(({ data }) => data), unknown].every((e) => received.has(e.dossierCode)),
      // the suite's first case: it also waits for the relay's and the ministry's consumer groups to settle
      100_000,
      'every example on a ministry topic and the unknown procedure on the unrouted topic',
    );
    for (const { name, data } of examples) {
      const [copy] = received.get(data.dossierCode) as Received[];
      expect([name, copy.topic, copy.type]).toEqual([
        name,
        expect.stringMatching(/^lgsp\.dossier\.status\.v1\.[a-z0-9-]+$/),
        'vn.lienthong.dossier.status.ministry.v1',
      ]);
    }
    const [aside] = received.get(unknown.dossierCode) as Received[];
    expect([aside.topic, aside.type, aside.id]).toEqual([
      'lgsp.dossier.unrouted.v1',
      'vn.lienthong.dossier.status.v1',
      unknown.eventId,
    ]);
    expect(aside.data.procedureCode).toBe('9.999999');
  }, 120_000);

  it('audits each portal call: service portal.sync, the dossier hashed, the outcome and its code', async () => {
    const synced = event('1.001193');
    const rejected = event('1.001193');
    portal.faults.set({ rejectDossiers: [rejected.dossierCode] });
    await relay.app.get(EventProducer).send(
      Topic.DossierStatus,
      [synced, rejected].map((data) => canonical(data)),
    );
    const database = relay.app.get(Database);
    const records = await waitFor(
      async () => {
        const rows = await database.query<Record<string, string | number | null>>(
          `SELECT dossier_code, request_id, service, upstream, client_id, subject_kind, subject_hash, outcome,
                  outcome_code, upstream_latency_ms
             FROM audit_record WHERE dossier_code IN ($1, $2) ORDER BY dossier_code`,
          [synced.dossierCode, rejected.dossierCode],
        );
        return rows.length === 2 ? rows : undefined;
      },
      45_000,
      'both portal calls in the audit log',
    );
    const common = {
      service: 'portal.sync',
      upstream: 'public-service-portal',
      client_id: 'lienthong-relay',
      subject_kind: 'DOSSIER',
      subject_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      upstream_latency_ms: expect.any(Number),
    };
    // the record says what the portal did: OK exactly when the portal holds the dossier
    const held = portal.store.dossier(synced.dossierCode) !== undefined;
    expect(records).toEqual([
      {
        ...common,
        dossier_code: synced.dossierCode,
        request_id: `req-${synced.eventId}`,
        outcome: held ? 'OK' : 'UPSTREAM_ERROR',
        outcome_code: held ? null : expect.stringMatching(/^PORTAL_[A-Z0-9_]+$/),
      },
      {
        ...common,
        dossier_code: rejected.dossierCode,
        request_id: `req-${rejected.eventId}`,
        outcome: 'UPSTREAM_ERROR',
        outcome_code: expect.stringMatching(/^PORTAL_[A-Z0-9_]+$/),
      },
    ]);
    expect(portal.store.dossier(rejected.dossierCode)).toBeUndefined();
  }, 60_000);

  it('gives each ministry only its grants: a pseudonym by default, the identifier where granted', async () => {
    const events = {
      birth: event('1.001193'), // HT, Ministry of Justice: nothing granted
      birthAgain: event('1.001193', { applicant: { kind: 'CITIZEN', personalId: PERSON } }),
      judicialRecord: event('2.000488'), // LLTP, Ministry of Justice: personal ID granted
      welfare: event('1.001776'), // BTXH, Ministry of Home Affairs: nothing granted
      otherPerson: event('1.001193', { applicant: { kind: 'CITIZEN', personalId: '079185004321' } }),
      company: event('2.001610', { applicant: { kind: 'ENTERPRISE', enterpriseCode: ENTERPRISE } }),
    };
    const producer = relay.app.get(EventProducer);
    await producer.send(
      Topic.DossierStatus,
      // a header of the canonical stream that a ministry has no use for
      Object.values(events).map((data) => canonical(data, { 'x-onestop-operator': 'operator-17' })),
    );

    await waitFor(
      () => Object.values(events).every((e) => received.has(e.dossierCode)),
      45_000,
      'a copy of every event on the ministry topics',
    );
    const copyOf = (e: DossierStatusEvent) => {
      const list = received.get(e.dossierCode) as Received[];
      expect(list.map((r) => r.id)).toEqual(list.map(() => e.eventId));
      return list[0];
    };

    const birth = copyOf(events.birth);
    expect(birth.topic).toBe('lgsp.dossier.status.v1.bo-tu-phap');
    expect(birth.type).toBe('vn.lienthong.dossier.status.ministry.v1');
    expect(Object.keys(birth.headers).sort()).toEqual(['content-type', 'traceparent', 'x-request-id']);
    expect(birth.headers['x-request-id']).toBe(`req-${events.birth.eventId}`);
    expect(birth.data).toEqual({
      eventId: events.birth.eventId,
      dossierCode: events.birth.dossierCode,
      agencyCode,
      procedureCode: '1.001193',
      sectorCode: 'HT',
      status: 'RESULT_RETURNED',
      portalStatusCode: 10,
      occurredAt: '2026-10-31T10:02:45+07:00',
      channel: 'ONLINE',
      applicant: { kind: 'CITIZEN', pseudonym: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      documents: { componentsSubmitted: 2, componentsDigitised: 2 },
      payment: { required: false },
    });
    for (const e of [events.birth, events.birthAgain, events.welfare, events.otherPerson]) {
      const { raw, data } = copyOf(e);
      expect(raw).not.toContain(e.applicant.personalId);
      // no 12-digit run in the data (the random event id and trace ids can hold one by chance)
      expect(JSON.stringify({ ...data, eventId: undefined })).not.toMatch(/[0-9]{12}/);
    }

    // the same person: one pseudonym at the Ministry of Justice, the one the relay's key gives, another elsewhere
    const pseudonym = birth.data.applicant.pseudonym;
    expect(copyOf(events.birthAgain).data.applicant.pseudonym).toBe(pseudonym);
    expect(pseudonym).toBe(
      new MinistryPseudonyms(TEST_MINISTRY_PSEUDONYM_KEY).of('bo-tu-phap', {
        type: 'personalId',
        value: PERSON,
      }),
    );
    const welfare = copyOf(events.welfare);
    expect(welfare.topic).toBe('lgsp.dossier.status.v1.bo-noi-vu');
    expect(welfare.data.applicant.pseudonym).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(welfare.data.applicant.pseudonym).not.toBe(pseudonym);
    expect(copyOf(events.otherPerson).data.applicant.pseudonym).not.toBe(pseudonym);

    // granted: the judicial-record sector gets the personal ID, business registration the enterprise code
    const judicial = copyOf(events.judicialRecord);
    expect(judicial.topic).toBe('lgsp.dossier.status.v1.bo-tu-phap');
    expect(judicial.data.applicant).toEqual({ kind: 'CITIZEN', personalId: PERSON });
    const company = copyOf(events.company);
    expect(company.topic).toBe('lgsp.dossier.status.v1.bo-tai-chinh');
    expect(company.data.applicant).toEqual({ kind: 'ENTERPRISE', enterpriseCode: ENTERPRISE });
    for (const copy of [judicial, company]) {
      expect(['handler', 'note', 'rating'].filter((field) => field in copy.data)).toEqual([]);
    }
  });
});

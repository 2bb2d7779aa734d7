/**
 * The lookup API end to end: the real upstream simulators over real HTTP(S) (the population database over
 * mutual TLS with signed SOAP, from a dev PKI made for this suite), the gateway against the suite's Kafka
 * broker and PostgreSQL (in a schema of its own, so the audit chain it tampers with is its own), a client
 * registry of three clients. Covers the four lookups, field masking, authentication, policy, rate limit and
 * validation refusals, the audit log (database, Kafka, the data-protection officer's endpoint, `lienthong
 * audit verify`), an upstream outage (circuit, stale answers, recovery) and a bad upstream signature.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { SubjectHasher } from '../../libs/audit/src';
import { validatePersonalId } from '../../libs/domain/src';
import { ConsumerPort, initTopics } from '../../libs/messaging/src';
import { createLogger } from '../../libs/observability/src';
import { createDevPki } from '../../libs/pki/src';
import { generateApiKey, hashApiKey } from '../../libs/security/src';
import {
  PopulationRecord,
  PopulationSimulator,
  startPopulationSimulator,
} from '../../apps/simulators/src/population';
import {
  RunningBusinessRegistrySimulator,
  sampleEnterprises,
  startBusinessRegistrySimulator,
} from '../../apps/simulators/src/business-registry';
import {
  RunningLandSimulator,
  sampleCertificates,
  sampleParcels,
  startLandSimulator,
} from '../../apps/simulators/src/land';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { getJson, TEST_AUDIT_SUBJECT_KEY, testEnv, waitFor } from '../support/http';
import { joinedConsumer } from '../support/joined-consumer';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);
const silent = createLogger({ name: 'lookups-e2e', level: 'silent' });
const DOSSIER = '000.17.22.H56-261031-0007';
const POPULATION_VALIDITY_MS = 4_000;
const HALF_OPEN_MS = 1_500;

const KEYS = {
  broad: generateApiKey(),
  narrow: generateApiKey(),
  dpo: generateApiKey(),
  operator: generateApiKey(),
};
/** Health details and the API document are for operators. */
const AS_OPERATOR = { headers: { authorization: `Bearer ${KEYS.operator}` } };

function clientsDocument() {
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        requiresDossierCode: true,
      },
      EFORM_PREFILL: {
        description: { vi: 'Điền sẵn tờ khai', en: 'Pre-filling a form' },
        legalBasis: 'Nghị định 45/2020/NĐ-CP',
      },
      DATA_SUBJECT_REQUEST: {
        description: { vi: 'Yêu cầu của chủ thể dữ liệu', en: "A data subject's request" },
        legalBasis: 'Nghị định 13/2023/NĐ-CP',
      },
    },
    clients: [
      {
        id: 'e2e-broad',
        name: 'Một cửa (e2e)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: ['000.*.*.H56'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.broad) }],
        rateLimit: { requestsPerMinute: 6000, burst: 500 },
        services: {
          'citizen.lookup': {
            purposes: ['DOSSIER_PROCESSING', 'EFORM_PREFILL'],
            fields: '*',
            allowStale: true,
          },
          'citizen.verify': { purposes: ['DOSSIER_PROCESSING', 'EFORM_PREFILL'], fields: '*' },
          'enterprise.lookup': { purposes: ['DOSSIER_PROCESSING', 'EFORM_PREFILL'], fields: '*' },
          'land.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
        },
      },
      {
        id: 'e2e-narrow',
        name: 'Hộ tịch (e2e)',
        kind: 'MINISTRY',
        enabled: true,
        agencies: ['000.*.*.H56'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.narrow) }],
        rateLimit: { requestsPerMinute: 60, burst: 15 },
        services: {
          'citizen.lookup': {
            purposes: ['EFORM_PREFILL'],
            fields: ['personalId', 'fullName', 'permanentResidence.provinceCode'],
          },
          'citizen.verify': { purposes: ['EFORM_PREFILL'], fields: ['personalId', 'fullName'] },
        },
      },
      {
        id: 'e2e-dpo',
        name: 'Bảo vệ dữ liệu cá nhân (e2e)',
        kind: 'ADMIN',
        enabled: true,
        admin: true,
        roles: ['DATA_PROTECTION_OFFICER'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.dpo) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: { 'audit.subjects': { purposes: ['DATA_SUBJECT_REQUEST'] } },
      },
      {
        id: 'e2e-ops',
        name: 'Vận hành (e2e)',
        kind: 'ADMIN',
        enabled: true,
        roles: ['OPERATOR'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.operator) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: {},
      },
    ],
  };
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
  requestId: string;
  ms: number;
}

describe('lookup API against the upstream simulators', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-lookups-'));
  const schema = `lookups_e2e_${process.pid}_${Date.now()}`;
  let databaseUrl: string;
  let admin: Client;
  let population: PopulationSimulator;
  let registry: RunningBusinessRegistrySimulator;
  let land: RunningLandSimulator;
  let gateway: RunningGateway;
  let consumer: ConsumerPort;
  const published = new Map<string, any>();
  let citizens: PopulationRecord[];
  let unknownPersonalId: string;
  let sequence = 0;
  /** Every request id a known client sent, with the audit outcome it must have left. */
  const expected = new Map<
    string,
    { clientId: string; service: string; outcome: string; outcomeCode?: string }
  >();

  async function post(path: string, body: unknown, key?: string, label = 'req'): Promise<Answer> {
    const requestId = `e2e-${label}-${++sequence}`;
    const started = performance.now();
    const response = await getJson(`${gateway.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return { ...response, requestId, ms: performance.now() - started };
  }

  function expectAudit(
    answer: Answer,
    clientId: string,
    service: string,
    outcome: string,
    outcomeCode?: string,
  ) {
    expected.set(answer.requestId, { clientId, service, outcome, ...(outcomeCode ? { outcomeCode } : {}) });
  }

  const citizenLookup = (
    key: string,
    personalId: string,
    extra: Record<string, unknown> = {},
    label = 'citizen',
  ) =>
    post(
      '/v1/citizens/lookup',
      key === KEYS.broad
        ? { personalId, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER, ...extra }
        : { personalId, purpose: 'EFORM_PREFILL', ...extra },
      key,
      label,
    );

  beforeAll(async () => {
    createDevPki(join(work, 'pki'), { agencies: [] });
    population = await startPopulationSimulator({ pkiDir: join(work, 'pki'), size: 2_000, logger: silent });
    registry = await startBusinessRegistrySimulator({ size: 2_000, logger: silent });
    land = await startLandSimulator({ size: 2_000, enterpriseCount: 2_000, logger: silent });
    citizens = population.dataset.sample(8);
    // A well-formed personal ID the register does not hold.
    const base = citizens[0].personalId;
    for (let n = 0; ; n++) {
      const candidate = `${base.slice(0, 6)}${String((Number(base.slice(6)) + 7919 * (n + 1)) % 1_000_000).padStart(6, '0')}`;
      if (validatePersonalId(candidate).valid && !population.dataset.findByPersonalId(candidate)) {
        unknownPersonalId = candidate;
        break;
      }
    }

    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();

    const brokers = process.env.KAFKA_BROKERS as string;
    await initTopics({
      brokers: [brokers],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    consumer = await joinedConsumer({
      brokers: [brokers],
      topics: ['lgsp.audit.lookup.v1'],
      name: 'lookups-e2e',
      onMessage: (message) => {
        const event = JSON.parse(message.value!.toString());
        published.set(event.data.requestId, { key: message.key?.toString(), event });
      },
    });

    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: databaseUrl,
        CLIENTS_FILE: clientsFile,
        PKI_DIR: join(work, 'pki'),
        POPULATION_URL: population.serviceUrl,
        BUSINESS_REGISTRY_URL: registry.url,
        LAND_URL: land.url,
        POPULATION_VALIDITY_MS: String(POPULATION_VALIDITY_MS),
        POPULATION_TIMEOUT_MS: '1000',
        UPSTREAM_RETRIES: '1',
        UPSTREAM_CIRCUIT_FAILURES: '3',
        UPSTREAM_CIRCUIT_HALF_OPEN_MS: String(HALF_OPEN_MS),
        AUDIT_FLUSH_INTERVAL_MS: '10',
      }),
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await consumer?.disconnect().catch(() => undefined);
    await Promise.all([population?.close(), registry?.close(), land?.close()]);
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin?.end();
    rmSync(work, { recursive: true, force: true });
  });

  it('answers the four lookups with the record, its provenance and the request id', async () => {
    const citizen = citizens[0];
    const first = await citizenLookup(KEYS.broad, citizen.personalId);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.requestId).toBe(first.requestId);
    expect(first.body.data).toMatchObject({
      personalId: citizen.personalId,
      fullName: citizen.fullName,
      dateOfBirth: citizen.dateOfBirth,
      provenance: { source: 'CSDLQG_DAN_CU' },
    });
    expect(first.body.provenance).toMatchObject({ source: 'CSDLQG_DAN_CU', cache: 'MISS', stale: false });
    expect(first.body.provenance.validUntil).toBe(first.body.data.provenance.validUntil);
    expect(Date.parse(first.body.provenance.validUntil) - Date.parse(first.body.provenance.retrievedAt)).toBe(
      POPULATION_VALIDITY_MS,
    );
    expectAudit(first, 'e2e-broad', 'citizen.lookup', 'OK');

    const again = await citizenLookup(KEYS.broad, citizen.personalId);
    expect(again.body.provenance).toMatchObject({
      cache: 'HIT',
      retrievedAt: first.body.provenance.retrievedAt,
    });
    expectAudit(again, 'e2e-broad', 'citizen.lookup', 'OK');

    const verify = await post(
      '/v1/citizens/verify',
      {
        personalId: citizen.personalId,
        fullName: citizen.fullName,
        dateOfBirth: '1899-01-01',
        purpose: 'EFORM_PREFILL',
      },
      KEYS.broad,
      'verify',
    );
    expect(verify.status).toBe(200);
    expect(verify.body.data).toMatchObject({
      personalId: citizen.personalId,
      fields: { fullName: 'MATCH', dateOfBirth: 'NO_MATCH' },
      allMatch: false,
    });
    expect(verify.body.data).not.toHaveProperty('dateOfBirth');
    expect(verify.body.provenance).toMatchObject({ source: 'CSDLQG_DAN_CU', stale: false });
    expect(verify.body.requestId).toBe(verify.requestId);
    expectAudit(verify, 'e2e-broad', 'citizen.verify', 'OK', 'MISMATCH');

    const [enterprise] = sampleEnterprises(1, registry.dataset);
    const company = await post(
      '/v1/enterprises/lookup',
      { enterpriseCode: enterprise.enterpriseCode, purpose: 'EFORM_PREFILL' },
      KEYS.broad,
      'enterprise',
    );
    expect(company.status).toBe(200);
    expect(company.body.data).toMatchObject({
      enterpriseCode: enterprise.enterpriseCode,
      name: enterprise.name,
    });
    expect(company.body.provenance).toMatchObject({ source: 'CSDLQG_DKDN', cache: 'MISS', stale: false });
    expect(company.body.requestId).toBe(company.requestId);
    expectAudit(company, 'e2e-broad', 'enterprise.lookup', 'OK');

    const [parcel] = sampleParcels(1, land.dataset);
    const byKey = await post(
      '/v1/land-parcels/lookup',
      {
        communeCode: parcel.communeCode,
        mapSheetNo: parcel.mapSheetNo,
        parcelNo: parcel.parcelNo,
        purpose: 'DOSSIER_PROCESSING',
        dossierCode: DOSSIER,
      },
      KEYS.broad,
      'parcel',
    );
    expect(byKey.status).toBe(200);
    expect(byKey.body.data).toMatchObject({ communeCode: parcel.communeCode, parcelNo: parcel.parcelNo });
    expect(byKey.body.provenance).toMatchObject({ source: 'CSDLQG_DAT_DAI', cache: 'MISS' });
    expectAudit(byKey, 'e2e-broad', 'land.lookup', 'OK');

    const [certificate] = sampleCertificates(1, land.dataset);
    const byCertificate = await post(
      '/v1/land-parcels/lookup',
      { certificateNo: certificate.certificateNo, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      KEYS.broad,
      'certificate',
    );
    expect(byCertificate.status).toBe(200);
    expect(byCertificate.body.data).toMatchObject({
      communeCode: certificate.communeCode,
      parcelNo: certificate.parcelNo,
    });
    expectAudit(byCertificate, 'e2e-broad', 'land.lookup', 'OK');
  });

  it('documents the lookup API and the adapter health endpoint in OpenAPI', async () => {
    const { status, body } = await getJson(`${gateway.url}/docs/json`, AS_OPERATOR);
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/citizens/lookup',
        '/v1/citizens/verify',
        '/v1/enterprises/lookup',
        '/v1/land-parcels/lookup',
        '/v1/audit/subjects/lookup',
        '/health/adapters',
      ]),
    );
    const lookup = body.paths['/v1/citizens/lookup'].post;
    expect(Object.keys(lookup.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '404', '429', '502', '503']),
    );
    expect(lookup.requestBody.content['application/json'].schema.required).toEqual(['personalId', 'purpose']);
  });

  it("removes every field outside a client's scope", async () => {
    const citizen = citizens[0];
    const narrow = await citizenLookup(KEYS.narrow, citizen.personalId, {}, 'masked');
    expect(narrow.status).toBe(200);
    expect(Object.keys(narrow.body.data).sort()).toEqual(
      ['fullName', 'permanentResidence', 'personalId', 'provenance'].sort(),
    );
    expect(narrow.body.data.permanentResidence).toEqual({
      provinceCode: citizen.permanentResidence.provinceCode,
    });
    expectAudit(narrow, 'e2e-narrow', 'citizen.lookup', 'OK');

    const broad = await citizenLookup(KEYS.broad, citizen.personalId);
    expect(broad.body.data).toMatchObject({
      dateOfBirth: citizen.dateOfBirth,
      ethnicity: citizen.ethnicity,
      permanentResidence: { communeCode: citizen.permanentResidence.communeCode },
    });
    expectAudit(broad, 'e2e-broad', 'citizen.lookup', 'OK');

    const verify = await post(
      '/v1/citizens/verify',
      { personalId: citizen.personalId, dateOfBirth: citizen.dateOfBirth, purpose: 'EFORM_PREFILL' },
      KEYS.narrow,
      'verify-scope',
    );
    expect(verify.status).toBe(403);
    expect(verify.body).toMatchObject({ code: 'FIELD_NOT_ALLOWED' });
    expectAudit(verify, 'e2e-narrow', 'citizen.verify', 'DENIED', 'FIELD_NOT_ALLOWED');
  });

  it('refuses missing and unknown credentials with 401, without an audit record', async () => {
    const missing = await citizenLookup('', citizens[0].personalId, {}, 'anonymous');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect(missing.body).toMatchObject({ code: 'UNAUTHENTICATED', requestId: missing.requestId });

    const unknown = await citizenLookup(generateApiKey(), citizens[0].personalId, {}, 'unknown-key');
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');

    await new Promise((resolve) => setTimeout(resolve, 300));
    const rows = await admin.query(`SELECT 1 FROM ${schema}.audit_record WHERE request_id = ANY($1)`, [
      [missing.requestId, unknown.requestId],
    ]);
    expect(rows.rowCount).toBe(0);
  });

  it('refuses a service or purpose the client is not granted with 403, and audits it', async () => {
    const service = await post(
      '/v1/enterprises/lookup',
      { enterpriseCode: '0314409058', purpose: 'EFORM_PREFILL' },
      KEYS.narrow,
      'no-service',
    );
    expect(service.status).toBe(403);
    expect(service.body).toMatchObject({ code: 'SERVICE_NOT_ALLOWED', requestId: service.requestId });
    expectAudit(service, 'e2e-narrow', 'enterprise.lookup', 'DENIED', 'SERVICE_NOT_ALLOWED');

    const purpose = await post(
      '/v1/citizens/lookup',
      { personalId: citizens[0].personalId, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      KEYS.narrow,
      'no-purpose',
    );
    expect(purpose.status).toBe(403);
    expect(purpose.body.code).toBe('PURPOSE_NOT_ALLOWED');
    expectAudit(purpose, 'e2e-narrow', 'citizen.lookup', 'DENIED', 'PURPOSE_NOT_ALLOWED');

    const audit = await post(
      '/v1/audit/subjects/lookup',
      { personalId: citizens[0].personalId, purpose: 'DATA_SUBJECT_REQUEST' },
      KEYS.broad,
      'not-admin',
    );
    // the audit log is the data-protection officer's: the role is checked first
    expect(audit.status).toBe(403);
    expect(audit.body.code).toBe('ROLE_REQUIRED');
    expectAudit(audit, 'e2e-broad', 'audit.subjects', 'DENIED', 'ROLE_REQUIRED');
  });

  it('refuses invalid bodies with problem+json naming each field, never echoing the value', async () => {
    const badId = await citizenLookup(KEYS.broad, '00109001234X', {}, 'bad-id');
    expect(badId.status).toBe(400);
    expect(badId.headers.get('content-type')).toContain('application/problem+json');
    expect(badId.body).toMatchObject({
      code: 'INVALID_PERSONAL_ID',
      errors: [{ path: '/personalId', code: 'PERSONAL_ID_NOT_DIGITS' }],
    });
    expect(JSON.stringify(badId.body)).not.toContain('00109001234X');
    expectAudit(badId, 'e2e-broad', 'citizen.lookup', 'INVALID', 'INVALID_PERSONAL_ID');

    const array = await post('/v1/enterprises/lookup', [1, 2], KEYS.broad, 'array');
    expect(array.status).toBe(400);
    expect(array.body.code).toBe('PURPOSE_REQUIRED'); // the policy reads the purpose first

    const unknownField = await post(
      '/v1/enterprises/lookup',
      { enterpriseCode: '0314409058', purpose: 'EFORM_PREFILL', taxCode: '1' },
      KEYS.broad,
      'unknown-field',
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: '/taxCode', code: 'UNKNOWN_FIELD' }],
    });
    expectAudit(unknownField, 'e2e-broad', 'enterprise.lookup', 'INVALID', 'VALIDATION_FAILED');

    const land = await post(
      '/v1/land-parcels/lookup',
      { communeCode: '26734', certificateNo: 'CS 1', purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      KEYS.broad,
      'land-both',
    );
    expect(land.status).toBe(400);
    expect(land.body.errors[0].code).toBe('CONFLICTING_FIELDS');

    const notFound = await citizenLookup(KEYS.broad, unknownPersonalId, {}, 'not-found');
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({ code: 'CITIZEN_NOT_FOUND', requestId: notFound.requestId });
    expectAudit(notFound, 'e2e-broad', 'citizen.lookup', 'NOT_FOUND', 'CITIZEN_NOT_FOUND');
  });

  it('refuses an upstream answer whose signature does not verify, without passing on any of it', async () => {
    const citizen = citizens[1];
    population.faults.set({ badSignatureRate: 1 });
    try {
      const answer = await citizenLookup(KEYS.broad, citizen.personalId, {}, 'bad-signature');
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ code: 'UPSTREAM_BAD_SIGNATURE', requestId: answer.requestId });
      expect(answer.body).not.toHaveProperty('data');
      expect(JSON.stringify(answer.body)).not.toContain(citizen.fullName);
      expectAudit(answer, 'e2e-broad', 'citizen.lookup', 'UPSTREAM_ERROR', 'UPSTREAM_BAD_SIGNATURE');
    } finally {
      population.faults.clear();
    }
    const after = await citizenLookup(KEYS.broad, citizen.personalId, {}, 'good-signature');
    expect(after.status).toBe(200);
    expect(after.body.provenance.cache).toBe('MISS'); // the refused answer was not cached
    expectAudit(after, 'e2e-broad', 'citizen.lookup', 'OK');
  });

  it('writes one audit record per call, publishes it to Kafka, and shows it to the data-protection officer', async () => {
    const ids = [...expected.keys()];
    const rows = await waitFor(
      async () => {
        const result = await admin.query(
          `SELECT request_id, client_id, credential_id, service, purpose, dossier_code, subject_hash, outcome,
                  outcome_code, cache, upstream_latency_ms, fields_returned, fields_withheld
             FROM ${schema}.audit_record WHERE request_id = ANY($1)`,
          [ids],
        );
        return result.rowCount === ids.length ? result.rows : undefined;
      },
      10_000,
      'an audit record for every call',
    );
    const byId = new Map(rows.map((row) => [row.request_id, row]));
    for (const [requestId, want] of expected) {
      const row = byId.get(requestId);
      expect({ requestId, ...row }).toMatchObject({
        requestId,
        client_id: want.clientId,
        service: want.service,
        outcome: want.outcome,
        ...(want.outcomeCode ? { outcome_code: want.outcomeCode } : {}),
      });
    }
    const hasher = new SubjectHasher(TEST_AUDIT_SUBJECT_KEY);
    const [firstId] = ids;
    expect(byId.get(firstId)).toMatchObject({
      credential_id: 'k1',
      purpose: 'DOSSIER_PROCESSING',
      dossier_code: DOSSIER,
      subject_hash: hasher.hash('CITIZEN', citizens[0].personalId),
      cache: 'MISS',
    });
    expect(byId.get(firstId).upstream_latency_ms).toBeGreaterThanOrEqual(0);
    const masked = rows.find((row) => row.client_id === 'e2e-narrow' && row.outcome === 'OK');
    expect(masked.fields_returned).toEqual(['fullName', 'permanentResidence', 'personalId', 'provenance']);
    expect(masked.fields_withheld).toEqual(expect.arrayContaining(['dateOfBirth', 'permanentResidence']));
    expect(JSON.stringify(rows)).not.toContain(citizens[0].personalId);

    await waitFor(
      () => ids.every((id) => published.has(id)),
      20_000,
      'the audit records on lgsp.audit.lookup.v1',
    );
    const event = published.get(firstId);
    expect(event.key).toBe(firstId);
    expect(event.event).toMatchObject({
      specversion: '1.0',
      data: { requestId: firstId, clientId: 'e2e-broad', outcome: 'OK', service: 'citizen.lookup' },
    });
    expect(event.event.data.subjectHash).toBe(hasher.hash('CITIZEN', citizens[0].personalId));

    const query = await post(
      '/v1/audit/subjects/lookup',
      { personalId: citizens[0].personalId, purpose: 'DATA_SUBJECT_REQUEST' },
      KEYS.dpo,
      'dpo',
    );
    expect(query.status).toBe(200);
    expect(query.body.requestId).toBe(query.requestId);
    const records: any[] = query.body.data;
    const seen = ids.filter(
      (id) => byId.get(id).subject_hash === hasher.hash('CITIZEN', citizens[0].personalId),
    );
    expect(records.map((record) => record.requestId).sort()).toEqual(seen.sort());
    const times = records.map((record) => Date.parse(record.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(records).toContainEqual(
      expect.objectContaining({
        clientId: 'e2e-narrow',
        service: 'citizen.lookup',
        purpose: 'EFORM_PREFILL',
        outcome: 'OK',
        match: 'SUBJECT',
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        clientId: 'e2e-broad',
        purpose: 'DOSSIER_PROCESSING',
        dossierCode: DOSSIER,
        requestId: firstId,
      }),
    );
    expectAudit(query, 'e2e-dpo', 'audit.subjects', 'OK');
    // The query itself is audited, and so shows in the next query.
    await waitFor(
      async () => {
        const next = await post(
          '/v1/audit/subjects/lookup',
          { personalId: citizens[0].personalId, purpose: 'DATA_SUBJECT_REQUEST', limit: 1 },
          KEYS.dpo,
          'dpo-again',
        );
        expectAudit(next, 'e2e-dpo', 'audit.subjects', 'OK');
        return next.body.data[0]?.service === 'audit.subjects' ? next : undefined;
      },
      5_000,
      'the audit query in the subject’s history',
    );
  });

  it('passes `lienthong audit verify`, and fails it once a record has been altered', async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    const cli = (...args: string[]) =>
      run(process.execPath, [join(root, 'bin', 'lienthong.js'), 'audit', 'verify', ...args], {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: databaseUrl,
          LOG_LEVEL: 'silent',
          // a developer's running `npm start` is not this suite's stack
          LOCAL_STACK_FILE: join(root, 'var', 'test', 'no-local-stack.json'),
        },
      });
    const ok = await cli();
    expect(ok.stdout).toMatch(/audit chain OK/);

    const { rows } = await admin.query(
      `SELECT seq, purpose FROM ${schema}.audit_record ORDER BY seq LIMIT 1`,
    );
    const [{ seq, purpose }] = rows;
    const tamper = async (value: string | null) => {
      await admin.query(`ALTER TABLE ${schema}.audit_record DISABLE TRIGGER USER`);
      await admin.query(`UPDATE ${schema}.audit_record SET purpose = $1 WHERE seq = $2`, [value, seq]);
      await admin.query(`ALTER TABLE ${schema}.audit_record ENABLE TRIGGER USER`);
    };
    await tamper('EFORM_PREFILL' === purpose ? 'DATA_SUBJECT_REQUEST' : 'EFORM_PREFILL');
    try {
      const broken = await cli().then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(broken?.code).toBe(1);
      expect(broken?.stdout).toContain(`audit chain BROKEN at seq ${seq} (HASH_MISMATCH)`);
    } finally {
      await tamper(purpose);
    }
    await expect(cli()).resolves.toBeDefined();
  });

  it('opens the circuit in an outage: fast 503, stale answers where allowed, and recovers', async () => {
    const citizen = citizens[2];
    const cached = await citizenLookup(KEYS.broad, citizen.personalId, {}, 'before-outage');
    expect(cached.body.provenance.cache).toBe('MISS');
    expectAudit(cached, 'e2e-broad', 'citizen.lookup', 'OK');
    const validUntil = Date.parse(cached.body.provenance.validUntil);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, validUntil - Date.now() + 200)));

    population.faults.set({ down: true });
    try {
      const first = await citizenLookup(KEYS.narrow, citizen.personalId, {}, 'outage');
      expect(first.status).toBe(503);
      expect(first.body.code).toMatch(/^UPSTREAM_(UNAVAILABLE|TIMEOUT)$/);
      expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expectAudit(first, 'e2e-narrow', 'citizen.lookup', 'UPSTREAM_ERROR');

      const open = await waitFor(
        async () => {
          const answer = await citizenLookup(KEYS.narrow, citizen.personalId, {}, 'outage');
          expectAudit(answer, 'e2e-narrow', 'citizen.lookup', 'UPSTREAM_ERROR');
          return answer.body.code === 'UPSTREAM_CIRCUIT_OPEN' ? answer : undefined;
        },
        10_000,
        'the circuit to open',
        0,
      );
      expect(open.status).toBe(503);
      expect(Number(open.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      const health = await getJson(`${gateway.url}/health/adapters`, AS_OPERATOR);
      expect(health.status).toBe(200);
      expect(health.body.adapters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ adapter: 'population', configured: true, circuit: 'open' }),
          expect.objectContaining({ adapter: 'business-registry', configured: true, circuit: 'closed' }),
          expect.objectContaining({ adapter: 'land', configured: true, circuit: 'closed' }),
        ]),
      );
      const populationHealth = health.body.adapters.find(
        (a: { adapter: string }) => a.adapter === 'population',
      );
      expect(populationHealth.errorRate).toBeGreaterThan(0);
      expect(populationHealth.recentCalls).toBeGreaterThan(0);

      const stale = await citizenLookup(KEYS.broad, citizen.personalId, {}, 'stale');
      expect(stale.status).toBe(200);
      expect(stale.body.provenance).toMatchObject({ cache: 'STALE', stale: true });
      expect(stale.body.provenance.retrievedAt).toBe(cached.body.provenance.retrievedAt);
      expect(stale.body.data.fullName).toBe(citizen.fullName);
      expect(stale.ms).toBeLessThan(500);
      expectAudit(stale, 'e2e-broad', 'citizen.lookup', 'STALE_SERVED', 'UPSTREAM_CIRCUIT_OPEN');

      const refused = await citizenLookup(KEYS.narrow, citizen.personalId, {}, 'no-stale');
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('UPSTREAM_CIRCUIT_OPEN');
      expect(refused.ms).toBeLessThan(500);
      expectAudit(refused, 'e2e-narrow', 'citizen.lookup', 'UPSTREAM_ERROR', 'UPSTREAM_CIRCUIT_OPEN');

      // An upstream outage does not take the gateway out of its load balancer.
      expect((await getJson(`${gateway.url}/health/ready`, AS_OPERATOR)).status).toBe(200);
    } finally {
      population.faults.clear();
    }

    const recovered = await waitFor(
      async () => {
        const answer = await citizenLookup(KEYS.broad, citizens[3].personalId, {}, 'recovery');
        return answer.status === 200 ? answer : undefined;
      },
      HALF_OPEN_MS * 4,
      'lookups to succeed after the upstream returned',
    );
    expect(recovered.body.provenance.cache).toBe('MISS');
    const health = await getJson(`${gateway.url}/health/adapters`, AS_OPERATOR);
    expect(health.body.adapters.find((a: { adapter: string }) => a.adapter === 'population').circuit).toBe(
      'closed',
    );
    const fresh = await citizenLookup(KEYS.broad, citizen.personalId, {}, 'after-outage');
    expect(fresh.body.provenance).toMatchObject({ cache: 'MISS', stale: false });

    const rows = await waitFor(
      async () => {
        const result = await admin.query(
          `SELECT request_id, outcome, outcome_code, cache FROM ${schema}.audit_record WHERE request_id = ANY($1)`,
          [[...expected.keys()].filter((id) => /-(stale|no-stale)-/.test(id))],
        );
        return result.rowCount === 2 ? result.rows : undefined;
      },
      10_000,
      'the audit records of the outage',
    );
    expect(rows.map((row) => [row.outcome, row.cache]).sort()).toEqual([
      ['STALE_SERVED', 'STALE'],
      ['UPSTREAM_ERROR', 'MISS'],
    ]);
  });

  it('answers 429 with Retry-After beyond the client’s rate limit, and audits it', async () => {
    let limited: Answer | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const answer = await citizenLookup(KEYS.narrow, '1', {}, 'burst');
      if (answer.status === 429) limited = answer;
      else expect(answer.status).toBe(400);
    }
    expect(limited).toBeDefined();
    expect(limited!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited!.body).toMatchObject({ code: 'RATE_LIMITED', requestId: limited!.requestId });
    const row = await waitFor(
      async () =>
        (
          await admin.query(
            `SELECT outcome, outcome_code FROM ${schema}.audit_record WHERE request_id = $1`,
            [limited!.requestId],
          )
        ).rows[0],
      5_000,
      'the audit record of the refused request',
    );
    expect(row).toEqual({ outcome: 'DENIED', outcome_code: 'RATE_LIMITED' });
  });
});

/**
 * The reuse store end to end, through the gateway over HTTP against real PostgreSQL: documents registered
 * when dossier A is resolved are found by dossier B's search for the same owner (and B's reuse is
 * recorded), expired, revoked and superseded ones are not, tampered signatures are refused with their
 * reason, results are masked per client, and every search leaves an audit record.
 *
 * The gateway runs with a clients.yaml and a dev PKI of this suite.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { AuditLog, SubjectHasher } from '@lienthong/audit';
import { validate } from '@lienthong/contracts';
import { agencyCertificateName, createDevPki, type DevPkiResult } from '@lienthong/pki';
import { hashApiKey } from '@lienthong/security';
import { Database } from '@lienthong/storage';
import { EXAMPLE_SUBJECT_KEY } from '../../libs/audit/src/testing/audit-fixtures';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { DocumentReuseRepository } from '@lienthong/documents';
import { signDocumentContent } from '../../apps/gateway/src/documents/document-signature';
import { vietnamDate } from '@lienthong/domain';

const ISSUER = '000.17.22.H56';
const OTHER_AGENCY = '000.00.14.H56';
const DAY_MS = 86_400_000;

const KEYS = {
  oneStop: `lt_${randomBytes(32).toString('base64url')}`,
  construction: `lt_${randomBytes(32).toString('base64url')}`,
  ministry: `lt_${randomBytes(32).toString('base64url')}`,
  operator: `lt_${randomBytes(32).toString('base64url')}`,
};

/** The construction department sees what was issued, by whom and until when; not whose or where it is. */
const CONSTRUCTION_FIELDS = ['documentType', 'issuingAgency', 'issuedOn', 'validUntil', 'signature'];

function clientsDocument() {
  const client = (id: string, kind: string, key: string, services: object) => ({
    id,
    name: `${id} (test)`,
    kind,
    enabled: true,
    // every client of this suite acts for the province's agencies (H56)
    agencies: ['000.*.*.H56'],
    apiKeys: [{ id: 'k1', sha256: hashApiKey(key) }],
    rateLimit: { requestsPerMinute: 6000, burst: 200 },
    services,
  });
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
    },
    clients: [
      client('motcua', 'ONE_STOP_SYSTEM', KEYS.oneStop, {
        'documents.register': { purposes: ['DOSSIER_PROCESSING'] },
        'documents.search': { purposes: ['DOSSIER_PROCESSING', 'EFORM_PREFILL'], fields: '*' },
      }),
      client('so-xay-dung', 'AGENCY', KEYS.construction, {
        'documents.search': { purposes: ['DOSSIER_PROCESSING'], fields: CONSTRUCTION_FIELDS },
      }),
      client('bo-tu-phap', 'MINISTRY', KEYS.ministry, {
        'citizen.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: ['fullName'] },
      }),
      // the API document is for operators
      { ...client('van-hanh', 'ADMIN', KEYS.operator, {}), roles: ['OPERATOR'] },
    ],
  };
}

/** Personal IDs of people born in Hà Nội in 1990, distinct per index. */
const personalId = (index: number) => `0010900${String(index).padStart(5, '0')}`;
const dossier = (sequence: number) => `${ISSUER}-260601-${String(sequence).padStart(4, '0')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Reply {
  status: number;
  body: any;
  text: string;
  contentType: string | null;
}

/** The subject key the gateway used before the current one (AUDIT_SUBJECT_KEYS_PREVIOUS). */
const PREVIOUS_SUBJECT_KEY = `base64:${randomBytes(48).toString('base64')}`;

describe('reuse store through the gateway', () => {
  let dir: string;
  let pki: DevPkiResult;
  let gateway: RunningGateway;
  let url: string;
  let database: Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lienthong-documents-e2e-'));
    pki = createDevPki(join(dir, 'pki'));
    const clientsFile = join(dir, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));
    gateway = await startGateway({
      env: {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: process.env.TEST_DATABASE_URL,
        PORT: '0',
        LOG_LEVEL: 'silent',
        CLIENTS_FILE: clientsFile,
        PKI_DIR: pki.dir,
        AUDIT_SUBJECT_KEY: EXAMPLE_SUBJECT_KEY,
        AUDIT_SUBJECT_KEYS_PREVIOUS: PREVIOUS_SUBJECT_KEY,
      },
    });
    url = gateway.url;
    database = gateway.app.get(Database);
  });

  afterAll(async () => {
    await gateway?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function post(path: string, body: unknown, key = KEYS.oneStop, requestId?: string): Promise<Reply> {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? JSON.parse(text) : undefined,
      text,
      contentType: response.headers.get('content-type'),
    };
  }

  /** A result document of dossier `dossierCode` for a citizen, with its content bytes. */
  function citizenDocument(owner: string, dossierCode: string, overrides: Record<string, unknown> = {}) {
    const content = Buffer.from(`%PDF-1.7\nGiấy phép ${randomUUID()}\n%%EOF\n`, 'utf8');
    const today = vietnamDate(new Date());
    return {
      content,
      body: {
        owner: { kind: 'CITIZEN', personalId: owner },
        documentType: 'KQ.GPXD',
        title: 'Giấy phép xây dựng nhà ở riêng lẻ',
        documentCode: `${Math.floor(Math.random() * 900) + 100}/GPXD-UBND`,
        issuingAgency: { agencyCode: ISSUER, name: 'Ủy ban nhân dân phường Ba Đình' },
        dossierCode,
        issuedOn: today,
        validUntil: vietnamDate(new Date(Date.now() + 365 * DAY_MS)),
        mediaType: 'application/pdf',
        contentHash: { algorithm: 'sha256', value: sha256(content) },
        storageRef: `reuse-store://2026/06/01/${randomUUID()}.pdf`,
        purpose: 'DOSSIER_PROCESSING',
        ...overrides,
      } as Record<string, unknown>,
    };
  }

  const signedBy = (code: string, content: Buffer) =>
    signDocumentContent(content, pki.get(agencyCertificateName(code)));

  async function register(body: Record<string, unknown>): Promise<string> {
    const reply = await post('/v1/documents', body);
    expect(reply.status).toBe(201);
    return reply.body.id;
  }

  async function search(body: Record<string, unknown>, key = KEYS.oneStop, requestId?: string) {
    return post('/v1/documents/search', { purpose: 'DOSSIER_PROCESSING', ...body }, key, requestId);
  }

  async function auditRecordOf(requestId: string) {
    await gateway.app.get(AuditLog).flush();
    return database.queryOne<{
      service: string;
      client_id: string;
      purpose: string;
      dossier_code: string | null;
      subject_kind: string;
      subject_hash: string | null;
      outcome: string;
      outcome_code: string | null;
      upstream: string;
      fields_returned: string[] | null;
      fields_withheld: string[] | null;
    }>(
      `SELECT service, client_id, purpose, dossier_code, subject_kind, subject_hash, outcome, outcome_code,
              upstream, fields_returned, fields_withheld
         FROM audit_record WHERE request_id = $1`,
      [requestId],
    );
  }

  it('finds a signed document registered at the resolution of dossier A in dossier B, recording the reuse', async () => {
    const owner = personalId(1);
    const { content, body } = citizenDocument(owner, dossier(1));
    const registered = await post('/v1/documents', { ...body, detachedSignature: signedBy(ISSUER, content) });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ status: 'ACTIVE', signed: true, notices: [] });
    expect(registered.body.document.signature).toMatchObject({
      status: 'VALID',
      signer: agencyCertificateName(ISSUER),
    });
    expect(validate('reusable-document', registered.body.document).ok).toBe(true);
    const id = registered.body.id;

    const requestId = `req-docs-${randomUUID()}`;
    const found = await search({ ownerPersonalId: owner, dossierCode: dossier(2) }, KEYS.oneStop, requestId);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ count: 1, truncated: false });
    const [document] = found.body.documents;
    expect(validate('reusable-document', document).ok).toBe(true);
    expect(document).toMatchObject({
      documentId: id,
      owner: { kind: 'CITIZEN', personalId: owner },
      dossierCode: dossier(1),
      contentHash: { algorithm: 'sha256', value: sha256(content) },
      revoked: false,
      signature: { status: 'VALID' },
    });

    const reuse = gateway.app.get(DocumentReuseRepository);
    expect(await reuse.countReusedByDossier(dossier(2))).toBe(1);
    // the same search again, and one for the dossier that registered it: nothing more is counted
    expect((await search({ ownerPersonalId: owner, dossierCode: dossier(2) })).body.count).toBe(1);
    expect((await search({ ownerPersonalId: owner, dossierCode: dossier(1) })).body.count).toBe(1);
    expect(await reuse.countReusedByDossier(dossier(2))).toBe(1);
    expect(await reuse.countReusedByDossier(dossier(1))).toBe(0);
    expect(await reuse.countReusedByDossiers([dossier(1), dossier(2)])).toEqual(new Map([[dossier(2), 1]]));
    const rows = await database.query<{ client_id: string; request_id: string }>(
      'SELECT client_id, request_id FROM document_reuse WHERE document_id = $1::uuid',
      [id],
    );
    expect(rows).toEqual([{ client_id: 'motcua', request_id: requestId }]);

    const audit = await auditRecordOf(requestId);
    expect(audit).toMatchObject({
      service: 'documents.search',
      client_id: 'motcua',
      purpose: 'DOSSIER_PROCESSING',
      dossier_code: dossier(2),
      subject_kind: 'CITIZEN',
      subject_hash: new SubjectHasher(EXAMPLE_SUBJECT_KEY).hash('CITIZEN', owner),
      outcome: 'OK',
      upstream: 'reuse-store',
      fields_withheld: null,
    });
    expect(audit?.fields_returned).toEqual(expect.arrayContaining(['owner', 'storageRef', 'contentHash']));
  });

  it('describes the three endpoints in the OpenAPI document', async () => {
    const response = await fetch(`${url}/docs/json`, {
      headers: { authorization: `Bearer ${KEYS.operator}` },
      signal: AbortSignal.timeout(10_000),
    });
    const paths = ((await response.json()) as { paths: Record<string, { post?: { description?: string } }> })
      .paths;
    expect(paths['/v1/documents'].post?.description).toContain('DOCUMENT_SIGNATURE_INVALID');
    expect(paths['/v1/documents/search'].post?.description).toContain('reused by that dossier');
    expect(paths['/v1/documents/{id}/revoke'].post).toBeDefined();
  });

  it('never stores the owner identifier, only its keyed hash', async () => {
    const owner = personalId(2);
    const { body } = citizenDocument(owner, dossier(3));
    const id = await register(body);
    const row = await database.queryOne<Record<string, unknown>>(
      'SELECT * FROM reuse_document WHERE id = $1::uuid',
      [id],
    );
    expect(JSON.stringify(row)).not.toContain(owner);
    expect(row?.owner_hash).toBe(new SubjectHasher(EXAMPLE_SUBJECT_KEY).hash('CITIZEN', owner));
  });

  it('finds documents registered under the previous subject key and re-keys them', async () => {
    const owner = personalId(11);
    const id = await register(citizenDocument(owner, dossier(17)).body);
    const previous = new SubjectHasher(PREVIOUS_SUBJECT_KEY);
    // as the row was written before AUDIT_SUBJECT_KEY was rotated
    await database.query('UPDATE reuse_document SET owner_hash = $2, owner_key_id = $3 WHERE id = $1::uuid', [
      id,
      previous.hash('CITIZEN', owner),
      previous.keyId,
    ]);
    const found = await search({ ownerPersonalId: owner, dossierCode: dossier(18) });
    expect(found.body.documents.map((document: { documentId: string }) => document.documentId)).toEqual([id]);
    const current = new SubjectHasher(EXAMPLE_SUBJECT_KEY);
    expect(
      await database.queryOne('SELECT owner_hash, owner_key_id FROM reuse_document WHERE id = $1::uuid', [
        id,
      ]),
    ).toEqual({ owner_hash: current.hash('CITIZEN', owner), owner_key_id: current.keyId });
  });

  it('leaves expired, revoked and superseded documents out of the search', async () => {
    const owner = personalId(3);
    const tomorrow = vietnamDate(new Date(Date.now() + DAY_MS));
    const expiring = citizenDocument(owner, dossier(4), { validUntil: tomorrow, documentType: 'KQ.GCN' });
    const unsigned = await post('/v1/documents', expiring.body);
    expect(unsigned.status).toBe(201);
    expect(unsigned.body.signed).toBe(false);
    expect(unsigned.body.document.signature).toEqual({ status: 'ABSENT' });
    expect(unsigned.body.notices.map((notice: { code: string }) => notice.code)).toEqual([
      'DOCUMENT_UNSIGNED',
    ]);
    const expiringId = unsigned.body.id;

    const permanent = await register(citizenDocument(owner, dossier(4), { validUntil: undefined }).body);
    const revoked = await register(citizenDocument(owner, dossier(4)).body);
    const replaced = await register(citizenDocument(owner, dossier(4)).body);
    const replacement = await register(citizenDocument(owner, dossier(4)).body);

    const revocation = await post(`/v1/documents/${revoked}/revoke`, {
      reason: 'Thu hồi theo quyết định 45/QĐ',
    });
    expect(revocation.status).toBe(200);
    expect(revocation.body).toMatchObject({ id: revoked, status: 'REVOKED', revoked: true });
    const again = await post(`/v1/documents/${revoked}/revoke`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'DOCUMENT_ALREADY_REVOKED',
      status: 409,
      documentStatus: 'REVOKED',
    });
    const supersession = await post(`/v1/documents/${replaced}/revoke`, {
      reason: 'Cấp lại',
      supersededBy: replacement,
    });
    expect(supersession.status).toBe(200);
    expect(supersession.body).toMatchObject({ status: 'SUPERSEDED', supersededBy: replacement });

    const ids = async () =>
      (
        (await search({ ownerPersonalId: owner, dossierCode: dossier(5) })).body.documents as {
          documentId: string;
        }[]
      )
        .map((document) => document.documentId)
        .sort();
    expect(await ids()).toEqual([expiringId, permanent, replacement].sort());
    const ofType = await search({ ownerPersonalId: owner, documentType: 'KQ.GCN', dossierCode: dossier(5) });
    expect(ofType.body.documents.map((document: { documentId: string }) => document.documentId)).toEqual([
      expiringId,
    ]);

    // the day after tomorrow: the document's last day of validity is past
    await database.query(
      `UPDATE reuse_document SET issued_on = issued_on - 3, valid_until = valid_until - 3 WHERE id = $1::uuid`,
      [expiringId],
    );
    expect(await ids()).toEqual([permanent, replacement].sort());

    const expired = await post(
      '/v1/documents',
      citizenDocument(owner, dossier(4), {
        issuedOn: vietnamDate(new Date(Date.now() - 30 * DAY_MS)),
        validUntil: vietnamDate(new Date(Date.now() - DAY_MS)),
      }).body,
    );
    expect(expired.status).toBe(422);
    expect(expired.body).toMatchObject({ code: 'DOCUMENT_EXPIRED', errors: [{ path: '/validUntil' }] });
  });

  it('refuses supersession by a document of another owner, and unknown documents', async () => {
    const first = await register(citizenDocument(personalId(4), dossier(6)).body);
    const stranger = await register(citizenDocument(personalId(5), dossier(6)).body);
    const refused = await post(`/v1/documents/${first}/revoke`, { reason: 'x', supersededBy: stranger });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'SUPERSEDING_DOCUMENT_INVALID' });
    expect((await post(`/v1/documents/${randomUUID()}/revoke`, { reason: 'x' })).body.code).toBe(
      'DOCUMENT_NOT_FOUND',
    );
    expect((await post('/v1/documents/not-a-uuid/revoke', { reason: 'x' })).body.code).toBe(
      'INVALID_DOCUMENT_ID',
    );
    // still active after the refused supersession
    expect((await search({ ownerPersonalId: personalId(4), dossierCode: dossier(7) })).body.count).toBe(1);
  });

  it('refuses a tampered signature with a clear reason and stores nothing', async () => {
    const owner = personalId(6);
    const { content, body } = citizenDocument(owner, dossier(8));
    const tamperedContent = Buffer.concat([content, Buffer.from('\n% changed')]);
    const overTampered = await post('/v1/documents', {
      ...body,
      detachedSignature: signedBy(ISSUER, tamperedContent),
    });
    expect(overTampered.status).toBe(422);
    expect(overTampered.contentType).toMatch(/^application\/problem\+json/);
    expect(overTampered.body).toMatchObject({
      code: 'DOCUMENT_SIGNATURE_INVALID',
      reason: 'CONTENT_HASH_MISMATCH',
      errors: [{ path: '/detachedSignature', code: 'CONTENT_HASH_MISMATCH' }],
    });
    expect(overTampered.body.detail).toMatch(/different content/);

    const der = Buffer.from(signedBy(ISSUER, content), 'base64');
    der[der.length - 1] ^= 0x01;
    const altered = await post('/v1/documents', { ...body, detachedSignature: der.toString('base64') });
    expect(altered.status).toBe(422);
    expect(altered.body.reason).toBe('SIGNATURE_MISMATCH');

    const otherAgency = await post('/v1/documents', {
      ...body,
      detachedSignature: signedBy(OTHER_AGENCY, content),
    });
    expect(otherAgency.status).toBe(422);
    expect(otherAgency.body.reason).toBe('SIGNER_NOT_ISSUING_AGENCY');

    expect((await search({ ownerPersonalId: owner, dossierCode: dossier(9) })).body.count).toBe(0);
  });

  it('answers a repeated registration with the document already registered', async () => {
    const { body } = citizenDocument(personalId(7), dossier(10));
    const id = await register(body);
    const repeat = await post('/v1/documents', body);
    expect(repeat.status).toBe(409);
    expect(repeat.body).toMatchObject({ code: 'DOCUMENT_ALREADY_REGISTERED', documentId: id });
  });

  it("masks each document to the caller's field scope and audits what was withheld", async () => {
    const owner = personalId(8);
    const { content, body } = citizenDocument(owner, dossier(11));
    await register({ ...body, detachedSignature: signedBy(ISSUER, content) });

    const requestId = `req-docs-${randomUUID()}`;
    const masked = await search(
      { ownerPersonalId: owner, dossierCode: dossier(12) },
      KEYS.construction,
      requestId,
    );
    expect(masked.status).toBe(200);
    expect(masked.body.count).toBe(1);
    expect(Object.keys(masked.body.documents[0]).sort()).toEqual([...CONSTRUCTION_FIELDS].sort());
    expect(masked.text).not.toContain(owner);
    const audit = await auditRecordOf(requestId);
    expect(audit).toMatchObject({ client_id: 'so-xay-dung', outcome: 'OK' });
    expect(audit?.fields_returned).toEqual([...CONSTRUCTION_FIELDS].sort());
    expect(audit?.fields_withheld).toEqual(
      expect.arrayContaining(['contentHash', 'documentId', 'owner', 'registeredAt', 'storageRef']),
    );

    const full = await search({ ownerPersonalId: owner, dossierCode: dossier(12) });
    expect(full.body.documents[0]).toHaveProperty('storageRef');
    expect(full.body.documents[0].owner).toEqual({ kind: 'CITIZEN', personalId: owner });

    const refusedId = `req-docs-${randomUUID()}`;
    const notGranted = await search(
      { ownerPersonalId: owner, dossierCode: dossier(12) },
      KEYS.ministry,
      refusedId,
    );
    expect(notGranted.status).toBe(403);
    expect(notGranted.body.code).toBe('SERVICE_NOT_ALLOWED');
    expect(await auditRecordOf(refusedId)).toMatchObject({
      service: 'documents.search',
      client_id: 'bo-tu-phap',
      purpose: 'DOSSIER_PROCESSING',
      dossier_code: dossier(12),
      subject_hash: new SubjectHasher(EXAMPLE_SUBJECT_KEY).hash('CITIZEN', owner),
      outcome: 'DENIED',
      outcome_code: 'SERVICE_NOT_ALLOWED',
      fields_returned: null,
    });
  });

  it('finds documents of an enterprise by its code', async () => {
    const enterpriseCode = '0314409058';
    const content = Buffer.from(`GCN ${randomUUID()}`);
    const { body } = citizenDocument(personalId(9), dossier(13), {
      owner: { kind: 'ENTERPRISE', enterpriseCode },
      contentHash: { algorithm: 'sha256', value: sha256(content) },
      detachedSignature: signedBy(ISSUER, content),
    });
    const id = await register(body);
    const found = await search({ ownerEnterpriseCode: enterpriseCode, dossierCode: dossier(14) });
    expect(found.body.documents.map((document: { documentId: string }) => document.documentId)).toContain(id);
    expect(found.body.documents[0].owner).toEqual({ kind: 'ENTERPRISE', enterpriseCode });
    expect((await search({ ownerPersonalId: personalId(9), dossierCode: dossier(14) })).body.count).toBe(0);
  });

  it('refuses invalid requests with per-field problems that never repeat a personal ID', async () => {
    const owner = personalId(10);
    const shape = await post('/v1/documents', {
      owner: { kind: 'CITIZEN', personalId: owner },
      documentType: 'KQ.GPXD',
      issuedOn: '2026-02-30',
      documentId: randomUUID(),
      purpose: 'DOSSIER_PROCESSING',
      dossierCode: dossier(15),
    });
    expect(shape.status).toBe(400);
    expect(shape.body.code).toBe('INVALID_DOCUMENT');
    expect(shape.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/documentId', code: 'ASSIGNED_BY_STORE' }),
        expect.objectContaining({ path: '/issuedOn', code: 'SCHEMA_FORMAT' }),
        expect.objectContaining({ code: 'SCHEMA_REQUIRED' }),
      ]),
    );
    expect(shape.text).not.toContain(owner);

    const unknownProvince = '999090012345';
    const identifier = await post('/v1/documents', citizenDocument(unknownProvince, dossier(15)).body);
    expect(identifier.status).toBe(400);
    expect(identifier.body).toMatchObject({
      code: 'INVALID_IDENTIFIER',
      errors: [{ path: '/owner/personalId', code: 'PERSONAL_ID_UNKNOWN_PROVINCE' }],
    });
    expect(identifier.text).not.toContain(unknownProvince);

    const dates = await post(
      '/v1/documents',
      citizenDocument(owner, dossier(15), { validFrom: '2020-01-01', issuedOn: '2021-01-01' }).body,
    );
    expect(dates.status).toBe(422);
    expect(dates.body).toMatchObject({ code: 'DOCUMENT_DATES_INVALID', errors: [{ path: '/validFrom' }] });

    // a personal ID typed into the dossier code field: refused, not repeated, audited without it
    const requestId = `req-docs-${randomUUID()}`;
    const misplaced = await post(
      '/v1/documents/search',
      { ownerPersonalId: owner, purpose: 'EFORM_PREFILL', dossierCode: owner },
      KEYS.oneStop,
      requestId,
    );
    expect(misplaced.status).toBe(400);
    expect(misplaced.body).toMatchObject({ code: 'INVALID_SEARCH', errors: [{ path: '/dossierCode' }] });
    expect(misplaced.text).not.toContain(owner);
    const audit = await auditRecordOf(requestId);
    expect(audit).toMatchObject({ outcome: 'INVALID', outcome_code: 'INVALID_SEARCH', dossier_code: null });

    const both = await search({
      ownerPersonalId: owner,
      ownerEnterpriseCode: '0314409058',
      dossierCode: dossier(16),
    });
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ code: 'OWNER_REQUIRED' })]);

    const noPurposeId = `req-docs-${randomUUID()}`;
    const noPurpose = await post(
      '/v1/documents/search',
      { ownerPersonalId: owner },
      KEYS.oneStop,
      noPurposeId,
    );
    expect(noPurpose.status).toBe(400);
    expect(noPurpose.body.code).toBe('PURPOSE_REQUIRED');
    expect(await auditRecordOf(noPurposeId)).toMatchObject({
      outcome: 'INVALID',
      outcome_code: 'PURPOSE_REQUIRED',
      purpose: null,
    });
  });
});

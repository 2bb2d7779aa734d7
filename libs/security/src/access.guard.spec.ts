import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Injectable, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { dump } from 'js-yaml';
import { createLogger, ProblemFilter } from '@lienthong/observability';
import type { AccessScope, Caller } from './clients.types';
import { maskToScope } from './field-mask';
import {
  CurrentAccess,
  CurrentCaller,
  DossierDirectory,
  RequiresService,
  type KnownDossier,
  type RouteAccess,
} from './access.guard';
import { SecurityModule, type SecurityModuleOptions } from './security.module';
import {
  KEYS,
  makeCertificate,
  NOW,
  testClientsDocument,
  type TestCertificate,
} from './testing/security.fixtures';

const CITIZEN = {
  personalId: '001090012345',
  fullName: 'Nguyễn Văn An',
  dateOfBirth: '1990-05-17',
  sex: 'MALE',
  permanentResidence: { communeCode: '00004', provinceCode: '01', detail: 'Số 12 ngõ 34 phố Đội Cấn' },
  provenance: {
    source: 'CSDLQG_DAN_CU',
    retrievedAt: '2026-06-01T09:15:02+07:00',
    validUntil: '2026-06-02T09:15:02+07:00',
  },
};

/** Stands in for the lookup controllers: returns what the guard decided and the masked record. */
@Controller('v1')
class DummyLookupController {
  @Post('citizens/lookup')
  @HttpCode(200)
  @RequiresService('citizen.lookup')
  lookup(@CurrentCaller() caller: Caller, @CurrentAccess() access: AccessScope, @Body() _body: unknown) {
    const { record, removed } = maskToScope(CITIZEN, access.fields);
    return { caller, access, data: record, removed };
  }

  @Post('audit/subjects/lookup')
  @HttpCode(200)
  @RequiresService('audit.subjects')
  subjects(@CurrentAccess() access: AccessScope) {
    return { access };
  }

  @Get('open')
  open() {
    return { open: true };
  }

  @Get('ops')
  ops(@CurrentCaller() caller: Caller) {
    return { operator: caller.clientId };
  }

  @Get('forgotten')
  forgotten() {
    return { forgotten: true };
  }
}

const ROUTES: RouteAccess = {
  public: ['/v1/open'],
  roles: { '/v1/ops': 'OPERATOR', '/v1/audit/subjects/lookup': 'DATA_PROTECTION_OFFICER' },
};

/** Dossiers the gateway has heard of, as the dossier store would answer. */
const KNOWN: Record<string, KnownDossier> = {
  '000.17.22.H56-260601-0001': { agencyCode: '000.17.22.H56', closed: false },
  '000.17.22.H56-260601-0002': { agencyCode: '000.17.22.H56', closed: true },
  // moved to another province's agency under a code of ours: the stored agency decides
  '000.17.22.H56-260601-0003': { agencyCode: '000.17.22.H29', closed: false },
};

@Injectable()
class KnownDossiers extends DossierDirectory {
  async find(dossierCode: string): Promise<KnownDossier | undefined> {
    return KNOWN[dossierCode];
  }

  forget(): void {}
}

const DEMO_KEY = 'lt_demoKey_AbcdefGhijklMnopqrStuvwxYz';
const DOSSIER = '000.17.15.H41-260601-0001';

async function startApp(
  options: Omit<SecurityModuleOptions, 'clientsFile'>,
  document: object,
  adapter = new FastifyAdapter(),
): Promise<NestFastifyApplication> {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-security-'));
  const clientsFile = join(dir, 'clients.yaml');
  writeFileSync(clientsFile, dump(document));
  const moduleRef = await Test.createTestingModule({
    imports: [
      SecurityModule.forRoot({
        clientsFile,
        now: () => NOW,
        routes: ROUTES,
        dossierDirectory: KnownDossiers,
        ...options,
      }),
    ],
    controllers: [DummyLookupController],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger: false });
  app.useGlobalFilters(new ProblemFilter(createLogger({ name: 'security-spec', level: 'silent' })));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe('AccessGuard over HTTP', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startApp({ demoApiKey: DEMO_KEY, clock: () => 0 }, testClientsDocument());
  });
  afterAll(() => app.close());

  const post = (url: string, body: unknown, key?: string) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      payload: JSON.stringify(body),
    });

  it('lets an authorised caller through with its caller, access scope and masked record', async () => {
    const response = await post(
      '/v1/citizens/lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER },
      KEYS.oneStop,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      caller: {
        clientId: 'motcua',
        name: 'Hệ thống một cửa (test)',
        kind: 'ONE_STOP_SYSTEM',
        admin: false,
        via: 'api-key',
        credentialId: 'k1',
      },
      access: {
        service: 'citizen.lookup',
        purpose: 'DOSSIER_PROCESSING',
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        dossierCode: DOSSIER,
        fields: ['personalId', 'fullName', 'dateOfBirth', 'permanentResidence'],
        allowStale: true,
      },
      data: {
        personalId: '001090012345',
        fullName: 'Nguyễn Văn An',
        dateOfBirth: '1990-05-17',
        permanentResidence: CITIZEN.permanentResidence,
        provenance: CITIZEN.provenance,
      },
      removed: ['sex'],
    });
  });

  it('gives the ministry only its narrower fields', async () => {
    const response = await post(
      '/v1/citizens/lookup',
      { purpose: 'CIVIL_STATUS_REGISTRATION' },
      KEYS.ministry,
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual({
      personalId: '001090012345',
      fullName: 'Nguyễn Văn An',
      permanentResidence: { provinceCode: '01' },
      provenance: CITIZEN.provenance,
    });
  });

  it('lets the demo client use any service', async () => {
    const response = await post('/v1/audit/subjects/lookup', { purpose: 'DATA_SUBJECT_REQUEST' }, DEMO_KEY);
    expect(response.statusCode).toBe(200);
    expect(response.json().access).toMatchObject({
      service: 'audit.subjects',
      purpose: 'DATA_SUBJECT_REQUEST',
    });
  });

  it.each([
    [
      'no credentials',
      '/v1/citizens/lookup',
      { purpose: 'EFORM_PREFILL' },
      undefined,
      401,
      'UNAUTHENTICATED',
    ],
    [
      'an unknown key',
      '/v1/citizens/lookup',
      { purpose: 'EFORM_PREFILL' },
      'lt_unknownKey_AbcdefGhijklMnopqrStuvw',
      401,
      'INVALID_CREDENTIALS',
    ],
    [
      'an expired key',
      '/v1/citizens/lookup',
      { purpose: 'EFORM_PREFILL' },
      KEYS.ministryOld,
      401,
      'INVALID_CREDENTIALS',
    ],
    [
      'a disabled client',
      '/v1/citizens/lookup',
      { purpose: 'EFORM_PREFILL' },
      KEYS.disabled,
      401,
      'INVALID_CREDENTIALS',
    ],
    [
      'a role route without the role',
      '/v1/audit/subjects/lookup',
      { purpose: 'DATA_SUBJECT_REQUEST' },
      KEYS.oneStop,
      403,
      'ROLE_REQUIRED',
    ],
    [
      'a service not granted',
      '/v1/citizens/lookup',
      { purpose: 'EFORM_PREFILL' },
      KEYS.dpo,
      403,
      'SERVICE_NOT_ALLOWED',
    ],
    [
      'a dossier code of an agency outside the scope',
      '/v1/citizens/lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: '000.17.22.H29-260601-0001' },
      KEYS.oneStop,
      403,
      'AGENCY_NOT_ALLOWED',
    ],
    [
      'a known dossier stored under an agency outside the scope',
      '/v1/citizens/lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: '000.17.22.H56-260601-0003' },
      KEYS.oneStop,
      403,
      'AGENCY_NOT_ALLOWED',
    ],
    [
      'a closed dossier for a purpose that serves a dossier',
      '/v1/citizens/lookup',
      { purpose: 'DOSSIER_PROCESSING', dossierCode: '000.17.22.H56-260601-0002' },
      KEYS.oneStop,
      403,
      'DOSSIER_CLOSED',
    ],
    [
      'a missing purpose',
      '/v1/citizens/lookup',
      { dossierCode: DOSSIER },
      KEYS.oneStop,
      400,
      'PURPOSE_REQUIRED',
    ],
    [
      'a body that is not an object',
      '/v1/citizens/lookup',
      ['DOSSIER_PROCESSING'],
      KEYS.oneStop,
      400,
      'PURPOSE_REQUIRED',
    ],
    [
      'a purpose not granted',
      '/v1/citizens/lookup',
      { purpose: 'CIVIL_STATUS_REGISTRATION' },
      KEYS.oneStop,
      403,
      'PURPOSE_NOT_ALLOWED',
    ],
    [
      'a dossier purpose without the dossier',
      '/v1/citizens/lookup',
      { purpose: 'DOSSIER_PROCESSING' },
      KEYS.oneStop,
      400,
      'DOSSIER_CODE_REQUIRED',
    ],
  ])('answers %s with problem+json', async (_name, url, body, key, status, code) => {
    const response = await post(url, body, key);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({
      status,
      code,
      type: `urn:vn:lienthong:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      instance: url,
    });
    expect(typeof problem.requestId).toBe('string');
    if (status === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="lienthong"/);
    if (key) expect(response.body).not.toContain(key);
  });

  it('lets a dossier of the scope through, known and open or not known yet, and a closed one for prefill', async () => {
    for (const body of [
      { purpose: 'DOSSIER_PROCESSING', dossierCode: '000.17.22.H56-260601-0001' },
      { purpose: 'DOSSIER_PROCESSING', dossierCode: '000.17.22.H56-260601-0009' },
      { purpose: 'EFORM_PREFILL', dossierCode: '000.17.22.H56-260601-0002' },
    ]) {
      const response = await post('/v1/citizens/lookup', body, KEYS.oneStop);
      expect([response.statusCode, response.json().access?.dossierCode]).toEqual([200, body.dossierCode]);
    }
  });

  it('opens a public route to anyone and a role route only to a client holding the role', async () => {
    const get = (url: string, key?: string) =>
      app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await get('/v1/open')).statusCode).toBe(200);

    const anonymous = await get('/v1/ops');
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const withoutRole = await get('/v1/ops', KEYS.oneStop);
    expect([withoutRole.statusCode, withoutRole.json().code]).toEqual([403, 'ROLE_REQUIRED']);
    const operator = await get('/v1/ops', KEYS.operator);
    expect([operator.statusCode, operator.json()]).toEqual([200, { operator: 'van-hanh' }]);

    // deny by default: a route declaring neither a service nor a role is open to no client
    const forgotten = await get('/v1/forgotten', DEMO_KEY);
    expect([forgotten.statusCode, forgotten.json().code]).toEqual([403, 'ROUTE_NOT_ALLOWED']);
    expect((await get('/v1/forgotten')).statusCode).toBe(401);
  });

  it('answers a client over its rate limit with 429 and Retry-After', async () => {
    // A fresh app with a frozen clock: bo-tu-phap has a burst of 2 and 60 requests per minute.
    const limited = await startApp({ clock: () => 0 }, testClientsDocument());
    try {
      const responses = [];
      for (let i = 0; i < 3; i++) {
        responses.push(
          await limited.inject({
            method: 'POST',
            url: '/v1/citizens/lookup',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.ministry}` },
            payload: JSON.stringify({ purpose: 'CIVIL_STATUS_REGISTRATION' }),
          }),
        );
      }
      expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 429]);
      const refused = responses[2];
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await limited.close();
    }
  });
});

describe('AccessGuard over mutual TLS', () => {
  let app: NestFastifyApplication;
  let port: number;
  let ca: TestCertificate;
  let pinned: TestCertificate;
  let issued: TestCertificate;
  let unknown: TestCertificate;

  beforeAll(async () => {
    ca = makeCertificate([{ name: 'CN', value: 'Test provincial CA' }], { ca: true });
    const server = makeCertificate([{ name: 'CN', value: 'localhost' }], { issuer: ca });
    pinned = makeCertificate([{ name: 'CN', value: 'pinned.test' }]);
    issued = makeCertificate(
      [
        { name: 'CN', value: 'motcua.laocai.gov.vn' },
        { name: 'O', value: 'UBND tỉnh Lào Cai' },
        { name: 'C', value: 'VN' },
      ],
      { issuer: ca },
    );
    unknown = makeCertificate([{ name: 'CN', value: 'unknown.test' }]);
    const adapter = new FastifyAdapter({
      https: {
        key: server.keyPem,
        cert: server.certPem,
        ca: ca.certPem,
        requestCert: true,
        // Self-signed pinned certificates must reach the application; it decides (socket.authorized tells it
        // whether the chain was verified against the CA).
        rejectUnauthorized: false,
      },
    });
    app = await startApp(
      {},
      testClientsDocument({
        fingerprint: pinned.fingerprint,
        subject: 'CN=motcua.laocai.gov.vn,O=UBND tỉnh Lào Cai,C=VN',
      }),
      adapter,
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => app.close());

  function call(
    client: TestCertificate | undefined,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/citizens/lookup',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          ca: ca.certPem,
          servername: 'localhost',
          agent: false,
          ...(client ? { key: client.keyPem, cert: client.certPem } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ purpose: 'EFORM_PREFILL' }));
    });
  }

  it('identifies a client by its pinned self-signed certificate', async () => {
    const response = await call(pinned);
    expect(response.status).toBe(200);
    expect(response.body.caller).toMatchObject({
      clientId: 'motcua',
      via: 'mtls',
      credentialId: pinned.fingerprint,
    });
  });

  it('identifies a client by the subject of a certificate issued by the trusted CA', async () => {
    const response = await call(issued);
    expect(response.status).toBe(200);
    expect(response.body.caller).toMatchObject({
      clientId: 'motcua',
      via: 'mtls',
      credentialId: issued.fingerprint,
    });
  });

  it('refuses an unregistered certificate with 401 INVALID_CREDENTIALS and no certificate with UNAUTHENTICATED', async () => {
    expect(await call(unknown)).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
    expect(await call(undefined)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });
});

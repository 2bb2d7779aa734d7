/**
 * Upstreams reached through a national exchange platform instead of directly: the gateway answers land and
 * enterprise lookups through simulated NDXP and NDOP platforms (real HTTP end to end, the upstream
 * simulators behind them), and each platform records the exchange as its tracing would: Liên Thông's member
 * id, the upstream's service code, a transaction id per exchange.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { generateApiKey, hashApiKey } from '../../libs/security/src';
import { createLogger } from '../../libs/observability/src';
import {
  RunningBusinessRegistrySimulator,
  sampleEnterprises,
  startBusinessRegistrySimulator,
} from '../../apps/simulators/src/business-registry';
import { RunningLandSimulator, sampleParcels, startLandSimulator } from '../../apps/simulators/src/land';
import { RunningExchangeSimulator, startExchangeSimulator } from '../../apps/simulators/src/exchange';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { getJson, testEnv } from '../support/http';

const silent = createLogger({ name: 'exchange-route-e2e', level: 'silent' });
const KEY = generateApiKey();
const NDXP_KEY = 'ndxp-member-credential-e2e';
const NDOP_KEY = 'ndop-member-credential-e2e';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOSSIER = '000.17.22.H56-261031-0007';

describe('lookups through a national exchange platform', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-exchange-'));
  const schema = `exchange_e2e_${process.pid}_${Date.now()}`;
  let admin: Client;
  let land: RunningLandSimulator;
  let registry: RunningBusinessRegistrySimulator;
  let ndxp: RunningExchangeSimulator;
  let ndop: RunningExchangeSimulator;
  let gateway: RunningGateway;

  beforeAll(async () => {
    land = await startLandSimulator({ size: 500, enterpriseCount: 500, apiKey: 'land-key', logger: silent });
    registry = await startBusinessRegistrySimulator({ size: 500, logger: silent });
    ndxp = await startExchangeSimulator({
      platform: 'ndxp',
      members: { 'lienthong-e2e': NDXP_KEY },
      services: { CSDLQG_DAT_DAI: { url: land.url } },
    });
    ndop = await startExchangeSimulator({
      platform: 'ndop',
      members: { 'lienthong-e2e': NDOP_KEY },
      services: { CSDLQG_DKDN: { url: registry.url } },
    });

    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(process.env.TEST_DATABASE_URL as string);
    url.searchParams.set('options', `-c search_path=${schema}`);

    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(
      clientsFile,
      dump({
        version: 1,
        purposes: {
          DOSSIER_PROCESSING: {
            description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
            legalBasis: 'Nghị định 61/2018/NĐ-CP',
            requiresDossierCode: true,
          },
        },
        clients: [
          {
            id: 'e2e-one-stop',
            name: 'Một cửa (e2e)',
            kind: 'ONE_STOP_SYSTEM',
            enabled: true,
            agencies: ['000.*.*.H56'],
            apiKeys: [{ id: 'k1', sha256: hashApiKey(KEY) }],
            rateLimit: { requestsPerMinute: 6000, burst: 100 },
            services: {
              'enterprise.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
              'land.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' },
            },
          },
        ],
      }),
    );
    gateway = await startGateway({
      env: testEnv({
        DATABASE_URL: url.toString(),
        CLIENTS_FILE: clientsFile,
        PKI_DIR: join(work, 'pki'),
        // the upstreams' own addresses stay configured; the route decides how they are reached
        LAND_URL: land.url,
        LAND_API_KEY: 'land-key',
        LAND_ROUTE: 'ndxp',
        BUSINESS_REGISTRY_URL: registry.url,
        BUSINESS_REGISTRY_ROUTE: 'ndop',
        NDXP_URL: ndxp.url,
        NDXP_CLIENT_ID: 'lienthong-e2e',
        NDXP_API_KEY: NDXP_KEY,
        NDOP_URL: ndop.url,
        NDOP_CLIENT_ID: 'lienthong-e2e',
        NDOP_API_KEY: NDOP_KEY,
        UPSTREAM_RETRIES: '0',
      }),
    });
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([land?.close(), registry?.close(), ndxp?.close(), ndop?.close()]);
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin?.end();
    rmSync(work, { recursive: true, force: true });
  });

  const post = (path: string, body: Record<string, unknown>) =>
    getJson(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ ...body, purpose: 'DOSSIER_PROCESSING', dossierCode: DOSSIER }),
    });

  it('answers a land lookup through NDXP, which records the exchange under our member id and the service code', async () => {
    const [parcel] = sampleParcels(1, land.dataset);
    const answer = await post('/v1/land-parcels/lookup', {
      communeCode: parcel.communeCode,
      mapSheetNo: parcel.mapSheetNo,
      parcelNo: parcel.parcelNo,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ communeCode: parcel.communeCode, parcelNo: parcel.parcelNo });
    expect(ndxp.exchanges()).toEqual([
      expect.objectContaining({
        client: 'lienthong-e2e',
        service: 'CSDLQG_DAT_DAI',
        transactionId: expect.stringMatching(UUID),
        status: 200,
      }),
    ]);
    expect(ndop.exchanges()).toEqual([]);
  });

  it('answers an enterprise lookup through NDOP under its own transaction id', async () => {
    const [enterprise] = sampleEnterprises(1, registry.dataset);
    const answer = await post('/v1/enterprises/lookup', { enterpriseCode: enterprise.enterpriseCode });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      enterpriseCode: enterprise.enterpriseCode,
      name: enterprise.name,
    });
    expect(ndop.exchanges()).toEqual([
      expect.objectContaining({
        client: 'lienthong-e2e',
        service: 'CSDLQG_DKDN',
        transactionId: expect.stringMatching(UUID),
        status: 200,
      }),
    ]);
    // each exchange has a transaction id of its own
    const [first] = ndxp.exchanges();
    expect(first.transactionId).not.toBe(ndop.exchanges()[0].transactionId);
  });

  it('answers 503 problem+json while the platform is down, and recovers when it is back', async () => {
    const [, parcel] = sampleParcels(2, land.dataset);
    const query = {
      communeCode: parcel.communeCode,
      mapSheetNo: parcel.mapSheetNo,
      parcelNo: parcel.parcelNo,
    };
    ndxp.setDown(true);
    try {
      const refused = await post('/v1/land-parcels/lookup', query);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toMatch(/^UPSTREAM_/);
    } finally {
      ndxp.setDown(false);
    }
    const recovered = await post('/v1/land-parcels/lookup', query);
    expect(recovered.status).toBe(200);
    expect(ndxp.exchanges().at(-1)).toMatchObject({ service: 'CSDLQG_DAT_DAI', status: 200 });
  });

  it('is refused by the platform without our member credential', async () => {
    const [parcel] = sampleParcels(1, land.dataset);
    const direct = await getJson(`${ndxp.url}/CSDLQG_DAT_DAI/parcels?communeCode=${parcel.communeCode}`, {
      headers: {
        'x-ndxp-client': 'lienthong-e2e',
        'x-ndxp-key': 'wrong',
        'x-ndxp-service': 'CSDLQG_DAT_DAI',
      },
    });
    expect([direct.status, direct.body.code]).toEqual([401, 'MEMBER_NOT_AUTHENTICATED']);
  });
});

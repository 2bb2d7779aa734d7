import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createLogger } from '@lienthong/observability';
import { createDevPki, DevPkiMaterial } from '@lienthong/pki';
import { RunningSimulators, startSimulators } from './bootstrap';
import { sampleEnterprises } from './business-registry';
import { sampleParcels } from './land';
import { sampleCitizens } from './population';
import type { SimulatedUpstream } from './simulators.module';

const logger = createLogger({ name: 'simulators-spec', level: 'silent' });
const env = (overrides: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  SIMULATORS_PORT: '0',
  SIMULATOR_POPULATION_PORT: '0',
  SIMULATOR_BUSINESS_REGISTRY_PORT: '0',
  SIMULATOR_LAND_PORT: '0',
  SIMULATOR_PORTAL_PORT: '0',
  SIMULATOR_OPERATIONS_CENTER_PORT: '0',
  ...overrides,
});

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('startSimulators', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-simulators-'));
  let pki: DevPkiMaterial;
  let running: RunningSimulators;
  let mtls: Agent;

  beforeAll(async () => {
    pki = createDevPki(join(dir, 'pki'));
    running = await startSimulators({ env: env({ PKI_DIR: pki.dir }), logger });
    const gateway = pki.get('gateway');
    mtls = new Agent({ connect: { key: gateway.keyPem, cert: gateway.certPem, ca: pki.ca.certPem } });
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await mtls?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const json = async (url: string, init: Parameters<typeof request>[1] = {}) => {
    const response = await request(url, init);
    return { status: response.statusCode, body: (await response.body.json()) as any };
  };

  it('lists every simulator with its URL, protocol, contract and fault controls', async () => {
    const { status, body } = await json(`${running.url}/`);
    expect(status).toBe(200);
    const byName = Object.fromEntries(
      (body.simulators as SimulatedUpstream[]).map((simulator) => [simulator.name, simulator]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'business-registry',
      'land',
      'operations-center',
      'population',
      'public-service-portal',
    ]);
    expect(byName.population).toMatchObject({
      url: running.population.url,
      contract: 'contracts/upstream/population/',
      endpoints: { soap: running.population.serviceUrl },
      admin: { faults: `${running.population.url}/__admin/faults` },
    });
    expect(byName.population.url).toMatch(/^https:/);
    expect(byName['business-registry']).toMatchObject({
      url: running.businessRegistry.url,
      contract: 'contracts/upstream/business-registry/',
      admin: { faults: `${running.businessRegistry.url}/__admin/faults` },
    });
    expect(byName.land).toMatchObject({
      url: running.land.url,
      contract: 'contracts/upstream/land/',
      admin: { faults: `${running.land.url}/__admin/faults` },
    });
    expect(byName['public-service-portal']).toMatchObject({
      url: running.portal.url,
      contract: 'contracts/upstream/public-service-portal/',
      admin: { faults: `${running.portal.url}/__admin/faults` },
    });
    expect(byName['operations-center']).toMatchObject({
      url: running.operationsCenter.url,
      contract: 'contracts/upstream/operations-center/',
      admin: { faults: `${running.operationsCenter.url}/__admin/faults` },
    });
    for (const simulator of Object.values(byName)) expect(simulator.protocol).not.toBe('');
  });

  it('serves the same list as a page to a browser', async () => {
    const response = await request(`${running.url}/`, { headers: { accept: 'text/html,*/*;q=0.8' } });
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const page = await response.body.text();
    for (const url of [
      running.population.url,
      running.businessRegistry.url,
      running.land.url,
      running.portal.url,
      running.operationsCenter.url,
    ]) {
      expect(page).toContain(url);
    }
  });

  it('answers on each simulator with the default datasets', async () => {
    const [citizen] = sampleCitizens(1);
    expect(running.population.dataset.findByPersonalId(citizen.personalId)?.fullName).toBe(citizen.fullName);

    const health = await json(`${running.population.url}/health`, { dispatcher: mtls });
    expect(health).toEqual({ status: 200, body: { status: 'ok', size: 300_000 } });

    const token = await json(`${running.businessRegistry.url}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('lienthong-gateway:lienthong-dev-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const [enterprise] = sampleEnterprises(1);
    const found = await json(
      `${running.businessRegistry.url}/api/v1/doanh-nghiep/${enterprise.enterpriseCode}`,
      {
        headers: { authorization: `Bearer ${token.body.access_token}` },
      },
    );
    expect(found.status).toBe(200);
    expect(found.body.tenDoanhNghiep).toBe(enterprise.name);

    const [parcel] = sampleParcels(1);
    const query = new URLSearchParams({
      maXa: parcel.communeCode,
      soToBanDo: parcel.mapSheetNo,
      soThuaDat: parcel.parcelNo,
    });
    const xml = await request(`${running.land.url}/api/thua-dat?${query}`);
    expect(xml.statusCode).toBe(200);
    expect(await xml.body.text()).toContain(`<MaXa>${parcel.communeCode}</MaXa>`);
  });

  it('refuses a population caller without a client certificate', async () => {
    const anonymous = new Agent({ connect: { ca: pki.ca.certPem } });
    try {
      await expect(request(`${running.population.url}/health`, { dispatcher: anonymous })).rejects.toThrow();
    } finally {
      await anonymous.close();
    }
  });

  it('reports readiness with the faults injected in each simulator', async () => {
    await json(running.land.url + '/__admin/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1 }),
    });
    try {
      const { status, body } = await json(`${running.url}/health/ready`);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      expect(Object.keys(body.simulators).sort()).toEqual([
        'business-registry',
        'land',
        'operations-center',
        'population',
        'public-service-portal',
      ]);
      for (const simulator of Object.values(body.simulators) as { status: string }[]) {
        expect(simulator.status).toBe('up');
      }
      expect(body.simulators.land.faults.errorRate).toBe(1);
      expect(body.simulators['business-registry'].faults.errorRate).toBeNull();
    } finally {
      running.land.faults.clear();
    }
  });

  it('fails with the command to run when the PKI directory does not exist', async () => {
    const missing = join(dir, 'no-pki');
    const outcome = await startSimulators({ env: env({ PKI_DIR: missing }), logger }).catch(
      (error: Error) => error,
    );
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toContain(`run \`lienthong pki init --dir ${missing}\``);
  });

  it('answers 503 on readiness when a simulator no longer accepts connections', async () => {
    const other = await startSimulators({ env: env({ PKI_DIR: pki.dir }), logger });
    try {
      await other.land.close();
      const { status, body } = await json(`${other.url}/health/ready`);
      expect(status).toBe(503);
      expect(body.simulators.land.status).toBe('down');
      expect(body.simulators.population.status).toBe('up');
    } finally {
      await other.close();
    }
  });

  it('stops every simulator and the index on close', async () => {
    const other = await startSimulators({ env: env({ PKI_DIR: pki.dir }), logger });
    const urls = [
      other.url,
      other.population.url,
      other.businessRegistry.url,
      other.land.url,
      other.portal.url,
      other.operationsCenter.url,
    ];
    for (const url of urls) expect(await refusesConnections(url)).toBe(false);
    await other.close();
    for (const url of urls) expect(await refusesConnections(url)).toBe(true);
  });
});

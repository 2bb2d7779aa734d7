import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { repoRoot } from '@lienthong/config';
import { sampleBranches, sampleEnterprises } from './business-registry.samples';
import {
  BUSINESS_REGISTRY_DEFAULTS,
  RunningBusinessRegistrySimulator,
  startBusinessRegistrySimulator,
} from './business-registry.simulator';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('business registry simulator over HTTP', () => {
  let sim: RunningBusinessRegistrySimulator;
  let token: string;

  async function fetchToken(authorization = basic('gw', 's3cret'), body = 'grant_type=client_credentials') {
    return fetch(`${sim.url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  }

  function get(path: string, bearer = token) {
    return fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  }

  beforeAll(async () => {
    sim = await startBusinessRegistrySimulator({ seed: 11, clientId: 'gw', clientSecret: 's3cret' });
    const response = await fetchToken();
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(() => sim.close());
  afterEach(() => sim.faults.clear());

  it('issues bearer tokens to an authenticated client (client-credentials grant)', async () => {
    const response = await fetchToken();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: BUSINESS_REGISTRY_DEFAULTS.tokenTtlSeconds,
    });
    expect(typeof body.access_token).toBe('string');
  });

  it('refuses a wrong client secret with invalid_client and an unsupported grant type', async () => {
    const wrong = await fetchToken(basic('gw', 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });

    const grant = await fetchToken(undefined, 'grant_type=password');
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('answers an enterprise by its 10-digit code with Vietnamese field names', async () => {
    const [sample] = sampleEnterprises(1, sim.dataset);
    const response = await get(`/api/v1/doanh-nghiep/${sample.enterpriseCode}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      maSoDoanhNghiep: sample.enterpriseCode,
      tenDoanhNghiep: sample.name,
      tinhTrang: { ma: 'DANG_HOAT_DONG', ten: 'Đang hoạt động' },
    });
    expect(body.diaChiTruSo).toHaveProperty('maXa');
    expect(body.nguoiDaiDienTheoPhapLuat).toEqual(
      expect.arrayContaining([expect.objectContaining({ hoTen: expect.any(String) })]),
    );
  });

  it('answers a dependent unit by its 13-character code, naming its parent', async () => {
    const [branch] = sampleBranches(1, sim.dataset);
    const response = await get(`/api/v1/don-vi-phu-thuoc/${branch.code}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      maSoDonVi: branch.code,
      maSoDoanhNghiepMe: branch.parentCode,
    });
  });

  it('answers 400 for malformed codes and 404 for codes it does not hold', async () => {
    const malformed = await get('/api/v1/doanh-nghiep/01002334');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ maLoi: 'MA_SO_KHONG_HOP_LE' });
    const unitOnEnterprisePath = await get('/api/v1/doanh-nghiep/0100233488-001');
    expect(unitOnEnterprisePath.status).toBe(400);
    const zeroSuffix = await get('/api/v1/don-vi-phu-thuoc/0100233488-000');
    expect(zeroSuffix.status).toBe(400);
    const unknown = await get('/api/v1/doanh-nghiep/0100233488');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ maLoi: 'KHONG_TIM_THAY', maYeuCau: expect.any(String) });
  });

  it('rejects missing, unknown and expired tokens with 401 and WWW-Authenticate', async () => {
    const missing = await fetch(`${sim.url}/api/v1/doanh-nghiep/0100233488`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="csdlqg-dkdn"');

    const unknown = await get('/api/v1/doanh-nghiep/0100233488', 'not-a-token');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const fresh = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
    sim.tokens.expireAll();
    const expired = await get('/api/v1/doanh-nghiep/0100233488', fresh);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    token = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const echoed = await fetch(`${sim.url}/api/v1/doanh-nghiep/0100233488`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-42' },
    });
    expect(echoed.headers.get('x-request-id')).toBe('req-42');
    expect(await echoed.json()).toMatchObject({ maYeuCau: 'req-42' });
    const replaced = await fetch(`${sim.url}/api/v1/doanh-nghiep/0100233488`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': '<script>' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^dkdn-/);
  });

  it('lets tests shorten the token lifetime', async () => {
    sim.tokens.ttlSeconds = 0.05;
    try {
      const short = ((await (await fetchToken()).json()) as { access_token: string }).access_token;
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await get('/api/v1/doanh-nghiep/0100233488', short)).status).toBe(401);
    } finally {
      sim.tokens.ttlSeconds = BUSINESS_REGISTRY_DEFAULTS.tokenTtlSeconds;
    }
  });

  it('answers bodies that match the published OpenAPI contract', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const file = join(repoRoot(), 'contracts/upstream/business-registry/openapi.yaml');
    ajv.addSchema(load(readFileSync(file, 'utf8')) as object, 'openapi');
    const schema = (name: string) => {
      const validate = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
      return (body: unknown) => {
        expect(validate(body) ? [] : validate.errors).toEqual([]);
      };
    };
    const enterprise = schema('DoanhNghiep');
    for (const sample of sampleEnterprises(40, sim.dataset)) {
      enterprise(await (await get(`/api/v1/doanh-nghiep/${sample.enterpriseCode}`)).json());
    }
    const unit = schema('DonViPhuThuoc');
    for (const sample of sampleBranches(20, sim.dataset)) {
      unit(await (await get(`/api/v1/don-vi-phu-thuoc/${sample.code}`)).json());
    }
    schema('TokenResponse')(await (await fetchToken()).json());
    schema('OAuthError')(await (await fetchToken(basic('gw', 'x'))).json());
    schema('Loi')(await (await get('/api/v1/doanh-nghiep/0100233488')).json());
    schema('Loi')(await (await get('/api/v1/doanh-nghiep/x')).json());
  });

  describe('fault controls', () => {
    const [sample] = sampleEnterprises(1, { seed: 11 });
    const path = `/api/v1/doanh-nghiep/${sample.enterpriseCode}`;

    it('answers 500 in its own error format at the configured error rate', async () => {
      sim.faults.set({ errorRate: 1 });
      const response = await get(path);
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ maLoi: 'LOI_HE_THONG' });
    });

    it('cuts bodies short so they do not parse', async () => {
      sim.faults.set({ malformedRate: 1 });
      const response = await get(path);
      expect(response.status).toBe(200);
      await expect(response.json()).rejects.toThrow();
    });

    it('destroys connections during an outage', async () => {
      sim.faults.set({ down: true });
      await expect(get(path)).rejects.toThrow();
    });

    it('adds latency and drips the body slowly', async () => {
      sim.faults.set({ latencyMs: { min: 60, max: 80 } });
      let started = performance.now();
      expect((await get(path)).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);

      sim.faults.set({ latencyMs: null, slowDrip: { chunkBytes: 200, intervalMs: 20 } });
      started = performance.now();
      const response = await get(path);
      expect(response.headers.get('transfer-encoding')).toBe('chunked');
      const body = (await response.json()) as { maSoDoanhNghiep: string };
      expect(body.maSoDoanhNghiep).toBe(sample.enterpriseCode);
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
    });

    it('limits faults to the given paths, e.g. the token endpoint only', async () => {
      sim.faults.set({ errorRate: 1, paths: ['/oauth2/token'] });
      expect((await fetchToken()).status).toBe(500);
      expect((await get(path)).status).toBe(200);
    });

    it('is driven over HTTP at /__admin/faults and never affects the admin routes', async () => {
      const set = await fetch(`${sim.url}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ down: true, latencyMs: 5 }),
      });
      expect(set.status).toBe(200);
      expect(await set.json()).toMatchObject({ down: true, latencyMs: 5 });
      const shown = await fetch(`${sim.url}/__admin/faults`);
      expect(await shown.json()).toMatchObject({ down: true });
      const bad = await fetch(`${sim.url}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRate: 2 }),
      });
      expect(bad.status).toBe(400);
      expect((await fetch(`${sim.url}/__admin/faults`, { method: 'DELETE' })).status).toBe(204);
      expect(sim.faults.state().down).toBe(false);
      expect((await get(path)).status).toBe(200);
    });
  });
});

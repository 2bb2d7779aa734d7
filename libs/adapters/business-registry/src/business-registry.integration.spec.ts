import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@lienthong/contracts';
import {
  RunningBusinessRegistrySimulator,
  sampleBranches,
  sampleEnterprises,
  sampleLegacyEnterprises,
  startBusinessRegistrySimulator,
} from '@lienthong/simulators';
import { BusinessRegistryClient } from './business-registry.client';

/**
 * The client against the business registry simulator over real HTTP. With LGSP_CAPTURE_FIXTURES=1 the
 * wire samples under test-fixtures/ are (re)recorded from the simulator; otherwise they are checked to be
 * what the simulator still answers, so the unit specs replay the current dialect.
 */

const FIXTURE_SEED = 2026;
const FIXTURES = join(__dirname, '..', 'test-fixtures');
const capture = process.env.LGSP_CAPTURE_FIXTURES === '1';
const ctx = { requestId: 'it-business-registry' };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BusinessRegistryClient against the simulator', () => {
  let sim: RunningBusinessRegistrySimulator;
  let client: BusinessRegistryClient;

  const newClient = (overrides: Partial<ConstructorParameters<typeof BusinessRegistryClient>[0]> = {}) =>
    new BusinessRegistryClient({
      baseUrl: sim.url,
      clientId: 'gateway',
      clientSecret: 'secret',
      resilience: { timeoutMs: 1000, retries: 1, retryInitialDelayMs: 10, retryMaxDelayMs: 20 },
      ...overrides,
    });

  beforeAll(async () => {
    sim = await startBusinessRegistrySimulator({
      seed: FIXTURE_SEED,
      clientId: 'gateway',
      clientSecret: 'secret',
    });
    client = newClient();
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });
  afterEach(() => sim.faults.clear());

  it('looks up an enterprise by its 10-digit code into a canonical record', async () => {
    const [sample] = sampleEnterprises(1, sim.dataset);
    const enterprise = await client.lookupEnterprise(sample.enterpriseCode, ctx);
    expect(validate('enterprise', enterprise).ok).toBe(true);
    expect(enterprise).toMatchObject({
      enterpriseCode: sample.enterpriseCode,
      kind: 'ENTERPRISE',
      name: sample.name,
      status: 'ACTIVE',
      checkDigitWarning: false,
      provenance: { source: 'CSDLQG_DKDN' },
    });
  });

  it('looks up a dependent unit by its 13-character code', async () => {
    const [branch] = sampleBranches(1, sim.dataset);
    const unit = await client.lookupEnterprise(branch.code, ctx);
    expect(validate('enterprise', unit).ok).toBe(true);
    expect(unit).toMatchObject({ enterpriseCode: branch.code, parentEnterpriseCode: branch.parentCode });
    expect(['BRANCH', 'REPRESENTATIVE_OFFICE']).toContain(unit.kind);
  });

  it('looks up a code that fails the check digit and flags it instead of refusing it', async () => {
    const [legacy] = sampleLegacyEnterprises(1, sim.dataset);
    const enterprise = await client.lookupEnterprise(legacy.enterpriseCode, ctx);
    expect(enterprise.checkDigitWarning).toBe(true);
  });

  it('reports an unknown code as not found', async () => {
    await expect(client.lookupEnterprise('0100233488', ctx)).rejects.toMatchObject({
      code: 'ENTERPRISE_NOT_FOUND',
    });
  });

  it('renews the access token after it was forced to expire and repeats the call', async () => {
    const [sample] = sampleEnterprises(2, sim.dataset);
    await client.lookupEnterprise(sample.enterpriseCode, ctx);
    const before = client.tokenFetches;
    sim.tokens.expireAll();
    const enterprise = await client.lookupEnterprise(sample.enterpriseCode, ctx);
    expect(enterprise.enterpriseCode).toBe(sample.enterpriseCode);
    expect(client.tokenFetches).toBe(before + 1);
  });

  it('renews a short-lived token before it expires instead of waiting for a 401', async () => {
    sim.tokens.ttlSeconds = 1;
    const shortLived = newClient();
    try {
      const [sample] = sampleEnterprises(1, sim.dataset);
      await shortLived.lookupEnterprise(sample.enterpriseCode, ctx);
      await shortLived.lookupEnterprise(sample.enterpriseCode, ctx);
      expect(shortLived.tokenFetches).toBe(1);
      await wait(950);
      await shortLived.lookupEnterprise(sample.enterpriseCode, ctx);
      expect(shortLived.tokenFetches).toBe(2);
    } finally {
      sim.tokens.ttlSeconds = 3600;
      await shortLived.close();
    }
  });

  it('refuses wrong client credentials with an auth error', async () => {
    const wrong = newClient({ clientSecret: 'wrong' });
    try {
      const [sample] = sampleEnterprises(1, sim.dataset);
      await expect(wrong.lookupEnterprise(sample.enterpriseCode, ctx)).rejects.toMatchObject({
        code: 'BUSINESS_REGISTRY_AUTH_FAILED',
      });
    } finally {
      await wrong.close();
    }
  });

  it('opens the circuit during an outage, fails fast, and closes it once the upstream is back', async () => {
    const guarded = newClient({
      resilience: {
        timeoutMs: 500,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 3 },
        halfOpenAfterMs: 300,
      },
    });
    try {
      const [sample] = sampleEnterprises(1, sim.dataset);
      await guarded.lookupEnterprise(sample.enterpriseCode, ctx);
      sim.faults.set({ down: true });
      for (let i = 0; i < 3; i++) {
        await expect(guarded.lookupEnterprise(sample.enterpriseCode, ctx)).rejects.toMatchObject({
          code: 'BUSINESS_REGISTRY_UNAVAILABLE',
          details: { reason: 'NETWORK' },
        });
      }
      expect(guarded.health().circuit).toBe('open');

      const started = performance.now();
      const refused = guarded.lookupEnterprise(sample.enterpriseCode, ctx);
      await expect(refused).rejects.toMatchObject({ code: 'BUSINESS_REGISTRY_UNAVAILABLE' });
      await expect(refused).rejects.toMatchObject({ details: { reason: 'CIRCUIT_OPEN' } });
      expect(performance.now() - started).toBeLessThan(50);

      sim.faults.set({ down: false });
      await wait(350);
      const enterprise = await guarded.lookupEnterprise(sample.enterpriseCode, ctx);
      expect(enterprise.enterpriseCode).toBe(sample.enterpriseCode);
      expect(guarded.health()).toMatchObject({ circuit: 'closed', adapter: 'business-registry' });
      expect(guarded.health().errorRate).toBeGreaterThan(0);
    } finally {
      await guarded.close();
    }
  });

  describe('wire samples in test-fixtures/', () => {
    const token = async (authorization: string, body = 'grant_type=client_credentials') =>
      fetch(`${sim.url}/oauth2/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const basic = (secret: string) => `Basic ${Buffer.from(`gateway:${secret}`).toString('base64')}`;
    /** Values that change from one answer to the next are replaced by fixed ones. */
    const normalise = (text: string) =>
      text
        .replace(/"access_token":"[^"]+"/, '"access_token":"fixture-access-token"')
        .replace(/"maYeuCau":"[^"]+"/, '"maYeuCau":"dkdn-fixture"');

    async function samples(): Promise<Record<string, string>> {
      const bearer = ((await (await token(basic('secret'))).json()) as { access_token: string }).access_token;
      const get = (path: string, auth = `Bearer ${bearer}`) =>
        fetch(`${sim.url}${path}`, { headers: { authorization: auth } });
      const enterprises = sampleEnterprises(40, sim.dataset).map((s) =>
        sim.dataset.findEnterprise(s.enterpriseCode)!,
      );
      const rich = enterprises.find(
        (e) =>
          e.tenTiengNuocNgoai &&
          e.tenVietTat &&
          e.vonDieuLe &&
          e.diaChiTruSo.maXaCu &&
          e.donViPhuThuoc.length > 0,
      )!;
      const [branch] = sampleBranches(1, sim.dataset);
      const [legacy] = sampleLegacyEnterprises(1, sim.dataset);
      const out: Record<string, string> = {
        'token.ok.json': await (await token(basic('secret'))).text(),
        'token.invalid-client.json': await (await token(basic('wrong'))).text(),
        'enterprise.ok.json': await (await get(`/api/v1/doanh-nghiep/${rich.maSoDoanhNghiep}`)).text(),
        'enterprise.legacy-code.json': await (
          await get(`/api/v1/doanh-nghiep/${legacy.enterpriseCode}`)
        ).text(),
        'dependent-unit.ok.json': await (await get(`/api/v1/don-vi-phu-thuoc/${branch.code}`)).text(),
        'not-found.json': await (await get('/api/v1/doanh-nghiep/0100233488')).text(),
        'invalid-code.json': await (await get('/api/v1/doanh-nghiep/01002334')).text(),
        'invalid-token.json': await (await get('/api/v1/doanh-nghiep/0100233488', 'Bearer expired')).text(),
      };
      sim.faults.set({ errorRate: 1 });
      out['system-error.json'] = await (await get(`/api/v1/doanh-nghiep/${rich.maSoDoanhNghiep}`)).text();
      sim.faults.set({ errorRate: null, malformedRate: 1 });
      out['truncated.json.txt'] = await (await get(`/api/v1/doanh-nghiep/${rich.maSoDoanhNghiep}`)).text();
      sim.faults.clear();
      for (const [name, text] of Object.entries(out)) {
        out[name] = name.endsWith('.json')
          ? `${JSON.stringify(JSON.parse(normalise(text)), null, 2)}\n`
          : text;
      }
      return out;
    }

    it(
      capture ? 'records the samples from the simulator' : 'are what the simulator answers today',
      async () => {
        const current = await samples();
        if (capture) {
          mkdirSync(FIXTURES, { recursive: true });
          for (const [name, text] of Object.entries(current)) writeFileSync(join(FIXTURES, name), text);
          return;
        }
        for (const [name, text] of Object.entries(current)) {
          const file = join(FIXTURES, name);
          expect(existsSync(file)).toBe(true);
          if (name.endsWith('.json'))
            expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
          else expect(text).toBe(readFileSync(file, 'utf8'));
        }
      },
    );
  });
});

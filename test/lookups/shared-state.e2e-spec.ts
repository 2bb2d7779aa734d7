/**
 * Two gateway instances sharing one Redis (REDIS_URL, a key prefix of this run's own): a client's rate
 * limit holds across both, and a lookup one instance answered from the population database is a cache hit
 * on the other, which does not ask the database again. Each instance has its own database schema, so
 * nothing but Redis is shared between them. Instance B reaches Redis through a TCP proxy the last test cuts:
 * B keeps answering on its own state, shows it in readiness, and shares again once Redis is back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { initTopics } from '../../libs/messaging/src';
import { createLogger } from '../../libs/observability/src';
import { createDevPki } from '../../libs/pki/src';
import { generateApiKey, hashApiKey } from '../../libs/security/src';
import {
  deleteKeysUnder,
  keysUnder,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from '../../libs/shared-state/src/testing/redis-fixtures';
import {
  PopulationRecord,
  PopulationSimulator,
  startPopulationSimulator,
} from '../../apps/simulators/src/population';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { getJson, testEnv, waitFor } from '../support/http';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const silent = createLogger({ name: 'shared-state-e2e', level: 'silent' });
const LIMITED_BURST = 4;
const KEYS = { limited: generateApiKey(), broad: generateApiKey(), operator: generateApiKey() };

function clientsDocument() {
  const lookup = { 'citizen.lookup': { purposes: ['EFORM_PREFILL'], fields: '*' } };
  return {
    version: 1,
    purposes: {
      EFORM_PREFILL: {
        description: { vi: 'Điền sẵn tờ khai', en: 'Pre-filling a form' },
        legalBasis: 'Nghị định 45/2020/NĐ-CP',
      },
    },
    clients: [
      {
        id: 'e2e-limited',
        name: 'Một cửa huyện (e2e)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.limited) }],
        // One token a minute: nothing refills while the test runs.
        rateLimit: { requestsPerMinute: 1, burst: LIMITED_BURST },
        services: lookup,
      },
      {
        id: 'e2e-broad',
        name: 'Một cửa tỉnh (e2e)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        apiKeys: [{ id: 'k1', sha256: hashApiKey(KEYS.broad) }],
        rateLimit: { requestsPerMinute: 6000, burst: 500 },
        services: lookup,
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

describe('two gateway instances sharing Redis', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-shared-state-'));
  const keyPrefix = uniqueKeyPrefix('gateway-e2e');
  const schemas = ['a', 'b'].map((name) => `shared_state_e2e_${name}_${process.pid}_${Date.now()}`);
  let admin: Client;
  let population: PopulationSimulator;
  let citizens: PopulationRecord[];
  let instanceA: RunningGateway;
  let instanceB: RunningGateway;
  let redisProxy: TcpProxy;

  const lookup = (gateway: RunningGateway, key: string, personalId: string) =>
    getJson(`${gateway.url}/v1/citizens/lookup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ personalId, purpose: 'EFORM_PREFILL' }),
    });

  beforeAll(async () => {
    createDevPki(join(work, 'pki'), { agencies: [] });
    population = await startPopulationSimulator({ pkiDir: join(work, 'pki'), size: 500, logger: silent });
    citizens = population.dataset.sample(LIMITED_BURST + 3);

    admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await initTopics({
      brokers: [process.env.KAFKA_BROKERS as string],
      partitions: 3,
      replicationFactor: 1,
      proceduresFile: 'deploy/config/procedures.yaml',
    });
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument()));

    const redisUrl = new URL(TEST_REDIS_URL);
    redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const proxiedUrl = new URL(TEST_REDIS_URL);
    proxiedUrl.hostname = '127.0.0.1';
    proxiedUrl.port = String(redisProxy.port);

    const start = async (schema: string, redis: string) => {
      await admin.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(process.env.TEST_DATABASE_URL as string);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return startGateway({
        env: testEnv({
          DATABASE_URL: url.toString(),
          CLIENTS_FILE: clientsFile,
          PKI_DIR: join(work, 'pki'),
          POPULATION_URL: population.serviceUrl,
          REDIS_URL: redis,
          REDIS_KEY_PREFIX: keyPrefix,
          LOOKUP_CACHE_KEY: `hex:${'3c'.repeat(32)}`,
          AUDIT_FLUSH_INTERVAL_MS: '10',
        }),
      });
    };
    // One after the other: each migrates its own schema.
    instanceA = await start(schemas[0], TEST_REDIS_URL);
    instanceB = await start(schemas[1], proxiedUrl.toString());
  }, 120_000);

  afterAll(async () => {
    await Promise.all([instanceA?.close(), instanceB?.close()]);
    await Promise.all([population?.close(), redisProxy?.close()]);
    for (const schema of schemas) {
      await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    }
    await admin?.end();
    await deleteKeysUnder(keyPrefix);
    rmSync(work, { recursive: true, force: true });
  });

  it('reports the shared state in readiness on both instances', async () => {
    for (const gateway of [instanceA, instanceB]) {
      const ready = await getJson(`${gateway.url}/health/ready`, {
        headers: { authorization: `Bearer ${KEYS.operator}` },
      });
      expect(ready.status).toBe(200);
      expect(ready.body.details.sharedState).toMatchObject({ status: 'up', store: 'redis', state: 'ok' });
    }
  });

  it("holds a client's burst across both instances, then refuses on either with 429 and Retry-After", async () => {
    const passed = [];
    for (let i = 0; i < LIMITED_BURST; i++) {
      const answer = await lookup(i % 2 === 0 ? instanceA : instanceB, KEYS.limited, citizens[i].personalId);
      passed.push(answer.status);
    }
    expect(passed).toEqual(Array(LIMITED_BURST).fill(200));

    for (const gateway of [instanceA, instanceB]) {
      const refused = await lookup(gateway, KEYS.limited, citizens[0].personalId);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Another client is not held back by it.
    expect((await lookup(instanceB, KEYS.broad, citizens[0].personalId)).status).toBe(200);
  });

  it('answers a lookup cached by one instance from the cache on the other, without asking the upstream', async () => {
    const citizen = citizens[LIMITED_BURST + 1];
    const asked = population.stats().requests;

    const first = await lookup(instanceA, KEYS.broad, citizen.personalId);
    expect(first.status).toBe(200);
    expect(first.body.provenance).toMatchObject({ cache: 'MISS', stale: false });
    expect(population.stats().requests).toBe(asked + 1);

    const second = await lookup(instanceB, KEYS.broad, citizen.personalId);
    expect(second.status).toBe(200);
    expect(second.body.provenance).toMatchObject({
      cache: 'HIT',
      stale: false,
      retrievedAt: first.body.provenance.retrievedAt,
    });
    expect(second.body.data).toEqual(first.body.data);
    expect(population.stats().requests).toBe(asked + 1);

    // Redis holds the answer under a keyed hash, never the personal ID.
    const keys = await keysUnder(keyPrefix);
    expect(keys.some((key) => key.startsWith(`${keyPrefix}lookup:`))).toBe(true);
    for (const key of keys) expect(key).not.toContain(citizen.personalId);
  });

  it('keeps answering on its own state while Redis is unreachable, and shares again once it is back', async () => {
    const sharedState = async (gateway: RunningGateway) =>
      (
        await getJson(`${gateway.url}/health/ready`, {
          headers: { authorization: `Bearer ${KEYS.operator}` },
        })
      ).body.details?.sharedState;
    const cachedByA = citizens[LIMITED_BURST + 1];
    const fresh = citizens[LIMITED_BURST + 2];
    redisProxy.cut();
    const degraded = await waitFor(
      async () => ((await sharedState(instanceB))?.state === 'degraded' ? sharedState(instanceB) : undefined),
      10_000,
      'instance B to report its shared state degraded',
    );
    expect(degraded).toMatchObject({ status: 'up', store: 'redis', state: 'degraded' });

    // Lookups go to the upstream rather than fail.
    const asked = population.stats().requests;
    const answer = await lookup(instanceB, KEYS.broad, fresh.personalId);
    expect(answer.status).toBe(200);
    expect(answer.body.provenance).toMatchObject({ cache: 'MISS' });
    expect(population.stats().requests).toBe(asked + 1);

    // The limited client, out of tokens in Redis, gets B's own bucket: its burst, then 429.
    const statuses = [];
    for (let i = 0; i <= LIMITED_BURST; i++) {
      statuses.push((await lookup(instanceB, KEYS.limited, citizens[i].personalId)).status);
    }
    expect(statuses).toEqual([...Array(LIMITED_BURST).fill(200), 429]);

    redisProxy.restore();
    await waitFor(
      async () => (await sharedState(instanceB))?.state === 'ok',
      15_000,
      'instance B to report its shared state ok again',
    );
    const shared = await lookup(instanceB, KEYS.broad, cachedByA.personalId);
    expect(shared.status).toBe(200);
    expect(shared.body.provenance).toMatchObject({ cache: 'HIT' });
  });
});

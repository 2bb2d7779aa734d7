/**
 * The gateway's operations surface against a real broker and database: readiness follows the broker
 * (503 naming Kafka while it is down, 200 again once it is back), metrics expose Kafka and database
 * figures, and errors are problem+json carrying the request id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LocalKafka } from '../../deploy/local/kafka/local-kafka';
import { RunningGateway, startGateway } from '../../apps/gateway/src/bootstrap';
import { generateApiKey } from '../../libs/security/src';
import { getJson, testEnv, waitFor } from '../support/http';

/** The demo client holds the OPERATOR role the operations routes need. */
const OPERATOR_KEY = generateApiKey();
const operator = { headers: { authorization: `Bearer ${OPERATOR_KEY}` } };
import { createIsolatedDatabase, IsolatedDatabase } from '../support/database';

describe('gateway readiness follows its dependencies', () => {
  let kafka: LocalKafka;
  let gateway: RunningGateway;
  let database: IsolatedDatabase;

  beforeAll(async () => {
    // A broker of its own: this suite stops it, which must not disturb the other suites.
    kafka = new LocalKafka({
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: mkdtempSync(join(tmpdir(), 'lienthong-test-kafka-')),
      heapMb: 384,
    });
    await kafka.start();
    // and a database of its own, so its gateway drains no other suite's outbox to this broker
    database = await createIsolatedDatabase('readiness');
    gateway = await startGateway({
      env: testEnv({
        KAFKA_BROKERS: kafka.brokers,
        DATABASE_URL: database.url,
        LGSP_DEMO_API_KEY: OPERATOR_KEY,
      }),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await kafka?.stop();
    rmSync(kafka.dataDir, { recursive: true, force: true });
    await database?.drop().catch(() => undefined);
  });

  it('is ready with Kafka and the database up, and names Kafka when the broker stops, then recovers', async () => {
    const ready = await waitFor(
      async () => {
        const r = await getJson(`${gateway.url}/health/ready`, operator);
        return r.status === 200 ? r : undefined;
      },
      30_000,
      'readiness',
    );
    expect(ready.body.info.kafka.status).toBe('up');
    expect(ready.body.info.database.status).toBe('up');

    await kafka.stop();
    const down = await waitFor(
      async () => {
        const r = await getJson(`${gateway.url}/health/ready`, operator);
        return r.status === 503 ? r : undefined;
      },
      30_000,
      'readiness to report the broker down',
    );
    expect(down.body.status).toBe('error');
    expect(down.body.error.kafka.status).toBe('down');
    expect(down.body.info.database.status).toBe('up');

    const live = await getJson(`${gateway.url}/health/live`);
    expect(live.status).toBe(200);

    await kafka.start();
    const back = await waitFor(
      async () => {
        const r = await getJson(`${gateway.url}/health/ready`, operator);
        return r.status === 200 ? r : undefined;
      },
      60_000,
      'readiness after the broker returned',
    );
    expect(back.body.info.kafka.status).toBe('up');
  });

  it('exposes Kafka, database, HTTP and process metrics', async () => {
    await getJson(`${gateway.url}/health/ready`, operator);
    const { status, body } = await getJson(`${gateway.url}/metrics`, operator);
    expect(status).toBe(200);
    for (const name of [
      'lgsp_kafka_up',
      'lgsp_db_up',
      'lgsp_db_query_duration_seconds_bucket',
      'lgsp_http_request_duration_seconds_bucket',
      'process_resident_memory_bytes',
    ]) {
      expect(body).toContain(name);
    }
    expect(body).toMatch(/lgsp_db_up\{[^}]*\} 1/);
  });

  it('answers unknown routes with problem+json carrying the caller request id', async () => {
    const response = await fetch(`${gateway.url}/v1/nowhere`, { headers: { 'x-request-id': 'req-test-42' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('x-request-id')).toBe('req-test-42');
    const problem = await response.json();
    expect(problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      requestId: 'req-test-42',
      instance: '/v1/nowhere',
    });
    expect(JSON.stringify(problem)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('replaces a malformed request id with a generated one', async () => {
    const response = await fetch(`${gateway.url}/health/live`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document', async () => {
    const { status, body } = await getJson(`${gateway.url}/docs/json`, operator);
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const page = await fetch(`${gateway.url}/docs`, operator);
    expect(page.headers.get('content-type')).toContain('text/html');
    // no inline script: the page loads its starter, which points at the document
    expect(await page.text()).toContain('/docs/assets/init.js');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const init = await fetch(`${gateway.url}/docs/assets/init.js`, operator);
    expect(await init.text()).toContain('/docs/json');
    const script = await fetch(`${gateway.url}/docs/assets/swagger-ui-bundle.js`, operator);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${gateway.url}/docs/assets/..%2fpackage.json`, operator)).status).toBe(404);
  });
});

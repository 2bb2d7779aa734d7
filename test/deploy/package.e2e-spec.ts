/**
 * `npm run package` as an operator deploys it: the bundle alone (its own node_modules, production
 * dependencies only), started with NODE_ENV=production against the suite's Kafka broker and a PostgreSQL
 * database of its own, with real key material in files and a client registered by API key. It must pass
 * the production checks, serve a land-parcel lookup from the land simulator and audit it.
 *
 * One broker: the suite's global broker (test/setup). deploy/local/kafka has no multi-broker mode yet.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { Client } from 'pg';
import { sampleParcels, startLandSimulator, type RunningLandSimulator } from '../../apps/simulators/src/land';
import { freePort } from '../../deploy/local/kafka/local-kafka';
import { createLogger } from '../../libs/observability/src';
import { generateApiKey, hashApiKey } from '../../libs/security/src';
import { createIsolatedDatabase, type IsolatedDatabase } from '../support/database';
import { getJson, waitFor } from '../support/http';

const root = join(__dirname, '..', '..');
const bundle = join(root, 'var', 'package', 'lienthong');
const DOSSIER = '000.17.22.H56-261031-0007';

describe('the production bundle (npm run package)', () => {
  const work = mkdtempSync(join(tmpdir(), 'lienthong-test-package-'));
  const apiKey = generateApiKey();
  let land: RunningLandSimulator;
  let database: IsolatedDatabase;
  let gateway: ChildProcess | undefined;
  let output = '';
  let env: NodeJS.ProcessEnv;
  let url: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--quiet'], { stdio: 'pipe' });
    const landKey = randomBytes(24).toString('base64url');
    land = await startLandSimulator({
      size: 200,
      enterpriseCount: 200,
      apiKey: landKey,
      logger: createLogger({ name: 'land', level: 'silent' }),
    });
    database = await createIsolatedDatabase('package');
    const signingKey = join(work, 'audit-signing.key');
    writeFileSync(
      signingKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
      { mode: 0o600 },
    );
    const clientsFile = join(work, 'clients.yaml');
    writeFileSync(clientsFile, dump(clientsDocument(apiKey)));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Only what a deployment sets: no variable of the development defaults leaks in from this process.
    env = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: database.url,
      CLIENTS_FILE: clientsFile,
      AUDIT_SUBJECT_KEY: `base64:${randomBytes(48).toString('base64')}`,
      AUDIT_SIGNING_KEY_PATH: signingKey,
      LAND_URL: land.url,
      LAND_API_KEY: landKey,
      UPSTREAM_HTTP_ALLOWLIST: new URL(land.url).host,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
    // the bundle's own CLI creates the topics, as an operator does before the first start
    execFileSync(
      process.execPath,
      [join(bundle, 'bin', 'lienthong.js'), 'topics', 'init', '--operator', 'ci'],
      {
        cwd: bundle,
        env,
        stdio: 'pipe',
      },
    );
  }, 240_000);

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      gateway.kill('SIGTERM');
      await new Promise((resolve) => gateway!.once('exit', resolve));
    }
    await land?.close();
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the compiled apps and the production dependencies only', () => {
    const manifest = JSON.parse(readFileSync(join(bundle, 'package.json'), 'utf8'));
    expect(manifest.devDependencies).toBeUndefined();
    for (const dependency of Object.keys(manifest.dependencies)) {
      expect(existsSync(join(bundle, 'node_modules', dependency, 'package.json'))).toBe(true);
    }
    for (const devOnly of ['jest', 'typescript', '@swc/core', 'eslint', 'nock', '@nestjs/testing']) {
      expect(existsSync(join(bundle, 'node_modules', devOnly))).toBe(false);
    }
    expect(existsSync(join(bundle, 'dist', 'apps', 'gateway', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(bundle, 'dist', 'apps', 'relay', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(bundle, 'dist', 'test'))).toBe(false);
    expect(existsSync(join(bundle, 'libs', 'storage', 'migrations'))).toBe(true);
  });

  it('starts the gateway in production mode and serves an audited lookup', async () => {
    gateway = spawn(process.execPath, ['dist/apps/gateway/src/main.js'], {
      cwd: bundle,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      async () => {
        if (gateway!.exitCode !== null) throw new Error(`the gateway exited: ${output}`);
        return (await getJson(`${url}/health/probe`)).status === 200;
      },
      90_000,
      'the packaged gateway to be ready',
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output.slice(-3000)}`);
    });

    const [parcel] = sampleParcels(1, land.dataset);
    const answer = await getJson(`${url}/v1/land-parcels/lookup`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${apiKey}`,
        'x-request-id': 'package-e2e-parcel',
      },
      body: JSON.stringify({
        communeCode: parcel.communeCode,
        mapSheetNo: parcel.mapSheetNo,
        parcelNo: parcel.parcelNo,
        purpose: 'DOSSIER_PROCESSING',
        dossierCode: DOSSIER,
      }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ communeCode: parcel.communeCode, parcelNo: parcel.parcelNo });
    expect(answer.body.provenance).toMatchObject({ source: 'CSDLQG_DAT_DAI' });

    // production has no API docs, and the lookup is in the audit log of the deployment's database
    expect((await getJson(`${url}/docs`)).status).toBe(404);
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const audited = await waitFor(
        async () =>
          (
            await client.query(
              "SELECT client_id, service, outcome FROM audit_record WHERE request_id = 'package-e2e-parcel'",
            )
          ).rows[0] as { client_id: string; service: string; outcome: string } | undefined,
        10_000,
        'the audit record of the lookup',
      );
      expect(audited).toEqual({ client_id: 'package-e2e', service: 'land.lookup', outcome: 'OK' });
    } finally {
      await client.end();
    }
    // and its logs are JSON lines without the parcel's owner or any stack trace
    const lines = output.trim().split('\n');
    expect(lines.every((line) => line.startsWith('{'))).toBe(true);
    expect(output).not.toMatch(/\n\s+at /);
  }, 150_000);
});

function clientsDocument(apiKey: string): object {
  return {
    version: 1,
    purposes: {
      DOSSIER_PROCESSING: {
        description: { vi: 'Giải quyết hồ sơ', en: 'Resolving a dossier' },
        legalBasis: 'Nghị định 61/2018/NĐ-CP; Nghị định 13/2023/NĐ-CP',
        requiresDossierCode: true,
      },
    },
    clients: [
      {
        id: 'package-e2e',
        name: 'Một cửa (bundle)',
        kind: 'ONE_STOP_SYSTEM',
        enabled: true,
        agencies: ['000.*.*.H56'],
        apiKeys: [{ id: 'k1', sha256: hashApiKey(apiKey) }],
        rateLimit: { requestsPerMinute: 600, burst: 50 },
        services: { 'land.lookup': { purposes: ['DOSSIER_PROCESSING'], fields: '*' } },
      },
    ],
  };
}

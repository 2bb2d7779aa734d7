/**
 * Production mode, as an operator meets it: the real gateway and relay processes, started with
 * NODE_ENV=production and unsafe settings, refuse to start, and their message names what to set.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '../../libs/config/src';

/** Runs an app's compiled entry point until it exits; resolves with its exit code and output. */
function runApp(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot(), 'dist', script)], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('production mode', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs')]);
  }, 120_000);

  it('stops the gateway from starting with the demo client, a plain-http upstream and the dev PKI', async () => {
    const { code, output } = await runApp('apps/gateway/src/main.js', {
      NODE_ENV: 'production',
      // unreachable on purpose: the refusal must come before any connection
      KAFKA_BROKERS: '127.0.0.1:1',
      AUDIT_SUBJECT_KEY: 'base64:cHJvdmluY2lhbC1rZXktb2YtdGhlLWRlcGxveW1lbnQtMDEyMzQ1Njc4OWFiY2RlZg==',
      LGSP_DEMO_API_KEY: 'lt_demoKeyOfTheProductionTest_0123',
      LAND_URL: 'http://127.0.0.1:4003',
      POPULATION_URL: 'https://127.0.0.1:4001/ws/congdan',
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(1);
    expect(output).toContain('production mode (NODE_ENV=production) refuses to start the gateway');
    expect(output).toContain('LGSP_DEMO_API_KEY is set');
    expect(output).toContain('name http://127.0.0.1:4003 in UPSTREAM_HTTP_ALLOWLIST');
    expect(output).toContain('set POPULATION_CA_PATH');
    expect(output).toContain('set POPULATION_CLIENT_KEY_PATH');
  });

  it('stops the relay from starting with a development secret', async () => {
    const { code, output } = await runApp('apps/relay/src/main.js', {
      NODE_ENV: 'production',
      KAFKA_BROKERS: '127.0.0.1:1',
      PORTAL_URL: 'http://portal.internal:4004',
      UPSTREAM_HTTP_ALLOWLIST: 'portal.internal',
      // a key of the deployment's own, so that only the development secret below stops the start
      MINISTRY_PSEUDONYM_KEY: `base64:${randomBytes(48).toString('base64')}`,
      LOG_LEVEL: 'silent',
    });
    expect(code).toBe(1);
    expect(output).toContain('production mode (NODE_ENV=production) refuses to start the relay');
    expect(output).toContain(
      'PORTAL_PASSWORD is unset and its default is a development value: set PORTAL_PASSWORD',
    );
    expect(output).not.toContain('UPSTREAM_HTTP_ALLOWLIST');
  });
});

/**
 * An app of the repository (gateway or relay) run from the built `dist/` as a process of its own, so a
 * suite can SIGKILL it mid-request and start it again on the same port. Build first (`scripts/build.mjs`).
 * The child exits with its parent (LGSP_EXIT_WITH_PARENT) should the suite itself be killed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { getJson, waitFor } from './http';

const root = join(__dirname, '..', '..');

export interface AppProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** True while the process runs. */
  readonly running: boolean;
  /** Its recent output, for failure messages. */
  output(): string;
  /** Sends `signal` (default SIGTERM) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface AppProcessOptions {
  app: 'gateway' | 'relay';
  /** The whole environment of the child (nothing is inherited). */
  env: NodeJS.ProcessEnv;
  /** The port it listens on (PORT for the gateway, RELAY_PORT for the relay, already in `env`). */
  port: number;
  /** Headers of the readiness probe (the gateway's needs an operator's key). */
  readyHeaders?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** Starts the app and resolves once `/health/ready` answers 200. */
export async function startAppProcess(options: AppProcessOptions): Promise<AppProcess> {
  const child = spawn(process.execPath, [join(root, 'dist', 'apps', options.app, 'src', 'main.js')], {
    env: { ...options.env, LGSP_EXIT_WITH_PARENT: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${options.port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  const app: AppProcess = {
    url,
    child,
    get running() {
      return running();
    },
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!running()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
  await waitFor(
    async () => {
      if (!running()) throw new Error(`the ${options.app} exited (${child.exitCode ?? child.signalCode})`);
      return (await getJson(`${url}/health/ready`, { headers: options.readyHeaders })).status === 200;
    },
    options.readyTimeoutMs ?? 90_000,
    `the ${options.app} to be ready`,
  ).catch(async (error: Error) => {
    await app.stop('SIGKILL');
    throw new Error(`${error.message}\n${options.app} output:\n${output}`);
  });
  return app;
}

/** Every app process still running, killed synchronously should the suite's process exit first. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

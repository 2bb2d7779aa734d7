import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadEnv } from './env';
import { repoRoot } from './repo-root';

/**
 * What `npm start` tells the CLI about the stack it runs, in LOCAL_STACK_FILE (var/local/stack.json;
 * written once the stack is ready, removed before it stops anything): the broker, the database and the ports. No secret is written: a SASL
 * broker's CLI password stays in var/secrets and is named by file.
 */
export interface LocalStack {
  pid: number;
  startedAt: string;
  gatewayUrl: string;
  relayUrl: string;
  /** The settings a CLI command takes from the stack when they are unset in its environment. */
  env: Record<string, string>;
}

/** The settings the CLI may take from a running local stack. */
export const LOCAL_STACK_SETTINGS = [
  'KAFKA_BROKERS',
  'KAFKA_SECURITY_PROTOCOL',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_CLI_USERNAME',
  'KAFKA_CLI_PASSWORD_FILE',
  'DATABASE_URL',
] as const;

export function localStackFile(source: NodeJS.ProcessEnv = process.env, root: string = repoRoot()): string {
  return resolve(root, loadEnv(['LOCAL_STACK_FILE'], { source }).LOCAL_STACK_FILE);
}

export function writeLocalStack(stack: LocalStack, file: string = localStackFile()): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });
}

export function removeLocalStack(file: string = localStackFile(), pid: number = process.pid): void {
  const stack = readLocalStack(file);
  if (stack?.pid === pid) rmSync(file, { force: true });
}

/** The stack of the file, when the process that wrote it is still running. */
export function readLocalStack(file: string = localStackFile()): LocalStack | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const stack = JSON.parse(readFileSync(file, 'utf8')) as LocalStack;
    process.kill(stack.pid, 0);
    return stack;
  } catch {
    return undefined; // unreadable, or npm start has gone
  }
}

/**
 * Fills in the broker and database of a running `npm start` where `env` leaves them unset, when the
 * command names no broker of its own (KAFKA_BROKERS set means another cluster: nothing is taken). Returns
 * the names taken, for the note the CLI prints.
 */
export function applyLocalStack(env: NodeJS.ProcessEnv, file: string = localStackFile()): string[] {
  if (env.KAFKA_BROKERS) return [];
  const stack = readLocalStack(file);
  if (!stack) return [];
  const taken: string[] = [];
  for (const name of LOCAL_STACK_SETTINGS) {
    const value = stack.env[name];
    if (value !== undefined && !env[name]) {
      env[name] = value;
      taken.push(name);
    }
  }
  return taken;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyLocalStack,
  localStackFile,
  readLocalStack,
  removeLocalStack,
  writeLocalStack,
} from './local-stack';

describe('the local stack file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-stack-'));
    file = join(dir, 'var', 'local', 'stack.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stack = (pid: number) => ({
    pid,
    startedAt: '2026-03-01T08:00:00.000Z',
    gatewayUrl: 'http://127.0.0.1:3000',
    relayUrl: 'http://127.0.0.1:3001',
    env: { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://127.0.0.1:5432/lienthong' },
  });

  it('lives in var/local/stack.json unless LOCAL_STACK_FILE names another place', () => {
    expect(localStackFile({}, dir)).toBe(join(dir, 'var', 'local', 'stack.json'));
    expect(localStackFile({ LOCAL_STACK_FILE: 'other/stack.json' }, dir)).toBe(
      join(dir, 'other', 'stack.json'),
    );
    expect(localStackFile({ LOCAL_STACK_FILE: file }, '/elsewhere')).toBe(file);
  });

  it('gives a command the broker and database of the running npm start', () => {
    writeLocalStack(stack(process.pid), file);
    const env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://elsewhere/db' };
    expect(applyLocalStack(env, file)).toEqual(['KAFKA_BROKERS']);
    expect(env).toEqual({ KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://elsewhere/db' });
  });

  it('takes nothing when the command names its own broker', () => {
    writeLocalStack(stack(process.pid), file);
    const env: NodeJS.ProcessEnv = { KAFKA_BROKERS: 'kafka.prod:9093' };
    expect(applyLocalStack(env, file)).toEqual([]);
    expect(env).toEqual({ KAFKA_BROKERS: 'kafka.prod:9093' });
  });

  it('ignores the file of a stack that has stopped, and removes only its own', () => {
    writeLocalStack(stack(2 ** 22 + 12345), file);
    expect(readLocalStack(file)).toBeUndefined();
    expect(applyLocalStack({}, file)).toEqual([]);
    writeLocalStack(stack(process.pid), file);
    removeLocalStack(file, process.pid + 1);
    expect(readLocalStack(file)?.pid).toBe(process.pid);
    removeLocalStack(file, process.pid);
    expect(readLocalStack(file)).toBeUndefined();
  });
});

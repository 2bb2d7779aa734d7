/**
 * The operator CLI as a script and as a person use it, against the suite's broker: `dlq list` and
 * `dlq replay --dry-run` with --json, and plain output without a progress line when standard error is
 * not a terminal.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafkaClient, Topic } from '../../libs/messaging/src';
import { DeadLetterHeader } from '../../libs/messaging/src/consumer/dead-letter.publisher';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(root, 'bin', 'lienthong.js'), ...args], {
    env: { PATH: process.env.PATH, KAFKA_BROKERS: process.env.KAFKA_BROKERS, LOG_LEVEL: 'warn' },
    timeout: 90_000,
  });
}

describe('lienthong dlq', () => {
  const code = `CLI_E2E_${randomUUID().slice(0, 8).toUpperCase()}`;
  const since = new Date(Date.now() - 60_000).toISOString();

  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')]);
    const kafka = createKafkaClient({ clientId: 'cli-e2e', brokers: process.env.KAFKA_BROKERS!.split(',') });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: Topic.DeadLetter, numPartitions: 3 }] }).catch(() => false);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: Topic.DeadLetter,
      messages: [0, 1, 2].map((index) => ({
        key: `000.17.22.H56-261031-00${index}`,
        value: JSON.stringify({ index }),
        headers: {
          [DeadLetterHeader.Code]: code,
          [DeadLetterHeader.Reason]: 'the portal refused the status',
          [DeadLetterHeader.SourceTopic]: 'lgsp.dossier.status.v1',
          [DeadLetterHeader.ConsumerGroup]: 'lienthong-relay-portal',
          [DeadLetterHeader.FailedAt]: new Date().toISOString(),
          [DeadLetterHeader.Attempts]: '5',
        },
      })),
    });
    await producer.disconnect();
  }, 120_000);

  it('lists dead letters as JSON for scripts, without their payload', async () => {
    const { stdout } = await cli('dlq', 'list', '--code', code, '--json');
    const listed = JSON.parse(stdout) as { count: number; letters: Record<string, unknown>[] };
    expect(listed.count).toBe(3);
    expect(listed.letters.map((letter) => letter.key).sort()).toEqual([
      '000.17.22.H56-261031-000',
      '000.17.22.H56-261031-001',
      '000.17.22.H56-261031-002',
    ]);
    expect(listed.letters[0]).toMatchObject({
      code,
      sourceTopic: 'lgsp.dossier.status.v1',
      group: 'lienthong-relay-portal',
      attempts: 5,
    });
    expect(listed.letters[0]).not.toHaveProperty('value');
  }, 100_000);

  it('prints one line per letter and a count, with no progress line into a pipe', async () => {
    const { stdout, stderr } = await cli('dlq', 'list', '--code', code);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect(stdout).toContain('the portal refused the status');
    expect(stderr).toContain('3 dead letter(s)');
    expect(stderr).not.toContain('\r');
  }, 100_000);

  it('shows what a replay would send, and sends nothing, on a dry run', async () => {
    const { stdout } = await cli('dlq', 'replay', '--code', code, '--since', since, '--dry-run', '--json');
    expect(JSON.parse(stdout)).toMatchObject({ dryRun: true, count: 3 });
    const again = JSON.parse((await cli('dlq', 'list', '--code', code, '--json')).stdout) as {
      count: number;
    };
    expect(again.count).toBe(3);
  }, 100_000);
});

import { Command } from 'commander';
import { DeadLetter, DeadLetterFilter, DeadLetterStore } from '@lienthong/messaging';
import { progress } from '../progress';
import { withKafka } from './kafka-context';
import { operatorAudit } from './operator-audit';

interface FilterOptions {
  id?: string[];
  since?: string;
  until?: string;
  code?: string;
  topic?: string;
  limit?: number;
  json?: boolean;
}

/** A dead letter for --json: everything but the payload bytes (they may hold personal data). */
function summary(letter: DeadLetter): Record<string, unknown> {
  return {
    id: letter.id,
    failedAt: letter.failedAt,
    code: letter.code,
    reason: letter.reason,
    sourceTopic: letter.sourceTopic,
    group: letter.group,
    key: letter.key,
    attempts: letter.attempts,
    replayTopic: letter.replayTopic,
    replayGroup: letter.replayGroup,
  };
}

function filterOf(options: FilterOptions): DeadLetterFilter {
  const date = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime()))
      throw new Error(`--${name} must be a date-time, e.g. 2026-11-22T09:00:00+07:00`);
    return parsed;
  };
  return {
    ids: options.id,
    since: date(options.since, 'since'),
    until: date(options.until, 'until'),
    code: options.code,
    sourceTopic: options.topic,
    limit: options.limit,
  };
}

function withFilters(command: Command): Command {
  return command
    .option('--id <id...>', 'dead letters by id (<partition>-<offset>, as `dlq list` prints)')
    .option('--since <time>', 'failed at or after this time (ISO 8601)')
    .option('--until <time>', 'failed at or before this time (ISO 8601)')
    .option('--code <code>', 'only this reason code, e.g. RETRIES_EXHAUSTED')
    .option('--topic <topic>', 'only letters from this source topic')
    .option('--limit <n>', 'at most this many', (v) => Number(v))
    .option('--json', 'print JSON for scripts (no progress line)');
}

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead letters (lgsp.ops.deadletter.v1): list and replay');

  withFilters(
    dlq.command('list').description('print dead letters, oldest first: id, time, code, source, key, reason'),
  ).action(async (options: FilterOptions) => {
    const reading = progress('reading dead letters', { enabled: options.json ? false : undefined });
    const letters = await withKafka(({ producer }) =>
      DeadLetterStore.forBrokers(producer.brokers, producer).list(filterOf(options), (read, total) =>
        reading.update(read, total),
      ),
    ).finally(() => reading.stop());
    if (options.json) {
      console.log(JSON.stringify({ count: letters.length, letters: letters.map(summary) }, null, 2));
      return;
    }
    for (const l of letters) {
      console.log([l.id, l.failedAt, l.code, l.sourceTopic, l.group, l.key ?? '-', l.reason].join('\t'));
    }
    console.error(`${letters.length} dead letter(s)`);
  });

  withFilters(
    dlq
      .command('replay')
      .description(
        'send dead letters back to where they failed (the source topic, or the retry topic for portal sync), for the consumer group that gave up on them',
      ),
  )
    .option('--operator <name>', 'who replays, as recorded in the audit log (default: the OS user)')
    .option('--dry-run', 'list what would be replayed, and replay nothing')
    .action(async (options: FilterOptions & { operator?: string; dryRun?: boolean }) => {
      const filter = filterOf(options);
      if (!filter.ids?.length && !filter.since && !filter.until) {
        throw new Error('name what to replay: --id, or a time range with --since/--until');
      }
      if (options.dryRun) {
        const reading = progress('reading dead letters', { enabled: options.json ? false : undefined });
        const letters = await withKafka(({ producer }) =>
          DeadLetterStore.forBrokers(producer.brokers, producer).list(filter, (read, total) =>
            reading.update(read, total),
          ),
        ).finally(() => reading.stop());
        if (options.json) {
          console.log(
            JSON.stringify({ dryRun: true, count: letters.length, letters: letters.map(summary) }, null, 2),
          );
          return;
        }
        for (const l of letters)
          console.log(`would replay ${l.id} → ${l.replayTopic} (${l.code}, key ${l.key ?? '-'})`);
        console.error(`${letters.length} dead letter(s) would be replayed (dry run: nothing sent)`);
        return;
      }
      // checked before anything is replayed: a replay that cannot be audited does not happen
      const audit = operatorAudit(options.operator);
      const replaying = progress('replaying dead letters', { enabled: options.json ? false : undefined });
      const replayed = await withKafka(({ producer }) =>
        DeadLetterStore.forBrokers(producer.brokers, producer).replay(filter, (done, total) =>
          replaying.update(done, total),
        ),
      ).finally(() => replaying.stop());
      if (!options.json) {
        for (const l of replayed)
          console.log(`replayed ${l.id} → ${l.replayTopic} (${l.code}, key ${l.key ?? '-'})`);
      }
      await audit.record(
        replayed.map((letter) => ({
          service: 'dlq.replay',
          upstream: 'dead-letters',
          outcome: 'OK',
          ...(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(letter.code) && letter.code.length <= 64
            ? { outcomeCode: letter.code }
            : {}),
        })),
      );
      if (options.json) {
        console.log(
          JSON.stringify(
            {
              count: replayed.length,
              replayed: replayed.map(summary),
              audit: { clientId: audit.clientId, requestId: audit.requestId },
            },
            null,
            2,
          ),
        );
        return;
      }
      console.error(
        `${replayed.length} dead letter(s) replayed; audited as ${audit.clientId} (request ${audit.requestId})`,
      );
    });

  return dlq;
}

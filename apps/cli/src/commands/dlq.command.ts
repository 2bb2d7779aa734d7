import { Command } from 'commander';
import { DeadLetterFilter, DeadLetterStore } from '@lienthong/messaging';
import { withKafka } from './kafka-context';
import { operatorAudit } from './operator-audit';

interface FilterOptions {
  id?: string[];
  since?: string;
  until?: string;
  code?: string;
  topic?: string;
  limit?: number;
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
    .option('--limit <n>', 'at most this many', (v) => Number(v));
}

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead letters (lgsp.ops.deadletter.v1): list and replay');

  withFilters(
    dlq.command('list').description('print dead letters, oldest first: id, time, code, source, key, reason'),
  ).action(async (options: FilterOptions) => {
    const letters = await withKafka(({ producer }) =>
      DeadLetterStore.forBrokers(producer.brokers, producer).list(filterOf(options)),
    );
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
    .action(async (options: FilterOptions & { operator?: string }) => {
      const filter = filterOf(options);
      if (!filter.ids?.length && !filter.since && !filter.until) {
        throw new Error('name what to replay: --id, or a time range with --since/--until');
      }
      // checked before anything is replayed: a replay that cannot be audited does not happen
      const audit = operatorAudit(options.operator);
      const replayed = await withKafka(({ producer }) =>
        DeadLetterStore.forBrokers(producer.brokers, producer).replay(filter),
      );
      for (const l of replayed)
        console.log(`replayed ${l.id} → ${l.replayTopic} (${l.code}, key ${l.key ?? '-'})`);
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
      console.error(
        `${replayed.length} dead letter(s) replayed; audited as ${audit.clientId} (request ${audit.requestId})`,
      );
    });

  return dlq;
}

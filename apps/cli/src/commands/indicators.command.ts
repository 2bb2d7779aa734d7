import { Command, InvalidArgumentError } from 'commander';
import type { ReportingPeriod } from '@lienthong/contracts';
import { loadEnv } from '@lienthong/config';
import { INDICATOR_PERIOD_KINDS, parsePeriodKey, validateAgencyCode } from '@lienthong/domain';
import { Outbox } from '@lienthong/messaging';
import { createLogger } from '@lienthong/observability';
import { createDatabase, migrate } from '@lienthong/storage';
import {
  indicatorReportSourceFor,
  IndicatorReporter,
  type PaidOnlineSource,
  type ReportOutcome,
} from '@lienthong/indicators';
import { withKafka } from './kafka-context';

function periodArg(value: string): ReportingPeriod {
  const period = parsePeriodKey(value.trim());
  // the operations center takes days, months and quarters (a year is computed on GET /v1/indicators only)
  if (!period || !INDICATOR_PERIOD_KINDS.includes(period.kind)) {
    throw new InvalidArgumentError(
      'a day (2026-10-31), a month (2026-10) or a quarter (2026-Q4), Vietnam time',
    );
  }
  return period;
}

function agencyArg(value: string, previous: string[] = []): string[] {
  if (!validateAgencyCode(value).valid) throw new InvalidArgumentError('an agency code, e.g. 000.17.22.H56');
  return [...previous, value];
}

/** One line per agency: agency, period, then what happened. */
export function describeOutcome(outcome: ReportOutcome): string {
  const head = `${outcome.agencyCode}\t${outcome.period.key}`;
  switch (outcome.outcome) {
    case 'queued':
      return `${head}\tversion ${outcome.version} queued${outcome.viaOutbox ? ' (in the outbox: Kafka did not take it at once)' : ''}`;
    case 'unchanged':
      return `${head}\tunchanged (version ${outcome.version})`;
    case 'no-data':
      return `${head}\tno data`;
    case 'invalid':
      return `${head}\tinvalid: ${outcome.problems.join('; ')}`;
    case 'failed':
      return `${head}\tfailed: ${outcome.reason}`;
  }
}

export function indicatorsCommand(): Command {
  const indicators = new Command('indicators').description(
    'Decision 766 indicator reports for the Government operations center',
  );
  indicators
    .command('report')
    .description(
      'compute the reports of a period now and queue every new or changed one (next version) on ' +
        'lgsp.indicator.report.v1 for delivery to the operations center; unchanged reports are left as they are',
    )
    .requiredOption(
      '--period <period>',
      'a day (2026-10-31), a month (2026-10) or a quarter (2026-Q4)',
      periodArg,
    )
    .option('--agency <code>', 'only this agency (repeatable); default: every agency with data', agencyArg)
    .addHelpText(
      'after',
      '\nPrints one line per agency: agency, period, and "version N queued", "unchanged (version N)" or "no data".\n' +
        'Needs KAFKA_BROKERS and the database (DATABASE_URL, else PGLITE_DIR). The relay delivers what was queued\n' +
        'when OPERATIONS_CENTER_URL is set.',
    )
    .action(async (options: { period: ReportingPeriod; agency?: string[] }) => {
      const env = loadEnv(['DATABASE_URL', 'PGLITE_DIR', 'LOG_LEVEL', 'PAID_ONLINE_SOURCE']);
      const logger = createLogger({ name: 'cli', level: 'warn', destination: process.stderr });
      const database = await createDatabase({
        url: env.DATABASE_URL,
        pgliteDir: env.PGLITE_DIR,
        applicationName: 'lienthong-cli',
      });
      try {
        await migrate(database);
        const outcomes = await withKafka(async ({ producer }) => {
          const reporter = new IndicatorReporter({
            database,
            outbox: new Outbox(database, producer, {
              brokers: producer.brokers,
              clientId: 'lienthong-cli',
              security: producer.security,
              sendTimeoutMs: 5000,
              healthTimeoutMs: 5000,
              logger,
            }),
            source: indicatorReportSourceFor(database, env.PAID_ONLINE_SOURCE as PaidOnlineSource),
            logger,
            eventSource: '/lienthong/cli',
          });
          return reporter.run(options.period, { agencies: options.agency });
        });
        for (const outcome of outcomes) console.log(describeOutcome(outcome));
        const queued = outcomes.filter((o) => o.outcome === 'queued').length;
        const unchanged = outcomes.filter((o) => o.outcome === 'unchanged').length;
        console.error(`${queued} report(s) queued, ${unchanged} unchanged, ${outcomes.length} agency(ies)`);
        const problems = outcomes.filter((o) => o.outcome === 'invalid' || o.outcome === 'failed').length;
        if (problems > 0) throw new Error(`${problems} report(s) could not be queued`);
      } finally {
        await database.close();
      }
    });
  return indicators;
}

import { randomUUID } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import {
  PaymentPlatformClient,
  reconcileDay,
  type ReconciliationMismatch,
  type ReconciliationResult,
} from '@lienthong/adapters/payment-platform';
import { ConfigError, loadEnv } from '@lienthong/config';
import { createLogger } from '@lienthong/observability';
import { PaymentRepository } from '@lienthong/payments';
import { createDatabase, migrate } from '@lienthong/storage';
import { vietnamDate } from '@lienthong/domain';

function dateArg(value: string): string {
  const date = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw new InvalidArgumentError('a day, YYYY-MM-DD (Vietnam time)');
  return date;
}

/** Yesterday in Vietnam time: the last day the platform has closed. */
export function yesterdayInVietnam(now = Date.now()): string {
  return vietnamDate(now - 24 * 3600_000);
}

/** One line per mismatch: kind, transaction, the platform's and the gateway's status and amount. */
export function describeMismatch(m: ReconciliationMismatch): string {
  const side = (s?: { status: string; amount: number }) => (s ? `${s.status} ${s.amount} VND` : '-');
  return `${m.kind}\t${m.transactionNo}\tplatform: ${side(m.platform)}\tgateway: ${side(m.gateway)}`;
}

/** The summary line of a reconciliation. */
export function describeReconciliation(date: string, result: ReconciliationResult): string {
  return `${date}: ${result.matched} matched, ${result.mismatches.length} mismatch(es)`;
}

export function paymentsCommand(): Command {
  const payments = new Command('payments').description(
    'online payment of dossier fees through the national payment platform',
  );
  payments
    .command('reconcile')
    .description(
      "compare the payment platform's list of the day's settled transactions with the payments the gateway " +
        'recorded; exits 1 when they differ',
    )
    .option('--date <YYYY-MM-DD>', 'the day, Vietnam time (default: yesterday)', dateArg)
    .addHelpText(
      'after',
      '\nPrints one line per mismatch (UNKNOWN_TO_GATEWAY, MISSING_AT_PLATFORM, STATUS, AMOUNT) and a summary.\n' +
        'Needs PAYMENT_PLATFORM_URL, PAYMENT_MERCHANT_CODE, PAYMENT_SECRET_KEY and the database (DATABASE_URL,\n' +
        'else PGLITE_DIR).',
    )
    .action(async (options: { date?: string }) => {
      const env = loadEnv([
        'DATABASE_URL',
        'PGLITE_DIR',
        'LOG_LEVEL',
        'PAYMENT_PLATFORM_URL',
        'PAYMENT_MERCHANT_CODE',
        'PAYMENT_SECRET_KEY',
      ]);
      if (!env.PAYMENT_PLATFORM_URL) throw new ConfigError('PAYMENT_PLATFORM_URL is not set');
      const date = options.date ?? yesterdayInVietnam();
      const logger = createLogger({ name: 'cli', level: 'warn', destination: process.stderr });
      const database = await createDatabase({
        url: env.DATABASE_URL,
        pgliteDir: env.PGLITE_DIR,
        applicationName: 'lienthong-cli',
      });
      const platform = new PaymentPlatformClient({
        url: env.PAYMENT_PLATFORM_URL,
        merchantCode: env.PAYMENT_MERCHANT_CODE,
        secretKey: env.PAYMENT_SECRET_KEY,
        logger,
      });
      try {
        await migrate(database);
        const result = await reconcileDay(
          new PaymentRepository(database),
          platform,
          date,
          `cli-reconcile-${randomUUID()}`,
        );
        for (const mismatch of result.mismatches) console.log(describeMismatch(mismatch));
        console.error(describeReconciliation(date, result));
        if (result.mismatches.length > 0)
          throw new Error(
            `${result.mismatches.length} payment(s) differ between the platform and the gateway`,
          );
      } finally {
        await platform.close();
        await database.close();
      }
    });
  return payments;
}

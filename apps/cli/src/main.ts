import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { applyLocalStack, ConfigError, localStackFile } from '@lienthong/config';
import { configCommand } from './commands/config.command';
import { dbCommand } from './commands/db.command';
import { auditCommand } from './commands/audit.command';
import { dlqCommand } from './commands/dlq.command';
import { indicatorsCommand } from './commands/indicators.command';
import { paymentsCommand } from './commands/payments.command';
import { catalogueCommand } from './commands/catalogue.command';
import { pkiCommand } from './commands/pki.command';
import { simCommand } from './commands/sim.command';
import { topicsCommand } from './commands/topics.command';

export function buildProgram(): Command {
  return new Command('lienthong')
    .description('Operator commands of the Liên Thông gateway')
    .showHelpAfterError()
    .addCommand(topicsCommand())
    .addCommand(dbCommand())
    .addCommand(dlqCommand())
    .addCommand(indicatorsCommand())
    .addCommand(paymentsCommand())
    .addCommand(catalogueCommand())
    .addCommand(auditCommand())
    .addCommand(pkiCommand())
    .addCommand(simCommand())
    .addCommand(configCommand());
}

// Beside a running `npm start`, commands reach its broker and database without any setting.
const stackFile = localStackFile();
const taken = applyLocalStack(process.env, stackFile);
if (taken.length > 0) {
  console.error(`lienthong: using the stack npm start runs (${taken.join(', ')} from ${stackFile})`);
}

buildProgram()
  .exitOverride()
  .parseAsync(process.argv)
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    console.error(`lienthong: ${error instanceof ConfigError ? error.message : (error as Error).message}`);
    process.exit(1);
  });

import { Command } from 'commander';
import { envReferenceMarkdown } from '@lienthong/config';

export function configCommand(): Command {
  const config = new Command('config').description('configuration');
  config
    .command('reference')
    .description('print every environment variable with its default and meaning (Markdown)')
    .action(() => console.log(envReferenceMarkdown()));
  return config;
}

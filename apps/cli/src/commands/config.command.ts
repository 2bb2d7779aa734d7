import { Command } from 'commander';
import { envReferenceMarkdown, loadEnv } from '@lienthong/config';
import { loadProcedureCatalogue } from '@lienthong/catalogue';
import { loadChainDefinitions } from '@lienthong/chains';
import { ChainDefinitionError, type ProcedureCatalogue } from '@lienthong/domain';
import { readClientsFile } from '@lienthong/security';

interface FileCheck {
  file: string;
  ok: boolean;
  summary?: string;
  problems?: string[];
}

function problemsOf(error: unknown): string[] {
  if (error instanceof ChainDefinitionError) return [...error.problems];
  const problems = (error as { problems?: unknown }).problems;
  if (Array.isArray(problems)) return problems.map(String);
  return [(error as Error).message];
}

/** Checks the configuration files a deployment edits, each on its own, and lists every problem found. */
export function checkConfigFiles(source: NodeJS.ProcessEnv = process.env): FileCheck[] {
  const env = loadEnv(['CLIENTS_FILE', 'PROCEDURES_FILE', 'CHAINS_FILE'], { source });
  const checks: FileCheck[] = [];
  try {
    const clients = readClientsFile(env.CLIENTS_FILE);
    checks.push({
      file: env.CLIENTS_FILE,
      ok: true,
      summary: `${clients.clients.length} clients, ${clients.purposes.size} purposes`,
    });
  } catch (error) {
    checks.push({ file: env.CLIENTS_FILE, ok: false, problems: problemsOf(error) });
  }
  let catalogue: ProcedureCatalogue | undefined;
  try {
    catalogue = loadProcedureCatalogue(env.PROCEDURES_FILE);
    checks.push({
      file: env.PROCEDURES_FILE,
      ok: true,
      summary: `${catalogue.ministries().length} ministries`,
    });
  } catch (error) {
    checks.push({ file: env.PROCEDURES_FILE, ok: false, problems: problemsOf(error) });
  }
  try {
    const definitions = loadChainDefinitions(env.CHAINS_FILE, catalogue);
    const steps = [...definitions.chains.values()].reduce((sum, chain) => sum + chain.steps.length, 0);
    checks.push({
      file: env.CHAINS_FILE,
      ok: true,
      summary: `${definitions.chains.size} chains, ${steps} steps, ${definitions.systems.size} agency systems`,
    });
  } catch (error) {
    checks.push({ file: env.CHAINS_FILE, ok: false, problems: problemsOf(error) });
  }
  return checks;
}

export function configCommand(): Command {
  const config = new Command('config').description('configuration');
  config
    .command('reference')
    .description('print every environment variable with its default and meaning (Markdown)')
    .action(() => console.log(envReferenceMarkdown()));
  config
    .command('check')
    .description(
      'check the client registry (CLIENTS_FILE), the procedure catalogue (PROCEDURES_FILE) and the procedure chains (CHAINS_FILE), listing every problem; exits 1 when one fails',
    )
    .option('--json', 'print the result as JSON')
    .action((options: { json?: boolean }) => {
      const checks = checkConfigFiles();
      if (options.json) console.log(JSON.stringify(checks, null, 2));
      else {
        for (const check of checks) {
          console.log(
            `${check.ok ? 'ok  ' : 'FAIL'} ${check.file}${check.summary ? `: ${check.summary}` : ''}`,
          );
          for (const problem of check.problems ?? []) console.log(`       - ${problem}`);
        }
      }
      if (checks.some((check) => !check.ok)) process.exitCode = 1;
    });
  return config;
}

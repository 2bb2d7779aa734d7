/**
 * kafkajs stays behind the client port of libs/messaging: ESLint (the project's own configuration,
 * through its Node API) refuses a kafkajs import anywhere else, and no file outside libs/messaging has
 * one today.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

/** The rule ids ESLint reports for each `code`, linted as if it were the file `filePath` (one ESLint run). */
async function lint(cases: { code: string; filePath: string }[]): Promise<string[][]> {
  const script = `
    const { ESLint } = require('eslint');
    const eslint = new ESLint({ cwd: process.cwd() });
    (async () => {
      const out = [];
      for (const { code, filePath } of JSON.parse(process.env.CASES)) {
        const [result] = await eslint.lintText(code, { filePath });
        out.push(result.messages.map((m) => m.ruleId));
      }
      process.stdout.write(JSON.stringify(out));
    })();
  `;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: root,
    env: {
      ...process.env,
      CASES: JSON.stringify(cases.map(({ code, filePath }) => ({ code, filePath: join(root, filePath) }))),
    },
  });
  return JSON.parse(stdout) as string[][];
}

// written with a placeholder, so that this file itself holds no kafkajs import for the check below
const FORMS = [
  "import { Kafka } from '<client>';\nexport const kafka = Kafka;\n",
  "import type { Message } from '<client>';\nexport type M = Message;\n",
  "export { logLevel } from '<client>';\n",
  "export const client = require('<client>');\n",
  "export const client = import('<client>');\n",
].map((code) => code.replace('<client>', 'kafkajs'));

describe('the Kafka client port lint rule', () => {
  it('refuses every form of kafkajs import outside libs/messaging, and allows it inside and the port anywhere', async () => {
    const outside = ['apps/gateway/src/probe.ts', 'libs/audit/src/probe.ts', 'test/support/probe.ts'];
    const port =
      "import { createKafkaClient } from '@lienthong/messaging';\nexport const client = createKafkaClient;\n";
    const cases = [
      ...outside.flatMap((filePath) => FORMS.map((code) => ({ code, filePath }))),
      { code: FORMS[0], filePath: 'libs/messaging/src/client/probe.ts' },
      { code: port, filePath: 'apps/gateway/src/probe.ts' },
    ];
    const results = await lint(cases);
    const refused = (rules: string[]) =>
      rules.some((rule) => /no-restricted-(imports|syntax)$/.test(rule ?? ''));
    expect(results.slice(0, outside.length * FORMS.length).map(refused)).toEqual(
      Array(outside.length * FORMS.length).fill(true),
    );
    expect(results.slice(-2)).toEqual([[], []]);
  }, 120_000);

  it('finds no kafkajs import outside libs/messaging in apps, libs and test', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules' && relative(root, path) !== join('libs', 'messaging')) walk(path);
        } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
          const text = readFileSync(path, 'utf8');
          if (/(from\s+|require\(\s*|import\(\s*)['"]kafkajs(\/[^'"]*)?['"]/.test(text))
            offenders.push(relative(root, path));
        }
      }
    };
    for (const dir of ['apps', 'libs', 'test']) walk(join(root, dir));
    expect(offenders).toEqual([]);
  });
});

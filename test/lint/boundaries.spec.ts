/**
 * `npm run lint` holds the monorepo's import boundaries (scripts/lint/boundaries.mjs): each case below is
 * linted by ESLint with the project's own configuration, as if the file were at that path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');

interface Case {
  path: string;
  code: string;
}

/** The boundary messages ESLint reports for each case, linted in one ESLint process. */
function lint(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.path });
      out.push(result.messages.filter((m) => m.ruleId === 'lienthong/boundaries').map((m) => m.message));
    }
    console.log(JSON.stringify(out));
  `;
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  return JSON.parse(output) as string[][];
}

describe('import boundaries in npm run lint', () => {
  const cases: (Case & { refused: RegExp | null })[] = [
    {
      path: 'apps/gateway/src/boundary-fixture.ts',
      code: "import { RelayConfig } from '../../relay/src/relay.config';\nexport const x = RelayConfig;\n",
      refused: /apps import libraries only: apps\/gateway imports apps\/relay/,
    },
    {
      path: 'apps/relay/src/portal/boundary-fixture.ts',
      code: "export { startGateway } from '../../../gateway/src/bootstrap';\n",
      refused: /apps import libraries only: apps\/relay imports apps\/gateway/,
    },
    {
      path: 'apps/cli/src/boundary-fixture.ts',
      code: "const m = require('../../gateway/src/payments/payments.service');\nexport default m;\n",
      refused: /apps import libraries only/,
    },
    {
      path: 'apps/gateway/src/boundary-fixture.ts',
      code: "import { startPortalSimulator } from '@lienthong/simulators';\nexport default startPortalSimulator;\n",
      refused: /only the CLI, the launcher and tests use the simulators/,
    },
    {
      path: 'apps/cli/src/boundary-fixture.ts',
      code: "import { sampleCitizens } from '../../simulators/src/population';\nexport default sampleCitizens;\n",
      refused: /through their public entry, @lienthong\/simulators/,
    },
    {
      path: 'libs/storage/src/boundary-fixture.ts',
      code: "import { Topic } from '@lienthong/messaging';\nexport default Topic;\n",
      refused: /libraries import downward only: libs\/storage .* imports @lienthong\/messaging/,
    },
    {
      path: 'libs/domain/src/boundary-fixture.ts',
      code: "import { startRelay } from '../../../apps/relay/src/bootstrap';\nexport default startRelay;\n",
      refused: /libraries never import an app/,
    },
    {
      path: 'libs/audit/src/boundary-fixture.ts',
      code: "import { Database } from '../../storage/src/database';\nexport default Database;\n",
      refused: /import @lienthong\/storage by its alias/,
    },
    {
      path: 'libs/domain/src/boundary-fixture.ts',
      code: "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n",
      refused: /libs\/domain is pure: no file system, no framework/,
    },
    {
      path: 'libs/domain/src/catalogue/boundary-fixture.ts',
      code: "import { Injectable } from '@nestjs/common';\nexport default Injectable;\n",
      refused: /libs\/domain is pure/,
    },
    // what is allowed
    {
      path: 'apps/gateway/src/boundary-fixture.ts',
      code: "import { Database } from '@lienthong/storage';\nimport { x } from './local';\nexport default [Database, x];\n",
      refused: null,
    },
    {
      path: 'apps/cli/src/boundary-fixture.ts',
      code: "import { sampleLookups } from '@lienthong/simulators';\nexport default sampleLookups;\n",
      refused: null,
    },
    {
      path: 'deploy/local/boundary-fixture.ts',
      code: "import { startRelay } from '../../apps/relay/src/bootstrap';\nexport default startRelay;\n",
      refused: null,
    },
    {
      path: 'libs/domain/src/boundary-fixture.spec.ts',
      code: "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n",
      refused: null,
    },
    {
      path: 'libs/adapters/land/src/boundary-fixture.spec.ts',
      code: "import { startLandSimulator } from '@lienthong/simulators';\nexport default startLandSimulator;\n",
      refused: null,
    },
  ];

  it('refuses an import across apps or up the library layers, and allows the rest', () => {
    const results = lint(cases);
    cases.forEach((c, i) => {
      const messages = results[i];
      if (c.refused) {
        expect({ path: c.path, messages }).toEqual({
          path: c.path,
          messages: [expect.stringMatching(c.refused)],
        });
      } else {
        expect({ path: c.path, messages }).toEqual({ path: c.path, messages: [] });
      }
    });
  });

  it('knows every library: each is a Nest CLI project and has a layer', () => {
    const libraries = readdirSync(join(root, 'libs'))
      .flatMap((name) =>
        name === 'adapters' ? readdirSync(join(root, 'libs/adapters')).map((a) => `adapters/${a}`) : [name],
      )
      .filter((name) => existsSync(join(root, 'libs', name, 'src/index.ts')))
      .sort();
    const nest = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as {
      projects: Record<string, { type: string; root: string }>;
    };
    const projects = Object.values(nest.projects)
      .filter((project) => project.type === 'library')
      .map((project) => project.root.replace(/^libs\//, ''))
      .sort();
    const layers = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { LAYERS } from './scripts/lint/boundaries.mjs'; console.log(JSON.stringify(LAYERS.flat()))",
        ],
        { cwd: root, encoding: 'utf8' },
      ),
    ) as string[];
    expect(libraries.length).toBeGreaterThan(20);
    expect(projects).toEqual(libraries);
    expect([...layers].sort()).toEqual(libraries);
  });
});

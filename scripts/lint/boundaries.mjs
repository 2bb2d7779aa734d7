// The import boundaries of the monorepo, as an ESLint rule (`lienthong/boundaries`):
// - an app imports libraries only, never another app's source; the launcher (deploy/local) may import an
//   app's bootstrap, which is how it hosts the apps in one process;
// - the simulators are reached through their one public entry, @lienthong/simulators, and only by the CLI's
//   `sim` command, the launcher and tests: the gateway and the relay never import them;
// - a library imports only libraries of a lower layer (LAYERS below), never an app or test/;
// - a library is imported by its alias (@lienthong/<name>), never by a path into its source; only a test
//   reaches into another library's source, for its testing/ helpers;
// - the domain library is pure: no file system and no framework (node:fs, @nestjs/*); the files it checks are
//   read by the library that loads configuration (@lienthong/config) and the contract library;
// - tests (*.spec.ts next to the code, test-fixtures/, testing/) may import any library and test/ helpers.
//   The cross-app suites under test/ may import anything.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Library layers, lowest first: a library imports only libraries of a lower layer. Libraries in one layer
 * do not import each other.
 */
export const LAYERS = [
  ['calendar', 'config'],
  ['contracts'],
  ['observability'],
  ['domain', 'pki'],
  ['storage', 'shared-state'],
  ['messaging', 'security'],
  ['audit', 'deliveries', 'documents', 'dossiers', 'indicators', 'payments'],
  ['adapters/common'],
  // the agency systems' JSON transport, which the payment platform's client is built on
  ['adapters/chain-systems'],
  [
    'adapters/business-registry',
    'adapters/feedback',
    'adapters/land',
    'adapters/operations-center',
    'adapters/payment-platform',
    'adapters/population',
    'adapters/postal',
    'adapters/public-service-portal',
  ],
  ['catalogue', 'chains'],
];

/**
 * Imports by path that are allowed: the local Kafka launcher is loaded by jest's global setup, where the
 * @lienthong/* aliases do not resolve, so it takes repoRoot by its path.
 */
const PATH_IMPORTS = [{ from: 'deploy/local/kafka/', to: 'libs/config/src/repo-root' }];

/** Libraries that read no file and use no framework, and the imports that would. */
const PURE_LIBRARIES = new Set(['domain']);
const IMPURE_IMPORT = /^(node:)?fs(\/|$)|^@nestjs\//;

const LAYER_OF = new Map(LAYERS.flatMap((names, layer) => names.map((name) => [name, layer])));

/** What a path in the repository belongs to: { kind: 'app' | 'lib' | 'deploy' | 'test' | 'other', name }. */
export function unitOf(path) {
  const parts = path.split('/');
  if (parts[0] === 'apps' && parts[1]) return { kind: 'app', name: parts[1] };
  if (parts[0] === 'libs' && parts[1] === 'adapters' && parts[2])
    return { kind: 'lib', name: `adapters/${parts[2]}` };
  if (parts[0] === 'libs' && parts[1]) return { kind: 'lib', name: parts[1] };
  if (parts[0] === 'deploy') return { kind: 'deploy', name: 'deploy' };
  if (parts[0] === 'test') return { kind: 'test', name: 'test' };
  return { kind: 'other', name: parts[0] };
}

function isTestFile(path) {
  return /\.(e2e-)?spec\.ts$/.test(path) || path.includes('/test-fixtures/') || path.includes('/testing/');
}

/** The unit an import names, or undefined for a package from node_modules or node itself. */
function targetOf(fromPath, source) {
  if (source === '@lienthong/simulators') return { kind: 'app', name: 'simulators', entry: true };
  const alias = /^@lienthong\/((?:adapters\/)?[^/]+)/.exec(source);
  if (alias) return { kind: 'lib', name: alias[1], alias: true };
  if (!source.startsWith('.')) return undefined;
  const path = relative(root, resolve(root, dirname(fromPath), source))
    .split('\\')
    .join('/');
  return { ...unitOf(path), path };
}

/** Why an import from `fromPath` (relative to the repository root) of `source` is refused, or undefined. */
export function violation(fromPath, source) {
  const from = unitOf(fromPath);
  if (
    from.kind === 'lib' &&
    PURE_LIBRARIES.has(from.name) &&
    !isTestFile(fromPath) &&
    IMPURE_IMPORT.test(source)
  )
    return `libs/${from.name} is pure: no file system, no framework; read files in @lienthong/config and pass what they hold`;
  const to = targetOf(fromPath, source);
  if (!to || from.kind === 'test' || from.kind === 'other') return undefined;
  const test = isTestFile(fromPath);
  const same = from.kind === to.kind && from.name === to.name;
  if (same) return undefined;

  if (to.kind === 'test') {
    return test
      ? undefined
      : `${from.kind === 'app' ? 'apps' : 'libraries'} do not import test/ (only tests do)`;
  }
  if (to.kind === 'deploy') return 'nothing imports deploy/: it is the launcher, it imports the apps';
  if (to.kind === 'app') {
    if (to.name === 'simulators') {
      if (!to.entry) return 'reach the simulators through their public entry, @lienthong/simulators';
      if (test || from.kind === 'deploy' || (from.kind === 'app' && from.name === 'cli')) return undefined;
      return 'only the CLI, the launcher and tests use the simulators (@lienthong/simulators)';
    }
    if (from.kind === 'deploy' && /^apps\/[^/]+\/src\/bootstrap$/.test(to.path)) return undefined;
    if (from.kind === 'app') {
      return `apps import libraries only: apps/${from.name} imports apps/${to.name}; move what both need into a library`;
    }
    return `libraries never import an app (apps/${to.name}); the app imports the library`;
  }
  // a library
  if (!LAYER_OF.has(to.name))
    return `@lienthong/${to.name} is not a known library: add it to LAYERS in scripts/lint/boundaries.mjs`;
  const allowed = PATH_IMPORTS.some((rule) => fromPath.startsWith(rule.from) && to.path === rule.to);
  if (!to.alias && !test && !allowed)
    return `import @lienthong/${to.name} by its alias, not by a path into its source`;
  if (from.kind === 'lib' && !test) {
    if (!LAYER_OF.has(from.name))
      return `libs/${from.name} is not a known library: add it to LAYERS in scripts/lint/boundaries.mjs`;
    if (LAYER_OF.get(to.name) >= LAYER_OF.get(from.name)) {
      return `libraries import downward only: libs/${from.name} (layer ${LAYER_OF.get(from.name)}) imports @lienthong/${to.name} (layer ${LAYER_OF.get(to.name)}); see LAYERS in scripts/lint/boundaries.mjs`;
    }
  }
  return undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'apps import libraries only; libraries import lower layers only; the domain is pure',
    },
    schema: [],
  },
  create(context) {
    const fromPath = relative(root, context.filename).split('\\').join('/');
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const why = violation(fromPath, source);
      if (why) context.report({ node, message: `${why} (${source})` });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        const [first] = node.arguments;
        if (
          node.callee.type === 'Identifier' &&
          node.callee.name === 'require' &&
          first?.type === 'Literal'
        ) {
          check(first, first.value);
        }
      },
    };
  },
};

export default { rules: { boundaries: rule } };

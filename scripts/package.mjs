// `npm run package`: the production bundle in var/package/lienthong/ (and, with --tarball, the same as
// var/package/lienthong-<version>.tgz). It holds the compiled apps and libraries (dist/apps, dist/libs; no
// tests, no local-run tooling), the runtime assets they read through the repository root (contracts/,
// the database migrations, deploy/config), bin/lienthong.js, a package.json without devDependencies, and
// node_modules with the production dependencies only, copied from the installed tree as the lock file
// lists them (no registry access, so the bundle is exactly what the tests ran against).
//
//   node dist/apps/gateway/src/main.js     the gateway        (deploy/docker/Dockerfile: the default command)
//   node dist/apps/relay/src/main.js       the relay
//   node bin/lienthong.js <command>        operator commands (db migrate, topics init, dlq, audit verify)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const outBase = join(root, 'var', 'package');
const out = join(outBase, 'lienthong');
const log = args.has('--quiet') ? () => undefined : (line) => console.log(line);

log('package: compiling');
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const notTestOnly = (path) =>
  !/(\.spec\.js|\.e2e-spec\.js)(\.map)?$/.test(path) && !path.includes(`${sep}test-fixtures`);
for (const dir of ['apps', 'libs']) {
  cpSync(join(root, 'dist', dir), join(out, 'dist', dir), { recursive: true, filter: notTestOnly });
}
// what the code reads relative to the repository root at run time
for (const asset of ['contracts', join('libs', 'storage', 'migrations'), join('deploy', 'config'), 'bin']) {
  cpSync(join(root, asset), join(out, asset), { recursive: true });
}
for (const file of ['README.md', 'LICENSE']) {
  if (existsSync(join(root, file))) cpSync(join(root, file), join(out, file));
}

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify(
    {
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      license: manifest.license,
      private: true,
      engines: manifest.engines,
      bin: manifest.bin,
      scripts: {
        gateway: 'node dist/apps/gateway/src/main.js',
        relay: 'node dist/apps/relay/src/main.js',
      },
      dependencies: manifest.dependencies,
    },
    null,
    2,
  )}\n`,
);

// Production dependencies: every lock entry not marked dev (the lock computes the closure), copied from the
// installed tree; nested node_modules are separate lock entries, so each copy leaves them out.
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const modules = realpathSync(join(root, 'node_modules'));
let copied = 0;
let missing = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.startsWith('node_modules/') || entry.dev || entry.devOptional) continue;
  const from = join(modules, key.slice('node_modules/'.length));
  if (!existsSync(from)) {
    if (!entry.optional) missing.push(key);
    continue;
  }
  const to = join(out, key);
  cpSync(from, to, {
    recursive: true,
    dereference: true,
    filter: (path) => path === from || !path.slice(from.length).split(sep).includes('node_modules'),
  });
  copied += 1;
}
if (missing.length > 0) {
  throw new Error(`production dependencies not installed (run npm install): ${missing.join(', ')}`);
}

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
writeFileSync(
  join(out, 'BUILD-INFO.json'),
  `${JSON.stringify({ version: manifest.version, commit, builtAt: new Date().toISOString(), node: process.version }, null, 2)}\n`,
);
log(`package: ${copied} production dependencies, bundle in ${out}`);

if (args.has('--tarball')) {
  const tarball = join(outBase, `lienthong-${manifest.version}.tgz`);
  execFileSync('tar', ['-czf', tarball, '-C', outBase, basename(out)]);
  log(`package: ${tarball}`);
}

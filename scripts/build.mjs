// Compiles every TypeScript source under apps/, libs/, deploy/ and test/ to dist/ with swc,
// rewriting the tsconfig path aliases (@lienthong/*) to relative requires. Type checking is
// `npm run typecheck`; this step only transpiles, so `npm start` is ready in about a second.
// Only files newer than their output are recompiled. The operations console's front-end (apps/console) is
// bundled by esbuild into dist/console (one script, one stylesheet, the page), which the gateway serves.
import { transformFile } from '@swc/core';
import { build as bundle } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = join(root, 'dist');
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') yield* walk(full);
    } else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.endsWith('.spec.ts')
    ) {
      yield full;
    }
  }
}

async function mtime(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

const options = {
  ...swcrc,
  swcrc: false,
  jsc: { ...swcrc.jsc, baseUrl: root, paths: tsconfig.compilerOptions.paths },
};
const configTime = Math.max(await mtime(join(root, 'tsconfig.json')), await mtime(join(root, '.swcrc')));
let built = 0;
const jobs = [];
for (const dir of ['apps', 'libs', 'deploy', 'test']) {
  for await (const file of walk(join(root, dir))) {
    const out = join(outRoot, relative(root, file)).replace(/\.ts$/, '.js');
    jobs.push(
      (async () => {
        if ((await mtime(out)) > Math.max(await mtime(file), configTime)) return;
        const result = await transformFile(file, {
          ...options,
          filename: file,
          sourceFileName: relative(dirname(out), file),
        });
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${result.code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
        if (result.map) await writeFile(`${out}.map`, result.map);
        built += 1;
      })(),
    );
  }
}

async function newest(dir) {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? await newest(full) : await mtime(full));
  }
  return latest;
}

/** The console: apps/console/src/main.js and app.css with preact, htm and uPlot, minified, source maps. */
async function bundleConsole() {
  const source = join(root, 'apps', 'console');
  const out = join(outRoot, 'console');
  const inputs = Math.max(await newest(source), await mtime(join(root, 'package-lock.json')));
  if ((await mtime(join(out, 'app.js'))) > inputs && (await mtime(join(out, 'index.html'))) > inputs) return;
  await mkdir(out, { recursive: true });
  await bundle({
    entryPoints: { app: join(source, 'src', 'main.js') },
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: 'es2022',
    outdir: out,
    logLevel: 'warning',
  });
  await bundle({
    entryPoints: { app: join(source, 'src', 'app.css') },
    bundle: true,
    minify: true,
    outdir: out,
    logLevel: 'warning',
  });
  await copyFile(join(source, 'index.html'), join(out, 'index.html'));
  built += 1;
}

jobs.push(bundleConsole());
await Promise.all(jobs);
if (process.env.LGSP_BUILD_VERBOSE) console.log(`built ${built} file(s) into dist/`);

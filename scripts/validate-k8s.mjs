// Validates the Kubernetes manifests of deploy/k8s against the Kubernetes API schemas, offline, with the
// models of the `kubernetes-models` package (generated from the Kubernetes OpenAPI specification).
//
//   node scripts/validate-k8s.mjs [kustomization dir ...]      (default: deploy/k8s/base and the overlays)
//
// With `kubectl` on the PATH each directory is rendered by `kubectl kustomize`, so patches and generators
// are validated as applied. Without it the base's resources and configMapGenerator are rendered here
// (overlays are skipped and named). Prints one line per object; `--json` prints a report for scripts.
// Exit status 1 when any object is invalid.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as yaml from 'js-yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const k8sDir = join(root, 'deploy', 'k8s');
const dirs = argv.filter((arg) => !arg.startsWith('--'));
if (dirs.length === 0) {
  dirs.push(join(k8sDir, 'base'));
  for (const overlay of readdirSync(join(k8sDir, 'overlays'))) dirs.push(join(k8sDir, 'overlays', overlay));
}
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** The objects a kustomization directory produces. */
function render(dir) {
  if (hasKubectl) {
    return yaml.loadAll(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })).filter(Boolean);
  }
  const kustomization = yaml.load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'));
  if ((kustomization.resources ?? []).some((resource) => resource.startsWith('..'))) return undefined;
  const objects = kustomization.resources.flatMap((file) =>
    yaml.loadAll(readFileSync(join(dir, file), 'utf8')).filter(Boolean),
  );
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = {};
    for (const file of generator.files ?? []) data[basename(file)] = readFileSync(join(dir, file), 'utf8');
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  if (kustomization.namespace) {
    for (const object of objects) {
      if (object.kind !== 'Namespace') object.metadata.namespace = kustomization.namespace;
    }
  }
  return objects;
}

/** The kubernetes-models class for an apiVersion and kind, e.g. apps/v1 Deployment. */
async function modelOf(apiVersion, kind) {
  const path = apiVersion.includes('/') ? apiVersion : `v1`;
  try {
    return (await import(`kubernetes-models/${path}/${kind}`))[kind];
  } catch {
    return undefined;
  }
}

const report = [];
for (const dir of dirs) {
  const objects = render(dir);
  const name = dir.slice(root.length + 1);
  if (!objects) {
    report.push({ dir: name, skipped: 'overlay needs kubectl kustomize' });
    continue;
  }
  for (const object of objects) {
    const entry = { dir: name, kind: object.kind, name: object.metadata?.name, ok: true };
    const Model = await modelOf(object.apiVersion ?? '', object.kind ?? '');
    if (!Model) {
      Object.assign(entry, {
        ok: false,
        error: `no Kubernetes schema for ${object.apiVersion} ${object.kind}`,
      });
    } else {
      try {
        new Model(object).validate();
      } catch (error) {
        Object.assign(entry, { ok: false, error: error.message });
      }
    }
    report.push(entry);
  }
}

const failed = report.filter((entry) => entry.ok === false);
if (json) {
  console.log(
    JSON.stringify({ renderer: hasKubectl ? 'kubectl kustomize' : 'built-in', objects: report }, null, 2),
  );
} else {
  for (const entry of report) {
    if (entry.skipped) console.log(`skip  ${entry.dir}: ${entry.skipped}`);
    else
      console.log(
        `${entry.ok ? 'ok  ' : 'FAIL'}  ${entry.dir}  ${entry.kind}/${entry.name}${entry.error ? `: ${entry.error}` : ''}`,
      );
  }
  console.log(
    `${report.length - failed.length - report.filter((e) => e.skipped).length} valid, ${failed.length} invalid`,
  );
}
process.exit(failed.length > 0 ? 1 : 0);

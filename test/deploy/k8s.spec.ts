/**
 * deploy/k8s (kustomize) validated offline against the Kubernetes API schemas (scripts/validate-k8s.mjs,
 * kubernetes-models), and the properties a reviewer looks for in each workload.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { load, loadAll } from 'js-yaml';
import { GATEWAY_NODE_ARGS } from '@lienthong/config';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'validate-k8s.mjs');

interface Report {
  renderer: string;
  objects: { dir: string; kind?: string; name?: string; ok?: boolean; error?: string; skipped?: string }[];
}

function validate(...args: string[]): { status: number | null; report: Report } {
  const result = spawnSync(process.execPath, [script, '--json', ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, report: JSON.parse(result.stdout) as Report };
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

describe('Kubernetes manifests', () => {
  it('validate against the Kubernetes schemas', () => {
    const { status, report } = validate();
    expect(report.objects.filter((object) => object.ok === false)).toEqual([]);
    expect(status).toBe(0);
    const base = report.objects.filter((object) => object.dir === join('deploy', 'k8s', 'base'));
    expect(base.map((object) => `${object.kind}/${object.name}`).sort()).toEqual(
      expect.arrayContaining([
        'Deployment/lienthong-gateway',
        'Deployment/lienthong-relay',
        'PodDisruptionBudget/lienthong-gateway',
        'PodDisruptionBudget/lienthong-relay',
        'NetworkPolicy/default-deny',
        'ConfigMap/lienthong-config',
        'Secret/lienthong-env',
        'Job/lienthong-topics-init',
      ]),
    );
  });

  it('refuse a manifest that breaks the schema', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lienthong-k8s-'));
    try {
      writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [bad.yaml]\n');
      writeFileSync(
        join(dir, 'bad.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: { name: bad }',
          'spec:',
          '  selector: { matchLabels: { app: bad } }',
          '  template:',
          '    metadata: { labels: { app: bad } }',
          '    spec:',
          '      containers:',
          '        - { name: bad, image: bad, ports: [{ containerPort: http }] }',
        ].join('\n'),
      );
      const { status, report } = validate(dir);
      expect(status).toBe(1);
      expect(report.objects[0]).toMatchObject({ kind: 'Deployment', ok: false });
      expect(report.objects[0].error).toContain('containerPort must be integer');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('give every workload probes, resources, a non-root user and a disruption budget', () => {
    // rendered by kubectl when installed (patches applied), otherwise the base's own files
    const base = join(root, 'deploy', 'k8s', 'base');
    const objects = (
      hasKubectl
        ? loadAll(
            execFileSync('kubectl', ['kustomize', join(root, 'deploy', 'k8s', 'overlays', 'production')], {
              encoding: 'utf8',
            }),
          )
        : (
            load(readFileSync(join(base, 'kustomization.yaml'), 'utf8')) as { resources: string[] }
          ).resources.flatMap((file) => loadAll(readFileSync(join(base, file), 'utf8')))
    ) as any[];
    const deployments = objects.filter((object) => object.kind === 'Deployment');
    const gateway = deployments.find((object) => object.metadata.name === 'lienthong-gateway');
    expect(gateway.spec.template.spec.containers[0].args).toEqual([
      ...GATEWAY_NODE_ARGS,
      'dist/apps/gateway/src/main.js',
    ]);
    const budgets = objects.filter((object) => object.kind === 'PodDisruptionBudget');
    expect(deployments).toHaveLength(2);
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
      for (const container of pod.containers) {
        expect(container.readinessProbe.httpGet.path).toMatch(/^\/health\//);
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
        expect(container.resources.requests).toBeDefined();
        expect(container.resources.limits).toBeDefined();
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
        expect(
          container.envFrom.map((source: any) => source.configMapRef?.name ?? source.secretRef?.name),
        ).toEqual(['lienthong-config', 'lienthong-env']);
      }
      const labels = deployment.spec.template.metadata.labels;
      expect(
        budgets.some((budget) =>
          Object.entries(budget.spec.selector.matchLabels).every(([key, value]) => labels[key] === value),
        ),
      ).toBe(true);
    }
    const config = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name === 'lienthong-config',
    );
    expect(config.data.NODE_ENV).toBe('production');
  });
});

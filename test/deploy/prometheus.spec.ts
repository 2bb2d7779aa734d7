/**
 * deploy/prometheus and deploy/grafana: every metric the alert rules and the dashboard use is one the code
 * exports, and promtool (Debian package `prometheus`, installed by .ci/run) accepts the configuration and
 * fires each alert in alerts.test.yml.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

const root = join(__dirname, '..', '..');
const prometheusDir = join(root, 'deploy', 'prometheus');
const dashboardFile = join(root, 'deploy', 'grafana', 'dashboards', 'lienthong-overview.json');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `name: 'lgsp_…'` of every metric declared in apps/ and libs/, with the series a histogram adds. */
function exportedSeries(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sourceFiles(join(root, 'apps')), ...sourceFiles(join(root, 'libs'))]) {
    for (const match of readFileSync(file, 'utf8').matchAll(/name: '(lgsp_[a-z0-9_]+)'/g)) {
      for (const suffix of ['', '_bucket', '_count', '_sum']) names.add(match[1] + suffix);
    }
  }
  return names;
}

function metricsIn(text: string): string[] {
  return [...new Set(text.match(/\blgsp_[a-z0-9_]+/g) ?? [])];
}

const promtool = spawnSync('promtool', ['--version']).status === 0;
const whenPromtool = promtool ? it : it.skip;

describe('Prometheus rules and Grafana dashboard', () => {
  const exported = exportedSeries();

  it('use only metrics the gateway and the relay export', () => {
    const rules = readFileSync(join(prometheusDir, 'alerts.yml'), 'utf8');
    const dashboard = readFileSync(dashboardFile, 'utf8');
    const used = [...metricsIn(rules), ...metricsIn(dashboard)];
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('have an alert for each condition operators are paged for, each fired by a unit test', () => {
    const rules = load(readFileSync(join(prometheusDir, 'alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string }[] }[];
    };
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'LienThongUpstreamDown',
        'LienThongUpstreamCircuitOpen',
        'LienThongConsumerLagGrowing',
        'LienThongOutboxNotDraining',
        'LienThongDeadLettersArriving',
        'LienThongPortalDeliveryDelayOverTarget',
        'LienThongMinistryDeliveryDelayOverTarget',
        'LienThongCertificateExpiringSoon',
        'LienThongAuditCheckpointOverdue',
      ]),
    );
    const tests = load(readFileSync(join(prometheusDir, 'alerts.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests.flatMap((test) =>
        test.alert_rule_test.filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname),
      ),
    );
    expect(alerts.filter((alert) => !fired.has(alert))).toEqual([]);
  });

  it('provision a dashboard whose panels all query the provisioned datasource', () => {
    const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
      uid: string;
      panels: { id: number; type: string; title: string; datasource?: { uid: string } }[];
    };
    const datasource = load(
      readFileSync(join(root, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'),
    ) as { datasources: { uid: string }[] };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const queried = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(queried.every((panel) => panel.datasource?.uid === datasource.datasources[0].uid)).toBe(true);
    const titles = dashboard.panels.map((panel) => panel.title).join('\n');
    for (const title of [
      'Circuit state',
      'Requests per minute',
      'Errors per minute',
      'Latency p50',
      'Latency p99',
      'Consumer lag by group',
      'Outbox depth',
      'Dead letters waiting',
      'Dossier events ingested',
      'Delivery delay to ministries',
      'Delivery delay to the portal',
      'CKMB',
      'MDSH',
      'Certificates: days to expiry',
    ]) {
      expect(titles).toContain(title);
    }
  });

  whenPromtool('pass promtool check config, check rules and the rule unit tests', () => {
    const run = (...args: string[]) =>
      execFileSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', stdio: 'pipe' });
    expect(run('check', 'config', '--syntax-only', 'prometheus.yml')).toContain('SUCCESS');
    expect(run('check', 'rules', 'alerts.yml')).toMatch(/SUCCESS: \d+ rules found/);
    expect(run('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  it('is run with promtool in CI', () => {
    // .ci/run installs the prometheus package; a developer machine without it skips only the promtool step
    expect(readFileSync(join(root, '.ci', 'run'), 'utf8')).toContain('missing+=(prometheus)');
  });
});

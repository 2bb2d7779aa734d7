/**
 * deploy/compose/compose.yaml parses with docker-compose (Debian package `docker-compose`, installed by
 * .ci/run; no container engine needed) and holds the stack the README promises: three KRaft brokers,
 * PostgreSQL, gateway, relay, Prometheus and Grafana, the apps in production mode from the packaged image.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { GATEWAY_NODE_ARGS } from '@lienthong/config';

const root = join(__dirname, '..', '..');
const composeFile = join(root, 'deploy', 'compose', 'compose.yaml');
const envFile = join(root, 'deploy', 'compose', 'env.example');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  user?: string;
  read_only?: boolean;
  depends_on?: Record<string, { condition: string }>;
}

const hasCompose = spawnSync('docker-compose', ['version']).status === 0;

describe('compose file', () => {
  let services: Record<string, Service>;

  beforeAll(() => {
    // docker-compose resolves anchors, merges and .env interpolation; without it js-yaml reads the raw file
    const text = hasCompose
      ? execFileSync('docker-compose', ['-f', composeFile, '--env-file', envFile, 'config'], {
          encoding: 'utf8',
          stdio: 'pipe',
        })
      : readFileSync(composeFile, 'utf8');
    services = (load(text) as { services: Record<string, Service> }).services;
  });

  (hasCompose ? it : it.skip)('is valid for docker-compose with the example settings', () => {
    const result = spawnSync('docker-compose', ['-f', composeFile, '--env-file', envFile, 'config', '-q']);
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs three KRaft brokers that form one quorum, PostgreSQL, the apps and monitoring', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'grafana',
        'gateway',
        'kafka-1',
        'kafka-2',
        'kafka-3',
        'postgres',
        'prometheus',
        'relay',
        'topics-init',
      ].sort(),
    );
    for (const id of [1, 2, 3]) {
      const env = services[`kafka-${id}`].environment!;
      expect(String(env.KAFKA_NODE_ID)).toBe(String(id));
      expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093');
    }
  });

  it('starts the gateway and the relay from the packaged image in production mode, after the topics', () => {
    for (const [name, command] of [
      ['gateway', [...GATEWAY_NODE_ARGS, 'dist/apps/gateway/src/main.js']],
      ['relay', ['dist/apps/relay/src/main.js']],
    ] as const) {
      const service = services[name];
      expect(service.command).toEqual(command);
      expect(service.environment!.NODE_ENV).toBe('production');
      expect(service.environment!.KAFKA_BROKERS).toBe('kafka-1:9092,kafka-2:9092,kafka-3:9092');
      expect(service.read_only).toBe(true);
      expect(service.depends_on!['topics-init'].condition).toBe('service_completed_successfully');
    }
  });

  it('builds the image from the bundle as a non-root user', () => {
    const dockerfile = readFileSync(join(root, 'deploy', 'docker', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toContain('var/package/lienthong');
    // by default the image runs the gateway, with its heap settings
    expect(dockerfile).toContain(
      `CMD ${JSON.stringify([...GATEWAY_NODE_ARGS, 'dist/apps/gateway/src/main.js']).replace(/,/g, ', ')}`,
    );
  });
});

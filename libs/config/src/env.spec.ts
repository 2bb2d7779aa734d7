import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ENV_VARS, envNamesOf, envReferenceMarkdown, loadEnv } from './env';
import { repoRoot } from './repo-root';

describe('environment configuration', () => {
  it('applies defaults and parses types', () => {
    const env = loadEnv(['PORT', 'LOG_LEVEL', 'KAFKA_BROKERS'], { source: { KAFKA_BROKERS: 'a:1, b:2' } });
    expect(env).toEqual({ PORT: 3000, LOG_LEVEL: 'info', KAFKA_BROKERS: ['a:1', 'b:2'] });
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv(['PORT', 'DATABASE_URL'], { source: { PORT: '', DATABASE_URL: ' ' } })).toEqual({
      PORT: 3000,
    });
  });

  it('fails fast naming every invalid or missing variable at once', () => {
    const attempt = () =>
      loadEnv(['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'KAFKA_BROKERS'], {
        required: ['KAFKA_BROKERS'],
        source: { PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url' },
      });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('PORT must be a whole number');
    expect(message).toContain('LOG_LEVEL must be one of');
    expect(message).toContain('DATABASE_URL must be a URL');
    expect(message).toContain('KAFKA_BROKERS is required');
  });

  it.each([
    ['PORT', '70000', 'at most 65535'],
    ['KAFKA_SEND_TIMEOUT_MS', '5', 'at least 100'],
  ])('rejects %s=%s (%s)', (name, value, problem) => {
    expect(() => loadEnv([name as 'PORT'], { source: { [name]: value } })).toThrow(problem);
  });

  it('documents every variable in the README exactly as the table generates it', () => {
    const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
    const block = readme
      .split('<!-- config-reference:start -->')[1]
      ?.split('<!-- config-reference:end -->')[0];
    expect(block?.trim()).toBe(envReferenceMarkdown());
    expect(new Set(ENV_VARS.map((v) => v.name)).size).toBe(ENV_VARS.length);
  });
});

describe('the settings each app reads', () => {
  it('are the ones whose apps column names it, and no other', () => {
    const relay = envNamesOf('relay');
    const gateway = envNamesOf('gateway');
    expect(relay).toContain('RELAY_ROLES');
    expect(relay).not.toContain('GATEWAY_TRUSTED_PROXIES');
    expect(gateway).toContain('GATEWAY_TRUSTED_PROXIES');
    expect(gateway).not.toContain('RELAY_ROLES');
    // both run Kafka consumers with the shared retry policy
    expect(gateway).toEqual(expect.arrayContaining(['CONSUMER_MAX_ATTEMPTS', 'CONSUMER_RETRY_BASE_MS']));
    for (const name of gateway) {
      expect(ENV_VARS.find((spec) => spec.name === name)?.apps).toContain('gateway');
    }
  });
});

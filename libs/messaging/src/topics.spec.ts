import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from '@lienthong/config';
import { ministryTopic, TOPIC_NAME_PATTERN, TOPICS } from './topics';

describe('topic registry', () => {
  const asyncapi = load(readFileSync(join(repoRoot(), 'contracts', 'asyncapi.yaml'), 'utf8')) as {
    channels: Record<string, { address: string }>;
  };
  const addresses = Object.values(asyncapi.channels).map((channel) => channel.address);

  it.each(TOPICS.map((topic) => [topic.name]))(
    '%s follows the naming convention and is in the AsyncAPI document',
    (name) => {
      expect(name).toMatch(TOPIC_NAME_PATTERN);
      expect(addresses).toContain(name);
    },
  );

  it('documents no topic the registry does not know', () => {
    const known = new Set<string>([
      ...TOPICS.map((t) => t.name),
      'lgsp.dossier.status.v1.{ministry}',
      'lgsp.dossier.inbound.v1.{client}',
    ]);
    expect(addresses.filter((address) => !known.has(address))).toEqual([]);
  });

  it('names ministry copies after the canonical topic and refuses unsafe suffixes', () => {
    expect(ministryTopic('bo-tu-phap')).toBe('lgsp.dossier.status.v1.bo-tu-phap');
    expect(() => ministryTopic('Bộ Tư pháp')).toThrow();
    expect(() => ministryTopic('')).toThrow();
  });
});

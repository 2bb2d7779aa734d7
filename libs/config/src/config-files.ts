import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from './env';
import { repoRoot } from './repo-root';

/**
 * The text of the file a setting names (absolute, or relative to the repository root); undefined when
 * the setting is unset. An unreadable file stops the start with a ConfigError naming the setting.
 */
export function readConfiguredFile(name: string, path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(isAbsolute(path) ? path : resolve(repoRoot(), path), 'utf8');
  } catch (error) {
    throw new ConfigError(
      `invalid configuration:\n  - ${name} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

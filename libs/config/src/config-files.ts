import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { load } from 'js-yaml';
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

/** A configuration document as read from its file: where it was read and what it holds, unchecked. */
export interface ConfigDocument {
  /** The file's full path, to name it in the problems its checks find. */
  readonly path: string;
  readonly document: unknown;
}

/**
 * Reads and parses a configuration file (YAML, so JSON too), absolute or relative to the repository root.
 * The checks of what it holds are the domain's (`ProcedureCatalogue.fromDocument`, `parseChainDefinitions`),
 * which read no file. An unreadable file or malformed YAML throws a ConfigError naming the file.
 */
export function readConfigDocument(file: string): ConfigDocument {
  const path = isAbsolute(file) ? file : resolve(repoRoot(), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return { path, document: load(text, { filename: path }) };
  } catch (error) {
    throw new ConfigError(`${path} cannot be read as YAML: ${(error as Error).message}`);
  }
}

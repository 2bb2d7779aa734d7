import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'lienthong';
let cached: string | undefined;

/**
 * The repository root: the nearest ancestor of `from` (default: this file) holding the project's
 * package.json. Works the same from TypeScript sources and from the compiled dist/ tree, so runtime
 * assets (contracts/, migrations, deploy/config) are read from one place.
 */
export function repoRoot(from?: string): string {
  if (from === undefined && cached) return cached;
  const start = from ?? __dirname;
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
          if (from === undefined) cached = dir;
          return dir;
        }
      } catch {
        // not a readable manifest: keep walking up
      }
    }
    if (dirname(dir) === dir)
      throw new Error(`cannot find the ${PACKAGE_NAME} repository root above ${start}`);
  }
}

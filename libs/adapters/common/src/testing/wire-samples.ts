import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reader of the recorded wire samples in `dir` (an adapter's test-fixtures folder), as text. */
export function wireSamplesIn(dir: string): (name: string) => string {
  return (name) => readFileSync(join(dir, name), 'utf8');
}

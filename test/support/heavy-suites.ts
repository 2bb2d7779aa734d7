/**
 * Suites heavy enough that two of them must not run at once on the two jest workers: the pipeline suite
 * (its own broker and the heaviest load) and the fault suite (a cluster of three brokers, six faults under
 * load). The sequencer (test/setup/sequencer.js) sends the fault suite after the pipeline suite; the
 * pipeline suite marks itself running here and the fault suite waits until no heavy suite runs.
 *
 * The marks are files beside the run's log capture file (one per jest run), named after the suite and
 * its process id, so a mark left by a killed worker is ignored. Without a capture file, nothing is done.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './http';

function marksDir(): string | undefined {
  const capture = process.env.LGSP_LOG_CAPTURE_FILE;
  return capture ? `${capture}.heavy` : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Marks `suite` as running in this process until the returned function is called. */
export function markHeavySuite(suite: string): () => void {
  const dir = marksDir();
  if (!dir) return () => {};
  mkdirSync(dir, { recursive: true });
  const mark = join(dir, `${suite}.${process.pid}`);
  writeFileSync(mark, '');
  return () => rmSync(mark, { force: true });
}

/** Waits until no other process of this jest run has a heavy suite marked running. */
export async function waitForHeavySuites(timeoutMs: number): Promise<void> {
  const dir = marksDir();
  if (!dir) return;
  await waitFor(
    () => {
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        return true;
      }
      return names.every((name) => {
        const pid = Number(name.slice(name.lastIndexOf('.') + 1));
        return pid === process.pid || !alive(pid);
      });
    },
    timeoutMs,
    'the other heavy suites to finish',
    1000,
  );
}

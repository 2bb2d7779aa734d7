/**
 * Suites heavy enough that two of them must not run at once on the two jest workers: the pipeline suite
 * (its own broker and the heaviest load) and the fault suite (a cluster of three brokers, six faults under
 * load). The sequencer (test/setup/sequencer.js) sends the fault suite after the pipeline suite and, when
 * both are in the run, tells the workers so (LGSP_TEST_CHAOS_AFTER_PIPELINE); the pipeline suite marks
 * itself running and then done here, and the fault suite waits for that.
 *
 * The marks are files beside the run's log capture file (one per jest run): `<suite>.<pid>` while it runs
 * (ignored once that process is gone), `<suite>.done` once it has ended. Without a capture file, or when
 * the pipeline suite is not in the run, nothing is waited for.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** Marks `suite` as running in this process until the returned function marks it done. */
export function markHeavySuite(suite: string): () => void {
  const dir = marksDir();
  if (!dir) return () => {};
  mkdirSync(dir, { recursive: true });
  const running = join(dir, `${suite}.${process.pid}`);
  writeFileSync(running, '');
  return () => {
    writeFileSync(join(dir, `${suite}.done`), '');
    rmSync(running, { force: true });
  };
}

/**
 * Waits until the pipeline suite, when it is in this run, has ended, and no other heavy suite of the run
 * is running.
 */
export async function waitForHeavySuites(timeoutMs: number): Promise<void> {
  const dir = marksDir();
  if (!dir) return;
  const pipelineInRun = process.env.LGSP_TEST_CHAOS_AFTER_PIPELINE === '1';
  await waitFor(
    () => {
      if (pipelineInRun && !existsSync(join(dir, 'pipeline.done'))) return false;
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        return true;
      }
      return names
        .filter((name) => !name.endsWith('.done'))
        .every((name) => {
          const pid = Number(name.slice(name.lastIndexOf('.') + 1));
          return pid === process.pid || !alive(pid);
        });
    },
    timeoutMs,
    'the pipeline suite to end',
    1000,
  );
}

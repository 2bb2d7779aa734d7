import { CommitOutcomeUnknownError, isDatabaseUnavailable } from './errors';

interface Waiting<J, R> {
  job: J;
  size: number;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions<J, R> {
  /** Commits a group in one transaction; returns each job's result, in order. */
  commit(jobs: readonly J[]): Promise<R[]>;
  /** The size a job counts for against `maxGroupSize` (events in it). */
  sizeOf(job: J): number;
  /** A group takes queued jobs until their sizes add up to this (at least one job). */
  maxGroupSize: number;
  /** Groups committing at once (1 on a single-connection database). */
  concurrency: number;
  /** Told the number of jobs of each group before it commits (a metric). */
  observeGroup?(jobs: number): void;
}

/**
 * Group commit: concurrent requests queue here, a runner takes everything queued (up to a size
 * limit), commits it as one transaction and resolves each request with its own result. While a group
 * commits, new requests gather for the next, so N concurrent requests cost far fewer than N commits
 * without adding a wait when the gateway is idle. A group that fails is committed again one job at a
 * time, so one request's failure (a unique violation from a race with another instance, say) never
 * fails its neighbours; a group of one is tried once more unless the database is out of reach. A group
 * whose COMMIT outcome is unknown (CommitOutcomeUnknownError) fails every job with that error.
 */
export class GroupCommit<J, R> {
  private readonly queue: Waiting<J, R>[] = [];
  private running = 0;
  private pumpScheduled = false;

  constructor(private readonly options: GroupCommitOptions<J, R>) {}

  submit(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, size: this.options.sizeOf(job), resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * A new job starts a group only once the requests read in the same turn of the event loop have queued too
   * (setImmediate runs after the current I/O callbacks). Started at once, the first of them went alone, and on
   * PGlite, whose statements run on this thread without giving the loop a turn, every group was one request:
   * 64 concurrent single-event requests cost 64 commits.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const group: Waiting<J, R>[] = [];
      let size = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || size + this.queue[0].size <= this.options.maxGroupSize)
      ) {
        const next = this.queue.shift()!;
        size += next.size;
        group.push(next);
      }
      this.running++;
      void this.run(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(group: Waiting<J, R>[]): Promise<void> {
    this.options.observeGroup?.(group.length);
    try {
      const results = await this.options.commit(group.map((waiting) => waiting.job));
      group.forEach((waiting, i) => waiting.resolve(results[i]));
      return;
    } catch (error) {
      // a group whose COMMIT may have landed is not tried again: every job is told its outcome is unknown
      // (tried alone against a database still out of reach, each would be told nothing was recorded)
      if (error instanceof CommitOutcomeUnknownError) {
        for (const waiting of group) waiting.reject(error);
        return;
      }
      // a database out of reach fails a lone job at once; anything else (a unique violation from a race
      // with another transaction, a deadlock) gets one more try, which sees what the other one committed
      if (group.length === 1 && isDatabaseUnavailable(error)) {
        group[0].reject(error);
        return;
      }
    }
    for (const waiting of group) {
      try {
        const [result] = await this.options.commit([waiting.job]);
        waiting.resolve(result);
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}

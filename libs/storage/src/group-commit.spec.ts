import { CommitOutcomeUnknownError } from './errors';
import { GroupCommit } from './group-commit';

/** A commit that, like PGlite's statements, completes without giving the event loop a turn. */
function recordingGroups(concurrency = 1) {
  const groups: number[][] = [];
  const commits = new GroupCommit<number, string>({
    commit: async (jobs) => {
      groups.push([...jobs]);
      await Promise.resolve();
      return jobs.map((job) => `done ${job}`);
    },
    sizeOf: () => 1,
    maxGroupSize: 50,
    concurrency,
  });
  return { groups, commits };
}

/** Jobs submitted from separate callbacks of one turn of the loop, as requests read from separate sockets. */
function submitFromCallbacks(commits: GroupCommit<number, string>, count: number): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<string>((resolve, reject) => setImmediate(() => commits.submit(i).then(resolve, reject))),
    ),
  );
}

describe('GroupCommit', () => {
  it('commits the requests of one turn of the event loop together, each answered with its own result', async () => {
    const { groups, commits } = recordingGroups();
    const results = await submitFromCallbacks(commits, 64);

    expect(results).toEqual(Array.from({ length: 64 }, (_, i) => `done ${i}`));
    // 64 jobs in groups of at most 50: two commits, not 64
    expect(groups.map((group) => group.length)).toEqual([50, 14]);
  });

  it('gathers the jobs that arrive while a group commits into the next group', async () => {
    const { groups, commits } = recordingGroups();
    const first = commits.submit(0);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3].map((job) => commits.submit(job));
    await Promise.all([first, ...later]);

    expect(groups).toEqual([[0], [1, 2, 3]]);
  });

  it('commits a failed group again job by job, so one bad job fails alone', async () => {
    const groups: number[][] = [];
    const commits = new GroupCommit<number, number>({
      commit: async (jobs) => {
        groups.push([...jobs]);
        if (jobs.includes(2)) throw new Error('unique violation');
        return [...jobs];
      },
      sizeOf: () => 1,
      maxGroupSize: 10,
      concurrency: 1,
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((job) => commits.submit(job)));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });
  it('tells every job of a group whose COMMIT outcome is unknown so, without committing them again alone', async () => {
    const groups: number[][] = [];
    const lost = new CommitOutcomeUnknownError(new Error('Connection terminated'));
    const commits = new GroupCommit<number, number>({
      commit: async (jobs) => {
        groups.push([...jobs]);
        if (groups.length === 1) throw lost;
        // a job committed again alone would find the database out of reach and be told nothing was recorded
        throw new Error('Connection terminated unexpectedly');
      },
      sizeOf: () => 1,
      maxGroupSize: 10,
      concurrency: 1,
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((job) => commits.submit(job)));

    expect(outcomes).toEqual([1, 2, 3].map(() => ({ status: 'rejected', reason: lost })));
    expect(groups).toEqual([[1, 2, 3]]);
  });
});

/**
 * The V8 heap settings the gateway runs with, wherever it runs as a process of its own: the container image's
 * default command, Kubernetes, compose, `npm start` with PostgreSQL, and the benchmarks.
 *
 * Without a limit, V8 sized the gateway's heap by the machine, and under a lookup load it grew the heap to about
 * twice what was live (about 100 MB live, 180 to 240 MB of heap, 290 to 360 MB resident). With these two
 * settings the same bench peaks at 205 to 235 MB resident on a loaded machine and about 270 MB at full speed on
 * a quiet one, at no more CPU per lookup (`npm run bench -- lookups`). 256 MB of old space leaves room for the largest audit queue (AUDIT_MAX_QUEUE records are
 * held in memory while the database is away; 100 000 records take about 66 MB).
 */
export const GATEWAY_NODE_ARGS: readonly string[] = ['--max-old-space-size=256', '--max-semi-space-size=8'];

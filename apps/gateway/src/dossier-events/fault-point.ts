import { createLogger } from '@lienthong/observability';

/** Stages of ingest and dispatch where a test may have the process killed. */
export type FaultPoint = 'ingest.before-commit' | 'ingest.after-commit' | 'dispatch.after-send';

const FAULT_POINTS: readonly FaultPoint[] = [
  'ingest.before-commit',
  'ingest.after-commit',
  'dispatch.after-send',
];

interface Armed {
  point: FaultPoint;
  /** The hit that kills (1 = the first). */
  at: number;
  hits: number;
}

let armed: Armed | undefined | null = null;

/**
 * `LIENTHONG_FAULT_POINT=<point>[@<n>]`: the process kills itself with SIGKILL the n-th time (default the
 * first) it reaches `<point>`, as a crash there would. Only outside production (NODE_ENV), for the tests
 * that prove nothing is lost and nothing unaccepted is published whichever stage a crash hits.
 */
function armedPoint(env: NodeJS.ProcessEnv = process.env): Armed | undefined {
  if (armed !== null) return armed;
  const setting = env.LIENTHONG_FAULT_POINT?.trim();
  armed = undefined;
  if (!setting) return armed;
  if (env.NODE_ENV === 'production') {
    createLogger({ name: 'fault-point' }).warn('LIENTHONG_FAULT_POINT is ignored in production');
    return armed;
  }
  const [point, count] = setting.split('@');
  if (!FAULT_POINTS.includes(point as FaultPoint)) {
    throw new Error(`LIENTHONG_FAULT_POINT must be one of ${FAULT_POINTS.join(', ')} (optionally @<n>)`);
  }
  const at = count === undefined ? 1 : Number.parseInt(count, 10);
  if (!Number.isInteger(at) || at < 1)
    throw new Error('LIENTHONG_FAULT_POINT count must be a positive integer');
  armed = { point: point as FaultPoint, at, hits: 0 };
  return armed;
}

/** Kills this process with SIGKILL when `point` is the armed fault point and its count is reached. */
export function faultPoint(point: FaultPoint): void {
  const current = armedPoint();
  if (!current || current.point !== point) return;
  current.hits += 1;
  if (current.hits >= current.at) process.kill(process.pid, 'SIGKILL');
}

/** True when a fault point is armed (checked at start, so a bad setting stops the gateway at once). */
export function faultPointArmed(): boolean {
  return armedPoint() !== undefined;
}

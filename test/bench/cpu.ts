import { readdirSync, readFileSync } from 'node:fs';

/** A process's command name and CPU time (user + system) so far in ms, from /proc/<pid>/stat. */
function readStat(pid: number | string): { command: string; cpuMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name: state is 3rd, utime 14th, stime 15th (clock ticks of 10 ms on Linux)
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    cpuMs: (Number(fields[11]) + Number(fields[12])) * 10,
  };
}

/** CPU time (user + system) a process has used so far, in ms, from its own counters; NaN if unknown. */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    return readStat(pid).cpuMs;
  } catch {
    return NaN;
  }
}

/** The whole machine's CPU counters so far (Linux), in ms summed over every core: busy and in total. */
export function machineCpuMs(): { busyMs: number; totalMs: number } {
  try {
    // cpu user nice system idle iowait irq softirq steal ... (clock ticks of 10 ms)
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const values = ticks.slice(0, 8).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = values[3] + values[4];
    return { busyMs: (total - idle) * 10, totalMs: total * 10 };
  } catch {
    return { busyMs: NaN, totalMs: NaN };
  }
}

/**
 * CPU time so far, in ms, of every process of this machine whose command name is `command` (`java` for a local
 * broker, `postgres` for a local PostgreSQL server and its backends); 0 when there is none.
 */
export function commandCpuMs(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readStat(entry);
      if (stat.command === command) total += stat.cpuMs;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

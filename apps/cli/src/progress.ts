/**
 * A progress line on standard error for the long CLI steps (reading the dead-letter topic, replaying,
 * verifying the audit chain): `label  [#########-----------]  45%  450/1,000`, redrawn in place at most
 * ten times a second. Only on a terminal and never with --json, so scripts and pipes get clean output.
 */
export interface Progress {
  update(done: number, total: number): void;
  /** Ends the line (leaves the final state on screen). */
  stop(): void;
}

export function progress(
  label: string,
  options: { enabled?: boolean; stream?: NodeJS.WriteStream; width?: number } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled ?? stream.isTTY === true;
  const width = options.width ?? 24;
  let last = 0;
  let drawn = false;
  let state: [number, number] = [0, 0];
  const draw = () => {
    const [done, total] = state;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(ratio * width);
    const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    stream.write(
      `\r${label}  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${String(Math.round(ratio * 100)).padStart(3)}%  ${count}`,
    );
    drawn = true;
  };
  return {
    update(done, total) {
      if (!enabled) return;
      state = [done, total];
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw();
    },
    stop() {
      if (!enabled) return;
      if (state[1] > 0) draw();
      if (drawn) stream.write('\n');
    },
  };
}

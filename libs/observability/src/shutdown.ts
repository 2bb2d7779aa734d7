/**
 * Graceful stop on SIGINT/SIGTERM: runs `close` once (finishing in-flight work, disconnecting from
 * Kafka and the database), then exits. A second signal, or a close that hangs past the grace period,
 * exits at once.
 */
export function closeOnSignals(close: () => Promise<void>, graceMs = 20_000): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    setTimeout(() => process.exit(1), graceMs).unref();
    close()
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (process.env.LGSP_EXIT_WITH_PARENT === '1') {
    // Started by `npm start`: if that process dies without stopping us (SIGKILL), our stdin pipe
    // closes and we stop too, so nothing is left running.
    process.stdin.on('end', () => stop('SIGTERM')).on('error', () => stop('SIGTERM'));
    process.stdin.resume();
  }
}

/**
 * Runs `work` while sending the consumer group a heartbeat every second (kafkajs sends one only when its
 * heartbeat interval has passed). kafkajs heartbeats from its fetch loop alone, between records and batches:
 * a handler that waits on a slow upstream for longer than the session timeout would have its member dropped,
 * its partitions handed out again and its records handled twice.
 */
export async function whileHeartbeating<T>(
  heartbeat: () => Promise<void>,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

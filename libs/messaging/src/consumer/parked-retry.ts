/**
 * Retry topics for deliveries to an upstream that may be down for a while (the portal, the operations center).
 * A message that failed transiently is parked: copied to the retry topic with these headers, so its main topic
 * keeps flowing. The retry consumer works through the retry topic in order, waiting (with consumer heartbeats)
 * until each message is due and retrying with growing delays; a permanent failure, or one that outlasts the
 * attempts, is thrown for the dead-letter topic.
 */

export const RetryHeader = {
  Attempt: 'lgsp-retry-attempt',
  NotBefore: 'lgsp-retry-not-before',
  Reason: 'lgsp-retry-reason',
} as const;

export interface RetrySchedule {
  /** Delivery attempts of a parked message before it is given up. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt, capped at maxDelayMs (a longer Retry-After wins). */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The delay after failed attempt number `attempt` (1-based). */
export function retryDelayMs(schedule: RetrySchedule, attempt: number): number {
  return Math.min(schedule.maxDelayMs, schedule.baseDelayMs * 2 ** (attempt - 1));
}

/** Headers of a message parked on a retry topic: first attempt, due after the base delay. */
export function parkHeaders(
  schedule: RetrySchedule,
  reason: string,
  now = Date.now(),
): Record<string, string> {
  return {
    [RetryHeader.Attempt]: '1',
    [RetryHeader.NotBefore]: new Date(now + schedule.baseDelayMs).toISOString(),
    [RetryHeader.Reason]: reason.slice(0, 500),
  };
}

/** What one parked message does at each step of its retries. */
export interface ParkedDelivery {
  /** One delivery attempt; throws on failure. */
  attempt(): Promise<void>;
  isTransient(error: unknown): boolean;
  /** The upstream's Retry-After for this failure, if it gave one. */
  retryAfterMs?(error: unknown): number | undefined;
  /** The error to throw for a permanent failure (after any clean-up). */
  permanent(error: unknown): Promise<Error>;
  /** The error to throw once the attempts are used up (after any clean-up). */
  exhausted(attempts: number, error: unknown): Promise<Error>;
  /** Before waiting for the next attempt. */
  retrying(attempt: number, delayMs: number, error: unknown): Promise<void>;
}

/** Sleeps `ms`, sending a consumer heartbeat at least every second so the group keeps the partition. */
export async function waitWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
    await heartbeat().catch(() => undefined);
  }
}

/** Delivers one message of a retry topic: waits until it is due, then retries it per `schedule`. */
export async function deliverParked(
  headers: Record<string, string | undefined>,
  heartbeat: () => Promise<void>,
  schedule: RetrySchedule,
  delivery: ParkedDelivery,
): Promise<void> {
  const notBefore = Date.parse(headers[RetryHeader.NotBefore] ?? '') || 0;
  let attempt = Number(headers[RetryHeader.Attempt] ?? 1) || 1;
  await waitWithHeartbeat(notBefore - Date.now(), heartbeat);
  for (;;) {
    try {
      await delivery.attempt();
      return;
    } catch (error) {
      if (!delivery.isTransient(error)) throw await delivery.permanent(error);
      if (attempt >= schedule.maxAttempts) throw await delivery.exhausted(attempt, error);
      const delay = Math.max(retryDelayMs(schedule, attempt), delivery.retryAfterMs?.(error) ?? 0);
      await delivery.retrying(attempt, delay, error);
      attempt += 1;
      await waitWithHeartbeat(delay, heartbeat);
    }
  }
}

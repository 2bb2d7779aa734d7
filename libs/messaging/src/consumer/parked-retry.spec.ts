import { deliverParked, parkHeaders, retryDelayMs, RetryHeader, RetrySchedule } from './parked-retry';

const schedule: RetrySchedule = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 8 };
const transient = new Error('busy');
const fatal = new Error('refused');

function recorder(failures: Error[]) {
  const steps: string[] = [];
  return {
    steps,
    delivery: {
      attempt: async () => {
        steps.push('attempt');
        const failure = failures.shift();
        if (failure) throw failure;
      },
      isTransient: (error: unknown) => error === transient,
      permanent: async (error: unknown) => {
        steps.push(`permanent:${(error as Error).message}`);
        return new Error('dead-letter: permanent');
      },
      exhausted: async (attempts: number) => {
        steps.push(`exhausted:${attempts}`);
        return new Error('dead-letter: exhausted');
      },
      retrying: async (attempt: number, delayMs: number) => {
        steps.push(`retrying:${attempt}:${delayMs}`);
      },
    },
  };
}

describe('parked retries', () => {
  it('doubles the delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(schedule, attempt))).toEqual([5, 8, 8, 8]);
  });

  it('parks with the first attempt, due after the base delay, and a bounded reason', () => {
    const headers = parkHeaders(schedule, 'x'.repeat(600), Date.parse('2026-11-22T00:00:00Z'));
    expect(headers[RetryHeader.Attempt]).toBe('1');
    expect(headers[RetryHeader.NotBefore]).toBe('2026-11-22T00:00:00.005Z');
    expect(headers[RetryHeader.Reason]).toHaveLength(500);
  });

  it('retries transient failures until one succeeds, honouring a longer Retry-After', async () => {
    const { steps, delivery } = recorder([transient, transient]);
    await deliverParked({}, async () => undefined, schedule, { ...delivery, retryAfterMs: () => 7 });
    expect(steps).toEqual(['attempt', 'retrying:1:7', 'attempt', 'retrying:2:8', 'attempt']);
  });

  it('continues from the attempt number in the headers and gives up after the last one', async () => {
    const { steps, delivery } = recorder([transient, transient]);
    await expect(
      deliverParked({ [RetryHeader.Attempt]: '2' }, async () => undefined, schedule, delivery),
    ).rejects.toThrow('dead-letter: exhausted');
    expect(steps).toEqual(['attempt', 'retrying:2:8', 'attempt', 'exhausted:3']);
  });

  it('throws a permanent failure at once', async () => {
    const { steps, delivery } = recorder([fatal]);
    await expect(deliverParked({}, async () => undefined, schedule, delivery)).rejects.toThrow(
      'dead-letter: permanent',
    );
    expect(steps).toEqual(['attempt', 'permanent:refused']);
  });

  it('waits until the message is due, sending heartbeats meanwhile', async () => {
    const { steps, delivery } = recorder([]);
    let beats = 0;
    const due = new Date(Date.now() + 40).toISOString();
    const started = Date.now();
    await deliverParked({ [RetryHeader.NotBefore]: due }, async () => void beats++, schedule, delivery);
    expect(Date.now()).toBeGreaterThanOrEqual(started + 35);
    expect(beats).toBeGreaterThanOrEqual(1);
    expect(steps).toEqual(['attempt']);
  });
});

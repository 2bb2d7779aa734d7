import type { CircuitStateName } from './adapter-metrics';

/** What `GET /health/adapters` shows for one adapter. */
export interface AdapterHealth {
  adapter: string;
  circuit: CircuitStateName;
  /** Median latency of the upstream calls in the recent window; absent when there were none. */
  recentLatencyMsP50?: number;
  recentLatencyMsP99?: number;
  /** Share of recent upstream calls that failed for an upstream reason (0..1); 0 without calls. */
  errorRate: number;
  /** Upstream calls in the window (calls refused by the breaker or the bulkhead are not upstream calls). */
  recentCalls: number;
}

/**
 * The last `capacity` upstream calls younger than `windowMs`: latency and whether the upstream failed
 * (unavailable, timeout, malformed, bad signature). Business outcomes (not found, invalid) are successes
 * here: the upstream answered.
 */
export class RecentCalls {
  private readonly at: Float64Array;
  private readonly latency: Float64Array;
  private readonly failed: Uint8Array;
  private next = 0;
  private filled = 0;

  constructor(
    private readonly capacity = 512,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.at = new Float64Array(capacity);
    this.latency = new Float64Array(capacity);
    this.failed = new Uint8Array(capacity);
  }

  record(latencyMs: number, failed: boolean): void {
    this.at[this.next] = this.now();
    this.latency[this.next] = latencyMs;
    this.failed[this.next] = failed ? 1 : 0;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  snapshot(): { p50?: number; p99?: number; errorRate: number; count: number } {
    const since = this.now() - this.windowMs;
    const latencies: number[] = [];
    let failures = 0;
    for (let i = 0; i < this.filled; i++) {
      if (this.at[i] < since) continue;
      latencies.push(this.latency[i]);
      failures += this.failed[i];
    }
    if (latencies.length === 0) return { errorRate: 0, count: 0 };
    latencies.sort((a, b) => a - b);
    const pick = (q: number) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
    return {
      p50: pick(0.5),
      p99: pick(0.99),
      errorRate: failures / latencies.length,
      count: latencies.length,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

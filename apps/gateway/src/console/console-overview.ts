import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  register,
  type MetricObjectWithValues,
  type MetricValue,
  type MetricValueWithName,
} from 'prom-client';
import {
  INDICATORS_GROUP_ID,
  KafkaAdmin,
  OPERATIONS_CENTER_GROUP_ID,
  OPERATIONS_CENTER_RETRY_GROUP_ID,
  PORTAL_GROUP_ID,
  PORTAL_RETRY_GROUP_ID,
  ROUTING_GROUP_ID,
  Topic,
} from '@lienthong/messaging';
import { Database } from '@lienthong/storage';
import { LookupUpstreams } from '../lookups/lookup-upstreams';

export type Health = 'up' | 'degraded' | 'down' | 'unknown';
export type Circuit = 'closed' | 'half-open' | 'open';

/** The five upstreams, in the order the overview shows them, with the title an operator knows them by. */
export const CONSOLE_UPSTREAMS = [
  { name: 'population', title: 'National Population Database' },
  { name: 'business-registry', title: 'National Business Registration Database' },
  { name: 'land', title: 'National Land Database' },
  { name: 'public-service-portal', title: 'National Public Service Portal' },
  { name: 'operations-center', title: 'Government operations center' },
] as const;
export type ConsoleUpstream = (typeof CONSOLE_UPSTREAMS)[number]['name'];

/** The relay's consumer groups and what they read: the lag the overview shows. */
const LAG_GROUPS = [
  { group: ROUTING_GROUP_ID, topics: [Topic.DossierStatus] },
  { group: INDICATORS_GROUP_ID, topics: [Topic.DossierStatus] },
  { group: PORTAL_GROUP_ID, topics: [Topic.DossierStatus] },
  { group: PORTAL_RETRY_GROUP_ID, topics: [Topic.DossierStatusRetry] },
  { group: OPERATIONS_CENTER_GROUP_ID, topics: [Topic.IndicatorReport] },
  { group: OPERATIONS_CENTER_RETRY_GROUP_ID, topics: [Topic.IndicatorReportRetry] },
];

export interface UpstreamView {
  name: ConsoleUpstream;
  title: string;
  /** Reported by this process: its adapter is configured here (or in the relay of an all-in-one run). */
  configured: boolean;
  status: Health;
  /** null: the adapter has no circuit breaker this process can see. */
  circuit: Circuit | null;
  /** Calls in the last minute, and those that failed for an upstream reason. */
  requestsPerMinute: number;
  errorsPerMinute: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface Point {
  t: number;
  requests: number;
  errors: number;
  p50: number | null;
  p99: number | null;
}

export interface Overview {
  at: string;
  upstreams: UpstreamView[];
  kafka: { status: Health; detail?: string };
  database: { status: Health; detail?: string };
  consumerLag: { group: string; lag: number }[];
  outboxDepth: number | null;
  deadLetters: number | null;
  /** The last hour per upstream, one point per sample. */
  history: Record<string, Point[]>;
}

/** One sample of the cumulative histogram of an upstream's calls (all methods), from the metrics registry. */
interface Cumulative {
  t: number;
  count: number;
  errors: number;
  buckets: Map<number, number>;
}

export const SAMPLE_INTERVAL_MS = 5_000;
const HISTORY_MS = 60 * 60_000;
const WINDOW_MS = 60_000;
const WATCH_MS = 60_000;
const DEGRADED_ERROR_SHARE = 0.5;

/** Linear interpolation inside the bucket holding quantile q (what Prometheus' histogram_quantile does). */
export function quantileOf(buckets: Map<number, number>, q: number): number | null {
  const bounds = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (bounds.length ? buckets.get(bounds[bounds.length - 1])! : 0);
  if (!total) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const count = buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return previousBound * 1000;
      const inside = count - previousCount;
      const fraction = inside > 0 ? (rank - previousCount) / inside : 1;
      return Math.round((previousBound + (bound - previousBound) * fraction) * 1000 * 100) / 100;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound * 1000;
}

function valuesOf(metric: MetricObjectWithValues<MetricValue<string>> | undefined) {
  return (metric?.values ?? []) as MetricValueWithName<string>[];
}

/**
 * The overview's read model: every five seconds, the state of the five upstreams (circuit, calls and
 * failures per minute, p50/p99 over the last minute), Kafka and the database, the relay's consumer lag,
 * the outbox depth and the dead letters waiting; an hour of history for the charts. Upstream figures come
 * from the adapters of this process (the gateway's lookups) and from the shared metrics registry (the
 * relay's portal and operations-center adapters when it runs in the same process, as `npm start` does on
 * embedded PGlite); an upstream nobody here reports is shown as unknown. Upstream samples are taken from
 * memory all the time (the charts need the hour); the broker and the database are asked only while a page
 * has looked in the last minute.
 */
@Injectable()
export class ConsoleOverview implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;
  private latest?: Overview;
  /** When a page last asked: Kafka and the database are only polled while someone watches. */
  private askedAt = 0;
  /** Whether the latest sample asked the broker and the database (or repeated what they said before). */
  private latestWatched = false;
  private readonly cumulative = new Map<string, Cumulative[]>();
  private readonly history = new Map<string, Point[]>();

  constructor(
    @Inject(LookupUpstreams) private readonly upstreams: LookupUpstreams,
    @Inject(KafkaAdmin) private readonly admin: KafkaAdmin,
    @Inject(Database) private readonly database: Database,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    // a sample in flight finds the broker or the database closed, and says so in its figures
    clearInterval(this.timer);
  }

  /** The latest sample; taken now when it is older than a second (a page asking sees fresh state). */
  async current(): Promise<Overview> {
    this.askedAt = Date.now();
    if (!this.latest || !this.latestWatched || Date.now() - Date.parse(this.latest.at) > 1_000)
      await this.refresh();
    return this.latest!;
  }

  private refresh(): Promise<void> {
    this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  private async sample(): Promise<void> {
    const now = Date.now();
    const [duration, circuits, portalDuration, portalErrors, outbox] = await Promise.all(
      [
        'lgsp_adapter_duration_seconds',
        'lgsp_adapter_circuit_state',
        'lgsp_portal_request_duration_seconds',
        'lgsp_portal_errors_total',
        'lgsp_outbox_depth',
      ].map((name) => register.getSingleMetric(name)?.get()),
    );
    const own = new Map(
      this.upstreams
        .health()
        .filter((entry) => entry.configured)
        .map((entry) => [entry.adapter as string, entry]),
    );
    const upstreams = CONSOLE_UPSTREAMS.map(({ name, title }): UpstreamView => {
      const health = own.get(name);
      if (health && health.configured) {
        // the adapter's own window: exact p50/p99 of the last minute, and its breaker
        const errors = Math.round(health.errorRate * health.recentCalls);
        return this.view(name, title, now, {
          circuit: health.circuit,
          requestsPerMinute: health.recentCalls,
          errorsPerMinute: errors,
          p50Ms: health.recentLatencyMsP50 ?? null,
          p99Ms: health.recentLatencyMsP99 ?? null,
        });
      }
      const series =
        name === 'public-service-portal'
          ? this.portalCumulative(now, portalDuration, portalErrors)
          : this.adapterCumulative(name, now, duration, circuits);
      if (!series) return this.view(name, title, now, undefined);
      const circuitValue = valuesOf(circuits).find((v) => v.labels.adapter === name)?.value;
      const circuit: Circuit | null =
        circuitValue === undefined
          ? null
          : circuitValue >= 2
            ? 'open'
            : circuitValue >= 1
              ? 'half-open'
              : 'closed';
      return this.view(name, title, now, { circuit, ...this.windowOf(name, series) });
    });

    const watched = now - this.askedAt < WATCH_MS;
    const [kafka, database] = watched
      ? await Promise.all([this.kafkaState(), this.databaseState()])
      : [
          {
            health: this.latest?.kafka ?? { status: 'unknown' as const },
            lag: this.latest?.consumerLag ?? [],
            deadLetters: this.latest?.deadLetters ?? null,
          },
          this.latest?.database ?? { status: 'unknown' as const },
        ];
    this.latest = {
      at: new Date(now).toISOString(),
      upstreams,
      kafka: kafka.health,
      database,
      consumerLag: kafka.lag,
      outboxDepth: valuesOf(outbox)[0]?.value ?? null,
      deadLetters: kafka.deadLetters,
      history: Object.fromEntries(this.history),
    };
    this.latestWatched = watched;
  }

  private view(
    name: ConsoleUpstream,
    title: string,
    now: number,
    figures:
      Pick<UpstreamView, 'circuit' | 'requestsPerMinute' | 'errorsPerMinute' | 'p50Ms' | 'p99Ms'> | undefined,
  ): UpstreamView {
    if (!figures) {
      return {
        name,
        title,
        configured: false,
        status: 'unknown',
        circuit: null,
        requestsPerMinute: 0,
        errorsPerMinute: 0,
        p50Ms: null,
        p99Ms: null,
      };
    }
    const errorShare = figures.requestsPerMinute ? figures.errorsPerMinute / figures.requestsPerMinute : 0;
    // degraded: the breaker is not closed (it opens on consecutive failures), or at least half of the last
    // minute's calls failed (an upstream failing intermittently, which a consecutive-failure breaker misses)
    const status: Health =
      figures.circuit === 'open' || figures.circuit === 'half-open' || errorShare >= DEGRADED_ERROR_SHARE
        ? 'degraded'
        : 'up';
    const points = this.history.get(name) ?? [];
    points.push({
      t: now,
      requests: figures.requestsPerMinute,
      errors: figures.errorsPerMinute,
      p50: figures.p50Ms,
      p99: figures.p99Ms,
    });
    while (points.length && points[0].t < now - HISTORY_MS) points.shift();
    this.history.set(name, points);
    return { name, title, configured: true, status, ...figures };
  }

  /** Calls, failures and latency buckets of an adapter reporting lgsp_adapter_* (all methods). */
  private adapterCumulative(
    adapter: string,
    now: number,
    metric: MetricObjectWithValues<MetricValue<string>> | undefined,
    circuits: MetricObjectWithValues<MetricValue<string>> | undefined,
  ): Cumulative | undefined {
    // an adapter sets its circuit gauge when it is built: present before its first call
    if (!valuesOf(circuits).some((v) => v.labels.adapter === adapter)) return undefined;
    const values = valuesOf(metric).filter(
      (v) => v.labels.adapter === adapter && v.labels.outcome !== 'short_circuit',
    );
    const sample: Cumulative = { t: now, count: 0, errors: 0, buckets: new Map() };
    for (const value of values) {
      if (value.metricName?.endsWith('_count')) {
        sample.count += value.value;
        if (value.labels.outcome === 'error') sample.errors += value.value;
      } else if (value.metricName?.endsWith('_bucket')) {
        const bound = value.labels.le === '+Inf' ? Infinity : Number(value.labels.le);
        sample.buckets.set(bound, (sample.buckets.get(bound) ?? 0) + value.value);
      }
    }
    return sample;
  }

  /** The portal adapter's own metrics: exchanges by outcome (`ok` succeeded) and their latency. */
  private portalCumulative(
    now: number,
    duration: MetricObjectWithValues<MetricValue<string>> | undefined,
    errors: MetricObjectWithValues<MetricValue<string>> | undefined,
  ): Cumulative | undefined {
    // registered by the relay's portal module (in this process) even before its first exchange
    if (!duration) return undefined;
    const values = valuesOf(duration);
    const sample: Cumulative = { t: now, count: 0, errors: 0, buckets: new Map() };
    for (const value of values) {
      if (value.metricName?.endsWith('_count')) sample.count += value.value;
      else if (value.metricName?.endsWith('_bucket')) {
        const bound = value.labels.le === '+Inf' ? Infinity : Number(value.labels.le);
        sample.buckets.set(bound, (sample.buckets.get(bound) ?? 0) + value.value);
      }
    }
    sample.errors = valuesOf(errors).reduce((sum, v) => sum + v.value, 0);
    return sample;
  }

  /** Differences over the last minute of the cumulative samples: calls, failures and quantiles. */
  private windowOf(
    name: string,
    sample: Cumulative,
  ): Pick<UpstreamView, 'requestsPerMinute' | 'errorsPerMinute' | 'p50Ms' | 'p99Ms'> {
    const samples = this.cumulative.get(name) ?? [];
    samples.push(sample);
    while (samples.length > 1 && samples[1].t <= sample.t - WINDOW_MS) samples.shift();
    this.cumulative.set(name, samples);
    const base =
      samples[0] === sample ? { count: 0, errors: 0, buckets: new Map<number, number>() } : samples[0];
    const buckets = new Map(
      [...sample.buckets].map(([bound, count]) => [bound, count - (base.buckets.get(bound) ?? 0)]),
    );
    return {
      requestsPerMinute: sample.count - base.count,
      errorsPerMinute: Math.min(sample.count - base.count, sample.errors - base.errors),
      p50Ms: quantileOf(buckets, 0.5),
      p99Ms: quantileOf(buckets, 0.99),
    };
  }

  private async kafkaState(): Promise<{
    health: Overview['kafka'];
    lag: Overview['consumerLag'];
    deadLetters: number | null;
  }> {
    try {
      const deadLetters = await this.admin.topicDepth(Topic.DeadLetter);
      const lag: Overview['consumerLag'] = [];
      for (const { group, topics } of LAG_GROUPS) {
        const partitions = await this.admin.consumerLag(group, topics).catch(() => undefined);
        if (partitions) lag.push({ group, lag: partitions.reduce((sum, p) => sum + p.lag, 0) });
      }
      return { health: { status: 'up' }, lag, deadLetters };
    } catch (error) {
      return { health: { status: 'down', detail: (error as Error).message }, lag: [], deadLetters: null };
    }
  }

  private async databaseState(): Promise<Overview['database']> {
    try {
      await this.database.ping();
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', detail: (error as Error).message };
    }
  }
}

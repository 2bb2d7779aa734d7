import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import type { AppLogger } from '@lienthong/observability';
import type { IndicatorReporter, ReportOutcome } from '@lienthong/indicators';
import { scheduledPeriods } from './reporting-periods';

export const INDICATOR_REPORTER = Symbol('INDICATOR_REPORTER');
export const INDICATOR_REPORT_SCHEDULE_OPTIONS = Symbol('INDICATOR_REPORT_SCHEDULE_OPTIONS');

export interface IndicatorReportScheduleOptions {
  /** Milliseconds between runs; 0 turns the schedule off. */
  intervalMs: number;
  /** Delay of the first run after start (default: 5 s, or the interval when shorter). */
  firstRunAfterMs?: number;
  logger: AppLogger;
}

/**
 * Runs the indicator reporter every INDICATOR_REPORT_SCHEDULE for the current and previous day, month and
 * quarter (Vietnam time). Runs never overlap; a failed run is logged and the next one comes on time. Several
 * relay instances may run it at once: the reporter records each version once.
 */
@Injectable()
export class IndicatorReportScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly logger: AppLogger;

  constructor(
    @Inject(INDICATOR_REPORT_SCHEDULE_OPTIONS) private readonly options: IndicatorReportScheduleOptions,
    @Optional() @Inject(INDICATOR_REPORTER) private readonly reporter: IndicatorReporter | null = null,
  ) {
    this.logger = options.logger.child({ component: 'indicator-report-schedule' });
  }

  onApplicationBootstrap(): void {
    if (this.options.intervalMs <= 0) {
      this.logger.info('INDICATOR_REPORT_SCHEDULE is 0: scheduled indicator reporting is off');
      return;
    }
    if (!this.reporter) {
      this.logger.warn('no indicator source is wired into this build: scheduled indicator reporting is idle');
      return;
    }
    this.schedule(this.options.firstRunAfterMs ?? Math.min(5000, this.options.intervalMs));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One run over the scheduled periods; resolves with what each agency and period came to. */
  async runOnce(now: Date = new Date()): Promise<ReportOutcome[]> {
    if (!this.reporter) return [];
    const outcomes: ReportOutcome[] = [];
    for (const period of scheduledPeriods(now)) {
      if (this.stopped) break;
      outcomes.push(...(await this.reporter.run(period)));
    }
    const queued = outcomes.filter((o) => o.outcome === 'queued').length;
    const problems = outcomes.filter((o) => o.outcome === 'invalid' || o.outcome === 'failed');
    for (const problem of problems) {
      this.logger.warn(
        { agencyCode: problem.agencyCode, period: problem.period.key, outcome: problem.outcome },
        'indicator report not queued',
      );
    }
    this.logger.info({ reports: outcomes.length, queued }, 'scheduled indicator reporting done');
    return outcomes;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.error({ err: error }, 'scheduled indicator reporting failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}

import { createHash, randomUUID } from 'node:crypto';
import { schemaIdOf, validate, type IndicatorReport, type ReportingPeriod } from '@lienthong/contracts';
import { createEvent, Outbox, toKafkaMessage, Topic } from '@lienthong/messaging';
import { counter, type AppLogger } from '@lienthong/observability';
import type { Database, Queryable } from '@lienthong/storage';
import type { IndicatorReportSource } from './indicator-report-source';

export const INDICATOR_REPORT_EVENT_TYPE = 'vn.lienthong.indicator.report.v1';

/** What one run did for one agency and period. */
export type ReportOutcome = { agencyCode: string; period: ReportingPeriod } & (
  | { outcome: 'queued'; version: number; eventId: string; viaOutbox: boolean }
  | { outcome: 'unchanged'; version: number }
  | { outcome: 'no-data' }
  | { outcome: 'invalid'; problems: string[] }
  | { outcome: 'failed'; reason: string }
);

export interface IndicatorReporterOptions {
  database: Database;
  /** The transactional outbox: each revision is written there with its row, then drained at once. */
  outbox: Outbox;
  source: IndicatorReportSource;
  logger: AppLogger;
  /** CloudEvents `source` of the published reports, e.g. `/lienthong/relay`. */
  eventSource: string;
  clock?: () => Date;
}

const reportsQueued = counter({
  name: 'lgsp_indicator_reports_total',
  help: 'Indicator report runs per agency and period, by outcome (queued, unchanged, no-data, invalid, failed)',
  labelNames: ['outcome'] as const,
});

/** The record key (and event subject) of an agency's report for a period: `000.17.22.H56:2026-10`. */
export function reportKey(agencyCode: string, period: ReportingPeriod): string {
  return `${agencyCode}:${period.key}`;
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** sha256 (hex) of what makes a revision: formula version, counts and scores, keys sorted. */
export function reportContentHash(
  report: Pick<IndicatorReport, 'formulaVersion' | 'counts' | 'scores'>,
): string {
  const content = { formulaVersion: report.formulaVersion, counts: report.counts, scores: report.scores };
  return createHash('sha256')
    .update(JSON.stringify(sorted(content)))
    .digest('hex');
}

/**
 * Turns the indicator numbers of a period into versioned reports for the operations center.
 *
 * For each agency the source has numbers for, the content hash is compared with the latest revision recorded
 * in indicator_delivery for the agency and period. Same content: nothing happens ("unchanged"). New or
 * changed content: the next version is recorded and its lgsp.indicator.report.v1 record (key
 * `<agency>:<period key>`) written to the transactional outbox in the same transaction; after the commit the
 * outbox is drained at once (in id order, under the outbox's lock), so the delivery consumer never sees a
 * report whose row is not committed, and a report Kafka cannot take now waits in the outbox for the next
 * drain (the gateway's drainer, or the next run). Each agency is its own transaction; the latest revision
 * row is locked, so two runs at once never record the same version twice.
 */
export class IndicatorReporter {
  private readonly clock: () => Date;
  private readonly logger: AppLogger;

  constructor(private readonly options: IndicatorReporterOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger.child({ component: 'indicator-reporter' });
  }

  /** Reports `period` for the given agencies, or for every agency the source knows for it. */
  async run(period: ReportingPeriod, selection: { agencies?: string[] } = {}): Promise<ReportOutcome[]> {
    const agencies = selection.agencies?.length
      ? [...new Set(selection.agencies)]
      : await this.options.source.agencies(period);
    const outcomes: ReportOutcome[] = [];
    for (const agencyCode of [...agencies].sort()) {
      const outcome = await this.reportOne(agencyCode, period);
      reportsQueued.inc({ outcome: outcome.outcome });
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async reportOne(agencyCode: string, period: ReportingPeriod): Promise<ReportOutcome> {
    const base = { agencyCode, period };
    let numbers;
    try {
      numbers = await this.options.source.report(agencyCode, period);
    } catch (error) {
      this.logger.warn({ agencyCode, period: period.key, err: error }, 'indicator numbers unavailable');
      return { ...base, outcome: 'failed', reason: (error as Error).message };
    }
    if (!numbers) return { ...base, outcome: 'no-data' };
    const hash = reportContentHash(numbers);
    const recorded = await this.record(agencyCode, period, numbers, hash);
    if (recorded.outcome !== 'queued') return recorded;
    const key = reportKey(agencyCode, period);
    await this.options.outbox.drain().catch(() => 0);
    const waiting = await this.options.outbox.keysWithBacklog(this.options.database, Topic.IndicatorReport, [
      key,
    ]);
    const viaOutbox = waiting.size > 0;
    this.logger.info(
      { agencyCode, period: period.key, version: recorded.version, viaOutbox },
      'indicator report queued for the operations center',
    );
    return { ...recorded, viaOutbox };
  }

  /** Records the next version unless the content is unchanged, with its record in the outbox. */
  private record(
    agencyCode: string,
    period: ReportingPeriod,
    numbers: Pick<IndicatorReport, 'formulaVersion' | 'counts' | 'scores'>,
    hash: string,
  ): Promise<ReportOutcome> {
    const base = { agencyCode, period };
    return this.options.database.transaction(async (tx): Promise<ReportOutcome> => {
      const latest = await tx.queryOne<{ version: number; content_hash: string }>(
        `SELECT version, content_hash FROM indicator_delivery
          WHERE agency_code = $1 AND period_key = $2 ORDER BY version DESC LIMIT 1 FOR UPDATE`,
        [agencyCode, period.key],
      );
      if (latest?.content_hash === hash) return { ...base, outcome: 'unchanged', version: latest.version };
      const report: IndicatorReport = {
        agencyCode,
        period: { kind: period.kind, key: period.key },
        formulaVersion: numbers.formulaVersion,
        version: (latest?.version ?? 0) + 1,
        counts: numbers.counts,
        scores: numbers.scores,
        generatedAt: this.clock().toISOString(),
      };
      const checked = validate('indicator-report', report);
      if (!checked.ok) {
        return {
          ...base,
          outcome: 'invalid',
          problems: checked.errors.map((e) => `${e.path || '/'} ${e.code}`),
        };
      }
      const eventId = randomUUID();
      const inserted = await tx.query(
        `INSERT INTO indicator_delivery (agency_code, period_kind, period_key, version, content_hash, event_id, report)
         VALUES ($1, $2, $3, $4, $5, $6::uuid, $7::jsonb)
         ON CONFLICT (agency_code, period_key, version) DO NOTHING RETURNING version`,
        [agencyCode, period.kind, period.key, report.version, hash, eventId, JSON.stringify(report)],
      );
      // another run recorded this version between our read and our insert: its report is the latest
      if (inserted.length === 0) return { ...base, outcome: 'unchanged', version: report.version };
      await this.enqueue(tx, report, eventId);
      return { ...base, outcome: 'queued', version: report.version, eventId, viaOutbox: true };
    });
  }

  /** Writes the report's record to the outbox, in the transaction that records the version. */
  private async enqueue(tx: Queryable, report: IndicatorReport, eventId: string): Promise<void> {
    const key = reportKey(report.agencyCode, report.period);
    const message = toKafkaMessage(
      createEvent({
        id: eventId,
        type: INDICATOR_REPORT_EVENT_TYPE,
        source: this.options.eventSource,
        subject: key,
        time: report.generatedAt,
        dataschema: schemaIdOf('indicator-report'),
        data: report,
        requestId: eventId,
      }),
      key,
    );
    await this.options.outbox.enqueue(tx, Topic.IndicatorReport, [message]);
  }
}

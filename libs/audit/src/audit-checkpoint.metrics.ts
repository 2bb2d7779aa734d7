import { gauge } from '@lienthong/observability';
import type { Queryable } from '@lienthong/storage';

/**
 * How far the signed checkpoints trail the audit chain, read from the database when /metrics is scraped:
 *
 * - lgsp_audit_checkpoint_age_seconds: age of the newest signed checkpoint; before the first one, how long
 *   the oldest record has waited for one (0 on an empty log).
 * - lgsp_audit_unchecked_records: records after the newest checkpoint's seq (all records before the first).
 *
 * Both together drive the "audit checkpoint overdue" alert (deploy/prometheus/alerts.yml): records waiting
 * while the newest checkpoint only gets older means the chain is no longer being signed. The gauges read
 * the database last given here, so an application that reopens its database keeps reporting.
 */
let source: { db: Queryable; now: () => Date } | undefined;

export function registerAuditCheckpointMetrics(db: Queryable, now: () => Date = () => new Date()): void {
  source = { db, now };
  gauge({
    name: 'lgsp_audit_checkpoint_age_seconds',
    help: 'Seconds since the newest signed audit checkpoint was written',
    async collect() {
      this.reset();
      const row = await readState();
      if (row) {
        const since = row.created_at ?? row.first_record_at;
        this.set(since ? Math.max(0, (source!.now().getTime() - new Date(since).getTime()) / 1000) : 0);
      }
    },
  });
  gauge({
    name: 'lgsp_audit_unchecked_records',
    help: 'Audit records written after the newest signed checkpoint',
    async collect() {
      this.reset();
      const row = await readState();
      if (row) this.set(Number(row.unchecked));
    },
  });
}

interface CheckpointState {
  created_at: Date | string | null;
  first_record_at: Date | string | null;
  unchecked: string | number;
}

/** One query per scrape per gauge; a database that is down leaves the gauges empty (lgsp_db_up says why). */
async function readState(): Promise<CheckpointState | null> {
  if (!source) return null;
  try {
    return await source.db.queryOne<CheckpointState>(
      `SELECT c.created_at,
              (SELECT min(r.occurred_at) FROM audit_record r) AS first_record_at,
              (SELECT count(*) FROM audit_record r WHERE r.seq > coalesce(c.seq, 0)) AS unchecked
         FROM (SELECT max(seq) AS seq, max(created_at) AS created_at FROM audit_checkpoint) c`,
    );
  } catch {
    return null;
  }
}

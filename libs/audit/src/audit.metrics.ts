import { counter, gauge, histogram } from '@lienthong/observability';

/** Queue depth of every live AuditLog in the process (usually one). */
export const liveQueues = new Set<{ readonly queueDepth: number }>();

export const auditRecords = counter({
  name: 'lgsp_audit_records_total',
  help: 'Audit records committed to the database, by outcome',
  labelNames: ['outcome'] as const,
});

// read by the registry at each scrape (collect), never set from outside
gauge({
  name: 'lgsp_audit_queue_depth',
  help: 'Audit entries accepted but not yet committed to the database',
  collect() {
    let depth = 0;
    for (const queue of liveQueues) depth += queue.queueDepth;
    this.set(depth);
  },
});

export const auditFlushDuration = histogram({
  name: 'lgsp_audit_flush_duration_seconds',
  help: 'Time to write one batch of audit records (lock the chain head, insert, commit), by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const auditBatchSize = histogram({
  name: 'lgsp_audit_batch_size',
  help: 'Audit records per committed batch',
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
});

export const auditWriteErrors = counter({
  name: 'lgsp_audit_write_errors_total',
  help: 'Failed attempts to write a batch of audit records (the batch is kept and retried)',
});

export const auditPublishErrors = counter({
  name: 'lgsp_audit_publish_errors_total',
  help: 'Committed audit records that could not be published to Kafka (the database keeps them), by reason',
  labelNames: ['reason'] as const,
});

export const auditBackpressureWaits = counter({
  name: 'lgsp_audit_backpressure_waits_total',
  help: 'Calls to record() that had to wait because the audit queue was full',
});

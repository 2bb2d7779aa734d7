import { performance } from 'node:perf_hooks';
import type { AuditEntry, AuditLog } from '@lienthong/audit';
import type { ConsumedEvent } from '@lienthong/messaging';
import type { AppLogger } from '@lienthong/observability';

/** The client id of the relay's own exchanges in the audit log. */
export const RELAY_AUDIT_CLIENT_ID = 'lienthong-relay';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const OUTCOME_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** What one upstream call of the relay is about; the relay fills in who, when, the outcome and the latency. */
export type RelayExchange = Pick<AuditEntry, 'service' | 'upstream' | 'subject' | 'dossierCode'> & {
  /** Outcome code of a failure whose error carries no usable code. */
  errorCode: string;
};

/**
 * Records each call the relay makes to an upstream (portal sync, operations-center report) in the audit
 * log, one record per attempt, success or failure.
 */
export class RelayAudit {
  private readonly logger: AppLogger;

  constructor(
    private readonly audit: AuditLog,
    logger: AppLogger,
  ) {
    this.logger = logger.child({ component: 'relay-audit' });
  }

  /** Runs the call and records it; the call's result or error passes through unchanged. */
  async call<T>(
    consumed: ConsumedEvent<unknown>,
    exchange: RelayExchange,
    run: () => Promise<T>,
    outcomeCodeOf?: (result: T) => string | undefined,
  ): Promise<T> {
    const { errorCode, ...about } = exchange;
    const base = { ...about, requestId: requestIdOf(consumed), clientId: RELAY_AUDIT_CLIENT_ID };
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const result = await run();
      const outcomeCode = outcomeCodeOf?.(result);
      this.record({
        ...base,
        outcome: 'OK',
        ...(outcomeCode ? { outcomeCode } : {}),
        upstreamLatencyMs: latency(),
      });
      return result;
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      this.record({
        ...base,
        outcome: 'UPSTREAM_ERROR',
        outcomeCode:
          typeof code === 'string' && code.length <= 64 && OUTCOME_CODE.test(code) ? code : errorCode,
        upstreamLatencyMs: latency(),
      });
      throw error;
    }
  }

  /** Queued, never awaited: the audit log writes in batches; an entry it refuses is logged, not thrown. */
  private record(entry: AuditEntry): void {
    try {
      void this.audit.record(entry).catch((error: unknown) => this.failed(entry, error));
    } catch (error) {
      this.failed(entry, error);
    }
  }

  private failed(entry: AuditEntry, error: unknown): void {
    this.logger.error(
      { requestId: entry.requestId, service: entry.service, err: { message: (error as Error)?.message } },
      'relay audit entry not recorded',
    );
  }
}

/**
 * The event's request id header when it is one the contract accepts, else the event id (stable across
 * retries and redeliveries), else the record's position.
 */
export function requestIdOf(consumed: ConsumedEvent<unknown>): string {
  const { requestId, event, topic, partition, offset } = consumed;
  if (requestId && REQUEST_ID.test(requestId)) return requestId;
  if (REQUEST_ID.test(event.id)) return event.id;
  return `${topic}:${partition}:${offset}`;
}

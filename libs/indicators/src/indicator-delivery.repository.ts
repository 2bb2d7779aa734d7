import { Injectable } from '@nestjs/common';
import { Database } from '@lienthong/storage';

/** Where the delivery of one version of an agency's report for a period stands. */
export type IndicatorDeliveryStatus = 'PARKED' | 'DELIVERED' | 'SUPERSEDED' | 'REJECTED' | 'FAILED';

/** One version of an agency's report for a period. */
export interface IndicatorDeliveryKey {
  agencyCode: string;
  periodKey: string;
  version: number;
}

/**
 * The delivery of the indicator reports to the operations center (`indicator_delivery`, migration 0006), as
 * the relay's delivery consumer records it; the reporter writes each new version.
 */
@Injectable()
export class IndicatorDeliveryRepository {
  constructor(private readonly database: Database) {}

  /** True when an earlier version of the same agency and period is parked (waits on the retry topic). */
  async isParkedBehind(key: IndicatorDeliveryKey): Promise<boolean> {
    return Boolean(
      await this.database.queryOne(
        `SELECT 1 AS parked FROM indicator_delivery
          WHERE agency_code = $1 AND period_key = $2 AND status = 'PARKED' AND version < $3 LIMIT 1`,
        [key.agencyCode, key.periodKey, key.version],
      ),
    );
  }

  /**
   * Records where the delivery of this version stands, counting one attempt; a receipt id is kept once
   * given, `error` (already fit to store: no personal data) replaces the last one.
   */
  async mark(
    key: IndicatorDeliveryKey,
    status: IndicatorDeliveryStatus,
    details: { receiptId?: string; error?: string },
  ): Promise<void> {
    await this.database.query(
      `UPDATE indicator_delivery
          SET status = $4, attempts = attempts + 1, receipt_id = COALESCE($5, receipt_id), last_error = $6,
              delivered_at = CASE WHEN $4 = 'DELIVERED' THEN now() ELSE delivered_at END, updated_at = now()
        WHERE agency_code = $1 AND period_key = $2 AND version = $3`,
      [key.agencyCode, key.periodKey, key.version, status, details.receiptId ?? null, details.error ?? null],
    );
  }
}

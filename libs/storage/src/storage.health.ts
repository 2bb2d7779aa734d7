import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DEFAULT_PING_TIMEOUT_MS, Database } from './database';
import { errorMessage } from './errors';

export interface DatabaseHealthOptions {
  /** Ping timeout in milliseconds (default 1500). */
  timeoutMs?: number;
}

/**
 * Readiness check of the database: `SELECT 1` within a timeout. Reports the driver kind and the round
 * trip (`latencyMs`) when up, the kind and the reason when down; never the URL or its password.
 * On PGlite the ping queues behind an open transaction, so a long transaction can report down.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly database: Database,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy<const Key extends string = 'database'>(
    key: Key = 'database' as Key,
    options: DatabaseHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    const kind = this.database.kind;
    try {
      const latency = await this.database.ping(options.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS);
      return indicator.up({ kind, latencyMs: Math.round(latency * 10) / 10 });
    } catch (error) {
      return indicator.down({ kind, message: errorMessage(error) });
    }
  }
}

import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { PortalCatalogueClient } from '@lienthong/adapters/public-service-portal';
import type { AppLogger } from '@lienthong/observability';
import {
  syncCatalogue,
  type CatalogueStore,
  type CatalogueSyncAudit,
  type LiveCatalogue,
} from '@lienthong/catalogue';

/** How soon a failed periodic sync is tried again (unless the interval is shorter). */
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

/**
 * The relay's periodic sync of the national procedure catalogue (CATALOGUE_SYNC_INTERVAL_MS): first once the
 * relay has started (in the background, so a slow portal delays no consumer), then on the interval (after a
 * failure within five minutes); after a successful sync the relay's own catalogue is reloaded at once. Relays running side by side each sync: the
 * replace is one transaction, so the store holds one whole catalogue or the other.
 */
export class CatalogueSyncService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastFailed = false;

  constructor(
    private readonly reader: Pick<PortalCatalogueClient, 'read'>,
    private readonly store: CatalogueStore,
    private readonly live: LiveCatalogue,
    private readonly intervalMs: number,
    private readonly logger?: AppLogger,
    /** Closes the reader's portal client when the relay stops. */
    private readonly closeReader: () => Promise<void> = async () => undefined,
    private readonly audit?: CatalogueSyncAudit,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setTimeout(() => this.tick(), 0);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.closeReader();
  }

  /** One sync now, and the reload after it; a failure is recorded and logged, never thrown. */
  syncNow(): Promise<void> {
    this.running ??= (async () => {
      try {
        const outcome = await syncCatalogue(this.reader, this.store, this.logger, this.audit);
        this.lastFailed = outcome.outcome !== 'SUCCEEDED';
        if (!this.lastFailed) await this.live.reload();
      } catch (error) {
        this.lastFailed = true;
        this.logger?.warn(
          { err: { name: (error as Error).name } },
          'national procedure catalogue sync could not be recorded',
        );
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private tick(): void {
    void this.syncNow().then(() => {
      if (this.stopped) return;
      // a failed sync (the portal not up yet, say) is tried again within RETRY_AFTER_FAILURE_MS
      const delay = this.lastFailed ? Math.min(this.intervalMs, RETRY_AFTER_FAILURE_MS) : this.intervalMs;
      this.timer = setTimeout(() => this.tick(), delay);
      this.timer.unref();
    });
  }
}

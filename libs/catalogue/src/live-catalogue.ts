import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ProcedureCatalogue } from '@lienthong/domain';
import type { AppLogger } from '@lienthong/observability';
import type { CatalogueStore } from './catalogue.store';

/**
 * Keeps a process's ProcedureCatalogue (the instance the gateway's ingest check and the relay's routing hold)
 * equal to the effective catalogue: the synced national catalogue overlaid by procedures.yaml. It rebuilds the
 * catalogue when a newer sync is in the store, on an interval (CATALOGUE_RELOAD_MS) and at once after a sync
 * in the same process. A store it cannot read, or a catalogue that does not build, leaves the one in use.
 */
export class LiveCatalogue implements OnModuleInit, OnModuleDestroy {
  private loadedVersion = -1;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;

  constructor(
    readonly catalogue: ProcedureCatalogue,
    private readonly local: unknown,
    private readonly store: CatalogueStore,
    private readonly logger?: AppLogger,
    /** CATALOGUE_RELOAD_MS, when a module starts it. */
    private readonly reloadMs = 0,
  ) {}

  /** As a Nest provider: the effective catalogue before the process serves, then the reload interval. */
  onModuleInit(): Promise<void> {
    return this.start(this.reloadMs);
  }

  onModuleDestroy(): void {
    this.stop();
  }

  /** Reads the store once now, then every `intervalMs` (0: only when asked). */
  async start(intervalMs: number): Promise<void> {
    await this.reload();
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.reload(), intervalMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Rebuilds the catalogue when the store holds a newer sync than the one in use. */
  reload(): Promise<void> {
    this.reloading ??= this.reloadOnce().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadOnce(): Promise<void> {
    try {
      const version = await this.store.version();
      if (version === this.loadedVersion) return;
      const next = ProcedureCatalogue.effective(this.local, await this.store.read());
      this.catalogue.replaceWith(next);
      this.loadedVersion = version;
      if (version > 0)
        this.logger?.info(
          { sync: version, procedures: next.procedureCount() },
          'procedure catalogue reloaded',
        );
    } catch (error) {
      this.logger?.warn(
        { err: { name: (error as Error).name, message: (error as Error).message } },
        'procedure catalogue not reloaded; the one in use stays',
      );
    }
  }
}

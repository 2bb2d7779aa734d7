import {
  PortalCatalogueClient,
  portalClientOptions,
  portalDialectOf,
  PublicServicePortalClient,
  type PortalSettings,
} from '@lienthong/adapters/public-service-portal';
import type { AppLogger } from '@lienthong/observability';
import type { CatalogueStore, CatalogueSyncRecord } from './catalogue.store';

const OUTCOME_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** The stable code of a failed sync, from the portal error's code when it has one. */
export function syncErrorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.length <= 64 && OUTCOME_CODE.test(code) ? code : 'SYNC_FAILED';
}

/** The audit record of a sync (service `catalogue.sync`, upstream `public-service-portal`, no subject). */
export type CatalogueSyncAudit = (entry: {
  service: 'catalogue.sync';
  upstream: 'public-service-portal';
  outcome: 'OK' | 'UPSTREAM_ERROR';
  outcomeCode?: string;
  upstreamLatencyMs: number;
}) => Promise<void>;

/**
 * One sync of the national procedure catalogue: read it whole through the portal, then replace the stored one
 * in one transaction. A read that fails part-way stores nothing (the previous catalogue stays) and records the
 * failure by its code. Audited through `audit` when given; logs counts and codes only (a catalogue holds no
 * personal data, and none is logged).
 */
export async function syncCatalogue(
  reader: Pick<PortalCatalogueClient, 'read'>,
  store: CatalogueStore,
  logger?: AppLogger,
  audit?: CatalogueSyncAudit,
): Promise<CatalogueSyncRecord> {
  const startedAt = new Date();
  const latency = () => Date.now() - startedAt.getTime();
  const base = { service: 'catalogue.sync', upstream: 'public-service-portal' } as const;
  let catalogue;
  try {
    catalogue = await reader.read();
  } catch (error) {
    const errorCode = syncErrorCode(error);
    await audit?.({
      ...base,
      outcome: 'UPSTREAM_ERROR',
      outcomeCode: errorCode,
      upstreamLatencyMs: latency(),
    });
    const failed = await store.recordFailure(startedAt, errorCode);
    logger?.warn(
      { sync: failed.id, errorCode: failed.errorCode },
      'national procedure catalogue sync failed; the previous catalogue stays',
    );
    return failed;
  }
  const stored = await store.replace(catalogue, startedAt);
  await audit?.({ ...base, outcome: 'OK', upstreamLatencyMs: latency() });
  logger?.info(
    {
      sync: stored.id,
      procedures: stored.procedures,
      sectors: stored.sectors,
      agencies: stored.agencies,
      skipped: stored.skipped,
    },
    'national procedure catalogue synced',
  );
  return stored;
}

/**
 * A catalogue reader on a portal client of its own (its own session and pool), from the PORTAL_* settings.
 * The catalogue services belong to the OpenCPS-era dialect; the token dialect names none, so a deployment
 * on it has no sync (undefined).
 */
export function portalCatalogueReader(
  settings: PortalSettings,
  more: { ca?: string; logger?: AppLogger; concurrency?: number },
): { reader: PortalCatalogueClient; close: () => Promise<void> } | undefined {
  if (!settings.PORTAL_URL || portalDialectOf(settings) !== 'opencps') return undefined;
  const client = new PublicServicePortalClient(
    portalClientOptions(settings, { ca: more.ca, logger: more.logger }),
  );
  return {
    reader: new PortalCatalogueClient(client, { concurrency: more.concurrency, logger: more.logger }),
    close: () => client.close(),
  };
}

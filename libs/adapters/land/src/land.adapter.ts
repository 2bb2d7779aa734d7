import type { LandParcel } from '@lienthong/contracts';
import type { UpstreamAdapter } from '@lienthong/adapters/common';

/** Per-call context. */
export interface LandCallContext {
  /** The exchange's X-Request-Id ([A-Za-z0-9._:-]{1,128}), sent to the upstream as X-Request-Id. */
  requestId: string;
}

/** A parcel's cadastral key. */
export interface ParcelKey {
  /** Current 5-digit commune code. */
  communeCode: string;
  /** Map sheet number (số tờ bản đồ), e.g. `15`. */
  mapSheetNo: string;
  /** Parcel number on the sheet (số thửa), e.g. `231`. */
  parcelNo: string;
}

/** The adapter's calls: the `method` label of the shared metrics. */
export type LandMethod = 'lookupParcel' | 'lookupByCertificate';

/** A certificate number no one holds, asked for by `diagnose`: LAND_PARCEL_NOT_FOUND proves the exchange. */
export const RESERVED_LAND_CERTIFICATE = 'LT-DIAGNOSTIC-0';

/**
 * The National Land Database (CSDLQG về đất đai) as the gateway sees it. Implementations throw the upstream
 * errors of land.errors.ts, never HTTP exceptions.
 */
export interface LandAdapter extends UpstreamAdapter<LandMethod> {
  /** The parcel with this commune code, map sheet and parcel number, in the canonical model. */
  lookupParcel(key: ParcelKey, ctx: LandCallContext): Promise<LandParcel>;
  /** The parcel a certificate (by its issue number, số phát hành) was issued for. */
  lookupByCertificate(certificateNo: string, ctx: LandCallContext): Promise<LandParcel>;
}

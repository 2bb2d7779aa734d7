import type { LandParcel } from '@lienthong/contracts';
import type { AdapterHealth } from '@lienthong/adapters/common';

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

/**
 * The National Land Database (CSDLQG về đất đai) as the gateway sees it. Implementations throw the errors
 * of land.errors.ts, never HTTP exceptions.
 */
export interface LandAdapter {
  /** The parcel with this commune code, map sheet and parcel number, in the canonical model. */
  lookupParcel(key: ParcelKey, ctx: LandCallContext): Promise<LandParcel>;
  /** The parcel a certificate (by its issue number, số phát hành) was issued for. */
  lookupByCertificate(certificateNo: string, ctx: LandCallContext): Promise<LandParcel>;
  /** Circuit state, recent latency and error rate, for `GET /health/adapters`. */
  health(): AdapterHealth;
}

/** Nest injection token for the LandAdapter. */
export const LAND_ADAPTER = Symbol('LAND_ADAPTER');

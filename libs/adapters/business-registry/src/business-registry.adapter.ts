import type { Enterprise } from '@lienthong/contracts';
import type { UpstreamAdapter } from '@lienthong/adapters/common';

/** Per-call context. */
export interface BusinessRegistryCallContext {
  /** The exchange's X-Request-Id ([A-Za-z0-9._:-]{1,128}), sent to the upstream as X-Request-Id. */
  requestId: string;
}

/** The adapter's calls: the `method` label of the shared metrics. */
export type BusinessRegistryMethod = 'lookupEnterprise';

/** An enterprise code no one holds, asked for by `diagnose`: ENTERPRISE_NOT_FOUND proves the exchange. */
export const RESERVED_ENTERPRISE_CODE = '0100000000';

/**
 * The National Business Registration Database (CSDLQG về đăng ký doanh nghiệp) as the gateway sees it.
 * Implementations throw the upstream errors of business-registry.errors.ts, never HTTP exceptions.
 */
export interface BusinessRegistryAdapter extends UpstreamAdapter<BusinessRegistryMethod> {
  /**
   * The enterprise (10-digit code) or dependent unit (13-character code) in the canonical model, with
   * provenance. A code that fails the check-digit rule is still looked up; the record carries
   * `checkDigitWarning: true`.
   */
  lookupEnterprise(enterpriseCode: string, ctx: BusinessRegistryCallContext): Promise<Enterprise>;
}
